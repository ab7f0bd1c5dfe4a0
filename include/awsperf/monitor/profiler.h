// RequestProfiler: where a request's time went, phase by phase.
//
// The HTTP layer fills a RequestTrace per request (durations of the phases it
// went through, absent phases left empty) and hands it to record(). The
// profiler keeps a histogram per phase (nanoseconds) and the N slowest
// requests with their breakdown.
//
//   RequestTrace trace{.operation = "GetItem"};
//   trace.add(Phase::kConnect, connect_time);
//   trace.add(Phase::kFirstByte, ttfb);
//   trace.set(Phase::kTotal, total);
//   awsperf::monitor::global_profiler().record(trace);
//
// Thread-safety: every RequestProfiler method may be called concurrently.
// record() is lock-free unless the request is slower than the fastest of the
// kept slowest requests (then it takes a short lock). RequestTrace is a
// plain value type.
#ifndef AWSPERF_MONITOR_PROFILER_H_
#define AWSPERF_MONITOR_PROFILER_H_

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "awsperf/core/clock.h"
#include "awsperf/monitor/histogram.h"

namespace awsperf::monitor {

// The phases of a request, in lifecycle order; kTotal is the whole request.
enum class Phase : std::uint8_t {
  kQueued,       // waiting to be sent (e.g. an in-flight limit)
  kPoolAcquire,  // waiting for a pooled connection
  kConnect,      // TCP connect (including DNS)
  kTls,          // TLS handshake
  kSend,         // writing the request
  kFirstByte,    // from the request sent to the first response byte
  kReceive,      // from the first to the last response byte
  kParse,        // decoding the response body
  kTotal,        // the whole request, start to finish
};
inline constexpr std::size_t kPhaseCount = 9;

// "queued", "pool_acquire", "connect", "tls", "send", "first_byte", "receive",
// "parse", "total".
std::string_view phase_name(Phase phase);

struct RequestTrace {
  std::string operation;
  // Empty on success; otherwise an ErrorCode name or AWS error type.
  std::string error_code;
  // When the request started (wall clock), for display.
  std::optional<std::chrono::system_clock::time_point> started_at;
  // Duration per phase, indexed by Phase; empty when the request skipped it.
  std::array<std::optional<std::chrono::nanoseconds>, kPhaseCount> phases{};

  void set(Phase phase, std::chrono::nanoseconds duration) {
    phases[static_cast<std::size_t>(phase)] = duration;
  }
  // Adds to a phase (e.g. several reads of one body).
  void add(Phase phase, std::chrono::nanoseconds duration) {
    auto& p = phases[static_cast<std::size_t>(phase)];
    p = p.value_or(std::chrono::nanoseconds(0)) + duration;
  }
  std::optional<std::chrono::nanoseconds> get(Phase phase) const {
    return phases[static_cast<std::size_t>(phase)];
  }
  // kTotal when set, else the sum of the other phases.
  std::chrono::nanoseconds total() const;
};

struct RequestProfilerOptions {
  // How many of the slowest requests (by total()) are kept.
  std::size_t slowest_kept = 32;
  HistogramOptions histogram;
};

struct ProfilerSnapshot {
  std::uint64_t requests = 0;
  std::uint64_t errors = 0;
  // Indexed by Phase; each counts only the requests that had the phase.
  std::array<HistogramSnapshot, kPhaseCount> phases;
  // Slowest first.
  std::vector<RequestTrace> slowest;
};

class RequestProfiler {
 public:
  explicit RequestProfiler(RequestProfilerOptions options = {});
  ~RequestProfiler();
  RequestProfiler(const RequestProfiler&) = delete;
  RequestProfiler& operator=(const RequestProfiler&) = delete;

  void record(const RequestTrace& trace);

  HistogramSnapshot phase(Phase phase) const;
  // Slowest first, at most options().slowest_kept.
  std::vector<RequestTrace> slowest() const;
  ProfilerSnapshot snapshot() const;

  const RequestProfilerOptions& options() const { return options_; }

 private:
  RequestProfilerOptions options_;
  std::array<std::unique_ptr<Histogram>, kPhaseCount> phases_;
  std::atomic<std::uint64_t> requests_{0};
  std::atomic<std::uint64_t> errors_{0};
  // A request at or below this total cannot enter the full slowest list.
  std::atomic<std::int64_t> admit_above_ns_{-1};
  mutable std::mutex slowest_mu_;
  std::vector<RequestTrace> slowest_;  // min-heap by total()
};

// The process-wide profiler (default options). Never destroyed.
RequestProfiler& global_profiler();

}  // namespace awsperf::monitor

#endif  // AWSPERF_MONITOR_PROFILER_H_
