// Exporters: JSON snapshot, Prometheus text format 0.0.4, CloudWatch Embedded
// Metric Format (EMF) JSON lines; and PeriodicExporter, which writes one of
// them to a sink every interval.
//
// JSON snapshot schema ("awsperf.monitor/1"); durations are integer
// nanoseconds, absent sections are omitted:
//
//   {
//     "schema": "awsperf.monitor/1",
//     "timestamp_ms": 1700000000000,          // Unix milliseconds (wall clock)
//     "recent_span_ns": 60000000000,          // what "recent" covers
//     "dropped_records": 0,
//     "operations": [{                        // sorted by name
//       "name": "GetItem",
//       "count": 120, "errors": 3,            // count includes errors
//       "errors_by_code": {"ThrottlingException": 3},
//       "share_of_time": 0.42,                // of the summed total_ns
//       "latency_ns": {"total": .., "mean": .., "min": .., "max": ..,
//                      "p50": .., "p90": .., "p95": .., "p99": .., "p999": ..},
//       "recent": {"count": .., "errors": .., "latency_ns": {same keys}}
//     }],
//     "bottlenecks": [{"operation": "GetItem", "reason": "p99_over_budget",
//                      "observed": 1.2e7, "limit": 1e7}],  // ns, or 0..1 for time_share
//     "values": [{"name": "dynamodb.GetItem.consumed_read_units",  // value counters,
//                 "sum": 1.5, "count": 3}],    // since start, sorted by name
//     "requests": {                           // with a RequestProfiler
//       "count": 10, "errors": 0,
//       "phases": {"connect": {"count": .., "latency_ns": {same keys}}, ...},
//       "slowest": [{"operation": "..", "error_code": "..", "started_at_ms": ..,
//                    "total_ns": .., "phases_ns": {"connect": .., ...}}]
//     },
//     "memory": {                             // with a MemoryMonitor sample
//       "rss_bytes": .., "peak_rss_bytes": .., "heap_in_use_bytes": ..,
//       "rss_growth_bytes_per_minute": .., "heap_growth_bytes_per_minute": ..,
//       "leak_suspected": false, "samples": ..
//     }
//   }
//
// Prometheus (prefix "awsperf" by default), labels operation/code/phase:
//   <p>_operation_duration_seconds      histogram, cumulative, le from options
//   <p>_operation_latency_seconds       summary: recent-window quantiles
//                                       0.5..0.999, cumulative _sum/_count
//   <p>_operation_errors_total          counter {operation, code}
//   <p>_request_phase_duration_seconds  histogram {phase}
//   <p>_value_total                     counter {name}: sum of a value counter
//   <p>_value_additions_total           counter {name}: its number of additions
//   <p>_process_resident_memory_bytes, <p>_process_peak_resident_memory_bytes,
//   <p>_heap_in_use_bytes, <p>_heap_growth_bytes_per_minute,
//   <p>_memory_leak_suspected           gauges
// Metric and label names are sanitized to [a-zA-Z_:][a-zA-Z0-9_:]*, label
// values escaped (\\, \", \n).
//
// EMF: one JSON object per line. With per_operation_dimension (default) one
// line per operation, with dimension "Operation" and metrics Count, Errors,
// P50, P90, P95, P99, P999, Mean, Max (latencies in Milliseconds, counts in
// Count). Without it, one document set with metrics named "<op>.<Metric>";
// a directive never holds more than 100 metrics, extra metrics go to further
// lines. Value counters go on their own line(s), without the Operation
// dimension: "<name>" (unit None, the sum since start) and "<name>.Count"
// (unit Count, additions since start); both only grow, so a CloudWatch
// consumer takes differences. Memory metrics (Bytes) go on their own line.
//
// Thread-safety: the free functions are pure. PeriodicExporter's methods may
// be called concurrently; the sink is never called concurrently with itself.
#ifndef AWSPERF_MONITOR_EXPORT_H_
#define AWSPERF_MONITOR_EXPORT_H_

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "awsperf/core/clock.h"
#include "awsperf/core/result.h"
#include "awsperf/monitor/memory.h"
#include "awsperf/monitor/monitor.h"
#include "awsperf/monitor/profiler.h"

namespace awsperf::monitor {

class AlertManager;

// What the exporters render: a monitor snapshot and, optionally, the profiler
// and memory state.
struct Report {
  MonitorSnapshot monitor;
  std::optional<ProfilerSnapshot> requests;
  std::optional<MemorySample> memory;
  std::optional<MemoryTrend> memory_trend;
};

// Takes the snapshots (profiler/memory may be null).
Report collect(const PerformanceMonitor& monitor, const RequestProfiler* profiler = nullptr,
               const MemoryMonitor* memory = nullptr);

// The JSON document described above, on one line.
std::string to_json(const Report& report);

struct PrometheusOptions {
  std::string prefix = "awsperf";
  // Upper bounds of the histogram buckets, in seconds, increasing; +Inf is added.
  std::vector<double> buckets_seconds = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                         0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};
  // Extra labels on every sample, e.g. {"service", "orders"}.
  std::vector<std::pair<std::string, std::string>> const_labels;
};
std::string to_prometheus(const Report& report, const PrometheusOptions& options = {});

// "[a-zA-Z_:][a-zA-Z0-9_:]*": invalid characters become '_', a leading digit
// gets a '_' prefix, an empty name becomes "_".
std::string sanitize_metric_name(std::string_view name);
// Escapes \, " and newline for a label value.
std::string escape_label_value(std::string_view value);

struct EmfOptions {
  std::string namespace_name = "awsperf";
  // Dimensions present on every line, e.g. {"Service", "orders"}.
  std::vector<std::pair<std::string, std::string>> dimensions;
  bool per_operation_dimension = true;
  // Directive limit of CloudWatch; lower only for tests. Clamped to 1..100.
  std::size_t max_metrics_per_directive = 100;
};
// One JSON document per element (no trailing newline).
std::vector<std::string> to_emf(const Report& report, const EmfOptions& options = {});

enum class ExportFormat : std::uint8_t { kJson, kPrometheus, kEmf };

// Receives one rendered export (a JSON line, a Prometheus exposition, or EMF
// lines joined with '\n'), always ending with '\n'.
using Sink = std::function<Status(std::string_view payload)>;

// Writes to stdout and flushes.
Sink stdout_sink();
enum class FileMode : std::uint8_t {
  kAppend,   // JSON/EMF lines accumulate
  kReplace,  // written to "<path>.tmp" then renamed: readers never see half a file
};
Sink file_sink(std::filesystem::path path, FileMode mode = FileMode::kAppend);

struct PeriodicExporterOptions {
  Clock* clock = Clock::real();
  std::chrono::nanoseconds interval = std::chrono::seconds(10);
  ExportFormat format = ExportFormat::kJson;
  PrometheusOptions prometheus;
  EmfOptions emf;
};

// Every interval: closes the monitor's interval (tick), samples memory, runs
// the alert rules, renders a Report and hands it to the sink.
class PeriodicExporter {
 public:
  // monitor must outlive the exporter; profiler, memory and alerts are optional.
  PeriodicExporter(PerformanceMonitor& monitor, Sink sink, PeriodicExporterOptions options = {},
                   const RequestProfiler* profiler = nullptr, MemoryMonitor* memory = nullptr,
                   AlertManager* alerts = nullptr);
  ~PeriodicExporter();  // stops the thread
  PeriodicExporter(const PeriodicExporter&) = delete;
  PeriodicExporter& operator=(const PeriodicExporter&) = delete;

  // Exports if `interval` has passed on the clock since the last export (the
  // first poll exports). Returns whether it exported, or the sink's error.
  Result<bool> poll();
  // Exports now regardless of the interval.
  Status export_now();

  // A background thread calling poll() (checking every min(interval, 100 ms)
  // of real time). Sink errors are written to stderr. Idempotent.
  void start();
  void stop();

  std::uint64_t exports() const;

 private:
  Status run_once(Clock::time_point now);

  PerformanceMonitor& monitor_;
  Sink sink_;
  PeriodicExporterOptions options_;
  const RequestProfiler* profiler_;
  MemoryMonitor* memory_;
  AlertManager* alerts_;
  mutable std::mutex mu_;  // serializes exports and the sink
  std::optional<Clock::time_point> last_export_;
  std::uint64_t exports_ = 0;
  std::mutex thread_mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace awsperf::monitor

#endif  // AWSPERF_MONITOR_EXPORT_H_
