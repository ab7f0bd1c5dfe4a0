// The load benchmark behind `awsperf bench`: loads a table, runs YCSB
// workloads against it in three modes, and reports what the connection pool,
// the cache and read batching gain over a naive client.
//
//   baseline   a new connection per request, no cache, no batching
//   pooled     the connection pool only
//   optimized  pool + read-through cache (warmed by a parallel scan) +
//              coalesced reads (concurrent misses go out as one BatchGetItem);
//              writes stay synchronous and durable (write-through)
//
// Load: open loop at a rate (latency from the intended start, no coordinated
// omission) or closed loop at a concurrency. The default, calibrated, first
// measures what the baseline sustains closed-loop, then offers every mode
// the same open-loop rate, half of that; every mode also runs once
// closed-loop with one request in flight (the latency floor).
//
// Thread-safety: run_bench() runs its own io_context on the calling thread;
// call it from one thread at a time.
#ifndef AWSPERF_WORKLOAD_BENCH_H_
#define AWSPERF_WORKLOAD_BENCH_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "awsperf/aws/credentials.h"
#include "awsperf/cache/redis_cache.h"
#include "awsperf/core/result.h"
#include "awsperf/workload/key_generators.h"
#include "awsperf/workload/load_driver.h"
#include "awsperf/workload/ycsb.h"

namespace awsperf::workload {

enum class BenchMode : std::uint8_t { kBaseline, kPooled, kOptimized };
std::string_view bench_mode_name(BenchMode mode);
// "baseline,pooled,optimized" (any subset, in that order of appearance).
Result<std::vector<BenchMode>> parse_modes(std::string_view list);

enum class LoadKind : std::uint8_t { kCalibrated, kOpenLoop, kClosedLoop };

struct BenchOptions {
  std::string endpoint_url;  // where requests go (possibly a relay)
  std::string target;        // what the report calls the target
  std::string region = "us-east-1";
  std::optional<aws::Credentials> credentials;  // unset: the credentials chain
  std::string table = "awsperf_bench";
  std::uint64_t records = 10'000;
  // Each record has field_count fields of field_bytes bytes (10 × 100 ≈ 1 KB).
  int field_count = 10;
  int field_bytes = 100;
  std::vector<WorkloadMix> workloads;        // default: B
  std::optional<Distribution> distribution;  // unset: each workload's own
  std::vector<BenchMode> modes = {BenchMode::kBaseline, BenchMode::kPooled, BenchMode::kOptimized};
  LoadKind load = LoadKind::kCalibrated;
  double rate_per_second = 0;  // kOpenLoop
  int concurrency = 16;        // kClosedLoop, and the calibration's concurrency
  std::chrono::nanoseconds duration = std::chrono::seconds(15);
  std::optional<std::uint64_t> ops;  // instead of duration
  std::chrono::nanoseconds warmup = std::chrono::seconds(3);
  std::chrono::nanoseconds calibration = std::chrono::seconds(4);
  std::chrono::nanoseconds floor_duration = std::chrono::seconds(3);
  // Cache capacity of the optimized mode; 0: records plus room for inserts.
  std::uint64_t cache_entries = 0;
  // "redis://host:port" or "host:port": the optimized mode's cache becomes a
  // MultiLevelCache with Redis as the shared L2. Unset: in-process only.
  std::optional<std::string> redis_url;
  // Shown in the report; the caller starts the relay.
  std::chrono::microseconds network_delay{0};
  bool tls = false;
  std::uint64_t seed = 42;
  // Progress of the load phase: (records written, total, elapsed).
  std::function<void(std::uint64_t, std::uint64_t, std::chrono::nanoseconds)> load_progress;
  // One line per step ("workload B: baseline, measuring 15 s").
  std::function<void(const std::string&)> log;
};

struct LatencySummary {
  double mean_us = 0, p50_us = 0, p95_us = 0, p99_us = 0, p999_us = 0, max_us = 0;
  static LatencySummary from(const monitor::HistogramSnapshot& h);
};

struct ModeResult {
  BenchMode mode = BenchMode::kBaseline;
  std::uint64_t ops = 0;
  std::uint64_t errors = 0;
  double throughput = 0;  // ops per second
  LatencySummary latency;
  std::uint64_t db_calls = 0;            // HTTP requests to the database, measured phase
  double cache_hit_rate = 0;             // optimized only
  std::uint64_t connections_opened = 0;  // measured phase
  std::uint64_t bytes_received = 0;      // response bodies, measured phase
  std::optional<LatencySummary> floor;   // closed loop, one in flight
  std::uint64_t floor_ops = 0;
  // Latency at these quantiles, for the plot: (quantile, microseconds).
  std::vector<std::pair<double, double>> percentile_curve;
};

struct WorkloadResult {
  char name = 'B';
  std::string distribution;
  double offered_rate = 0;  // open-loop rate offered to every mode (0: closed loop)
  int concurrency = 0;      // closed loop
  double calibrated_baseline_throughput = 0;
  std::vector<ModeResult> modes;
  const ModeResult* mode(BenchMode m) const;
};

struct BenchReport {
  std::string target;
  std::uint64_t records = 0;
  double network_delay_ms = 0;
  bool tls = false;
  std::string load;  // "calibrated", "open-loop", "closed-loop"
  double duration_s = 0, warmup_s = 0;
  double load_seconds = 0;  // time to load the table
  std::string cache;        // the optimized mode's cache: "in-process" or "in-process + Redis L2 at .."
  std::vector<WorkloadResult> workloads;
};

// Parses "15s", "500ms", "2ms", "250us", "1m", "1.5s"; a bare number is
// seconds. kInvalidArgument for anything else or a negative value.
Result<std::chrono::nanoseconds> parse_duration(std::string_view text);

// "redis://host:port" or "host:port" (port default 6379).
Result<cache::RedisOptions> parse_redis_url(std::string_view url);

// Improvement of `value` over `baseline` in percent (positive = lower is
// better, e.g. latency): 100 × (baseline − value) / baseline; 0 when the
// baseline is 0.
double improvement_percent(double baseline, double value);

// Runs everything; fails with a clear error when the endpoint is unreachable
// or the options are invalid.
Result<BenchReport> run_bench(const BenchOptions& options);

// Renderings of a report.
std::string format_table(const BenchReport& report);
std::string to_json(const BenchReport& report);
std::string to_html(const BenchReport& report);

// The figures commonly claimed for this kind of layer, printed beside the
// measured improvements.
struct ClaimedFigures {
  double mean_latency_reduction = 45, p95_reduction = 35, p99_reduction = 30,
         db_call_reduction = 60, cache_hit_rate = 80, connection_overhead_reduction = 40;
};

}  // namespace awsperf::workload

#endif  // AWSPERF_WORKLOAD_BENCH_H_
