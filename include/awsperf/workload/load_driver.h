// Drives an asynchronous operation at a load, and measures its latency.
//
// Open loop: operations start on a fixed schedule (`rate_per_second`) whether
// or not earlier ones finished, and each latency is measured from its
// intended start time, so a stalled server shows up as latency instead of
// silently lowering the offered load (no coordinated omission). Closed loop:
// `concurrency` workers each run one operation after another.
//
// Thread-safety: run_load() may run on any executor; the operation is called
// from the coroutines it spawns there, so it must tolerate interleaving (and
// real concurrency if the executor has several threads).
#ifndef AWSPERF_WORKLOAD_LOAD_DRIVER_H_
#define AWSPERF_WORKLOAD_LOAD_DRIVER_H_

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "awsperf/core/result.h"
#include "awsperf/monitor/histogram.h"

namespace awsperf::workload {

struct LoadOptions {
  enum class Mode : std::uint8_t { kOpenLoop, kClosedLoop };
  Mode mode = Mode::kClosedLoop;
  // Open loop: operations started per second. Must be > 0 in that mode.
  double rate_per_second = 0;
  // Closed loop: operations in flight. Must be ≥ 1 in that mode.
  int concurrency = 1;
  // When the measured phase ends; at least one of duration / max_ops is set.
  std::optional<std::chrono::nanoseconds> duration;
  std::optional<std::uint64_t> max_ops;
  // Run first at the same load without counting (fills caches and pools).
  std::chrono::nanoseconds warmup{0};
  // Open loop: operations in flight beyond this wait to start; their latency
  // still counts from the intended start. Bounds memory when the target
  // cannot keep up.
  std::size_t max_in_flight = 4096;
};

struct LoadResult {
  std::uint64_t ops = 0;     // measured operations (warm-up excluded)
  std::uint64_t errors = 0;  // of those, failed ones
  // From the end of the warm-up to the completion of the last measured
  // operation.
  std::chrono::nanoseconds measured_span{0};
  double throughput = 0;  // ops / measured_span, per second
  // Latency in nanoseconds of every measured operation, errors included.
  monitor::HistogramSnapshot latency;
  std::map<std::string, std::uint64_t> errors_by_code;
  // Open loop: operations that started later than intended because
  // max_in_flight were busy.
  std::uint64_t delayed_starts = 0;
  // Open loop: the offered rate.
  double offered_rate = 0;
};

using OperationFn = std::function<boost::asio::awaitable<Status>()>;

// Validates options (kInvalidArgument) before running.
Status validate(const LoadOptions& options);

// Runs `operation` at the load; never throws; returns once every started
// operation has finished.
boost::asio::awaitable<Result<LoadResult>> run_load(LoadOptions options, OperationFn operation);

}  // namespace awsperf::workload

#endif  // AWSPERF_WORKLOAD_LOAD_DRIVER_H_
