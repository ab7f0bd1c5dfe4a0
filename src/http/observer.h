// Feeds finished requests into the monitor: the per-operation latency
// histogram of PerformanceMonitor and the phase breakdown of RequestProfiler.
//
// Thread-safety: record() may be called concurrently (the monitor's are).
#ifndef AWSPERF_SRC_HTTP_OBSERVER_H_
#define AWSPERF_SRC_HTTP_OBSERVER_H_

#include <optional>
#include <string>
#include <string_view>

#include "awsperf/core/clock.h"
#include "awsperf/core/result.h"
#include "awsperf/http/connection_pool.h"
#include "awsperf/monitor/monitor.h"
#include "awsperf/monitor/profiler.h"

namespace awsperf::http {

// Instants of one request's lifecycle, read from the pool's clock. A phase a
// request skipped (no connect on a reused connection) stays empty.
struct Phases {
  Clock::time_point start{};
  std::optional<Clock::time_point> acquired;
  std::optional<Clock::time_point> connect_start;
  std::optional<Clock::time_point> connected;
  std::optional<Clock::time_point> tls_done;
  std::optional<Clock::time_point> send_start;
  std::optional<Clock::time_point> sent;
  std::optional<Clock::time_point> first_byte;
  std::optional<Clock::time_point> received;
};

class Observer {
 public:
  explicit Observer(const PoolOptions& options) {
    if (!options.disable_monitoring) {
      monitor_ = options.monitor != nullptr ? options.monitor : &monitor::global();
      profiler_ = options.profiler != nullptr ? options.profiler : &monitor::global_profiler();
    }
  }

  bool enabled() const { return monitor_ != nullptr; }

  void record(std::string_view operation, const Phases& p, const Error* error,
              Clock::time_point end) const {
    if (monitor_ == nullptr) return;
    std::string_view code;
    if (error != nullptr) {
      code = error->aws_type.empty() ? error_code_name(error->code)
                                     : std::string_view(error->aws_type);
    }
    monitor_->record(operation, end - p.start, code);
    monitor::RequestTrace trace;
    trace.operation = std::string(operation);
    trace.error_code = std::string(code);
    auto span = [&](monitor::Phase phase, const std::optional<Clock::time_point>& from,
                    const std::optional<Clock::time_point>& to) {
      if (from && to && *to >= *from) trace.set(phase, *to - *from);
    };
    span(monitor::Phase::kPoolAcquire, p.start, p.acquired);
    span(monitor::Phase::kConnect, p.connect_start, p.connected);
    span(monitor::Phase::kTls, p.connected, p.tls_done);
    span(monitor::Phase::kSend, p.send_start, p.sent);
    span(monitor::Phase::kFirstByte, p.sent, p.first_byte);
    span(monitor::Phase::kReceive, p.first_byte, p.received);
    trace.set(monitor::Phase::kTotal, end - p.start);
    profiler_->record(trace);
  }

 private:
  monitor::PerformanceMonitor* monitor_ = nullptr;
  monitor::RequestProfiler* profiler_ = nullptr;
};

}  // namespace awsperf::http

#endif  // AWSPERF_SRC_HTTP_OBSERVER_H_
