// The CloudWatch publisher against moto_server: metrics published with
// PutMetricData and EMF lines published with PutLogEvents are read back
// with the AWS CLI (a third-party client), as a user would.
#include "awsperf/cloudwatch/publisher.h"

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstdio>

#include "awsperf/aws/encoding.h"
#include "awsperf/monitor/export.h"
#include "peer_suite.h"
#include "process.h"

namespace awsperf::cloudwatch {
namespace {

// Runs the AWS CLI against the peer and returns its stdout.
std::string aws_cli(const testutil::Peer& peer, const std::string& args) {
  std::string cmd =
      "AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=secret "
      "AWS_DEFAULT_REGION=us-east-1 aws --endpoint-url " +
      peer.endpoint() + " --output json " + args + " 2>&1";
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return "popen failed";
  std::array<char, 4096> buf;
  std::size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  ::pclose(p);
  return out;
}

class CloudWatchTest : public testutil::PeerSuite<testutil::start_moto> {
 protected:
  void SetUp() override {
    ASSERT_NE(peer_, nullptr);
    // Ten GetObject calls of 1..10 ms, one of them failed.
    for (int i = 1; i <= 10; ++i) {
      monitor_.record("s3.GetObject", std::chrono::milliseconds(i), i == 10 ? "NoSuchKey" : "");
    }
  }
  std::unique_ptr<Publisher> make(PublisherOptions o) {
    o.endpoint_url = peer_->endpoint();
    o.region = "us-east-1";
    o.credentials = aws::Credentials{.access_key_id = "AKIDEXAMPLE", .secret_access_key = "secret"};
    auto p = Publisher::create(std::move(o));
    EXPECT_TRUE(p) << p.error().to_string();
    return p ? std::move(*p) : nullptr;
  }
  std::string window() {
    auto now = std::chrono::system_clock::now();
    return " --start-time " + aws::format_iso8601(now - std::chrono::hours(1)) + " --end-time " +
           aws::format_iso8601(now + std::chrono::hours(1)) + " --period 60";
  }

  monitor::PerformanceMonitor monitor_;
};

TEST_F(CloudWatchTest, PutMetricDataIsReadBack) {
  auto publisher = make({.namespace_name = "awsperf-test", .dimensions = {{"Service", "orders"}}});
  ASSERT_NE(publisher, nullptr);
  ASSERT_TRUE(publisher->put_metric_data(monitor_.snapshot()));
  EXPECT_EQ(publisher->statistics().datums, 5u);
  EXPECT_EQ(publisher->statistics().metric_requests, 1u);

  const std::string dims =
      " --dimensions Name=Service,Value=orders Name=Operation,Value=s3.GetObject";
  std::string count = aws_cli(*peer_,
                              "cloudwatch get-metric-statistics --namespace awsperf-test "
                              "--metric-name Count --statistics Sum" +
                                  dims + window());
  EXPECT_NE(count.find("\"Sum\": 10.0"), std::string::npos) << count;
  EXPECT_NE(count.find("\"Unit\": \"Count\""), std::string::npos) << count;
  std::string errors = aws_cli(*peer_,
                               "cloudwatch get-metric-statistics --namespace awsperf-test "
                               "--metric-name Errors --statistics Sum" +
                                   dims + window());
  EXPECT_NE(errors.find("\"Sum\": 1.0"), std::string::npos) << errors;
  std::string p99 = aws_cli(*peer_,
                            "cloudwatch get-metric-statistics --namespace awsperf-test "
                            "--metric-name P99 --statistics Maximum" +
                                dims + window());
  EXPECT_NE(p99.find("\"Unit\": \"Milliseconds\""), std::string::npos) << p99;
  EXPECT_NE(p99.find("\"Maximum\": 10."), std::string::npos) << p99;
  std::string list = aws_cli(*peer_, "cloudwatch list-metrics --namespace awsperf-test");
  for (const char* name : {"Count", "Errors", "P50", "P95", "P99"}) {
    EXPECT_NE(list.find("\"MetricName\": \"" + std::string(name) + "\""), std::string::npos)
        << name << " missing: " << list;
  }
  // No new calls: nothing is sent.
  ASSERT_TRUE(publisher->put_metric_data(monitor_.snapshot()));
  EXPECT_EQ(publisher->statistics().metric_requests, 1u);
}

TEST_F(CloudWatchTest, ManyOperationsAreSplitIntoRequests) {
  for (int i = 0; i < 9; ++i)
    monitor_.record("op" + std::to_string(i), std::chrono::milliseconds(1));
  auto publisher = make({.namespace_name = "awsperf-split", .max_datums_per_request = 20});
  ASSERT_NE(publisher, nullptr);
  ASSERT_TRUE(publisher->put_metric_data(monitor_.snapshot()));
  // 10 operations × 5 datums = 50 datums in 3 requests.
  EXPECT_EQ(publisher->statistics().datums, 50u);
  EXPECT_EQ(publisher->statistics().metric_requests, 3u);
  std::string list = aws_cli(*peer_,
                             "cloudwatch list-metrics --namespace awsperf-split "
                             "--metric-name Count");
  EXPECT_NE(list.find("op8"), std::string::npos) << list;
}

TEST_F(CloudWatchTest, PeriodicExporterWithEmfSinkWritesLogEvents) {
  auto publisher = make({.log_group_name = "awsperf-emf", .log_stream_name = "host-1"});
  ASSERT_NE(publisher, nullptr);
  monitor::PeriodicExporter exporter(
      monitor_, publisher->emf_sink(),
      {.format = monitor::ExportFormat::kEmf, .emf = {.namespace_name = "awsperf-emf"}});
  ASSERT_TRUE(exporter.export_now());
  ASSERT_TRUE(exporter.export_now());  // the group and stream exist now: still fine
  EXPECT_EQ(publisher->statistics().log_requests, 2u);
  EXPECT_GE(publisher->statistics().log_events, 2u);
  std::string events = aws_cli(*peer_,
                               "logs get-log-events --log-group-name awsperf-emf "
                               "--log-stream-name host-1");
  EXPECT_NE(events.find("_aws"), std::string::npos) << events;
  EXPECT_NE(events.find("s3.GetObject"), std::string::npos) << events;
  EXPECT_NE(events.find("awsperf-emf"), std::string::npos) << events;
}

TEST_F(CloudWatchTest, MetricDataSinkPublishesThroughThePeriodicExporter) {
  auto publisher = make({.namespace_name = "awsperf-sink"});
  ASSERT_NE(publisher, nullptr);
  monitor::PeriodicExporter exporter(monitor_, publisher->metric_data_sink(monitor_));
  ASSERT_TRUE(exporter.export_now());
  EXPECT_EQ(publisher->statistics().datums, 5u);
  std::string list = aws_cli(*peer_, "cloudwatch list-metrics --namespace awsperf-sink");
  EXPECT_NE(list.find("s3.GetObject"), std::string::npos) << list;
}

TEST_F(CloudWatchTest, ErrorsAreResults) {
  auto publisher = make({.log_group_name = "no-such-group", .create_log_stream = false});
  ASSERT_NE(publisher, nullptr);
  auto missing = publisher->put_log_events({"{}"});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().aws_type, "ResourceNotFoundException") << missing.error().to_string();
  auto too_big = publisher->put_log_events({std::string(300 * 1024, 'x')});
  ASSERT_FALSE(too_big);
  EXPECT_EQ(too_big.error().code, ErrorCode::kTooLarge);

  auto refused = Publisher::create(
      {.endpoint_url = "http://127.0.0.1:" + std::to_string(testutil::free_port()),
       .region = "us-east-1",
       .credentials = aws::Credentials{.access_key_id = "a", .secret_access_key = "b"}});
  ASSERT_TRUE(refused);
  auto r = (*refused)->put_metric_data(monitor_.snapshot());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kConnectionFailed) << r.error().to_string();
  EXPECT_NE(r.error().message.find("PutMetricData"), std::string::npos);
  EXPECT_FALSE(Publisher::create(
      {.region = "us-east-1",
       .credentials = aws::Credentials{.access_key_id = "a", .secret_access_key = "b"},
       .namespace_name = "AWS/S3"}));
}

}  // namespace
}  // namespace awsperf::cloudwatch
