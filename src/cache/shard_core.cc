#include "awsperf/cache/shard_core.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <new>

#include "awsperf/cache/epoch.h"

namespace awsperf::cache::detail {

namespace {

std::uint64_t mix64(std::uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ull;
  x ^= x >> 33;
  return x;
}

// Caffeine's constants: the window starts at 1% of the cache; protected is 80%
// of the main space; the climber samples 10 x max_entries requests, starts
// with steps of 6.25% of the cache, decays them by 2% a sample and restarts
// them when the hit rate moves by 5 points or more.
constexpr double kWindowPercent = 0.01;
constexpr double kProtectedPercent = 0.80;
constexpr double kStepPercent = 0.0625;
constexpr double kStepDecay = 0.98;
constexpr double kRestartThreshold = 0.05;
constexpr int kAdmitHashDosThreshold = 6;

constexpr int kWheelShift[] = {30, 36, 42, 48, 54};  // 1.07 s, 68.7 s, 73 min, 78 h, 208 d

}  // namespace

// ---------------------------------------------------------------- sketch
//
// Caffeine's block layout: a key's four counters sit in one 64-byte block
// (eight words), one counter in each pair of words, so an update or a lookup
// costs one cache miss instead of four.

FrequencySketch::~FrequencySketch() { ::operator delete[](table_, std::align_val_t{64}); }

void FrequencySketch::resize(std::uint64_t max_entries) {
  // Small shards get a larger table than their size: with few 64-byte
  // blocks, keys crowd into the same blocks and the estimates blur.
  std::uint64_t n = std::bit_ceil(std::max<std::uint64_t>(max_entries, 2048));
  ::operator delete[](table_, std::align_val_t{64});
  table_ = static_cast<std::uint64_t*>(
      ::operator new[](n * sizeof(std::uint64_t), std::align_val_t{64}));
  std::fill(table_, table_ + n, 0);
  words_ = n;
  block_mask_ = (n >> 3) - 1;
  size_ = 0;
  sample_size_ = 10 * std::max<std::uint64_t>(max_entries, 1);
}

namespace {
struct SketchIndex {
  std::uint64_t word[4];
  int shift[4];
};
SketchIndex sketch_index(std::uint32_t hash, std::uint64_t block_mask) {
  std::uint64_t block_hash = mix64(hash);
  std::uint64_t block = (block_hash & block_mask) << 3;
  std::uint64_t counter_hash = mix64(block_hash ^ 0x9E3779B97F4A7C15ull);
  SketchIndex ix;
  for (int i = 0; i < 4; ++i) {
    auto h = static_cast<std::uint32_t>(counter_hash >> (i << 3));
    ix.word[i] = block + ((h >> 4) & 1) + static_cast<std::uint64_t>(i << 1);
    ix.shift[i] = static_cast<int>(h & 15) << 2;
  }
  return ix;
}
}  // namespace

void FrequencySketch::increment(std::uint32_t hash) {
  SketchIndex ix = sketch_index(hash, block_mask_);
  bool added = false;
  for (int i = 0; i < 4; ++i) {
    std::uint64_t mask = 0xfull << ix.shift[i];
    if ((table_[ix.word[i]] & mask) != mask) {
      table_[ix.word[i]] += 1ull << ix.shift[i];
      added = true;
    }
  }
  if (added && ++size_ >= sample_size_) {
    // Halve every counter: shift right and clear the bits that crossed into
    // the neighbour counter.
    std::uint64_t odd = 0;
    for (std::uint64_t w = 0; w < words_; ++w) {
      odd += static_cast<std::uint64_t>(std::popcount(table_[w] & 0x1111111111111111ull));
      table_[w] = (table_[w] >> 1) & 0x7777777777777777ull;
    }
    size_ = (size_ - (odd >> 2)) >> 1;
  }
}

int FrequencySketch::frequency(std::uint32_t hash) const {
  SketchIndex ix = sketch_index(hash, block_mask_);
  int freq = 15;
  for (int i = 0; i < 4; ++i) {
    freq = std::min(freq, static_cast<int>((table_[ix.word[i]] >> ix.shift[i]) & 0xf));
  }
  return freq;
}

const void* FrequencySketch::block_of(std::uint32_t hash) const {
  return table_ + ((mix64(hash) & block_mask_) << 3);
}

// ---------------------------------------------------------------- read buffer

std::uint64_t ReadBuffer::hits() const {
  std::uint64_t n = 0;
  for (const auto& s : stripes_) {
    n += s.hits.load(std::memory_order_relaxed) + s.owner_hits.load(std::memory_order_relaxed);
  }
  return n;
}

std::uint64_t ReadBuffer::misses() const {
  std::uint64_t n = 0;
  for (const auto& s : stripes_) {
    n += s.misses.load(std::memory_order_relaxed) + s.owner_misses.load(std::memory_order_relaxed);
  }
  return n;
}

void ReadBuffer::take(std::vector<std::uint64_t>& out) {
  for (auto& s : stripes_) {
    std::uint32_t tail = s.tail.load(std::memory_order_relaxed);
    std::uint32_t head = s.head.load(std::memory_order_acquire);
    for (; tail != head; ++tail) {
      auto& cell = s.events[tail & (kSlots - 1)];
      std::uint64_t e = cell.load(std::memory_order_acquire);
      // A reader has reserved the cell but not written it yet: stop here and
      // pick it up on the next drain.
      if (e == 0) break;
      cell.store(0, std::memory_order_relaxed);
      out.push_back(e);
    }
    s.tail.store(tail, std::memory_order_release);
  }
}

// ---------------------------------------------------------------- core

ShardCore::ShardCore(Policy policy, std::uint64_t max_entries, std::uint64_t max_bytes,
                     std::size_t payload_size, std::size_t payload_align)
    : policy_(policy),
      max_entries_(std::max<std::uint64_t>(max_entries, 1)),
      max_bytes_(max_bytes) {
  align_ = std::max(alignof(EntryHeader), payload_align);
  payload_offset_ = (sizeof(EntryHeader) + payload_align - 1) / payload_align * payload_align;
  stride_ = (payload_offset_ + payload_size + align_ - 1) / align_ * align_;
  for (auto& level : wheel_) std::fill(std::begin(level), std::end(level), kNil);
  if (policy_ == Policy::kWTinyLfu) {
    window_max_ = std::max<std::uint64_t>(
        1, static_cast<std::uint64_t>(std::llround(max_entries_ * kWindowPercent)));
    if (window_max_ >= max_entries_) window_max_ = max_entries_ > 1 ? 1 : 0;
    std::uint64_t main = max_entries_ - window_max_;
    protected_max_ = static_cast<std::uint64_t>(main * kProtectedPercent);
    sketch_.resize(max_entries_);
    // The first move grows the window: a cold cache has no frequency history
    // yet, and recency is what it can use (measured on OLTP and Zipf).
    step_size_ = kStepPercent * static_cast<double>(max_entries_);
  }
  events_.reserve(ReadBuffer::kStripes * ReadBuffer::kSlots);
}

ShardCore::~ShardCore() {
  for (auto* c : chunks_) ::operator delete[](c, std::align_val_t{align_});
  ::operator delete(dir_.load());
  ::operator delete(table_.load());
  for (auto& r : memory_limbo_) ::operator delete(r.memory);
}

void ShardCore::grow_directory() {
  Directory* old = dir_.load(std::memory_order_relaxed);
  std::uint32_t size = old == nullptr ? 4 : old->size * 2;
  void* raw = ::operator new(sizeof(Directory) + size * sizeof(unsigned char*));
  auto* d = new (raw) Directory;
  d->size = size;
  d->chunks = reinterpret_cast<unsigned char**>(static_cast<char*>(raw) + sizeof(Directory));
  std::fill(d->chunks, d->chunks + size, nullptr);
  std::copy(chunks_.begin(), chunks_.end(), d->chunks);
  dir_.store(d);
  if (old != nullptr) retire_memory(old);
}

std::uint32_t ShardCore::allocate() {
  if (free_head_ == kNil) {
    auto* chunk = static_cast<unsigned char*>(
        ::operator new[](stride_* kChunkSize, std::align_val_t{align_}));
    chunks_.push_back(chunk);
    meta_chunks_.push_back(std::make_unique<EntryMeta[]>(kChunkSize));
    Directory* d = dir_.load(std::memory_order_relaxed);
    if (d == nullptr || chunks_.size() > d->size) {
      grow_directory();
    } else {
      // Readers reach this chunk only through slots published after this.
      d->chunks[chunks_.size() - 1] = chunk;
    }
    std::uint32_t base = capacity_;
    capacity_ += kChunkSize;
    // Chain the new slots, lowest first.
    for (std::uint32_t i = kChunkSize; i-- > 0;) {
      new (&header(base + i)) EntryHeader;
      meta(base + i).next = free_head_;
      free_head_ = base + i;
    }
  }
  std::uint32_t slot = free_head_;
  EntryMeta& m = meta(slot);
  free_head_ = m.next;
  m = EntryMeta{};
  header(slot) = EntryHeader{};
  return slot;
}

void ShardCore::release(std::uint32_t slot) {
  EntryMeta& m = meta(slot);
  m.queue = kNone;
  m.next = free_head_;
  free_head_ = slot;
}

// ---------------------------------------------------------------- hash table
//
// Open addressing with linear probing over slot numbers; removal leaves a
// tombstone (a lock-free reader may be walking the probe chain), and the table
// is rebuilt into a fresh array when live cells and tombstones pass 3/4.

void ShardCore::rebuild_table(std::uint32_t cells) {
  auto* t = static_cast<std::atomic<std::uint32_t>*>(
      ::operator new((std::size_t{cells} + 1) * sizeof(std::atomic<std::uint32_t>)));
  new (&t[0]) std::atomic<std::uint32_t>(cells - 1);
  for (std::uint32_t i = 1; i <= cells; ++i) new (&t[i]) std::atomic<std::uint32_t>(kNil);
  std::atomic<std::uint32_t>* old = table_.load(std::memory_order_relaxed);
  if (old != nullptr) {
    std::uint32_t old_cells = old[0].load(std::memory_order_relaxed) + 1;
    for (std::uint32_t i = 1; i <= old_cells; ++i) {
      std::uint32_t slot = old[i].load(std::memory_order_relaxed);
      if (slot == kNil || slot == kTomb) continue;
      std::uint32_t pos = header(slot).hash & (cells - 1);
      while (t[pos + 1].load(std::memory_order_relaxed) != kNil) pos = (pos + 1) & (cells - 1);
      t[pos + 1].store(slot, std::memory_order_relaxed);
    }
  }
  table_.store(t);
  table_tombs_ = 0;
  if (old != nullptr) retire_memory(old);
}

void ShardCore::publish(std::uint32_t slot) {
  std::atomic<std::uint32_t>* t = table_.load(std::memory_order_relaxed);
  std::uint32_t cells = t == nullptr ? 0 : t[0].load(std::memory_order_relaxed) + 1;
  if ((static_cast<std::uint64_t>(table_live_) + table_tombs_ + 1) * 4 >
      static_cast<std::uint64_t>(cells) * 3) {
    std::uint32_t want = 16;
    while (static_cast<std::uint64_t>(want) * 3 <
           (static_cast<std::uint64_t>(table_live_) + 1) * 6) {
      want *= 2;
    }
    rebuild_table(std::max(want, cells));
    t = table_.load(std::memory_order_relaxed);
    cells = t[0].load(std::memory_order_relaxed) + 1;
  }
  std::uint32_t mask = cells - 1;
  std::uint32_t pos = header(slot).hash & mask;
  for (;; pos = (pos + 1) & mask) {
    std::uint32_t c = t[pos + 1].load(std::memory_order_relaxed);
    if (c == kNil) break;
    if (c == kTomb) {
      --table_tombs_;
      break;
    }
  }
  t[pos + 1].store(slot);
  ++table_live_;
}

void ShardCore::unpublish(std::uint32_t slot) {
  std::atomic<std::uint32_t>* t = table_.load(std::memory_order_relaxed);
  std::uint32_t mask = t[0].load(std::memory_order_relaxed);
  std::uint32_t pos = header(slot).hash & mask;
  while (t[pos + 1].load(std::memory_order_relaxed) != slot) pos = (pos + 1) & mask;
  t[pos + 1].store(kTomb);
  --table_live_;
  ++table_tombs_;
}

void ShardCore::republish(std::uint32_t old, std::uint32_t fresh) {
  std::atomic<std::uint32_t>* t = table_.load(std::memory_order_relaxed);
  std::uint32_t mask = t[0].load(std::memory_order_relaxed);
  std::uint32_t pos = header(old).hash & mask;
  while (t[pos + 1].load(std::memory_order_relaxed) != old) pos = (pos + 1) & mask;
  t[pos + 1].store(fresh);
}

// ---------------------------------------------------------------- reclamation

void ShardCore::seal_retired() {
  if (retiring_.empty()) return;
  std::uint64_t epoch = epoch_retire_point();
  for (std::uint32_t slot : retiring_) limbo_.push_back({epoch, slot});
  retiring_.clear();
}

void ShardCore::retire_memory(void* p) { memory_limbo_.push_back({epoch_retire_point(), p}); }

std::uint64_t ShardCore::reclaim_horizon() { return epoch_min_active(); }

void ShardCore::reclaim_memory(bool force) {
  if (memory_limbo_.empty()) return;
  std::uint64_t safe = force ? ~std::uint64_t{0} : epoch_min_active();
  std::size_t kept = 0;
  for (std::size_t i = 0; i < memory_limbo_.size(); ++i) {
    if (memory_limbo_[i].epoch < safe) {
      ::operator delete(memory_limbo_[i].memory);
    } else {
      memory_limbo_[kept++] = memory_limbo_[i];
    }
  }
  memory_limbo_.resize(kept);
}

// ---------------------------------------------------------------- reads

void ShardCore::drain_reads() {
  events_.clear();
  reads_.take(events_);
  if (events_.empty()) return;
  // Fetch every touched entry, its queue neighbours and its sketch block
  // before replaying, so the cache misses overlap instead of queueing one
  // after another. (Only hints: replaying moves entries around.)
  for (std::uint64_t e : events_) {
    if (e == ReadBuffer::kMissEvent) continue;
    auto slot = static_cast<std::uint32_t>((e >> 32) - 1);
    if (slot < capacity_) __builtin_prefetch(&meta(slot), 1);
    if (policy_ == Policy::kWTinyLfu) {
      __builtin_prefetch(sketch_.block_of(static_cast<std::uint32_t>(e)), 1);
    }
  }
  for (std::uint64_t e : events_) {
    if (e == ReadBuffer::kMissEvent) continue;
    auto slot = static_cast<std::uint32_t>((e >> 32) - 1);
    if (slot >= capacity_) continue;
    const EntryMeta& m = meta(slot);
    if (m.prev < capacity_) __builtin_prefetch(&meta(m.prev), 1);
    if (m.next < capacity_) __builtin_prefetch(&meta(m.next), 1);
  }
  for (std::uint64_t e : events_) {
    if (e == ReadBuffer::kMissEvent) {
      on_miss();
      continue;
    }
    auto slot = static_cast<std::uint32_t>((e >> 32) - 1);
    auto hash = static_cast<std::uint32_t>(e);
    // The entry may have left (or its slot been reused) since the read; the
    // event then only feeds the hill climber.
    if (slot < capacity_ && meta(slot).queue != kNone && header(slot).hash == hash) {
      on_hit(slot);
    } else {
      ++sample_hits_;
      if (policy_ == Policy::kWTinyLfu) climb();
    }
  }
}

ShardCore::List& ShardCore::list(std::uint8_t q) {
  switch (q) {
    case kProbation:
      return probation_;
    case kProtected:
      return protected_;
    default:
      return window_;
  }
}

void ShardCore::push_mru(List& l, std::uint32_t slot, std::uint8_t q) {
  EntryMeta& m = meta(slot);
  m.queue = q;
  m.prev = l.tail;
  m.next = kNil;
  if (l.tail != kNil) {
    meta(l.tail).next = slot;
  } else {
    l.head = slot;
  }
  l.tail = slot;
  ++l.count;
}

void ShardCore::unlink(List& l, std::uint32_t slot) {
  EntryMeta& m = meta(slot);
  if (m.prev != kNil) {
    meta(m.prev).next = m.next;
  } else {
    l.head = m.next;
  }
  if (m.next != kNil) {
    meta(m.next).prev = m.prev;
  } else {
    l.tail = m.prev;
  }
  m.prev = m.next = kNil;
  --l.count;
}

void ShardCore::insert(std::uint32_t slot, std::int64_t now, std::vector<Removal>& out) {
  EntryMeta& m = meta(slot);
  ++entries_;
  bytes_ += m.weight;
  if (header(slot).expire_at != kNever) {
    if (!wheel_started_) {
      wheel_time_ = now;
      wheel_started_ = true;
    }
    wheel_schedule(slot);
  }
  if (policy_ == Policy::kLru) {
    push_mru(window_, slot, kWindow);
    evict_to_fit(0, out);
    return;
  }
  sketch_.increment(header(slot).hash);
  push_mru(window_, slot, kWindow);
  // Window overflow moves its LRU entries to probation as admission candidates.
  std::uint32_t candidates = 0;
  while (window_.count > window_max_ && window_.head != kNil) {
    std::uint32_t c = window_.head;
    unlink(window_, c);
    push_mru(probation_, c, kProbation);
    ++candidates;
  }
  evict_to_fit(candidates, out);
}

void ShardCore::replace(std::uint32_t old, std::uint32_t fresh, std::int64_t now,
                        std::vector<Removal>& out) {
  EntryMeta& o = meta(old);
  EntryMeta& f = meta(fresh);
  // Take the old entry's place in its queue.
  List& l = list(o.queue);
  f.queue = o.queue;
  f.prev = o.prev;
  f.next = o.next;
  if (o.prev != kNil) {
    meta(o.prev).next = fresh;
  } else {
    l.head = fresh;
  }
  if (o.next != kNil) {
    meta(o.next).prev = fresh;
  } else {
    l.tail = fresh;
  }
  o.prev = o.next = kNil;
  o.queue = kNone;
  if (o.flags & kFlagInWheel) wheel_unlink(old);
  bytes_ = bytes_ - o.weight + f.weight;
  if (header(fresh).expire_at != kNever) {
    if (!wheel_started_) {
      wheel_time_ = now;
      wheel_started_ = true;
    }
    wheel_schedule(fresh);
  }
  touch(fresh);
  evict_to_fit(0, out);
}

void ShardCore::on_hit(std::uint32_t slot) {
  ++sample_hits_;
  touch(slot);
  if (policy_ == Policy::kWTinyLfu) climb();
}

void ShardCore::touch(std::uint32_t slot) {
  EntryMeta& m = meta(slot);
  if (policy_ == Policy::kLru) {
    unlink(window_, slot);
    push_mru(window_, slot, kWindow);
    return;
  }
  sketch_.increment(header(slot).hash);
  switch (m.queue) {
    case kWindow:
      unlink(window_, slot);
      push_mru(window_, slot, kWindow);
      break;
    case kProbation:
      unlink(probation_, slot);
      push_mru(protected_, slot, kProtected);
      demote_protected();
      break;
    case kProtected:
      unlink(protected_, slot);
      push_mru(protected_, slot, kProtected);
      break;
    default:
      break;
  }
}

void ShardCore::on_miss() {
  ++sample_misses_;
  if (policy_ == Policy::kWTinyLfu) climb();
}

void ShardCore::demote_protected() {
  while (protected_.count > protected_max_ && protected_.head != kNil) {
    std::uint32_t d = protected_.head;
    unlink(protected_, d);
    push_mru(probation_, d, kProbation);
  }
}

void ShardCore::climb() {
  std::uint64_t sample = sample_hits_ + sample_misses_;
  if (sample < 10 * max_entries_) return;
  double hit_rate = static_cast<double>(sample_hits_) / static_cast<double>(sample);
  double change = hit_rate - previous_hit_rate_;
  double amount = change >= 0 ? step_size_ : -step_size_;
  double next_step = std::abs(change) >= kRestartThreshold
                         ? kStepPercent * static_cast<double>(max_entries_) * (amount >= 0 ? 1 : -1)
                         : kStepDecay * amount;
  previous_hit_rate_ = hit_rate;
  step_size_ = next_step;
  sample_hits_ = sample_misses_ = 0;

  auto delta = static_cast<std::int64_t>(amount);
  if (delta > 0) {
    // Grow the window at the expense of protected; entries follow from the
    // LRU ends of main into the window.
    std::uint64_t quota =
        std::min<std::uint64_t>(static_cast<std::uint64_t>(delta), protected_max_);
    protected_max_ -= quota;
    window_max_ += quota;
    demote_protected();
    for (std::uint64_t i = 0; i < quota; ++i) {
      std::uint32_t c = probation_.head;
      if (c != kNil) {
        unlink(probation_, c);
      } else if ((c = protected_.head) != kNil) {
        unlink(protected_, c);
      } else {
        break;
      }
      push_mru(window_, c, kWindow);
    }
  } else if (delta < 0) {
    std::uint64_t quota = std::min<std::uint64_t>(static_cast<std::uint64_t>(-delta),
                                                  window_max_ > 1 ? window_max_ - 1 : 0);
    protected_max_ += quota;
    window_max_ -= quota;
    while (window_.count > window_max_ && window_.head != kNil) {
      std::uint32_t c = window_.head;
      unlink(window_, c);
      push_mru(probation_, c, kProbation);
    }
  }
}

bool ShardCore::admit(std::uint32_t candidate, std::uint32_t victim) {
  int cf = sketch_.frequency(header(candidate).hash);
  int vf = sketch_.frequency(header(victim).hash);
  if (cf > vf) return true;
  if (cf >= kAdmitHashDosThreshold) {
    // A warm candidate sometimes wins, so an attacker cannot pin a victim by
    // keeping its frequency high.
    rng_ = rng_ * 6364136223846793005ull + 1442695040888963407ull;
    return ((rng_ >> 33) & 127) == 0;
  }
  return false;
}

void ShardCore::evict_slot(std::uint32_t slot, std::vector<Removal>& out) {
  detach(slot);
  out.push_back({slot, RemovalCause::kSize});
}

void ShardCore::evict_to_fit(std::uint32_t pending_candidates, std::vector<Removal>& out) {
  auto over = [&] { return entries_ > max_entries_ || bytes_ > max_bytes_; };
  if (policy_ == Policy::kLru) {
    while (over() && window_.head != kNil) evict_slot(window_.head, out);
    return;
  }
  // Candidates are the entries just moved from the window: the MRU end of
  // probation. Each is admitted only if the sketch says it is more popular
  // than the victim it would displace.
  std::uint32_t candidate = pending_candidates > 0 ? probation_.tail : kNil;
  while (over()) {
    if (pending_candidates == 0) {
      std::uint32_t v = probation_.head != kNil   ? probation_.head
                        : protected_.head != kNil ? protected_.head
                                                  : window_.head;
      if (v == kNil) break;
      evict_slot(v, out);
      continue;
    }
    std::uint32_t victim = probation_.count > pending_candidates ? probation_.head
                           : protected_.head != kNil             ? protected_.head
                                                                 : window_.head;
    if (victim == kNil || admit(candidate, victim) == false) {
      std::uint32_t prev = meta(candidate).prev;
      evict_slot(candidate, out);
      candidate = --pending_candidates > 0 ? prev : kNil;
    } else {
      evict_slot(victim, out);
    }
  }
}

void ShardCore::detach(std::uint32_t slot) {
  EntryMeta& m = meta(slot);
  if (m.queue != kNone) {
    unlink(list(m.queue), slot);
    m.queue = kNone;
  }
  if (m.flags & kFlagInWheel) wheel_unlink(slot);
  --entries_;
  bytes_ -= m.weight;
}

void ShardCore::detach_all(RemovalCause cause, std::vector<Removal>& out) {
  for (List* l : {&window_, &probation_, &protected_}) {
    while (l->head != kNil) {
      std::uint32_t s = l->head;
      detach(s);
      out.push_back({s, cause});
    }
  }
}

// ---------------------------------------------------------------- timer wheel
//
// A hierarchical wheel (as in Caffeine and Varghese & Lauck): level i has 64
// buckets of 2^kWheelShift[i] ns. An entry sits in the finest level whose span
// covers its remaining time; when a bucket's time comes, its entries either
// expire or cascade to a finer level. Each entry moves at most once per level,
// so reclaiming is amortized O(1) per entry.

void ShardCore::wheel_schedule(std::uint32_t slot) {
  EntryMeta& m = meta(slot);
  std::int64_t delta = header(slot).expire_at - wheel_time_;
  int level = kWheelLevels - 1;
  for (int i = 0; i < kWheelLevels; ++i) {
    if (delta < (std::int64_t{1} << (kWheelShift[i] + 6))) {
      level = i;
      break;
    }
  }
  auto bucket = static_cast<std::uint8_t>((header(slot).expire_at >> kWheelShift[level]) & 63);
  std::uint32_t& head = wheel_[level][bucket];
  m.wheel_level = static_cast<std::uint8_t>(level);
  m.wheel_bucket = bucket;
  m.wprev = kNil;
  m.wnext = head;
  if (head != kNil) meta(head).wprev = slot;
  head = slot;
  m.flags |= kFlagInWheel;
}

void ShardCore::wheel_unlink(std::uint32_t slot) {
  EntryMeta& m = meta(slot);
  if (m.wprev != kNil) {
    meta(m.wprev).wnext = m.wnext;
  } else {
    wheel_[m.wheel_level][m.wheel_bucket] = m.wnext;
  }
  if (m.wnext != kNil) meta(m.wnext).wprev = m.wprev;
  m.wprev = m.wnext = kNil;
  m.flags &= static_cast<std::uint8_t>(~kFlagInWheel);
}

void ShardCore::expire(std::int64_t now, std::vector<Removal>& out) {
  if (!wheel_started_) {
    wheel_time_ = now;
    wheel_started_ = true;
    return;
  }
  // Within the same finest tick nothing new can be reclaimed cheaply; reads
  // check expiry themselves, so a late reclaim only costs memory briefly.
  if ((now >> kWheelShift[0]) <= (wheel_time_ >> kWheelShift[0])) return;
  std::int64_t previous = wheel_time_;
  wheel_time_ = now;
  for (int level = 0; level < kWheelLevels; ++level) {
    std::int64_t prev_ticks = previous >> kWheelShift[level];
    std::int64_t cur_ticks = now >> kWheelShift[level];
    if (cur_ticks <= prev_ticks && level > 0) break;
    std::int64_t span = std::min<std::int64_t>(cur_ticks - prev_ticks + 1, 64);
    for (std::int64_t t = 0; t < span; ++t) {
      std::uint32_t& head = wheel_[level][(prev_ticks + t) & 63];
      std::uint32_t s = head;
      head = kNil;
      while (s != kNil) {
        EntryMeta& m = meta(s);
        std::uint32_t next = m.wnext;
        m.wprev = m.wnext = kNil;
        m.flags &= static_cast<std::uint8_t>(~kFlagInWheel);
        if (header(s).expire_at <= now) {
          detach(s);
          out.push_back({s, RemovalCause::kExpired});
        } else {
          wheel_schedule(s);
        }
        s = next;
      }
    }
  }
}

}  // namespace awsperf::cache::detail
