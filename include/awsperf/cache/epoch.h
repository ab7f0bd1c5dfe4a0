// Epoch-based reclamation for the cache's lock-free reads. Internal to the
// cache layer: include awsperf/cache/cache.h instead.
//
// Readers run inside an EpochGuard: they publish the global epoch they saw and
// never take a lock. Writers (under their shard's mutex) unlink an object, then
// call epoch_retire_point(); the object may be freed once epoch_min_active()
// is greater than that point, because every reader that could still hold a
// reference entered at an epoch no greater than it. Every operation on the
// epoch words is sequentially consistent, which is what the argument needs
// (and what ThreadSanitizer can check, unlike standalone fences).
//
// Thread-safety: all functions may be called from any thread. A thread's
// record is reused by later threads once it exits. Guards nest.
#ifndef AWSPERF_CACHE_EPOCH_H_
#define AWSPERF_CACHE_EPOCH_H_

#include <atomic>
#include <cstdint>

namespace awsperf::cache::detail {

struct alignas(64) EpochRecord {
  std::atomic<std::uint64_t> epoch{0};  // 0 = outside any guard
  std::uint32_t depth = 0;              // guard nesting; owner thread only
  std::uint32_t stripe = 0;             // the owner's read-buffer stripe hint
  std::atomic<bool> in_use{false};
  EpochRecord* next = nullptr;  // immutable once linked
};

extern std::atomic<std::uint64_t> g_epoch;

// The calling thread's record, registering it on first use.
EpochRecord* epoch_register();
inline constinit thread_local EpochRecord* t_epoch_record = nullptr;

inline EpochRecord* epoch_record() {
  EpochRecord* r = t_epoch_record;
  return r != nullptr ? r : epoch_register();
}

class EpochGuard {
 public:
  EpochGuard() : r_(epoch_record()) {
    if (r_->depth++ == 0) r_->epoch.store(g_epoch.load(), std::memory_order_seq_cst);
  }
  ~EpochGuard() {
    if (--r_->depth == 0) r_->epoch.store(0, std::memory_order_release);
  }
  EpochRecord* record() const { return r_; }
  EpochGuard(const EpochGuard&) = delete;
  EpochGuard& operator=(const EpochGuard&) = delete;

 private:
  EpochRecord* r_;
};

// Call after unlinking objects; they may be freed once epoch_min_active() is
// greater than the value returned.
inline std::uint64_t epoch_retire_point() { return g_epoch.fetch_add(1); }

// The smallest epoch a reader inside a guard may hold; UINT64_MAX if none.
std::uint64_t epoch_min_active();

}  // namespace awsperf::cache::detail

#endif  // AWSPERF_CACHE_EPOCH_H_
