// PerformanceMonitor: latency and outcome of named operations, cheap enough to
// leave on in production.
//
//   auto& m = awsperf::monitor::global();
//   m.record("GetItem", 3ms);                          // a success
//   m.record("GetItem", 9ms, "ThrottlingException");   // an error, by code
//   auto r = m.measure("Query", [&] { return client.query(q); });  // Result<T> aware
//   { auto t = m.start("parse"); ... }                 // scoped timer
//   co_await m.measure("Scan", client.scan(s));        // needs <awsperf/monitor/asio.h>
//   m.add_value("dynamodb.GetItem.consumed_read_units", 0.5);  // a value counter
//
// Every call is recorded in the operation's latency histogram (nanoseconds),
// successes and errors alike; errors are also counted by code. `recent`
// statistics cover a sliding window made of `window_intervals` closed
// intervals of `window_interval` plus the open one; an interval closes on
// tick(), which PeriodicExporter calls, and which the reading methods call
// lazily when an interval has elapsed on the clock.
//
// Thread-safety: every method may be called concurrently. record() and
// OperationRef::record() take no lock for a success (an error takes the
// operation's error-map lock); the first record of a new operation name takes
// the monitor's registration lock. Reading methods (stats, snapshot,
// bottlenecks, tick) take an internal lock and copy; they never block record().
//
// Value counters: besides latencies, a monitor sums plain numbers per name
// (add_value / ValueRef::add), e.g. the DynamoDB client adds the consumed
// capacity units of every response under "dynamodb.<Operation>.consumed_
// read_units" / "..._write_units" / "..._capacity_units". A counter keeps the
// sum and the number of additions since the monitor started; exporters show
// it as a counter. Only finite values >= 0 are added (a counter never goes
// down); others are ignored. ValueRef::add() takes no lock (atomic adds);
// add_value() looks the name up under a short lock. At most max_operations
// counter names (counted apart from operations); further ones are dropped.
#ifndef AWSPERF_MONITOR_MONITOR_H_
#define AWSPERF_MONITOR_MONITOR_H_

#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "awsperf/core/clock.h"
#include "awsperf/core/result.h"
#include "awsperf/monitor/histogram.h"

namespace awsperf::monitor {

// Latency objectives of one operation; an absent field is not checked.
struct LatencyBudget {
  std::optional<std::chrono::nanoseconds> p95;
  std::optional<std::chrono::nanoseconds> p99;
};

struct PerformanceMonitorOptions {
  // Time source for timers, intervals and timestamps. Never null.
  Clock* clock = Clock::real();
  HistogramOptions histogram;
  // Length of one interval of the sliding window and of the regression check.
  std::chrono::nanoseconds window_interval = std::chrono::seconds(10);
  // Closed intervals kept in the window (6 × 10 s: "the last minute").
  std::size_t window_intervals = 6;
  // Distinct operation names; records for further names are dropped and
  // counted in dropped_records().
  std::size_t max_operations = 1024;
  // Budget for operations without their own set_budget().
  LatencyBudget default_budget;
  // An operation taking more than this share (0..1] of the recent total time
  // is a bottleneck, when at least two operations were recorded. nullopt: off.
  std::optional<double> time_share_threshold = 0.5;
  // An operation whose p95 over the last closed interval exceeds
  // regression_factor × its moving-baseline p95 is a bottleneck.
  double regression_factor = 2.0;
  // Weight of a new interval in the exponentially weighted baseline (0..1].
  double baseline_weight = 0.2;
  // Intervals (with enough samples) folded into the baseline before the
  // regression check starts.
  std::size_t baseline_min_intervals = 3;
  // An interval with fewer samples neither updates the baseline nor is checked.
  std::uint64_t regression_min_samples = 20;
};

// Summary statistics of a histogram of nanoseconds.
struct LatencyStats {
  std::uint64_t count = 0;
  std::chrono::nanoseconds total_time{0};
  std::chrono::nanoseconds mean{0};
  std::chrono::nanoseconds min{0};
  std::chrono::nanoseconds max{0};
  std::chrono::nanoseconds p50{0};
  std::chrono::nanoseconds p90{0};
  std::chrono::nanoseconds p95{0};
  std::chrono::nanoseconds p99{0};
  std::chrono::nanoseconds p999{0};

  static LatencyStats from(const HistogramSnapshot& histogram);
};

struct OperationStats {
  std::string name;
  // Since the monitor started; latency.count counts successes and errors.
  LatencyStats latency;
  std::uint64_t errors = 0;
  // (code, count), sorted by code.
  std::vector<std::pair<std::string, std::uint64_t>> errors_by_code;
  // latency.total_time / the sum of total_time over all operations.
  double share_of_time = 0.0;
  // Over the sliding window (see the top comment).
  LatencyStats recent;
  std::uint64_t recent_errors = 0;
  // The cumulative histogram (nanoseconds), for exporters.
  HistogramSnapshot histogram;
};

enum class BottleneckReason : std::uint8_t {
  kP95OverBudget,  // recent p95 > budget p95
  kP99OverBudget,  // recent p99 > budget p99
  kTimeShare,      // recent share of total time > time_share_threshold
  kRegression,     // last interval's p95 > regression_factor × baseline p95
};

// "p95_over_budget", "p99_over_budget", "time_share", "regression".
std::string_view bottleneck_reason_name(BottleneckReason reason);

struct Bottleneck {
  std::string operation;
  BottleneckReason reason = BottleneckReason::kP95OverBudget;
  // Latency reasons: nanoseconds (observed percentile; budget or factor ×
  // baseline). kTimeShare: fractions in 0..1.
  double observed = 0.0;
  double limit = 0.0;

  // One human-readable line, e.g. "GetItem: p99 12.3ms over budget 10ms".
  std::string to_string() const;
};

// A value counter (see the top comment): totals since the monitor started.
struct ValueStats {
  std::string name;
  double sum = 0.0;         // of the values added
  std::uint64_t count = 0;  // number of additions
};

struct MonitorSnapshot {
  std::chrono::system_clock::time_point taken_at;
  // The span the `recent` statistics cover.
  std::chrono::nanoseconds recent_span{0};
  std::vector<OperationStats> operations;  // sorted by name
  std::vector<Bottleneck> bottlenecks;
  std::uint64_t dropped_records = 0;
  std::vector<ValueStats> values;  // value counters, sorted by name
};

namespace detail {
struct Operation;
struct ValueCounter;
}  // namespace detail

// A resolved value counter: adds without looking the name up. Cheap to copy;
// valid while its monitor lives. A default-constructed (or dropped) ref
// ignores additions.
class ValueRef {
 public:
  ValueRef() = default;
  // Ignored unless `value` is finite and >= 0.
  void add(double value) const;
  std::string_view name() const;
  explicit operator bool() const { return counter_ != nullptr; }

 private:
  friend class PerformanceMonitor;
  explicit ValueRef(detail::ValueCounter* counter) : counter_(counter) {}
  detail::ValueCounter* counter_ = nullptr;
};

// A resolved operation: records without looking the name up. Cheap to copy;
// valid while its monitor lives. A default-constructed (or dropped: the
// operation limit was reached) ref ignores records.
class OperationRef {
 public:
  OperationRef() = default;
  void record(std::chrono::nanoseconds latency, std::string_view error_code = {}) const;
  std::string_view name() const;
  explicit operator bool() const { return op_ != nullptr; }

 private:
  friend class PerformanceMonitor;
  explicit OperationRef(detail::Operation* op) : op_(op) {}
  detail::Operation* op_ = nullptr;
};

// Records the time from construction to destruction (or stop()). Move-only.
class ScopedTimer {
 public:
  ScopedTimer(OperationRef operation, Clock* clock);
  ScopedTimer(ScopedTimer&& other) noexcept;
  ScopedTimer& operator=(ScopedTimer&&) = delete;
  ScopedTimer(const ScopedTimer&) = delete;
  ~ScopedTimer();

  // Marks the timed work as failed with this code (copied).
  void set_error(std::string_view error_code) { error_code_ = error_code; }
  // Records nothing.
  void cancel() { active_ = false; }
  // Records now and returns the latency; later calls and the destructor are no-ops.
  std::chrono::nanoseconds stop();
  std::chrono::nanoseconds elapsed() const;

 private:
  OperationRef operation_;
  Clock* clock_;
  Clock::time_point start_;
  std::string error_code_;
  bool active_ = true;
};

// The code recorded for a failed Result: the AWS error type when there is
// one (e.g. "ThrottlingException"), else the ErrorCode name (e.g. "timeout").
inline std::string_view error_label(const Error& error) {
  return error.aws_type.empty() ? error_code_name(error.code) : std::string_view(error.aws_type);
}

namespace detail {
template <typename T>
struct IsExpected : std::false_type {};
template <typename T, typename E>
struct IsExpected<std::expected<T, E>> : std::true_type {};

// Kept for callers that used the detail name.
inline std::string_view error_label(const Error& error) { return monitor::error_label(error); }

template <typename R>
std::string_view outcome_error(const R& result) {
  if constexpr (IsExpected<std::remove_cvref_t<R>>::value) {
    if (result.has_value()) return {};
    if constexpr (std::is_same_v<typename std::remove_cvref_t<R>::error_type, Error>) {
      return monitor::error_label(result.error());
    } else {
      return "error";
    }
  } else {
    return {};
  }
}
}  // namespace detail

class PerformanceMonitor {
 public:
  explicit PerformanceMonitor(PerformanceMonitorOptions options = {});
  ~PerformanceMonitor();
  PerformanceMonitor(const PerformanceMonitor&) = delete;
  PerformanceMonitor& operator=(const PerformanceMonitor&) = delete;

  // Records one call of `operation`. An empty error_code is a success.
  void record(std::string_view operation, std::chrono::nanoseconds latency,
              std::string_view error_code = {});

  // Resolves (registering on first use) an operation, for hot paths that
  // record the same name often.
  OperationRef operation(std::string_view name);

  // Adds `value` to the value counter `name` (see the top comment); ignored
  // unless finite and >= 0.
  void add_value(std::string_view name, double value);
  // Resolves (registering on first use) a value counter, for hot paths.
  ValueRef value_counter(std::string_view name);
  // Totals of one value counter; nullopt when never registered.
  std::optional<ValueStats> value_stats(std::string_view name) const;
  // All value counters, sorted by name.
  std::vector<ValueStats> all_values() const;

  // A scoped timer for `operation`, reading this monitor's clock.
  ScopedTimer start(std::string_view operation);

  // Runs f() and records its latency. A std::expected result holding an error
  // is recorded as an error (see error_label); an exception is
  // recorded as "exception" and rethrown. Returns what f returns.
  template <typename F>
  requires std::invocable<F&>
  decltype(auto) measure(std::string_view operation, F&& f) {
    ScopedTimer timer = start(operation);
    try {
      if constexpr (std::is_void_v<std::invoke_result_t<F&>>) {
        std::invoke(f);
      } else {
        using R = std::invoke_result_t<F&>;
        R result = std::invoke(f);
        timer.set_error(detail::outcome_error(result));
        if constexpr (std::is_reference_v<R>) {
          return static_cast<R>(result);
        } else {
          return result;
        }
      }
    } catch (...) {
      timer.set_error("exception");
      throw;
    }
  }

  // Coroutine form: `co_await monitor.measure("Scan", some_awaitable())` for
  // boost::asio::awaitable<T>. Available after including
  // <awsperf/monitor/asio.h>, which defines measure_awaitable().
  template <typename Awaitable>
  requires(!std::invocable<Awaitable&>) auto measure(std::string_view operation,
                                                     Awaitable awaitable)
      -> decltype(measure_awaitable(*this, operation, std::move(awaitable))) {
    return measure_awaitable(*this, operation, std::move(awaitable));
  }

  // Budget for one operation (overrides options().default_budget).
  void set_budget(std::string_view operation, LatencyBudget budget);

  // Statistics of one operation; nullopt when never recorded.
  std::optional<OperationStats> stats(std::string_view operation) const;
  // All operations, sorted by name.
  std::vector<OperationStats> all_stats() const;
  // The n operations with the largest share of total time, largest first.
  std::vector<OperationStats> hot_paths(std::size_t n) const;
  // Operations over budget, over the time-share threshold, or regressed
  // (one entry per operation and reason).
  std::vector<Bottleneck> bottlenecks() const;
  // Everything above, taken once.
  MonitorSnapshot snapshot() const;

  // Closes the current interval if at least window_interval has passed since
  // the last one closed (several at once after a long gap count as one).
  // Returns whether an interval closed.
  bool tick();

  Clock* clock() const { return options_.clock; }
  const PerformanceMonitorOptions& options() const { return options_; }
  // record() and add_value() calls lost because max_operations names were
  // already registered (records through a null ref are not counted).
  std::uint64_t dropped_records() const;

 private:
  struct Impl;
  PerformanceMonitorOptions options_;
  std::unique_ptr<Impl> impl_;
};

// The process-wide monitor (real clock, default options). Never destroyed, so
// it may be used from other statics' destructors.
PerformanceMonitor& global();

}  // namespace awsperf::monitor

#endif  // AWSPERF_MONITOR_MONITOR_H_
