#include "awsperf/monitor/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <new>

namespace awsperf::monitor {

namespace {

constexpr std::uint64_t kNoMin = std::numeric_limits<std::uint64_t>::max();

std::size_t bucket_index(std::uint64_t value, int bits) {
  const std::uint64_t sub = std::uint64_t{1} << bits;
  if (value < sub) return static_cast<std::size_t>(value);
  const int e = 63 - std::countl_zero(value);
  const int shift = e - bits;
  return static_cast<std::size_t>((static_cast<std::uint64_t>(shift + 1) << bits) +
                                  ((value >> shift) - sub));
}

std::uint64_t lowest_of(std::size_t index, int bits) {
  const std::uint64_t sub = std::uint64_t{1} << bits;
  if (index < sub) return index;
  const std::uint64_t octave = index >> bits;  // >= 1
  const std::uint64_t mantissa = index & (sub - 1);
  const std::uint64_t shift = octave - 1;
  if (shift + bits >= 64) return std::numeric_limits<std::uint64_t>::max();
  return (sub + mantissa) << shift;
}

std::uint64_t highest_of(std::size_t index, int bits) {
  const std::uint64_t next = lowest_of(index + 1, bits);
  if (next == std::numeric_limits<std::uint64_t>::max()) return next;
  return next - 1;
}

// Thread slots: a thread owns at most one slot, released when it exits, so
// that each slot's stripe has a single writer at a time.
std::array<std::atomic<bool>, Histogram::kMaxExclusiveThreads> g_slot_taken{};

constexpr int kUnassigned = -2;
constexpr int kSharedSlot = -1;
// initial-exec: the library is built position-independent, and the default
// (global-dynamic) model would cost a __tls_get_addr call on every record.
constinit thread_local int t_slot [[gnu::tls_model("initial-exec")]] = kUnassigned;

struct SlotHolder {
  int slot = kUnassigned;
  ~SlotHolder() {
    if (slot >= 0) {
      // Later records from this thread's other thread-local destructors go
      // to the shared stripe: the slot may already belong to another thread.
      t_slot = kSharedSlot;
      g_slot_taken[static_cast<std::size_t>(slot)].store(false, std::memory_order_release);
    }
  }
};
thread_local SlotHolder t_holder;

[[gnu::noinline]] int assign_slot() {
  for (std::size_t i = 0; i < g_slot_taken.size(); ++i) {
    bool expected = false;
    if (!g_slot_taken[i].load(std::memory_order_relaxed) &&
        g_slot_taken[i].compare_exchange_strong(expected, true, std::memory_order_acquire)) {
      t_holder.slot = static_cast<int>(i);
      t_slot = static_cast<int>(i);
      return t_slot;
    }
  }
  t_slot = kSharedSlot;
  return t_slot;
}

}  // namespace

// One writer per exclusive stripe; the counts follow the header in the same
// 64-byte aligned allocation.
struct Histogram::Stripe {
  std::atomic<std::uint64_t> sum{0};
  std::atomic<std::uint64_t> min{kNoMin};
  std::atomic<std::uint64_t> max{0};
  std::size_t size = 0;

  std::atomic<std::uint64_t>* counts() {
    return reinterpret_cast<std::atomic<std::uint64_t>*>(this + 1);
  }
  const std::atomic<std::uint64_t>* counts() const {
    return reinterpret_cast<const std::atomic<std::uint64_t>*>(this + 1);
  }

  static Stripe* create(std::size_t buckets) {
    void* p = ::operator new (sizeof(Stripe) + buckets * sizeof(std::atomic<std::uint64_t>),
                              std::align_val_t{64});
    auto* s = new (p) Stripe();
    s->size = buckets;
    auto* c = reinterpret_cast<std::atomic<std::uint64_t>*>(s + 1);
    for (std::size_t i = 0; i < buckets; ++i) new (c + i) std::atomic<std::uint64_t>(0);
    return s;
  }
  static void destroy(Stripe* s) {
    if (s == nullptr) return;
    s->~Stripe();
    ::operator delete (s, std::align_val_t{64});
  }
};
static_assert(sizeof(Histogram::Stripe) % alignof(std::atomic<std::uint64_t>) == 0);

Histogram::Histogram(HistogramOptions options) : options_(options) {
  options_.precision_bits = std::clamp(options_.precision_bits, 1, 12);
  options_.max_trackable_value =
      std::max(options_.max_trackable_value, std::uint64_t{1} << options_.precision_bits);
  bucket_count_ = bucket_index(options_.max_trackable_value, options_.precision_bits) + 1;
  shared_ = Stripe::create(bucket_count_);
}

Histogram::~Histogram() {
  for (auto& s : stripes_) Stripe::destroy(s.load(std::memory_order_acquire));
  Stripe::destroy(shared_);
}

double Histogram::max_relative_error() const {
  return std::ldexp(1.0, -(options_.precision_bits + 1));
}

Histogram::Stripe* Histogram::stripe_for(std::size_t slot) {
  Stripe* s = stripes_[slot].load(std::memory_order_acquire);
  if (s != nullptr) return s;
  // Only the slot's owner creates its stripe, so there is no race to lose.
  s = Stripe::create(bucket_count_);
  stripes_[slot].store(s, std::memory_order_release);
  return s;
}

void Histogram::record(std::uint64_t value) {
  std::size_t index = bucket_index(value, options_.precision_bits);
  if (index >= bucket_count_) index = bucket_count_ - 1;
  int slot = t_slot;
  if (slot == kUnassigned) [[unlikely]]
    slot = assign_slot();
  if (slot >= 0) [[likely]] {
    Stripe* s = stripes_[static_cast<std::size_t>(slot)].load(std::memory_order_acquire);
    if (s == nullptr) [[unlikely]]
      s = stripe_for(static_cast<std::size_t>(slot));
    // Single writer: plain load + store, no read-modify-write.
    auto& c = s->counts()[index];
    c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    s->sum.store(s->sum.load(std::memory_order_relaxed) + value, std::memory_order_relaxed);
    if (value < s->min.load(std::memory_order_relaxed))
      s->min.store(value, std::memory_order_relaxed);
    if (value > s->max.load(std::memory_order_relaxed))
      s->max.store(value, std::memory_order_relaxed);
    return;
  }
  Stripe* s = shared_;
  s->counts()[index].fetch_add(1, std::memory_order_relaxed);
  s->sum.fetch_add(value, std::memory_order_relaxed);
  std::uint64_t cur = s->min.load(std::memory_order_relaxed);
  while (value < cur && !s->min.compare_exchange_weak(cur, value, std::memory_order_relaxed)) {
  }
  cur = s->max.load(std::memory_order_relaxed);
  while (value > cur && !s->max.compare_exchange_weak(cur, value, std::memory_order_relaxed)) {
  }
}

Status Histogram::merge(const HistogramSnapshot& other) {
  if (other.empty()) return {};
  if (other.precision_bits_ != options_.precision_bits) {
    return make_error(ErrorCode::kInvalidArgument,
                      "histogram merge: precision_bits " + std::to_string(other.precision_bits_) +
                          " != " + std::to_string(options_.precision_bits));
  }
  Stripe* s = shared_;
  for (std::size_t i = 0; i < other.counts_.size(); ++i) {
    if (other.counts_[i] == 0) continue;
    const std::size_t index = std::min(other.offset_ + i, bucket_count_ - 1);
    s->counts()[index].fetch_add(other.counts_[i], std::memory_order_relaxed);
  }
  s->sum.fetch_add(other.sum_, std::memory_order_relaxed);
  std::uint64_t cur = s->min.load(std::memory_order_relaxed);
  while (other.min_ < cur &&
         !s->min.compare_exchange_weak(cur, other.min_, std::memory_order_relaxed)) {
  }
  cur = s->max.load(std::memory_order_relaxed);
  while (other.max_ > cur &&
         !s->max.compare_exchange_weak(cur, other.max_, std::memory_order_relaxed)) {
  }
  return {};
}

HistogramSnapshot Histogram::snapshot() const {
  HistogramSnapshot snap;
  snap.precision_bits_ = options_.precision_bits;
  snap.max_trackable_value_ = options_.max_trackable_value;
  std::vector<std::uint64_t> counts(bucket_count_, 0);
  std::uint64_t min = kNoMin;
  std::uint64_t max = 0;
  auto add = [&](const Stripe* s) {
    if (s == nullptr) return;
    const auto* c = s->counts();
    for (std::size_t i = 0; i < bucket_count_; ++i)
      counts[i] += c[i].load(std::memory_order_relaxed);
    snap.sum_ += s->sum.load(std::memory_order_relaxed);
    min = std::min(min, s->min.load(std::memory_order_relaxed));
    max = std::max(max, s->max.load(std::memory_order_relaxed));
  };
  for (const auto& s : stripes_) add(s.load(std::memory_order_acquire));
  add(shared_);
  std::size_t first = counts.size();
  std::size_t last = 0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    if (counts[i] == 0) continue;
    snap.count_ += counts[i];
    first = std::min(first, i);
    last = i;
  }
  if (snap.count_ == 0) return snap;
  snap.offset_ = first;
  snap.counts_.assign(counts.begin() + static_cast<std::ptrdiff_t>(first),
                      counts.begin() + static_cast<std::ptrdiff_t>(last + 1));
  // A record may be counted in a bucket before its min/max store is seen.
  snap.min_ = min == kNoMin ? snap.bucket_lowest(first) : min;
  snap.max_ = std::max(max, snap.min_);
  return snap;
}

std::uint64_t HistogramSnapshot::bucket_lowest(std::size_t index) const {
  return lowest_of(index, precision_bits_);
}
std::uint64_t HistogramSnapshot::bucket_highest(std::size_t index) const {
  return highest_of(index, precision_bits_);
}

std::uint64_t HistogramSnapshot::quantile(double q) const {
  if (count_ == 0) return 0;
  if (!(q >= 0.0)) q = 0.0;  // also catches NaN
  q = std::min(q, 1.0);
  auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_)));
  rank = std::clamp<std::uint64_t>(rank, 1, count_);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      const std::uint64_t lo = bucket_lowest(offset_ + i);
      const std::uint64_t hi = bucket_highest(offset_ + i);
      const std::uint64_t mid = lo + (hi - lo) / 2;
      return std::clamp(mid, min_, max_);
    }
  }
  return max_;
}

std::uint64_t HistogramSnapshot::count_at_or_below(std::uint64_t value) const {
  std::uint64_t n = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    if (bucket_highest(offset_ + i) > value) break;
    n += counts_[i];
  }
  return n;
}

Status HistogramSnapshot::merge(const HistogramSnapshot& other) {
  if (other.precision_bits_ == 0 || other.count_ == 0) return {};
  if (precision_bits_ == 0 || count_ == 0) {
    *this = other;
    return {};
  }
  if (other.precision_bits_ != precision_bits_) {
    return make_error(ErrorCode::kInvalidArgument, "histogram snapshot merge: precision_bits " +
                                                       std::to_string(other.precision_bits_) +
                                                       " != " + std::to_string(precision_bits_));
  }
  const std::size_t first = std::min(offset_, other.offset_);
  const std::size_t end = std::max(offset_ + counts_.size(), other.offset_ + other.counts_.size());
  std::vector<std::uint64_t> merged(end - first, 0);
  for (std::size_t i = 0; i < counts_.size(); ++i) merged[offset_ - first + i] += counts_[i];
  for (std::size_t i = 0; i < other.counts_.size(); ++i) {
    merged[other.offset_ - first + i] += other.counts_[i];
  }
  counts_ = std::move(merged);
  offset_ = first;
  count_ += other.count_;
  sum_ += other.sum_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  max_trackable_value_ = std::max(max_trackable_value_, other.max_trackable_value_);
  return {};
}

HistogramSnapshot HistogramSnapshot::since(const HistogramSnapshot& earlier) const {
  if (earlier.precision_bits_ != precision_bits_ || earlier.count_ == 0) return *this;
  HistogramSnapshot d;
  d.precision_bits_ = precision_bits_;
  d.max_trackable_value_ = max_trackable_value_;
  std::vector<std::uint64_t> diff(counts_.size(), 0);
  std::size_t first = diff.size();
  std::size_t last = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    const std::size_t index = offset_ + i;
    std::uint64_t before = 0;
    if (index >= earlier.offset_ && index - earlier.offset_ < earlier.counts_.size()) {
      before = earlier.counts_[index - earlier.offset_];
    }
    diff[i] = counts_[i] > before ? counts_[i] - before : 0;
    if (diff[i] != 0) {
      d.count_ += diff[i];
      first = std::min(first, i);
      last = i;
    }
  }
  if (d.count_ == 0) return d;
  d.sum_ = sum_ > earlier.sum_ ? sum_ - earlier.sum_ : 0;
  d.offset_ = offset_ + first;
  d.counts_.assign(diff.begin() + static_cast<std::ptrdiff_t>(first),
                   diff.begin() + static_cast<std::ptrdiff_t>(last + 1));
  d.min_ = std::max(min_, d.bucket_lowest(d.offset_));
  d.max_ = std::min(max_, d.bucket_highest(d.offset_ + d.counts_.size() - 1));
  if (d.max_ < d.min_) d.max_ = d.min_;
  return d;
}

}  // namespace awsperf::monitor
