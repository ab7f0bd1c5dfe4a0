// The non-template bookkeeping of one cache shard: the eviction policy (LRU or
// adaptive W-TinyLFU with its frequency sketch), the timer wheel that reclaims
// expired entries, the slot allocator (each slot holds the entry's metadata
// and then the Cache's key and value), the hash table of published slots and
// the buffer of read events. All policy code is compiled once, in src/cache/,
// whatever K and V are.
//
// Thread-safety: find_published() and reads().offer/count_* may be called by
// any number of threads without the lock, inside an EpochGuard (epoch.h);
// everything else is used under the shard's mutex. Internal to the cache
// layer: include awsperf/cache/cache.h instead.
#ifndef AWSPERF_CACHE_SHARD_CORE_H_
#define AWSPERF_CACHE_SHARD_CORE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
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
inline constexpr std::uint32_t kTomb = kNil - 1;  // a hash-table cell whose entry left
inline constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max();

// Per-entry policy metadata, 24 bytes, in its own array: only writers (under
// the shard mutex) read or write it, so replaying reads into the policy never
// dirties the cache lines that lock-free readers fetch. Links are slot
// numbers, not pointers: half the size, and no malloc header per entry.
struct EntryMeta {
  std::uint32_t prev = kNil;   // policy queue, towards the LRU end
  std::uint32_t next = kNil;   // policy queue, towards the MRU end
  std::uint32_t wprev = kNil;  // timer wheel bucket
  std::uint32_t wnext = kNil;
  std::uint32_t weight = 0;  // bytes, from the weigher
  std::uint8_t queue = 0;    // Queue
  std::uint8_t flags = 0;    // kFlag*
  std::uint8_t wheel_level = 0;
  std::uint8_t wheel_bucket = 0;
};

// What readers need of an entry, 16 bytes, followed in the same slot by the
// Cache's payload (key, value). Written before the slot is published in the
// hash table and never changed while it is there.
struct EntryHeader {
  std::int64_t expire_at = kNever;  // Clock nanoseconds; kNever = no expiry
  std::uint32_t hash = 0;           // low 32 bits of the mixed key hash
  std::uint8_t absent = 0;          // a negative entry: no value constructed
};

inline constexpr std::uint8_t kFlagInWheel = 4;

// A mutex that spins briefly before it sleeps: shard critical sections last
// well under a microsecond, and sleeping on a futex for one costs a context
// switch or two (measured: a fifth of the CPU of two threads writing to a
// Zipf-skewed cache).
class ShardMutex {
 public:
  void lock() {
    for (int i = 0; i < 100; ++i) {
      if (mu_.try_lock()) return;
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
    }
    mu_.lock();
  }
  bool try_lock() { return mu_.try_lock(); }
  void unlock() { mu_.unlock(); }

 private:
  std::mutex mu_;
};

struct Removal {
  std::uint32_t slot;
  RemovalCause cause;
};

// The count-min sketch of TinyLFU: four 4-bit counters per key, all in one
// 64-byte block (one cache miss per update), halved every `sample_size`
// increments so that old popularity fades.
class FrequencySketch {
 public:
  FrequencySketch() = default;
  ~FrequencySketch();
  FrequencySketch(const FrequencySketch&) = delete;
  FrequencySketch& operator=(const FrequencySketch&) = delete;
  void resize(std::uint64_t max_entries);
  void increment(std::uint32_t hash);
  int frequency(std::uint32_t hash) const;
  const void* block_of(std::uint32_t hash) const;

 private:
  std::uint64_t* table_ = nullptr;  // 64-byte aligned, `words_` long
  std::uint64_t words_ = 0;
  std::uint64_t block_mask_ = 0;
  std::uint64_t size_ = 0;
  std::uint64_t sample_size_ = 0;
};

// Lossy, striped buffers of read events (hits and misses) that lock-free
// readers append to and the shard's lock holder replays into the policy, as
// in Caffeine. A full stripe drops the event unless the reader can take the
// lock and drain; so a single thread loses nothing, and a contended shard
// sheds policy bookkeeping instead of making readers wait.
class ReadBuffer {
 public:
  static constexpr std::uint32_t kStripes = 4;
  static constexpr std::uint32_t kSlots = 16;  // per stripe, a power of two
  static constexpr std::uint64_t kMissEvent = 1;

  static std::uint64_t hit_event(std::uint32_t slot, std::uint32_t hash) {
    return (static_cast<std::uint64_t>(slot) + 1) << 32 | hash;
  }
  // The stripe's fill level after adding the event; 0 when it was not added
  // (the stripe is full, or another reader raced for the cell).
  std::uint32_t offer(std::uint32_t stripe, std::uint64_t event) {
    Stripe& s = stripes_[stripe & (kStripes - 1)];
    std::uint32_t head = s.head.load(std::memory_order_relaxed);
    std::uint32_t used = head - s.tail.load(std::memory_order_acquire);
    if (used >= kSlots) return 0;
    if (!s.head.compare_exchange_strong(head, head + 1, std::memory_order_acq_rel)) return 0;
    s.events[head & (kSlots - 1)].store(event, std::memory_order_release);
    return used + 1;
  }
  // `reader` identifies the calling thread's epoch record. The first record
  // to count on a stripe owns it and counts with plain stores (records are
  // never used by two threads at once); others count with atomic adds.
  void count_hit(std::uint32_t stripe, const void* reader) {
    Stripe& s = stripes_[stripe & (kStripes - 1)];
    if (owns(s, reader)) {
      s.owner_hits.store(s.owner_hits.load(std::memory_order_relaxed) + 1,
                         std::memory_order_relaxed);
    } else {
      s.hits.fetch_add(1, std::memory_order_relaxed);
    }
  }
  void count_miss(std::uint32_t stripe, const void* reader) {
    Stripe& s = stripes_[stripe & (kStripes - 1)];
    if (owns(s, reader)) {
      s.owner_misses.store(s.owner_misses.load(std::memory_order_relaxed) + 1,
                           std::memory_order_relaxed);
    } else {
      s.misses.fetch_add(1, std::memory_order_relaxed);
    }
  }
  // Counts a hit (slot != kNil) or a miss; returns the event to offer.
  std::uint64_t count(std::uint32_t stripe, const void* reader, std::uint32_t slot,
                      std::uint32_t hash) {
    if (slot == kNil) {
      count_miss(stripe, reader);
      return kMissEvent;
    }
    count_hit(stripe, reader);
    return hit_event(slot, hash);
  }
  std::uint64_t hits() const;
  std::uint64_t misses() const;
  // Single consumer (the lock holder): appends pending events to `out`.
  void take(std::vector<std::uint64_t>& out);

 private:
  struct alignas(64) Stripe {
    std::atomic<std::uint32_t> head{0};
    std::atomic<std::uint32_t> tail{0};
    std::atomic<const void*> owner{nullptr};
    std::atomic<std::uint64_t> owner_hits{0};
    std::atomic<std::uint64_t> owner_misses{0};
    std::atomic<std::uint64_t> hits{0};
    std::atomic<std::uint64_t> misses{0};
    std::atomic<std::uint64_t> events[kSlots] = {};
  };
  static bool owns(Stripe& s, const void* reader) {
    const void* o = s.owner.load(std::memory_order_relaxed);
    if (o == reader) return true;
    return o == nullptr && s.owner.compare_exchange_strong(o, reader);
  }
  Stripe stripes_[kStripes];
};

class ShardCore {
 public:
  // Each slot has an EntryMeta, and an EntryHeader followed by
  // `payload_size` bytes aligned to `payload_align` for the caller's key and
  // value.
  ShardCore(Policy policy, std::uint64_t max_entries, std::uint64_t max_bytes,
            std::size_t payload_size, std::size_t payload_align);
  // Frees the slots' memory; the caller destroys payloads first.
  ~ShardCore();
  ShardCore(const ShardCore&) = delete;
  ShardCore& operator=(const ShardCore&) = delete;

  // ---- slots (under the lock) ----
  // A free slot, metadata and header reset. The caller fills the header and
  // constructs the payload.
  std::uint32_t allocate();
  std::uint32_t slot_capacity() const { return capacity_; }
  EntryMeta& meta(std::uint32_t slot) {
    return meta_chunks_[slot >> kChunkBits][slot & (kChunkSize - 1)];
  }
  EntryHeader& header(std::uint32_t slot) {
    return *reinterpret_cast<EntryHeader*>(chunks_[slot >> kChunkBits] +
                                           (slot & (kChunkSize - 1)) * stride_);
  }
  const EntryHeader& header(std::uint32_t slot) const {
    return *reinterpret_cast<const EntryHeader*>(chunks_[slot >> kChunkBits] +
                                                 (slot & (kChunkSize - 1)) * stride_);
  }
  unsigned char* payload(std::uint32_t slot) {
    return reinterpret_cast<unsigned char*>(&header(slot)) + payload_offset_;
  }

  // ---- the hash table of published slots ----
  // Lock-free lookup; call inside an EpochGuard. `match(payload)` compares
  // the key. Returns the slot (kNil if absent) and its header and payload.
  template <typename Match>
  std::uint32_t find_published(std::uint32_t hash, Match&& match, const EntryHeader** header_out,
                               const unsigned char** payload_out) const {
    const std::atomic<std::uint32_t>* t = table_.load();
    if (t == nullptr) return kNil;
    std::uint32_t mask = t[0].load(std::memory_order_relaxed);
    for (std::uint32_t pos = hash & mask;; pos = (pos + 1) & mask) {
      std::uint32_t slot = t[pos + 1].load();
      if (slot == kNil) return kNil;
      if (slot == kTomb) continue;
      // The directory is read after the cell: a slot is published only
      // after the chunk holding it is in the directory.
      const Directory* d = dir_.load();
      const unsigned char* base =
          d->chunks[slot >> kChunkBits] + (slot & (kChunkSize - 1)) * stride_;
      const auto* m = reinterpret_cast<const EntryHeader*>(base);
      if (m->hash == hash && match(base + payload_offset_)) {
        *header_out = m;
        *payload_out = base + payload_offset_;
        return slot;
      }
    }
  }
  // The slot number of a published entry (under the lock).
  template <typename Match>
  std::uint32_t find(std::uint32_t hash, Match&& match) {
    const std::atomic<std::uint32_t>* t = table_.load(std::memory_order_relaxed);
    if (t == nullptr) return kNil;
    std::uint32_t mask = t[0].load(std::memory_order_relaxed);
    for (std::uint32_t pos = hash & mask;; pos = (pos + 1) & mask) {
      std::uint32_t slot = t[pos + 1].load(std::memory_order_relaxed);
      if (slot == kNil) return kNil;
      if (slot == kTomb) continue;
      if (header(slot).hash == hash && match(payload(slot))) return slot;
    }
  }
  // Publishes a slot whose metadata and payload are complete.
  void publish(std::uint32_t slot);
  // Unpublishes a slot; readers already holding it keep reading it safely.
  void unpublish(std::uint32_t slot);
  // Puts `fresh` in the table cell of `old` in one step.
  void republish(std::uint32_t old, std::uint32_t fresh);

  // ---- policy (under the lock) ----
  // A new entry (header and meta.weight filled by the caller). Appends
  // to `out` the entries the policy evicts to make room, already detached;
  // the new entry itself may be among them (rejected by admission or too
  // heavy).
  void insert(std::uint32_t slot, std::int64_t now, std::vector<Removal>& out);
  // `fresh` (header and meta.weight filled) takes `old`'s place in the
  // policy, as a write access to it; `old` is detached.
  void replace(std::uint32_t old, std::uint32_t fresh, std::int64_t now, std::vector<Removal>& out);
  // Unlinks an entry from the policy and the wheel.
  void detach(std::uint32_t slot);
  // Detaches every entry whose expiry is <= now, amortized O(1) per entry.
  void expire(std::int64_t now, std::vector<Removal>& out);
  // Detaches everything; appends all live slots to `out` with `cause`.
  void detach_all(RemovalCause cause, std::vector<Removal>& out);

  // ---- reads (lock-free) and their replay (under the lock) ----
  ReadBuffer& reads() { return reads_; }
  const ReadBuffer& reads() const { return reads_; }
  // Replays buffered read events into the policy, oldest first.
  void drain_reads();

  // ---- reclamation (under the lock) ----
  // A detached, unpublished slot whose payload readers may still be reading.
  void retire(std::uint32_t slot) {
    retiring_.push_back(slot);
    limbo_weight_ += meta(slot).weight;
  }
  // Stamps the slots retired since the last call with one retire point.
  void seal_retired();
  enum class Reclaim { kIfBatch, kNow, kForce };
  // Calls destroy(slot) for retired slots no reader can see any more, then
  // frees their slots. kIfBatch waits until a batch has accumulated; kForce
  // ignores readers (for a cache being destroyed).
  template <typename Destroy>
  void reclaim(Destroy&& destroy, Reclaim mode = Reclaim::kIfBatch) {
    reclaim_memory(mode == Reclaim::kForce);
    // A batch by count, or by weight: retired values still hold memory, and
    // big ones must not pile up beyond a small share of the byte budget.
    if (limbo_.empty() || (mode == Reclaim::kIfBatch && limbo_.size() < kReclaimBatch &&
                           limbo_weight_ < max_bytes_ / 32)) {
      return;
    }
    std::uint64_t safe = mode == Reclaim::kForce ? ~std::uint64_t{0} : reclaim_horizon();
    std::size_t kept = 0;
    for (std::size_t i = 0; i < limbo_.size(); ++i) {
      if (limbo_[i].epoch < safe) {
        destroy(limbo_[i].slot);
        limbo_weight_ -= meta(limbo_[i].slot).weight;
        release(limbo_[i].slot);
      } else {
        limbo_[kept++] = limbo_[i];
      }
    }
    limbo_.resize(kept);
  }

  std::uint64_t entries() const { return entries_; }
  std::uint64_t bytes() const { return bytes_; }
  std::uint64_t max_entries() const { return max_entries_; }
  std::uint64_t max_bytes() const { return max_bytes_; }
  // For tests and the simulator: the current W-TinyLFU window size (entries).
  std::uint64_t window_max() const { return window_max_; }

 private:
  static constexpr int kChunkBits = 8;
  static constexpr std::uint32_t kChunkSize = 1u << kChunkBits;
  static constexpr std::size_t kReclaimBatch = 64;
  enum Queue : std::uint8_t { kNone = 0, kWindow, kProbation, kProtected };
  struct List {
    std::uint32_t head = kNil;  // least recently used
    std::uint32_t tail = kNil;  // most recently used
    std::uint64_t count = 0;
  };
  // What lock-free readers use to reach a slot's bytes.
  struct Directory {
    std::uint32_t size = 0;
    unsigned char** chunks = nullptr;  // points just past this struct
  };
  struct Retired {
    std::uint64_t epoch;
    std::uint32_t slot;
  };
  struct RetiredMemory {
    std::uint64_t epoch;
    void* memory;
  };

  void release(std::uint32_t slot);
  std::uint64_t reclaim_horizon();
  void reclaim_memory(bool force);
  void retire_memory(void* p);
  void grow_directory();
  void rebuild_table(std::uint32_t cells);

  List& list(std::uint8_t q);
  void push_mru(List& l, std::uint32_t slot, std::uint8_t q);
  void unlink(List& l, std::uint32_t slot);
  void evict_to_fit(std::uint32_t pending_candidates, std::vector<Removal>& out);
  void on_hit(std::uint32_t slot);
  void on_miss();
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

  std::size_t payload_offset_;
  std::size_t stride_;
  std::size_t align_;
  std::vector<unsigned char*> chunks_;  // headers and payloads
  std::vector<std::unique_ptr<EntryMeta[]>> meta_chunks_;
  std::uint32_t capacity_ = 0;
  std::uint32_t free_head_ = kNil;  // free slots chained through meta.next
  std::atomic<Directory*> dir_{nullptr};

  // Cell 0 holds the mask; cells 1..mask+1 hold slot numbers, kNil or kTomb.
  std::atomic<std::atomic<std::uint32_t>*> table_{nullptr};
  std::uint32_t table_live_ = 0;
  std::uint32_t table_tombs_ = 0;

  std::vector<std::uint32_t> retiring_;
  std::vector<Retired> limbo_;
  std::uint64_t limbo_weight_ = 0;  // of limbo_ and retiring_
  std::vector<RetiredMemory> memory_limbo_;

  ReadBuffer reads_;
  std::vector<std::uint64_t> events_;  // drain scratch

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
