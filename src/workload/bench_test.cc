#include "awsperf/workload/bench.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "awsperf/monitor/histogram.h"

namespace awsperf::workload {
namespace {

using namespace std::chrono_literals;

TEST(BenchArithmeticTest, ImprovementPercent) {
  EXPECT_DOUBLE_EQ(improvement_percent(10, 2), 80);
  EXPECT_DOUBLE_EQ(improvement_percent(10, 10), 0);
  EXPECT_DOUBLE_EQ(improvement_percent(10, 15), -50);
  EXPECT_DOUBLE_EQ(improvement_percent(0, 5), 0);  // no baseline, no claim
}

TEST(BenchArithmeticTest, LatencySummaryFromHistogram) {
  monitor::Histogram h;
  for (int i = 1; i <= 1000; ++i) h.record(std::chrono::microseconds(i));
  auto s = LatencySummary::from(h.snapshot());
  EXPECT_NEAR(s.mean_us, 500.5, 0.01);  // the sum is exact
  EXPECT_NEAR(s.p50_us, 500, 500 * 0.01);
  EXPECT_NEAR(s.p95_us, 950, 950 * 0.01);
  EXPECT_NEAR(s.p99_us, 990, 990 * 0.01);
  EXPECT_NEAR(s.p999_us, 999, 999 * 0.01);
  EXPECT_NEAR(s.max_us, 1000, 0.01);
}

TEST(BenchArgumentsTest, ParseDuration) {
  EXPECT_EQ(parse_duration("15s").value(), 15s);
  EXPECT_EQ(parse_duration("2ms").value(), 2ms);
  EXPECT_EQ(parse_duration("250us").value(), 250us);
  EXPECT_EQ(parse_duration("1m").value(), 60s);
  EXPECT_EQ(parse_duration("1.5s").value(), 1500ms);
  EXPECT_EQ(parse_duration("3").value(), 3s);
  EXPECT_EQ(parse_duration("0ms").value(), 0ms);
  for (const char* bad : {"", "s", "-1s", "1h", "1.2.3s", "abc", "5 s", "1e3s"}) {
    EXPECT_FALSE(parse_duration(bad).has_value()) << bad;
  }
}

TEST(BenchArgumentsTest, ParseModes) {
  auto m = parse_modes("optimized,baseline");
  ASSERT_TRUE(m.has_value());
  ASSERT_EQ(m->size(), 2u);
  EXPECT_EQ((*m)[0], BenchMode::kOptimized);
  EXPECT_FALSE(parse_modes("pooled,pooled").has_value());
  EXPECT_FALSE(parse_modes("turbo").has_value());
}

BenchReport sample_report() {
  BenchReport r{.target = "test <target>",
                .records = 100,
                .network_delay_ms = 2,
                .load = "calibrated",
                .duration_s = 15,
                .warmup_s = 3};
  WorkloadResult w{.name = 'B',
                   .distribution = "scrambled_zipfian",
                   .offered_rate = 500,
                   .calibrated_baseline_throughput = 1000};
  w.modes.push_back({.mode = BenchMode::kBaseline,
                     .ops = 1000,
                     .throughput = 500,
                     .latency = {.mean_us = 2000,
                                 .p50_us = 1800,
                                 .p95_us = 4000,
                                 .p99_us = 6000,
                                 .p999_us = 9000,
                                 .max_us = 12000},
                     .db_calls = 1000,
                     .connections_opened = 1000,
                     .bytes_received = 1 << 20,
                     .floor = LatencySummary{.mean_us = 900, .p50_us = 850, .p99_us = 1500},
                     .percentile_curve = {{0.5, 1800}, {0.99, 6000}}});
  w.modes.push_back({.mode = BenchMode::kOptimized,
                     .ops = 1000,
                     .throughput = 500,
                     .latency = {.mean_us = 200,
                                 .p50_us = 5,
                                 .p95_us = 1200,
                                 .p99_us = 2400,
                                 .p999_us = 5000,
                                 .max_us = 7000},
                     .db_calls = 60,
                     .cache_hit_rate = 0.95,
                     .connections_opened = 2,
                     .bytes_received = 50000,
                     .percentile_curve = {{0.5, 5}, {0.99, 2400}}});
  r.workloads.push_back(w);
  return r;
}

// The JSON schema the README documents: a test so that it does not drift.
TEST(BenchReportTest, JsonSchema) {
  auto v = boost::json::parse(to_json(sample_report()));
  const auto& root = v.as_object();
  EXPECT_EQ(root.at("target"), "test <target>");
  EXPECT_EQ(root.at("records"), 100);
  EXPECT_EQ(root.at("network_delay_ms"), 2.0);
  const auto& b = root.at("workloads").at("B").as_object();
  EXPECT_EQ(b.at("offered_rate"), 500.0);
  const auto& modes = b.at("modes").as_object();
  for (const char* mode : {"baseline", "optimized"}) {
    const auto& m = modes.at(mode).as_object();
    for (const char* key : {"ops", "throughput", "latency_us", "db_calls", "cache_hit_rate",
                            "connections_opened", "bytes_received"}) {
      EXPECT_TRUE(m.contains(key)) << mode << " lacks " << key;
    }
    for (const char* q : {"mean", "p50", "p95", "p99", "p999"}) {
      EXPECT_TRUE(m.at("latency_us").as_object().contains(q)) << mode << " lacks latency " << q;
    }
  }
  const auto& base_floor = modes.at("baseline").at("floor_latency_us").as_object();
  EXPECT_EQ(base_floor.at("p50"), 850.0);
  EXPECT_FALSE(modes.at("optimized").as_object().contains("floor_latency_us"));
  const auto& imp = modes.at("optimized").at("improvement_percent").as_object();
  EXPECT_DOUBLE_EQ(imp.at("mean").as_double(), 90.0);
  EXPECT_DOUBLE_EQ(imp.at("p95").as_double(), 70.0);
  EXPECT_DOUBLE_EQ(imp.at("p99").as_double(), 60.0);
  EXPECT_DOUBLE_EQ(imp.at("db_calls").as_double(), 94.0);
  EXPECT_DOUBLE_EQ(modes.at("optimized").at("cache_hit_rate").as_double(), 0.95);
  EXPECT_EQ(root.at("claimed_percent").at("mean"), 45.0);
}

TEST(BenchReportTest, TableShowsModesImprovementsAndClaims) {
  std::string t = format_table(sample_report());
  EXPECT_NE(t.find("baseline"), std::string::npos);
  EXPECT_NE(t.find("optimized"), std::string::npos);
  EXPECT_NE(t.find("+90.0% (45%)"), std::string::npos) << t;  // mean, against the claim
  EXPECT_NE(t.find("95.0% (80%)"), std::string::npos) << t;   // hit rate
  EXPECT_NE(t.find("open loop at 500 ops/s"), std::string::npos) << t;
}

TEST(BenchReportTest, HtmlIsSelfContained) {
  std::string h = to_html(sample_report());
  EXPECT_EQ(h.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(h.find("<svg"), std::string::npos);
  EXPECT_NE(h.find("polyline"), std::string::npos);
  // Nothing is fetched when the page is opened.
  for (const char* external : {"src=", "href=", "@import", "url("}) {
    EXPECT_EQ(h.find(external), std::string::npos) << external;
  }
  EXPECT_NE(h.find("test &lt;target&gt;"), std::string::npos);  // escaped
}

}  // namespace
}  // namespace awsperf::workload
