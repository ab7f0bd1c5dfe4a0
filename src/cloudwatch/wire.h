// Request bodies of PutMetricData (query protocol) and PutLogEvents (JSON
// 1.1), and the split of a snapshot into datums. Pure; unit-tested.
#ifndef AWSPERF_SRC_CLOUDWATCH_WIRE_H_
#define AWSPERF_SRC_CLOUDWATCH_WIRE_H_

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "awsperf/core/result.h"
#include "awsperf/monitor/monitor.h"

namespace awsperf::cloudwatch::detail {

// PutLogEvents limits.
inline constexpr std::size_t kMaxEventsPerBatch = 10'000;
inline constexpr std::size_t kMaxBatchBytes = 1'048'576;
inline constexpr std::size_t kEventOverheadBytes = 26;
inline constexpr std::size_t kMaxEventBytes = 256 * 1024 - kEventOverheadBytes;

struct Datum {
  std::string metric_name;
  std::string unit;  // "Count", "Milliseconds", ...
  double value = 0;
  std::vector<std::pair<std::string, std::string>> dimensions;
};

// The datums of a snapshot: per operation Count and Errors as increases over
// `previous` (operation -> {count, errors}, updated), P50/P95/P99 of the
// recent window in milliseconds. Operations without new calls give nothing.
std::vector<Datum> snapshot_datums(
    const monitor::MonitorSnapshot& snapshot,
    const std::vector<std::pair<std::string, std::string>>& dimensions,
    std::map<std::string, std::pair<std::uint64_t, std::uint64_t>>& previous);

// "Action=PutMetricData&Version=2010-08-01&Namespace=...&MetricData.member.1...".
std::string encode_put_metric_data(std::string_view namespace_name, std::string_view timestamp,
                                   std::span<const Datum> datums);

struct LogEvent {
  std::int64_t timestamp_ms = 0;
  std::string message;
};

// Splits events into PutLogEvents batches within the count and byte limits;
// kTooLarge for an event above kMaxEventBytes, kInvalidArgument for an empty one.
Result<std::vector<std::vector<LogEvent>>> batch_log_events(std::vector<LogEvent> events);
// {"logGroupName": group[, "logStreamName": stream]} (stream omitted when empty).
std::string encode_log_names(std::string_view group, std::string_view stream);
std::string encode_put_log_events(std::string_view group, std::string_view stream,
                                  std::span<const LogEvent> events);

}  // namespace awsperf::cloudwatch::detail

#endif  // AWSPERF_SRC_CLOUDWATCH_WIRE_H_
