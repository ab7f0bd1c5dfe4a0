#include "awsperf/monitor/monitor.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <deque>
#include <functional>
#include <limits>
#include <map>
#include <mutex>

namespace awsperf::monitor {

namespace detail {

struct Boundary {
  HistogramSnapshot histogram;
  std::uint64_t errors = 0;
};

struct Operation {
  Operation(std::string n, const HistogramOptions& options)
      : name(std::move(n)), latency(options) {}

  void record(std::chrono::nanoseconds duration, std::string_view error_code) {
    latency.record(duration);
    if (!error_code.empty()) [[unlikely]] {
      errors.fetch_add(1, std::memory_order_relaxed);
      std::lock_guard lock(errors_mu);
      auto it = errors_by_code.find(error_code);
      if (it == errors_by_code.end()) {
        errors_by_code.emplace(std::string(error_code), 1);
      } else {
        ++it->second;
      }
    }
  }

  const std::string name;
  Histogram latency;
  std::atomic<std::uint64_t> errors{0};
  std::mutex errors_mu;
  std::map<std::string, std::uint64_t, std::less<>> errors_by_code;

  // Guarded by PerformanceMonitor::Impl::mu.
  std::deque<Boundary> boundaries;  // oldest first
  std::optional<LatencyBudget> budget;
  double baseline_p95_ns = 0.0;
  std::size_t baseline_intervals = 0;
  bool regressed = false;
  double regressed_p95_ns = 0.0;
  double regressed_limit_ns = 0.0;
};

// A value counter: sum and count, added to without a lock.
struct ValueCounter {
  explicit ValueCounter(std::string n) : name(std::move(n)) {}

  void add(double value) {
    if (!std::isfinite(value) || value < 0) return;
    double cur = sum.load(std::memory_order_relaxed);
    while (!sum.compare_exchange_weak(cur, cur + value, std::memory_order_relaxed)) {
    }
    count.fetch_add(1, std::memory_order_relaxed);
  }

  ValueStats stats() const {
    return ValueStats{.name = name,
                      .sum = sum.load(std::memory_order_relaxed),
                      .count = count.load(std::memory_order_relaxed)};
  }

  const std::string name;
  std::atomic<double> sum{0.0};
  std::atomic<std::uint64_t> count{0};
};

}  // namespace detail

using detail::Operation;
using detail::ValueCounter;

namespace {

std::chrono::nanoseconds ns(std::uint64_t v) {
  return std::chrono::nanoseconds(static_cast<std::int64_t>(std::min<std::uint64_t>(
      v, static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))));
}

std::string format_duration(double nanos) {
  char buf[64];
  if (nanos >= 1e9) {
    std::snprintf(buf, sizeof buf, "%.3gs", nanos / 1e9);
  } else if (nanos >= 1e6) {
    std::snprintf(buf, sizeof buf, "%.3gms", nanos / 1e6);
  } else if (nanos >= 1e3) {
    std::snprintf(buf, sizeof buf, "%.3gus", nanos / 1e3);
  } else {
    std::snprintf(buf, sizeof buf, "%.0fns", nanos);
  }
  return buf;
}

std::size_t next_pow2(std::size_t n) {
  std::size_t p = 16;
  while (p < n) p <<= 1;
  return p;
}

}  // namespace

LatencyStats LatencyStats::from(const HistogramSnapshot& h) {
  LatencyStats s;
  s.count = h.count();
  if (s.count == 0) return s;
  s.total_time = ns(h.sum());
  s.mean = ns(static_cast<std::uint64_t>(std::llround(h.mean())));
  s.min = ns(h.min());
  s.max = ns(h.max());
  s.p50 = ns(h.quantile(0.5));
  s.p90 = ns(h.quantile(0.9));
  s.p95 = ns(h.quantile(0.95));
  s.p99 = ns(h.quantile(0.99));
  s.p999 = ns(h.quantile(0.999));
  return s;
}

std::string_view bottleneck_reason_name(BottleneckReason reason) {
  switch (reason) {
    case BottleneckReason::kP95OverBudget:
      return "p95_over_budget";
    case BottleneckReason::kP99OverBudget:
      return "p99_over_budget";
    case BottleneckReason::kTimeShare:
      return "time_share";
    case BottleneckReason::kRegression:
      return "regression";
  }
  return "unknown";
}

std::string Bottleneck::to_string() const {
  switch (reason) {
    case BottleneckReason::kP95OverBudget:
      return operation + ": p95 " + format_duration(observed) + " over budget " +
             format_duration(limit);
    case BottleneckReason::kP99OverBudget:
      return operation + ": p99 " + format_duration(observed) + " over budget " +
             format_duration(limit);
    case BottleneckReason::kTimeShare: {
      char buf[96];
      std::snprintf(buf, sizeof buf, ": %.1f%% of recent time (threshold %.1f%%)", observed * 100.0,
                    limit * 100.0);
      return operation + buf;
    }
    case BottleneckReason::kRegression:
      return operation + ": p95 " + format_duration(observed) + " above " + format_duration(limit) +
             " (regression factor x baseline)";
  }
  return operation;
}

// ---- OperationRef / ValueRef / ScopedTimer ----

void ValueRef::add(double value) const {
  if (counter_ != nullptr) counter_->add(value);
}

std::string_view ValueRef::name() const {
  return counter_ != nullptr ? std::string_view(counter_->name) : std::string_view();
}

void OperationRef::record(std::chrono::nanoseconds latency, std::string_view error_code) const {
  if (op_ != nullptr) op_->record(latency, error_code);
}

std::string_view OperationRef::name() const {
  return op_ != nullptr ? std::string_view(op_->name) : std::string_view();
}

ScopedTimer::ScopedTimer(OperationRef operation, Clock* clock)
    : operation_(operation), clock_(clock), start_(clock->now()) {}

ScopedTimer::ScopedTimer(ScopedTimer&& other) noexcept
    : operation_(other.operation_),
      clock_(other.clock_),
      start_(other.start_),
      error_code_(std::move(other.error_code_)),
      active_(other.active_) {
  other.active_ = false;
}

ScopedTimer::~ScopedTimer() {
  if (active_) stop();
}

std::chrono::nanoseconds ScopedTimer::elapsed() const { return clock_->now() - start_; }

std::chrono::nanoseconds ScopedTimer::stop() {
  const auto latency = elapsed();
  if (active_) {
    active_ = false;
    operation_.record(latency, error_code_);
  }
  return latency;
}

// ---- PerformanceMonitor ----

struct PerformanceMonitor::Impl {
  explicit Impl(const PerformanceMonitorOptions& o)
      : options(o),
        table(next_pow2(o.max_operations * 2)),
        created(o.clock->now()),
        last_tick(created) {}

  ~Impl() {
    for (auto& slot : table) delete slot.load(std::memory_order_relaxed);
  }

  // Lock-free lookup: entries are only ever added (under register_mu, with a
  // release store), never removed or moved.
  Operation* find(std::string_view name, std::size_t hash) const {
    const std::size_t mask = table.size() - 1;
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
      Operation* op = table[i].load(std::memory_order_acquire);
      if (op == nullptr) return nullptr;
      if (op->name == name) return op;
    }
  }

  Operation* find_or_add(std::string_view name) {
    const std::size_t hash = std::hash<std::string_view>{}(name);
    if (Operation* op = find(name, hash)) [[likely]]
      return op;
    std::lock_guard lock(register_mu);
    if (Operation* op = find(name, hash)) return op;
    if (operations.size() >= options.max_operations) return nullptr;
    auto* op = new Operation(std::string(name), options.histogram);
    const std::size_t mask = table.size() - 1;
    std::size_t i = hash & mask;
    while (table[i].load(std::memory_order_relaxed) != nullptr) i = (i + 1) & mask;
    table[i].store(op, std::memory_order_release);
    operations.push_back(op);
    return op;
  }

  ValueCounter* find_or_add_value(std::string_view name) {
    std::lock_guard lock(values_mu);
    if (auto it = values.find(name); it != values.end()) return it->second.get();
    if (values.size() >= options.max_operations) return nullptr;
    auto counter = std::make_unique<ValueCounter>(std::string(name));
    ValueCounter* raw = counter.get();
    values.emplace(std::string(name), std::move(counter));
    return raw;
  }

  // Sorted by name (the map's order).
  std::vector<ValueStats> all_values() const {
    std::lock_guard lock(values_mu);
    std::vector<ValueStats> out;
    out.reserve(values.size());
    for (const auto& [name, counter] : values) out.push_back(counter->stats());
    return out;
  }

  std::vector<Operation*> all_operations() const {
    std::lock_guard lock(register_mu);
    return operations;
  }

  // With mu held. Closes an interval when one has elapsed.
  bool maybe_tick() {
    const auto now = options.clock->now();
    if (now - last_tick < options.window_interval) return false;
    last_tick = now;
    tick_times.push_back(now);
    while (tick_times.size() > options.window_intervals + 1) tick_times.pop_front();
    for (Operation* op : all_operations()) close_interval(*op);
    return true;
  }

  void close_interval(Operation& op) {
    detail::Boundary b{op.latency.snapshot(), op.errors.load(std::memory_order_relaxed)};
    const HistogramSnapshot interval =
        op.boundaries.empty() ? b.histogram : b.histogram.since(op.boundaries.back().histogram);
    op.regressed = false;
    if (interval.count() >= options.regression_min_samples && interval.count() > 0) {
      const double p95 = static_cast<double>(interval.quantile(0.95));
      if (op.baseline_intervals >= options.baseline_min_intervals) {
        const double limit = options.regression_factor * op.baseline_p95_ns;
        if (p95 > limit) {
          op.regressed = true;
          op.regressed_p95_ns = p95;
          op.regressed_limit_ns = limit;
        }
      }
      const double w = std::clamp(options.baseline_weight, 0.0, 1.0);
      op.baseline_p95_ns =
          op.baseline_intervals == 0 ? p95 : (1.0 - w) * op.baseline_p95_ns + w * p95;
      ++op.baseline_intervals;
    }
    op.boundaries.push_back(std::move(b));
    while (op.boundaries.size() > options.window_intervals + 1) op.boundaries.pop_front();
  }

  // With mu held.
  OperationStats stats_of(const Operation& op) const {
    OperationStats s;
    s.name = op.name;
    s.histogram = op.latency.snapshot();
    s.latency = LatencyStats::from(s.histogram);
    s.errors = op.errors.load(std::memory_order_relaxed);
    {
      std::lock_guard lock(const_cast<Operation&>(op).errors_mu);
      s.errors_by_code.assign(op.errors_by_code.begin(), op.errors_by_code.end());
    }
    // Until the ring is full the window reaches back past the operation's
    // first boundary, to its registration: everything recorded counts.
    if (op.boundaries.size() < options.window_intervals + 1) {
      s.recent = s.latency;
      s.recent_errors = s.errors;
    } else {
      s.recent = LatencyStats::from(s.histogram.since(op.boundaries.front().histogram));
      s.recent_errors = s.errors - std::min(s.errors, op.boundaries.front().errors);
    }
    return s;
  }

  // With mu held.
  std::vector<OperationStats> all_stats() const {
    std::vector<OperationStats> out;
    for (const Operation* op : all_operations()) out.push_back(stats_of(*op));
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    double total = 0;
    for (const auto& s : out) total += static_cast<double>(s.latency.total_time.count());
    if (total > 0) {
      for (auto& s : out)
        s.share_of_time = static_cast<double>(s.latency.total_time.count()) / total;
    }
    return out;
  }

  // With mu held.
  std::vector<Bottleneck> bottlenecks(const std::vector<OperationStats>& stats) const {
    std::vector<Bottleneck> out;
    double recent_total = 0;
    std::size_t active = 0;
    for (const auto& s : stats) {
      recent_total += static_cast<double>(s.recent.total_time.count());
      if (s.recent.count > 0) ++active;
    }
    for (const auto& s : stats) {
      const Operation* op = find(s.name, std::hash<std::string_view>{}(s.name));
      const LatencyBudget& budget = op->budget ? *op->budget : options.default_budget;
      if (s.recent.count > 0) {
        if (budget.p95 && s.recent.p95 > *budget.p95) {
          out.push_back({s.name, BottleneckReason::kP95OverBudget,
                         static_cast<double>(s.recent.p95.count()),
                         static_cast<double>(budget.p95->count())});
        }
        if (budget.p99 && s.recent.p99 > *budget.p99) {
          out.push_back({s.name, BottleneckReason::kP99OverBudget,
                         static_cast<double>(s.recent.p99.count()),
                         static_cast<double>(budget.p99->count())});
        }
        if (options.time_share_threshold && active >= 2 && recent_total > 0) {
          const double share = static_cast<double>(s.recent.total_time.count()) / recent_total;
          if (share > *options.time_share_threshold) {
            out.push_back(
                {s.name, BottleneckReason::kTimeShare, share, *options.time_share_threshold});
          }
        }
      }
      if (op->regressed) {
        out.push_back(
            {s.name, BottleneckReason::kRegression, op->regressed_p95_ns, op->regressed_limit_ns});
      }
    }
    return out;
  }

  PerformanceMonitorOptions options;
  // Registration.
  mutable std::mutex register_mu;
  std::vector<std::atomic<Operation*>> table;
  std::vector<Operation*> operations;
  std::atomic<std::uint64_t> dropped{0};
  // Value counters: only ever added, never removed (refs stay valid).
  mutable std::mutex values_mu;
  std::map<std::string, std::unique_ptr<ValueCounter>, std::less<>> values;
  // Windows, baselines, budgets.
  mutable std::mutex mu;
  Clock::time_point created;
  Clock::time_point last_tick;
  std::deque<Clock::time_point> tick_times;
};

PerformanceMonitor::PerformanceMonitor(PerformanceMonitorOptions options)
    : options_(std::move(options)) {
  if (options_.clock == nullptr) options_.clock = Clock::real();
  if (options_.window_interval <= std::chrono::nanoseconds(0)) {
    options_.window_interval = std::chrono::seconds(10);
  }
  options_.window_intervals = std::max<std::size_t>(options_.window_intervals, 1);
  options_.max_operations = std::max<std::size_t>(options_.max_operations, 1);
  impl_ = std::make_unique<Impl>(options_);
}

PerformanceMonitor::~PerformanceMonitor() = default;

void PerformanceMonitor::record(std::string_view operation, std::chrono::nanoseconds latency,
                                std::string_view error_code) {
  if (Operation* op = impl_->find_or_add(operation)) [[likely]] {
    op->record(latency, error_code);
  } else {
    impl_->dropped.fetch_add(1, std::memory_order_relaxed);
  }
}

OperationRef PerformanceMonitor::operation(std::string_view name) {
  return OperationRef(impl_->find_or_add(name));
}

void PerformanceMonitor::add_value(std::string_view name, double value) {
  if (ValueCounter* counter = impl_->find_or_add_value(name)) [[likely]] {
    counter->add(value);
  } else {
    impl_->dropped.fetch_add(1, std::memory_order_relaxed);
  }
}

ValueRef PerformanceMonitor::value_counter(std::string_view name) {
  return ValueRef(impl_->find_or_add_value(name));
}

std::optional<ValueStats> PerformanceMonitor::value_stats(std::string_view name) const {
  std::lock_guard lock(impl_->values_mu);
  if (auto it = impl_->values.find(name); it != impl_->values.end()) return it->second->stats();
  return std::nullopt;
}

std::vector<ValueStats> PerformanceMonitor::all_values() const { return impl_->all_values(); }

ScopedTimer PerformanceMonitor::start(std::string_view operation) {
  return ScopedTimer(this->operation(operation), options_.clock);
}

void PerformanceMonitor::set_budget(std::string_view operation, LatencyBudget budget) {
  Operation* op = impl_->find_or_add(operation);
  if (op == nullptr) return;
  std::lock_guard lock(impl_->mu);
  op->budget = budget;
}

std::optional<OperationStats> PerformanceMonitor::stats(std::string_view operation) const {
  std::lock_guard lock(impl_->mu);
  impl_->maybe_tick();
  auto all = impl_->all_stats();
  for (auto& s : all) {
    if (s.name == operation) return std::move(s);
  }
  return std::nullopt;
}

std::vector<OperationStats> PerformanceMonitor::all_stats() const {
  std::lock_guard lock(impl_->mu);
  impl_->maybe_tick();
  return impl_->all_stats();
}

std::vector<OperationStats> PerformanceMonitor::hot_paths(std::size_t n) const {
  auto all = all_stats();
  std::stable_sort(all.begin(), all.end(),
                   [](const auto& a, const auto& b) { return a.share_of_time > b.share_of_time; });
  if (all.size() > n) all.resize(n);
  return all;
}

std::vector<Bottleneck> PerformanceMonitor::bottlenecks() const {
  std::lock_guard lock(impl_->mu);
  impl_->maybe_tick();
  return impl_->bottlenecks(impl_->all_stats());
}

MonitorSnapshot PerformanceMonitor::snapshot() const {
  std::lock_guard lock(impl_->mu);
  impl_->maybe_tick();
  MonitorSnapshot snap;
  snap.taken_at = options_.clock->wall_now();
  const auto now = options_.clock->now();
  snap.recent_span =
      now - (impl_->tick_times.size() < options_.window_intervals + 1 ? impl_->created
                                                                      : impl_->tick_times.front());
  snap.operations = impl_->all_stats();
  snap.bottlenecks = impl_->bottlenecks(snap.operations);
  snap.dropped_records = impl_->dropped.load(std::memory_order_relaxed);
  snap.values = impl_->all_values();
  return snap;
}

bool PerformanceMonitor::tick() {
  std::lock_guard lock(impl_->mu);
  return impl_->maybe_tick();
}

std::uint64_t PerformanceMonitor::dropped_records() const {
  return impl_->dropped.load(std::memory_order_relaxed);
}

PerformanceMonitor& global() {
  // Leaked on purpose: records may come from other statics' destructors.
  static PerformanceMonitor* monitor = new PerformanceMonitor();
  return *monitor;
}

}  // namespace awsperf::monitor
