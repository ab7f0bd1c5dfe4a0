// The non-template bookkeeping of one cache shard: the eviction policy (LRU or
// adaptive W-TinyLFU with its frequency sketch), the timer wheel that reclaims
// expired entries, and the slot allocator. Cache<K, V> keeps keys and values in
// parallel arrays indexed by the slot numbers handed out here, so all policy
// code is compiled once, in src/cache/, whatever K and V are.
//
// Thread-safety: none; a ShardCore is used under its shard's mutex. Internal
// to the cache layer: include awsperf/cache/cache.h instead.
#ifndef AWSPERF_CACHE_SHARD_CORE_H_
#define AWSPERF_CACHE_SHARD_CORE_H_

#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

namespace awsperf::cache {

enum class Policy : std::uint8_t {
  kWTinyLfu,  // window LRU + frequency-filtered segmented LRU, window tuned by hill climbing
  kLru,       // plain least-recently-used
};

// Why an entry left the cache; passed to the removal listener.
enum class RemovalCause : std::uint8_t {
  kExplicit,  // erase(), clear(), or an invalidation
  kReplaced,  // put() over an existing entry
  kExpired,   // its TTL passed
  kSize,      // evicted to respect max_entries / max_bytes
};

namespace detail {

inline constexpr std::uint32_t kNil = std::numeric_limits<std::uint32_t>::max();
inline constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max();

// Per-entry metadata: 48 bytes. Links are slot numbers, not pointers, which
// halves their size and lets slots live in chunked arrays without a malloc
// header per entry.
struct EntryMeta {
  std::uint32_t prev = kNil;   // policy queue, towards the LRU end
  std::uint32_t next = kNil;   // policy queue, towards the MRU end
  std::uint32_t wprev = kNil;  // timer wheel bucket
  std::uint32_t wnext = kNil;
  std::int64_t expire_at = kNever;  // Clock nanoseconds; kNever = no expiry
  std::int64_t written_at = 0;      // for refresh_after
  std::uint32_t weight = 0;         // bytes, from the weigher
  std::uint32_t hash = 0;           // low 32 bits of the mixed key hash
  std::uint8_t queue = 0;           // Queue
  std::uint8_t flags = 0;           // kFlag*
  std::uint8_t wheel_level = 0;
  std::uint8_t wheel_bucket = 0;
};

inline constexpr std::uint8_t kFlagAbsent = 1;      // a negative entry: no value constructed
inline constexpr std::uint8_t kFlagRefreshing = 2;  // a refresh-ahead reload is running
inline constexpr std::uint8_t kFlagInWheel = 4;

struct Removal {
  std::uint32_t slot;
  RemovalCause cause;
};

// The count-min sketch of TinyLFU: four 4-bit counters per key, halved every
// `sample_size` increments so that old popularity fades.
class FrequencySketch {
 public:
  void resize(std::uint64_t max_entries);
  void increment(std::uint32_t hash);
  int frequency(std::uint32_t hash) const;

 private:
  std::vector<std::uint64_t> table_;
  std::uint64_t mask_ = 0;
  std::uint64_t size_ = 0;
  std::uint64_t sample_size_ = 0;
};

class ShardCore {
 public:
  ShardCore(Policy policy, std::uint64_t max_entries, std::uint64_t max_bytes);
  ~ShardCore();
  ShardCore(const ShardCore&) = delete;
  ShardCore& operator=(const ShardCore&) = delete;

  // A free slot, metadata reset. The caller constructs the key/value there.
  std::uint32_t allocate();
  // Returns a detached slot to the free list (after the key/value are destroyed).
  void release(std::uint32_t slot);
  std::uint32_t slot_capacity() const { return capacity_; }

  EntryMeta& meta(std::uint32_t slot) {
    return chunks_[slot >> kChunkBits][slot & (kChunkSize - 1)];
  }
  const EntryMeta& meta(std::uint32_t slot) const {
    return chunks_[slot >> kChunkBits][slot & (kChunkSize - 1)];
  }

  // A new entry (meta filled by the caller: hash, weight, expire_at). Appends to
  // `out` the entries the policy evicts to make room, already detached; the
  // new entry itself may be among them (rejected by admission or too heavy).
  void insert(std::uint32_t slot, std::int64_t now, std::vector<Removal>& out);
  // An existing entry got a new value, weight or expiry.
  void update(std::uint32_t slot, std::uint32_t new_weight, std::int64_t new_expire_at,
              std::int64_t now, std::vector<Removal>& out);
  // A read hit.
  void on_hit(std::uint32_t slot);
  // A read miss (feeds the hill climber's hit-rate sample).
  void on_miss();
  // Unlinks an entry from the policy and the wheel; the caller then destroys
  // it and calls release().
  void detach(std::uint32_t slot);
  // Detaches every entry whose expiry is <= now, amortized O(1) per entry.
  void expire(std::int64_t now, std::vector<Removal>& out);
  // Detaches everything; appends all live slots to `out` with `cause`.
  void detach_all(RemovalCause cause, std::vector<Removal>& out);

  std::uint64_t entries() const { return entries_; }
  std::uint64_t bytes() const { return bytes_; }
  std::uint64_t max_entries() const { return max_entries_; }
  std::uint64_t max_bytes() const { return max_bytes_; }
  // For tests and the simulator: the current W-TinyLFU window size (entries).
  std::uint64_t window_max() const { return window_max_; }

 private:
  static constexpr int kChunkBits = 8;
  static constexpr std::uint32_t kChunkSize = 1u << kChunkBits;
  enum Queue : std::uint8_t { kNone = 0, kWindow, kProbation, kProtected };
  struct List {
    std::uint32_t head = kNil;  // least recently used
    std::uint32_t tail = kNil;  // most recently used
    std::uint64_t count = 0;
  };

  List& list(std::uint8_t q);
  void push_mru(List& l, std::uint32_t slot, std::uint8_t q);
  void unlink(List& l, std::uint32_t slot);
  void evict_to_fit(std::uint32_t pending_candidates, std::vector<Removal>& out);
  void touch(std::uint32_t slot);
  void evict_slot(std::uint32_t slot, std::vector<Removal>& out);
  bool admit(std::uint32_t candidate, std::uint32_t victim);
  void climb();
  void demote_protected();

  // Timer wheel.
  void wheel_schedule(std::uint32_t slot);
  void wheel_unlink(std::uint32_t slot);

  Policy policy_;
  std::uint64_t max_entries_;
  std::uint64_t max_bytes_;
  std::uint64_t entries_ = 0;
  std::uint64_t bytes_ = 0;

  std::vector<std::unique_ptr<EntryMeta[]>> chunks_;
  std::uint32_t capacity_ = 0;
  std::uint32_t free_head_ = kNil;  // free slots chained through meta.next

  List window_;
  List probation_;
  List protected_;
  std::uint64_t window_max_ = 0;
  std::uint64_t protected_max_ = 0;
  FrequencySketch sketch_;
  std::uint64_t rng_ = 0x9E3779B97F4A7C15ull;

  // Hill climbing over the window size (as in Caffeine).
  std::uint64_t sample_hits_ = 0;
  std::uint64_t sample_misses_ = 0;
  double previous_hit_rate_ = 0;
  double step_size_ = 0;

  static constexpr int kWheelLevels = 5;
  static constexpr int kWheelBuckets = 64;
  std::uint32_t wheel_[kWheelLevels][kWheelBuckets];
  std::int64_t wheel_time_ = 0;
  bool wheel_started_ = false;
};

}  // namespace detail
}  // namespace awsperf::cache

#endif  // AWSPERF_CACHE_SHARD_CORE_H_
