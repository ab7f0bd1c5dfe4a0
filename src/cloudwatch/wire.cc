#include "cloudwatch/wire.h"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <charconv>

#include "awsperf/aws/encoding.h"

namespace awsperf::cloudwatch::detail {
namespace {

std::string number(double v) {
  char buf[64];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, p) : std::string("0");
}

double ms(std::chrono::nanoseconds d) { return static_cast<double>(d.count()) / 1e6; }

void param(std::string& out, std::string_view name, std::string_view value) {
  out += '&';
  out += name;  // our names need no encoding
  out += '=';
  out += aws::uri_encode(value);
}

}  // namespace

std::vector<Datum> snapshot_datums(
    const monitor::MonitorSnapshot& snapshot,
    const std::vector<std::pair<std::string, std::string>>& dimensions,
    std::map<std::string, std::pair<std::uint64_t, std::uint64_t>>& previous) {
  std::vector<Datum> out;
  for (const auto& op : snapshot.operations) {
    auto& [last_count, last_errors] = previous[op.name];
    const std::uint64_t count = op.latency.count;
    if (count <= last_count) continue;
    auto dims = dimensions;
    dims.emplace_back("Operation", op.name);
    auto add = [&](std::string name, std::string unit, double value) {
      out.push_back({std::move(name), std::move(unit), value, dims});
    };
    add("Count", "Count", static_cast<double>(count - last_count));
    add("Errors", "Count", static_cast<double>(op.errors - std::min(op.errors, last_errors)));
    if (op.recent.count > 0) {
      add("P50", "Milliseconds", ms(op.recent.p50));
      add("P95", "Milliseconds", ms(op.recent.p95));
      add("P99", "Milliseconds", ms(op.recent.p99));
    }
    last_count = count;
    last_errors = op.errors;
  }
  return out;
}

std::string encode_put_metric_data(std::string_view namespace_name, std::string_view timestamp,
                                   std::span<const Datum> datums) {
  std::string out = "Action=PutMetricData&Version=2010-08-01";
  param(out, "Namespace", namespace_name);
  for (std::size_t i = 0; i < datums.size(); ++i) {
    const Datum& d = datums[i];
    const std::string m = "MetricData.member." + std::to_string(i + 1) + ".";
    param(out, m + "MetricName", d.metric_name);
    param(out, m + "Unit", d.unit);
    param(out, m + "Value", number(d.value));
    param(out, m + "Timestamp", timestamp);
    for (std::size_t j = 0; j < d.dimensions.size(); ++j) {
      const std::string dim = m + "Dimensions.member." + std::to_string(j + 1) + ".";
      param(out, dim + "Name", d.dimensions[j].first);
      param(out, dim + "Value", d.dimensions[j].second);
    }
  }
  return out;
}

Result<std::vector<std::vector<LogEvent>>> batch_log_events(std::vector<LogEvent> events) {
  std::vector<std::vector<LogEvent>> batches;
  std::size_t bytes = 0;
  for (auto& e : events) {
    if (e.message.empty()) {
      return make_error(ErrorCode::kInvalidArgument, "log event message is empty");
    }
    if (e.message.size() > kMaxEventBytes) {
      return make_error(ErrorCode::kTooLarge, "log event of " + std::to_string(e.message.size()) +
                                                  " bytes exceeds the 256 KiB event limit");
    }
    const std::size_t weight = e.message.size() + kEventOverheadBytes;
    if (batches.empty() || batches.back().size() >= kMaxEventsPerBatch ||
        bytes + weight > kMaxBatchBytes) {
      batches.emplace_back();
      bytes = 0;
    }
    bytes += weight;
    batches.back().push_back(std::move(e));
  }
  return batches;
}

std::string encode_log_names(std::string_view group, std::string_view stream) {
  boost::json::object o{{"logGroupName", group}};
  if (!stream.empty()) o["logStreamName"] = stream;
  return boost::json::serialize(o);
}

std::string encode_put_log_events(std::string_view group, std::string_view stream,
                                  std::span<const LogEvent> events) {
  boost::json::array list;
  list.reserve(events.size());
  for (const auto& e : events) {
    list.push_back(boost::json::object{{"timestamp", e.timestamp_ms}, {"message", e.message}});
  }
  boost::json::object body{
      {"logGroupName", group}, {"logStreamName", stream}, {"logEvents", std::move(list)}};
  return boost::json::serialize(body);
}

}  // namespace awsperf::cloudwatch::detail
