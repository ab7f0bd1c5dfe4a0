#include "awsperf/monitor/profiler.h"

#include <algorithm>

namespace awsperf::monitor {

namespace {
// Min-heap on total(): the front is the fastest of the kept slowest.
bool slower(const RequestTrace& a, const RequestTrace& b) { return a.total() > b.total(); }
}  // namespace

std::string_view phase_name(Phase phase) {
  switch (phase) {
    case Phase::kQueued:
      return "queued";
    case Phase::kPoolAcquire:
      return "pool_acquire";
    case Phase::kConnect:
      return "connect";
    case Phase::kTls:
      return "tls";
    case Phase::kSend:
      return "send";
    case Phase::kFirstByte:
      return "first_byte";
    case Phase::kReceive:
      return "receive";
    case Phase::kParse:
      return "parse";
    case Phase::kTotal:
      return "total";
  }
  return "unknown";
}

std::chrono::nanoseconds RequestTrace::total() const {
  if (const auto& t = phases[static_cast<std::size_t>(Phase::kTotal)]) return *t;
  std::chrono::nanoseconds sum{0};
  for (std::size_t i = 0; i < kPhaseCount; ++i) {
    if (i != static_cast<std::size_t>(Phase::kTotal) && phases[i]) sum += *phases[i];
  }
  return sum;
}

RequestProfiler::RequestProfiler(RequestProfilerOptions options) : options_(std::move(options)) {
  for (auto& h : phases_) h = std::make_unique<Histogram>(options_.histogram);
  slowest_.reserve(options_.slowest_kept);
}

RequestProfiler::~RequestProfiler() = default;

void RequestProfiler::record(const RequestTrace& trace) {
  requests_.fetch_add(1, std::memory_order_relaxed);
  if (!trace.error_code.empty()) errors_.fetch_add(1, std::memory_order_relaxed);
  constexpr auto kTotalIndex = static_cast<std::size_t>(Phase::kTotal);
  for (std::size_t i = 0; i < kPhaseCount; ++i) {
    if (i != kTotalIndex && trace.phases[i]) phases_[i]->record(*trace.phases[i]);
  }
  const auto total = trace.total();
  phases_[kTotalIndex]->record(total);

  if (options_.slowest_kept == 0) return;
  // Most requests are not among the slowest: decide that without the lock.
  if (total.count() <= admit_above_ns_.load(std::memory_order_relaxed)) return;
  std::lock_guard lock(slowest_mu_);
  if (slowest_.size() < options_.slowest_kept) {
    slowest_.push_back(trace);
    std::push_heap(slowest_.begin(), slowest_.end(), slower);
  } else if (total > slowest_.front().total()) {
    std::pop_heap(slowest_.begin(), slowest_.end(), slower);
    slowest_.back() = trace;
    std::push_heap(slowest_.begin(), slowest_.end(), slower);
  }
  if (slowest_.size() == options_.slowest_kept) {
    admit_above_ns_.store(slowest_.front().total().count(), std::memory_order_relaxed);
  }
}

HistogramSnapshot RequestProfiler::phase(Phase phase) const {
  return phases_[static_cast<std::size_t>(phase)]->snapshot();
}

std::vector<RequestTrace> RequestProfiler::slowest() const {
  std::vector<RequestTrace> out;
  {
    std::lock_guard lock(slowest_mu_);
    out = slowest_;
  }
  std::stable_sort(out.begin(), out.end(), slower);
  return out;
}

ProfilerSnapshot RequestProfiler::snapshot() const {
  ProfilerSnapshot snap;
  snap.requests = requests_.load(std::memory_order_relaxed);
  snap.errors = errors_.load(std::memory_order_relaxed);
  for (std::size_t i = 0; i < kPhaseCount; ++i) snap.phases[i] = phases_[i]->snapshot();
  snap.slowest = slowest();
  return snap;
}

RequestProfiler& global_profiler() {
  static RequestProfiler* profiler = new RequestProfiler();
  return *profiler;
}

}  // namespace awsperf::monitor
