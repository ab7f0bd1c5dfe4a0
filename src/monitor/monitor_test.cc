#include "awsperf/monitor/monitor.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <cmath>
#include <stdexcept>
#include <thread>

#include "awsperf/monitor/asio.h"

namespace awsperf::monitor {
namespace {

using namespace std::chrono_literals;

PerformanceMonitorOptions manual(ManualClock& clock) {
  PerformanceMonitorOptions o;
  o.clock = &clock;
  o.window_interval = 10s;
  o.window_intervals = 6;
  return o;
}

bool has(const std::vector<Bottleneck>& bs, std::string_view op, BottleneckReason reason) {
  for (const auto& b : bs) {
    if (b.operation == op && b.reason == reason) return true;
  }
  return false;
}

TEST(PerformanceMonitor, CountsSuccessesAndErrorsByCode) {
  ManualClock clock;
  PerformanceMonitor m(manual(clock));
  m.record("GetItem", 2ms);
  m.record("GetItem", 4ms);
  m.record("GetItem", 9ms, "ThrottlingException");
  m.record("GetItem", 1ms, "timeout");
  m.record("GetItem", 1ms, "timeout");
  auto s = m.stats("GetItem");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->latency.count, 5u);
  EXPECT_EQ(s->errors, 3u);
  ASSERT_EQ(s->errors_by_code.size(), 2u);
  EXPECT_EQ(s->errors_by_code[0],
            (std::pair<std::string, std::uint64_t>{"ThrottlingException", 1}));
  EXPECT_EQ(s->errors_by_code[1], (std::pair<std::string, std::uint64_t>{"timeout", 2}));
  EXPECT_EQ(s->latency.total_time, 17ms);
  EXPECT_EQ(s->latency.min, 1ms);
  EXPECT_EQ(s->latency.max, 9ms);
  EXPECT_NEAR(s->latency.mean.count(), 3.4e6, 1);
  EXPECT_NEAR(s->latency.p50.count(), 2e6, 2e6 * 0.01);
  EXPECT_NEAR(s->latency.p999.count(), 9e6, 9e6 * 0.01);
  EXPECT_FALSE(m.stats("PutItem").has_value());
}

TEST(PerformanceMonitor, MeasureRecordsResultErrorsAndExceptions) {
  ManualClock clock;
  PerformanceMonitor m(manual(clock));
  auto ok = m.measure("op", [&] {
    clock.advance(3ms);
    return Result<int>(7);
  });
  EXPECT_EQ(ok.value(), 7);
  auto bad = m.measure("op", [&]() -> Result<int> {
    clock.advance(5ms);
    return make_error(ErrorCode::kTimeout, "slow");
  });
  EXPECT_FALSE(bad.has_value());
  auto aws = m.measure("op", [&]() -> Result<int> {
    Error e{.code = ErrorCode::kService, .aws_type = "ConditionalCheckFailedException"};
    return make_error(std::move(e));
  });
  EXPECT_FALSE(aws.has_value());
  m.measure("op", [&] { clock.advance(1ms); });
  EXPECT_THROW(m.measure("op", []() -> int { throw std::runtime_error("x"); }), std::runtime_error);
  int x = 1;
  int& ref = m.measure("op", [&]() -> int& { return x; });
  EXPECT_EQ(&ref, &x);

  auto s = m.stats("op").value();
  EXPECT_EQ(s.latency.count, 6u);
  EXPECT_EQ(s.errors, 3u);
  std::map<std::string, std::uint64_t> codes(s.errors_by_code.begin(), s.errors_by_code.end());
  EXPECT_EQ(codes["timeout"], 1u);
  EXPECT_EQ(codes["ConditionalCheckFailedException"], 1u);
  EXPECT_EQ(codes["exception"], 1u);
  EXPECT_EQ(s.latency.total_time, 9ms);
  EXPECT_EQ(s.latency.max, 5ms);
}

TEST(PerformanceMonitor, ScopedTimerReadsTheClock) {
  ManualClock clock;
  PerformanceMonitor m(manual(clock));
  {
    auto t = m.start("parse");
    clock.advance(250us);
  }
  {
    auto t = m.start("parse");
    clock.advance(1ms);
    t.set_error("bad_json");
    EXPECT_EQ(t.stop(), 1ms);
    clock.advance(1ms);  // after stop: not counted
  }
  {
    auto t = m.start("parse");
    t.cancel();
  }
  auto s = m.stats("parse").value();
  EXPECT_EQ(s.latency.count, 2u);
  EXPECT_EQ(s.errors, 1u);
  EXPECT_EQ(s.latency.total_time, 1250us);
}

TEST(PerformanceMonitor, HotPathsRankByShareOfTotalTime) {
  ManualClock clock;
  PerformanceMonitor m(manual(clock));
  for (int i = 0; i < 100; ++i) m.record("fast_often", 100us);  // 10 ms
  for (int i = 0; i < 3; ++i) m.record("slow_rare", 20ms);      // 60 ms
  m.record("tiny", 1us);
  auto hot = m.hot_paths(2);
  ASSERT_EQ(hot.size(), 2u);
  EXPECT_EQ(hot[0].name, "slow_rare");
  EXPECT_EQ(hot[1].name, "fast_often");
  EXPECT_NEAR(hot[0].share_of_time, 60.0 / 70.001, 1e-3);
  EXPECT_EQ(m.hot_paths(10).size(), 3u);
}

TEST(PerformanceMonitor, BudgetBottlenecksUseTheRecentWindow) {
  ManualClock clock;
  auto o = manual(clock);
  o.time_share_threshold.reset();
  o.default_budget.p99 = 10ms;
  PerformanceMonitor m(o);
  m.set_budget("Query", LatencyBudget{.p95 = 5ms});
  for (int i = 0; i < 100; ++i) m.record("GetItem", i < 98 ? 1ms : 30ms);  // p99 30ms
  for (int i = 0; i < 100; ++i) m.record("Query", 4ms);                    // within p95
  auto b = m.bottlenecks();
  EXPECT_TRUE(has(b, "GetItem", BottleneckReason::kP99OverBudget));
  EXPECT_FALSE(has(b, "Query", BottleneckReason::kP95OverBudget));
  EXPECT_EQ(b.size(), 1u);
  for (int i = 0; i < 100; ++i) m.record("Query", 8ms);
  EXPECT_TRUE(has(m.bottlenecks(), "Query", BottleneckReason::kP95OverBudget));

  // Seven closed intervals of fast GetItem push the slow ones out of the window.
  for (int k = 0; k < 7; ++k) {
    clock.advance(10s);
    EXPECT_TRUE(m.tick());
    for (int i = 0; i < 100; ++i) m.record("GetItem", 1ms);
  }
  EXPECT_FALSE(has(m.bottlenecks(), "GetItem", BottleneckReason::kP99OverBudget));
  auto s = m.stats("GetItem").value();
  EXPECT_EQ(s.latency.max, 30ms);  // all-time still has them
  EXPECT_LE(s.recent.max, 1ms + 10us);
  EXPECT_EQ(s.recent.count, 700u);  // 6 closed intervals + the open one
}

TEST(PerformanceMonitor, TickClosesIntervalsOnlyWhenDue) {
  ManualClock clock;
  PerformanceMonitor m(manual(clock));
  EXPECT_FALSE(m.tick());
  clock.advance(9s);
  EXPECT_FALSE(m.tick());
  clock.advance(1s);
  EXPECT_TRUE(m.tick());
  EXPECT_FALSE(m.tick());
}

TEST(PerformanceMonitor, TimeShareBottleneckNeedsTwoOperations) {
  ManualClock clock;
  auto o = manual(clock);
  o.time_share_threshold = 0.6;
  PerformanceMonitor m(o);
  m.record("only", 1s);
  EXPECT_TRUE(m.bottlenecks().empty());
  m.record("other", 100ms);
  auto b = m.bottlenecks();
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].operation, "only");
  EXPECT_EQ(b[0].reason, BottleneckReason::kTimeShare);
  EXPECT_NEAR(b[0].observed, 1.0 / 1.1, 1e-9);
  EXPECT_EQ(b[0].limit, 0.6);
  EXPECT_NE(b[0].to_string().find("only"), std::string::npos);
}

TEST(PerformanceMonitor, RegressionAgainstOwnMovingBaseline) {
  ManualClock clock;
  auto o = manual(clock);
  o.time_share_threshold.reset();
  o.regression_factor = 2.0;
  o.baseline_min_intervals = 3;
  o.regression_min_samples = 20;
  PerformanceMonitor m(o);
  auto interval = [&](std::chrono::nanoseconds latency, int n) {
    for (int i = 0; i < n; ++i) m.record("Scan", latency);
    clock.advance(10s);
    ASSERT_TRUE(m.tick());
  };
  interval(10ms, 50);
  interval(10ms, 50);
  EXPECT_TRUE(m.bottlenecks().empty());  // baseline not established yet
  interval(10ms, 50);
  interval(15ms, 50);  // 1.5x: below factor
  EXPECT_FALSE(has(m.bottlenecks(), "Scan", BottleneckReason::kRegression));
  interval(40ms, 5);  // too few samples to judge
  EXPECT_FALSE(has(m.bottlenecks(), "Scan", BottleneckReason::kRegression));
  interval(40ms, 50);  // 4x the ~11 ms baseline
  auto b = m.bottlenecks();
  ASSERT_TRUE(has(b, "Scan", BottleneckReason::kRegression));
  for (const auto& x : b) {
    if (x.reason == BottleneckReason::kRegression) {
      EXPECT_NEAR(x.observed, 40e6, 40e6 * 0.01);
      EXPECT_GT(x.limit, 2 * 10e6);
      EXPECT_LT(x.limit, 2 * 12e6);
    }
  }
  // The baseline moves: the flag is per interval, cleared by a normal one.
  interval(10ms, 50);
  EXPECT_FALSE(has(m.bottlenecks(), "Scan", BottleneckReason::kRegression));
}

TEST(PerformanceMonitor, OperationLimitDropsAndCounts) {
  ManualClock clock;
  auto o = manual(clock);
  o.max_operations = 2;
  PerformanceMonitor m(o);
  m.record("a", 1ms);
  m.record("b", 1ms);
  m.record("c", 1ms);
  EXPECT_FALSE(m.operation("d"));
  m.operation("d").record(1ms);  // harmless, and not a record() call
  m.record("e", 1ms, "err");
  EXPECT_EQ(m.all_stats().size(), 2u);
  EXPECT_EQ(m.dropped_records(), 2u);
  EXPECT_EQ(m.snapshot().dropped_records, 2u);
}

TEST(PerformanceMonitor, ValueCountersSumAndCountAdditions) {
  ManualClock clock;
  PerformanceMonitor m(manual(clock));
  EXPECT_FALSE(m.value_stats("dynamodb.GetItem.consumed_read_units").has_value());
  m.add_value("dynamodb.GetItem.consumed_read_units", 0.5);
  m.add_value("dynamodb.GetItem.consumed_read_units", 1.0);
  ValueRef ref = m.value_counter("dynamodb.PutItem.consumed_write_units");
  ASSERT_TRUE(ref);
  EXPECT_EQ(ref.name(), "dynamodb.PutItem.consumed_write_units");
  ref.add(2.0);
  ref.add(0.0);  // a zero is an addition too
  // A counter never goes down and never becomes NaN: these are ignored.
  ref.add(-1.0);
  m.add_value("dynamodb.GetItem.consumed_read_units", std::nan(""));
  m.add_value("dynamodb.GetItem.consumed_read_units", INFINITY);

  auto get = m.value_stats("dynamodb.GetItem.consumed_read_units");
  ASSERT_TRUE(get.has_value());
  EXPECT_DOUBLE_EQ(get->sum, 1.5);
  EXPECT_EQ(get->count, 2u);
  auto snap = m.snapshot();
  ASSERT_EQ(snap.values.size(), 2u);
  EXPECT_EQ(snap.values[0].name, "dynamodb.GetItem.consumed_read_units");  // sorted
  EXPECT_EQ(snap.values[1].name, "dynamodb.PutItem.consumed_write_units");
  EXPECT_DOUBLE_EQ(snap.values[1].sum, 2.0);
  EXPECT_EQ(snap.values[1].count, 2u);
  // Value counters are not operations: no latency entries appear.
  EXPECT_TRUE(snap.operations.empty());
  EXPECT_EQ(m.all_values().size(), 2u);
  EXPECT_FALSE(ValueRef());
  ValueRef().add(1.0);  // harmless
}

TEST(PerformanceMonitor, ValueCounterLimitDropsAndCounts) {
  ManualClock clock;
  auto o = manual(clock);
  o.max_operations = 1;
  PerformanceMonitor m(o);
  m.record("op", 1ms);  // operations and counters are limited apart
  m.add_value("a", 1.0);
  m.add_value("b", 1.0);  // dropped
  EXPECT_FALSE(m.value_counter("c"));
  EXPECT_EQ(m.all_values().size(), 1u);
  EXPECT_EQ(m.dropped_records(), 1u);
}

TEST(PerformanceMonitor, ConcurrentValueAdditionsAddUp) {
  PerformanceMonitor m;
  constexpr int kThreads = 4;
  constexpr int kPerThread = 20'000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&m] {
      ValueRef ref = m.value_counter("by_ref");
      for (int i = 0; i < kPerThread; ++i) {
        ref.add(0.5);
        m.add_value("by_name", 1.0);
      }
    });
  }
  std::thread reader([&] {
    for (int i = 0; i < 50; ++i) (void)m.snapshot();
  });
  for (auto& t : threads) t.join();
  reader.join();
  EXPECT_DOUBLE_EQ(m.value_stats("by_ref")->sum, kThreads * kPerThread * 0.5);
  EXPECT_EQ(m.value_stats("by_ref")->count, std::uint64_t{kThreads} * kPerThread);
  EXPECT_DOUBLE_EQ(m.value_stats("by_name")->sum, kThreads * kPerThread * 1.0);
}

TEST(PerformanceMonitor, GlobalIsOneInstanceAndIndependentInstancesAreSeparate) {
  EXPECT_EQ(&global(), &global());
  global().record("monitor_test.global", 1ms);
  PerformanceMonitor local;
  local.record("monitor_test.local", 1ms);
  EXPECT_TRUE(global().stats("monitor_test.global").has_value());
  EXPECT_FALSE(global().stats("monitor_test.local").has_value());
  EXPECT_FALSE(local.stats("monitor_test.global").has_value());
}

TEST(PerformanceMonitor, ConcurrentRecordsOnManyOperationsAddUp) {
  PerformanceMonitor m;
  constexpr int kThreads = 4;
  constexpr int kPerThread = 20'000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&m, t] {
      const std::string names[] = {"op0", "op1", "op2", "op3", "op4"};
      auto ref = m.operation("by_ref");
      for (int i = 0; i < kPerThread; ++i) {
        m.record(names[(i + t) % 5], std::chrono::microseconds(1 + i % 100),
                 i % 10 == 0 ? "err" : "");
        ref.record(1us);
      }
    });
  }
  std::thread reader([&] {
    for (int i = 0; i < 50; ++i) (void)m.snapshot();
  });
  for (auto& t : threads) t.join();
  reader.join();
  std::uint64_t total = 0, errors = 0;
  for (const auto& s : m.all_stats()) {
    if (s.name == "by_ref") {
      EXPECT_EQ(s.latency.count, std::uint64_t{kThreads} * kPerThread);
      continue;
    }
    total += s.latency.count;
    errors += s.errors;
  }
  EXPECT_EQ(total, std::uint64_t{kThreads} * kPerThread);
  EXPECT_EQ(errors, std::uint64_t{kThreads} * kPerThread / 10);
}

boost::asio::awaitable<Result<int>> answer(ManualClock& clock, bool fail) {
  clock.advance(7ms);
  if (fail) co_return make_error(ErrorCode::kThrottled, "slow down");
  co_return 42;
}

boost::asio::awaitable<void> nothing(ManualClock& clock) {
  clock.advance(1ms);
  co_return;
}

TEST(PerformanceMonitor, CoroutineMeasureRecordsOnCompletion) {
  ManualClock clock;
  PerformanceMonitor m(manual(clock));
  boost::asio::io_context io;
  auto fut = boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<int> {
        std::string name = "coro";  // the name may die before the awaitable runs
        auto pending = m.measure(name, answer(clock, false));
        name = "overwritten";
        Result<int> r = co_await std::move(pending);
        Result<int> e = co_await m.measure("coro", answer(clock, true));
        co_await m.measure("coro_void", nothing(clock));
        co_return r.value_or(0) + (e.has_value() ? 1 : 0);
      },
      boost::asio::use_future);
  io.run();
  EXPECT_EQ(fut.get(), 42);
  auto s = m.stats("coro").value();
  EXPECT_EQ(s.latency.count, 2u);
  EXPECT_EQ(s.errors, 1u);
  EXPECT_EQ(s.errors_by_code.at(0).first, "throttled");
  EXPECT_EQ(s.latency.total_time, 14ms);
  EXPECT_EQ(m.stats("coro_void").value().latency.total_time, 1ms);
  EXPECT_FALSE(m.stats("overwritten").has_value());
}

}  // namespace
}  // namespace awsperf::monitor
