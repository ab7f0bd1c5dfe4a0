#include "awsperf/monitor/alert.h"

#include <gtest/gtest.h>

#include "awsperf/monitor/export.h"

namespace awsperf::monitor {
namespace {

using namespace std::chrono_literals;

struct Fixture {
  ManualClock clock;
  PerformanceMonitor monitor{PerformanceMonitorOptions{.clock = &clock}};
  std::vector<AlertEvent> events;
  std::vector<std::string> log;
  AlertManager alerts{
      AlertManagerOptions{.on_event = [this](const AlertEvent& e) { events.push_back(e); },
                          .log = [this](std::string_view line) { log.emplace_back(line); }}};

  // One interval with n records of `latency`, then evaluate.
  std::vector<AlertEvent> interval(std::chrono::nanoseconds latency, int n = 100) {
    for (int i = 0; i < n; ++i) monitor.record("GetItem", latency);
    clock.advance(10s);
    return alerts.evaluate(monitor);
  }
};

TEST(AlertManager, RejectsInvalidRules) {
  AlertManager a;
  EXPECT_FALSE(a.add_rule({.name = "", .operation = "x", .threshold = 1ms}).has_value());
  EXPECT_FALSE(a.add_rule({.name = "r", .operation = "", .threshold = 1ms}).has_value());
  EXPECT_FALSE(
      a.add_rule({.name = "r", .operation = "x", .quantile = 1.5, .threshold = 1ms}).has_value());
  EXPECT_FALSE(a.add_rule({.name = "r", .operation = "x", .threshold = 0ms}).has_value());
  EXPECT_FALSE(
      a.add_rule({.name = "r", .operation = "x", .threshold = 1ms, .consecutive_intervals = 0})
          .has_value());
  ASSERT_TRUE(a.add_rule({.name = "r", .operation = "x", .threshold = 1ms}).has_value());
  auto dup = a.add_rule({.name = "r", .operation = "y", .threshold = 1ms});
  ASSERT_FALSE(dup.has_value());
  EXPECT_EQ(dup.error().code, ErrorCode::kAlreadyExists);
}

TEST(AlertManager, FiresAfterNConsecutiveIntervalsAndRecoversOnce) {
  Fixture f;
  ASSERT_TRUE(f.alerts
                  .add_rule({.name = "getitem_p99",
                             .operation = "GetItem",
                             .quantile = 0.99,
                             .threshold = 50ms,
                             .consecutive_intervals = 3})
                  .has_value());
  EXPECT_TRUE(f.alerts.evaluate(f.monitor).empty());  // starting point
  EXPECT_TRUE(f.interval(80ms).empty());
  EXPECT_TRUE(f.interval(80ms).empty());
  EXPECT_TRUE(f.interval(10ms).empty());  // streak broken
  EXPECT_TRUE(f.interval(80ms).empty());
  EXPECT_TRUE(f.interval(80ms).empty());
  auto fired = f.interval(80ms);
  ASSERT_EQ(fired.size(), 1u);
  EXPECT_TRUE(fired[0].firing);
  EXPECT_EQ(fired[0].intervals, 3);
  EXPECT_NEAR(fired[0].observed.count(), 80e6, 80e6 * 0.01);
  EXPECT_EQ(f.alerts.firing(), std::vector<std::string>{"getitem_p99"});
  EXPECT_TRUE(f.interval(90ms).empty());  // still firing: no repeat
  auto recovered = f.interval(5ms);
  ASSERT_EQ(recovered.size(), 1u);
  EXPECT_FALSE(recovered[0].firing);
  EXPECT_TRUE(f.alerts.firing().empty());
  EXPECT_TRUE(f.interval(5ms).empty());

  ASSERT_EQ(f.events.size(), 2u);
  ASSERT_EQ(f.log.size(), 2u);
  EXPECT_EQ(f.log[0].rfind("awsperf alert FIRING rule=getitem_p99 operation=GetItem p99=", 0), 0u)
      << f.log[0];
  EXPECT_NE(f.log[0].find("threshold=50.000ms intervals=3"), std::string::npos) << f.log[0];
  EXPECT_EQ(f.log[1].rfind("awsperf alert RECOVERED rule=getitem_p99", 0), 0u) << f.log[1];
}

TEST(AlertManager, OnlyTheIntervalCountsNotHistory) {
  Fixture f;
  ASSERT_TRUE(
      f.alerts
          .add_rule(
              {.name = "r", .operation = "GetItem", .threshold = 50ms, .consecutive_intervals = 1})
          .has_value());
  f.alerts.evaluate(f.monitor);
  ASSERT_EQ(f.interval(100ms, 1000).size(), 1u);  // fires
  // The cumulative p99 would still be ~100 ms; the interval's is 1 ms.
  auto r = f.interval(1ms, 50);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_FALSE(r[0].firing);
  EXPECT_NEAR(r[0].observed.count(), 1e6, 1e6 * 0.01);
}

TEST(AlertManager, IntervalsWithoutRecordsAreNotBreaches) {
  Fixture f;
  ASSERT_TRUE(
      f.alerts
          .add_rule(
              {.name = "r", .operation = "GetItem", .threshold = 50ms, .consecutive_intervals = 2})
          .has_value());
  f.alerts.evaluate(f.monitor);
  EXPECT_TRUE(f.interval(80ms).empty());
  EXPECT_TRUE(f.interval(80ms, 0).empty());
  EXPECT_TRUE(f.interval(80ms).empty());
  EXPECT_EQ(f.interval(80ms).size(), 1u);
}

TEST(AlertManager, RecoveryCanRequireSeveralClearIntervals) {
  Fixture f;
  ASSERT_TRUE(f.alerts
                  .add_rule({.name = "r",
                             .operation = "GetItem",
                             .quantile = 0.5,
                             .threshold = 50ms,
                             .consecutive_intervals = 1,
                             .recovery_intervals = 2})
                  .has_value());
  f.alerts.evaluate(f.monitor);
  ASSERT_EQ(f.interval(60ms).size(), 1u);
  EXPECT_TRUE(f.interval(10ms).empty());
  EXPECT_TRUE(f.interval(60ms).empty());  // breach resets the clear streak
  EXPECT_TRUE(f.interval(10ms).empty());
  auto r = f.interval(10ms);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_FALSE(r[0].firing);
  EXPECT_EQ(r[0].intervals, 2);
}

TEST(AlertManager, PeriodicExporterDrivesTheRules) {
  Fixture f;
  ASSERT_TRUE(
      f.alerts
          .add_rule(
              {.name = "r", .operation = "GetItem", .threshold = 50ms, .consecutive_intervals = 2})
          .has_value());
  PeriodicExporter exporter(f.monitor, nullptr,
                            PeriodicExporterOptions{.clock = &f.clock, .interval = 10s}, nullptr,
                            nullptr, &f.alerts);
  ASSERT_TRUE(exporter.poll().value());
  for (int i = 0; i < 2; ++i) {
    for (int k = 0; k < 10; ++k) f.monitor.record("GetItem", 70ms);
    f.clock.advance(10s);
    ASSERT_TRUE(exporter.poll().value());
  }
  ASSERT_EQ(f.events.size(), 1u);
  EXPECT_TRUE(f.events[0].firing);
}

}  // namespace
}  // namespace awsperf::monitor
