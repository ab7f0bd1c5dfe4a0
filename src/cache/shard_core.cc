#include "awsperf/cache/shard_core.h"

#include <algorithm>
#include <bit>
#include <cmath>

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

void FrequencySketch::resize(std::uint64_t max_entries) {
  std::uint64_t n = std::bit_ceil(std::max<std::uint64_t>(max_entries, 16));
  table_.assign(n, 0);
  mask_ = n - 1;
  size_ = 0;
  sample_size_ = 10 * std::max<std::uint64_t>(max_entries, 1);
}

void FrequencySketch::increment(std::uint32_t hash) {
  std::uint64_t h = mix64(hash);
  int start = static_cast<int>(h & 3) << 2;  // which group of four counters in a word
  bool added = false;
  for (int i = 0; i < 4; ++i) {
    std::uint64_t index = (h >> (8 + 14 * i)) & mask_;
    int offset = (start + i) << 2;
    std::uint64_t mask = 0xfull << offset;
    if ((table_[index] & mask) != mask) {
      table_[index] += 1ull << offset;
      added = true;
    }
  }
  if (added && ++size_ >= sample_size_) {
    // Halve every counter: shift right and clear the bits that crossed into
    // the neighbour counter.
    std::uint64_t odd = 0;
    for (auto& word : table_) {
      odd += static_cast<std::uint64_t>(std::popcount(word & 0x1111111111111111ull));
      word = (word >> 1) & 0x7777777777777777ull;
    }
    size_ = (size_ - (odd >> 2)) >> 1;
  }
}

int FrequencySketch::frequency(std::uint32_t hash) const {
  std::uint64_t h = mix64(hash);
  int start = static_cast<int>(h & 3) << 2;
  int freq = 15;
  for (int i = 0; i < 4; ++i) {
    std::uint64_t index = (h >> (8 + 14 * i)) & mask_;
    int offset = (start + i) << 2;
    freq = std::min(freq, static_cast<int>((table_[index] >> offset) & 0xf));
  }
  return freq;
}

// ---------------------------------------------------------------- core

ShardCore::ShardCore(Policy policy, std::uint64_t max_entries, std::uint64_t max_bytes)
    : policy_(policy),
      max_entries_(std::max<std::uint64_t>(max_entries, 1)),
      max_bytes_(max_bytes) {
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
}

ShardCore::~ShardCore() = default;

std::uint32_t ShardCore::allocate() {
  if (free_head_ == kNil) {
    chunks_.push_back(std::make_unique<EntryMeta[]>(kChunkSize));
    std::uint32_t base = capacity_;
    capacity_ += kChunkSize;
    // Chain the new slots, lowest first.
    for (std::uint32_t i = kChunkSize; i-- > 0;) {
      meta(base + i).next = free_head_;
      free_head_ = base + i;
    }
  }
  std::uint32_t slot = free_head_;
  EntryMeta& m = meta(slot);
  free_head_ = m.next;
  m = EntryMeta{};
  return slot;
}

void ShardCore::release(std::uint32_t slot) {
  EntryMeta& m = meta(slot);
  m.queue = kNone;
  m.next = free_head_;
  free_head_ = slot;
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
  if (m.expire_at != kNever) {
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
  sketch_.increment(m.hash);
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

void ShardCore::update(std::uint32_t slot, std::uint32_t new_weight, std::int64_t new_expire_at,
                       std::int64_t now, std::vector<Removal>& out) {
  EntryMeta& m = meta(slot);
  bytes_ = bytes_ - m.weight + new_weight;
  m.weight = new_weight;
  if (m.flags & kFlagInWheel) wheel_unlink(slot);
  m.expire_at = new_expire_at;
  if (new_expire_at != kNever) {
    if (!wheel_started_) {
      wheel_time_ = now;
      wheel_started_ = true;
    }
    wheel_schedule(slot);
  }
  touch(slot);
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
  sketch_.increment(m.hash);
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
  int cf = sketch_.frequency(meta(candidate).hash);
  int vf = sketch_.frequency(meta(victim).hash);
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
  std::int64_t delta = m.expire_at - wheel_time_;
  int level = kWheelLevels - 1;
  for (int i = 0; i < kWheelLevels; ++i) {
    if (delta < (std::int64_t{1} << (kWheelShift[i] + 6))) {
      level = i;
      break;
    }
  }
  auto bucket = static_cast<std::uint8_t>((m.expire_at >> kWheelShift[level]) & 63);
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
        if (m.expire_at <= now) {
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
