// Histogram: log-linear buckets with bounded relative error, recorded into
// without locks, read through immutable snapshots.
//
// Values are unsigned integers in whatever unit the caller chooses; the
// monitor records nanoseconds. Every power of two [2^e, 2^(e+1)) is split into
// 2^precision_bits equal sub-buckets, values below 2^precision_bits are exact.
// A quantile is reported as the midpoint of the bucket that holds the exact
// (nearest-rank) quantile, so its relative error is at most
// 2^-(precision_bits+1): 0.79% with the default of 6 bits.
//
// Recording is wait-free: each thread owns a stripe of counters (allocated on
// its first record into a histogram) and updates it with plain relaxed atomic
// loads and stores, so two threads never write the same cache line. Beyond
// kMaxExclusiveThreads live threads, the extra threads share one stripe
// updated with atomic read-modify-writes.
//
// Snapshots are cumulative since construction; an interval ("the last minute")
// is the difference of two snapshots: `now.since(a_minute_ago)`.
//
// Thread-safety: Histogram::record/merge/snapshot may be called concurrently
// from any number of threads. A snapshot taken while others record is not an
// atomic cut: it may include a record in `count` but not yet in `sum`. A
// HistogramSnapshot is a value type (distinct objects on distinct threads).
#ifndef AWSPERF_MONITOR_HISTOGRAM_H_
#define AWSPERF_MONITOR_HISTOGRAM_H_

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "awsperf/core/result.h"

namespace awsperf::monitor {

struct HistogramOptions {
  // Sub-buckets per power of two, as a power of two. Relative error of every
  // quantile is ≤ 2^-(precision_bits+1). Valid: 1..12. Memory per stripe is
  // about 8 * 2^precision_bits * log2(max_trackable_value) bytes (19 KiB for
  // the defaults).
  int precision_bits = 6;
  // Largest value recorded with bounded error; larger values are counted in
  // the top bucket (max() and sum() stay exact). Default: one hour in ns.
  std::uint64_t max_trackable_value = 3'600'000'000'000ULL;
};

// An immutable copy of a histogram's counts.
class HistogramSnapshot {
 public:
  // An empty snapshot; merge() into it adopts the other's layout.
  HistogramSnapshot() = default;

  std::uint64_t count() const { return count_; }
  // Sum of recorded values (exact, not bucketed).
  std::uint64_t sum() const { return sum_; }
  // Exact for a cumulative snapshot; for an interval (since()), the bounds of
  // the lowest/highest non-empty bucket, clamped to the cumulative min/max.
  // 0 when empty.
  std::uint64_t min() const { return count_ ? min_ : 0; }
  std::uint64_t max() const { return count_ ? max_ : 0; }
  double mean() const { return count_ ? static_cast<double>(sum_) / count_ : 0.0; }
  bool empty() const { return count_ == 0; }

  // The nearest-rank q-quantile (q in [0, 1], clamped), within the relative
  // error bound above, and never outside [min(), max()]. 0 when empty.
  std::uint64_t quantile(double q) const;

  // Number of recorded values ≤ value, at bucket resolution: a bucket counts
  // when its highest value is ≤ `value`. Used for Prometheus `le` buckets.
  std::uint64_t count_at_or_below(std::uint64_t value) const;

  // Adds `other` into this snapshot. kInvalidArgument when both are non-empty
  // layouts with different options.
  Status merge(const HistogramSnapshot& other);

  // The values recorded after `earlier` was taken from the same histogram
  // (this minus earlier). Counts that went backwards (not the same
  // histogram) are clamped to zero.
  HistogramSnapshot since(const HistogramSnapshot& earlier) const;

  // Calls f(lowest_value, highest_value, count) for each non-empty bucket in
  // increasing order; both bounds inclusive.
  template <typename F>
  void for_each_bucket(F&& f) const {
    for (std::size_t i = 0; i < counts_.size(); ++i) {
      if (counts_[i] != 0) f(bucket_lowest(offset_ + i), bucket_highest(offset_ + i), counts_[i]);
    }
  }

  int precision_bits() const { return precision_bits_; }

 private:
  friend class Histogram;
  std::uint64_t bucket_lowest(std::size_t index) const;
  std::uint64_t bucket_highest(std::size_t index) const;

  int precision_bits_ = 0;  // 0: no layout yet (empty default snapshot)
  std::uint64_t max_trackable_value_ = 0;
  std::uint64_t count_ = 0;
  std::uint64_t sum_ = 0;
  std::uint64_t min_ = 0;
  std::uint64_t max_ = 0;
  // Dense counts for bucket indices [offset_, offset_ + counts_.size()),
  // trimmed to the non-empty range.
  std::size_t offset_ = 0;
  std::vector<std::uint64_t> counts_;
};

class Histogram {
 public:
  // Threads beyond this many live recording threads share a stripe.
  static constexpr std::size_t kMaxExclusiveThreads = 64;

  // Out-of-range options are clamped (precision_bits to 1..12,
  // max_trackable_value to ≥ 2^precision_bits).
  explicit Histogram(HistogramOptions options = {});
  ~Histogram();
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  // Wait-free; noexcept except for the first record of a thread into this
  // histogram, which allocates that thread's stripe.
  void record(std::uint64_t value);
  // Negative durations are recorded as 0.
  void record(std::chrono::nanoseconds duration) {
    record(duration.count() < 0 ? std::uint64_t{0} : static_cast<std::uint64_t>(duration.count()));
  }

  // Adds a snapshot's counts (for example from another process or histogram)
  // into this histogram. kInvalidArgument when the layouts differ.
  Status merge(const HistogramSnapshot& other);

  HistogramSnapshot snapshot() const;

  const HistogramOptions& options() const { return options_; }
  // Upper bound of the relative error of quantile(): 2^-(precision_bits+1).
  double max_relative_error() const;

  struct Stripe;  // implementation detail, public only for the .cc helpers

 private:
  Stripe* stripe_for(std::size_t slot);

  HistogramOptions options_;
  std::size_t bucket_count_ = 0;
  std::array<std::atomic<Stripe*>, kMaxExclusiveThreads> stripes_{};
  Stripe* shared_ = nullptr;  // for threads without an exclusive slot, and merge()
};

}  // namespace awsperf::monitor

#endif  // AWSPERF_MONITOR_HISTOGRAM_H_
