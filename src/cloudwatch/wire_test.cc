#include "cloudwatch/wire.h"

#include <gtest/gtest.h>

namespace awsperf::cloudwatch::detail {
namespace {

monitor::MonitorSnapshot snapshot_with(std::uint64_t count, std::uint64_t errors) {
  monitor::MonitorSnapshot s;
  monitor::OperationStats op;
  op.name = "s3.GetObject";
  op.latency.count = count;
  op.errors = errors;
  op.recent.count = count;
  op.recent.p50 = std::chrono::microseconds(1500);
  op.recent.p95 = std::chrono::milliseconds(4);
  op.recent.p99 = std::chrono::milliseconds(9);
  s.operations.push_back(op);
  return s;
}

TEST(Datums, CountsAreIncreasesAndPercentilesMilliseconds) {
  std::map<std::string, std::pair<std::uint64_t, std::uint64_t>> previous;
  auto d = snapshot_datums(snapshot_with(10, 2), {{"Service", "orders"}}, previous);
  ASSERT_EQ(d.size(), 5u);
  EXPECT_EQ(d[0].metric_name, "Count");
  EXPECT_EQ(d[0].value, 10);
  EXPECT_EQ(d[1].metric_name, "Errors");
  EXPECT_EQ(d[1].value, 2);
  EXPECT_EQ(d[2].metric_name, "P50");
  EXPECT_EQ(d[2].unit, "Milliseconds");
  EXPECT_DOUBLE_EQ(d[2].value, 1.5);
  ASSERT_EQ(d[0].dimensions.size(), 2u);
  EXPECT_EQ(d[0].dimensions[1], (std::pair<std::string, std::string>("Operation", "s3.GetObject")));
  // Nothing new: nothing published. Then only the increase.
  EXPECT_TRUE(snapshot_datums(snapshot_with(10, 2), {}, previous).empty());
  auto more = snapshot_datums(snapshot_with(15, 2), {}, previous);
  ASSERT_FALSE(more.empty());
  EXPECT_EQ(more[0].value, 5);
  EXPECT_EQ(more[1].value, 0);
}

TEST(Query, PutMetricDataIsFormEncoded) {
  std::vector<Datum> d = {{"P99", "Milliseconds", 2.5, {{"Operation", "s3.Get Object"}}}};
  std::string body = encode_put_metric_data("my/ns", "2026-01-01T00:00:00Z", d);
  EXPECT_EQ(body,
            "Action=PutMetricData&Version=2010-08-01&Namespace=my%2Fns"
            "&MetricData.member.1.MetricName=P99&MetricData.member.1.Unit=Milliseconds"
            "&MetricData.member.1.Value=2.5"
            "&MetricData.member.1.Timestamp=2026-01-01T00%3A00%3A00Z"
            "&MetricData.member.1.Dimensions.member.1.Name=Operation"
            "&MetricData.member.1.Dimensions.member.1.Value=s3.Get%20Object");
}

TEST(Logs, BatchesRespectCountAndByteLimits) {
  std::vector<LogEvent> many(kMaxEventsPerBatch + 1, LogEvent{1, "x"});
  auto b = batch_log_events(many);
  ASSERT_TRUE(b);
  ASSERT_EQ(b->size(), 2u);
  EXPECT_EQ((*b)[0].size(), kMaxEventsPerBatch);
  std::vector<LogEvent> big(5, LogEvent{1, std::string(kMaxEventBytes, 'y')});
  auto by_bytes = batch_log_events(big);
  ASSERT_TRUE(by_bytes);
  EXPECT_EQ(by_bytes->size(), 2u);  // 4 events of 256 KiB fill 1 MiB
  auto too_big = batch_log_events({LogEvent{1, std::string(kMaxEventBytes + 1, 'z')}});
  ASSERT_FALSE(too_big);
  EXPECT_EQ(too_big.error().code, ErrorCode::kTooLarge);
  EXPECT_EQ(batch_log_events({LogEvent{1, ""}}).error().code, ErrorCode::kInvalidArgument);
}

TEST(Logs, PutLogEventsJson) {
  std::vector<LogEvent> e = {{1700000000000, "{\"a\":\"b\"}"}};
  EXPECT_EQ(
      encode_put_log_events("g", "s", e),
      R"({"logGroupName":"g","logStreamName":"s","logEvents":[{"timestamp":1700000000000,"message":"{\"a\":\"b\"}"}]})");
  EXPECT_EQ(encode_log_names("g", ""), R"({"logGroupName":"g"})");
}

}  // namespace
}  // namespace awsperf::cloudwatch::detail
