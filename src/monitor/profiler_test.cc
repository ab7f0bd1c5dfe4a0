#include "awsperf/monitor/profiler.h"

#include <gtest/gtest.h>

#include <thread>

namespace awsperf::monitor {
namespace {

using namespace std::chrono_literals;

RequestTrace trace(std::string op, std::chrono::nanoseconds connect,
                   std::chrono::nanoseconds first_byte) {
  RequestTrace t{.operation = std::move(op)};
  t.set(Phase::kConnect, connect);
  t.set(Phase::kFirstByte, first_byte);
  return t;
}

TEST(RequestProfiler, PhaseNames) {
  EXPECT_EQ(phase_name(Phase::kQueued), "queued");
  EXPECT_EQ(phase_name(Phase::kPoolAcquire), "pool_acquire");
  EXPECT_EQ(phase_name(Phase::kTls), "tls");
  EXPECT_EQ(phase_name(Phase::kFirstByte), "first_byte");
  EXPECT_EQ(phase_name(Phase::kTotal), "total");
}

TEST(RequestProfiler, TotalIsExplicitOrTheSumOfPhases) {
  RequestTrace t = trace("Get", 2ms, 3ms);
  t.add(Phase::kReceive, 1ms);
  t.add(Phase::kReceive, 1ms);
  EXPECT_EQ(t.get(Phase::kReceive), 2ms);
  EXPECT_FALSE(t.get(Phase::kTls).has_value());
  EXPECT_EQ(t.total(), 7ms);
  t.set(Phase::kTotal, 9ms);
  EXPECT_EQ(t.total(), 9ms);
}

TEST(RequestProfiler, HistogramPerPhaseCountsOnlyPresentPhases) {
  RequestProfiler p;
  for (int i = 0; i < 10; ++i) p.record(trace("Get", 1ms, 4ms));
  RequestTrace reused = trace("Get", 0ms, 2ms);
  reused.phases[static_cast<std::size_t>(Phase::kConnect)].reset();  // pooled: no connect
  reused.error_code = "timeout";
  p.record(reused);
  auto snap = p.snapshot();
  EXPECT_EQ(snap.requests, 11u);
  EXPECT_EQ(snap.errors, 1u);
  EXPECT_EQ(p.phase(Phase::kConnect).count(), 10u);
  EXPECT_EQ(p.phase(Phase::kFirstByte).count(), 11u);
  EXPECT_EQ(p.phase(Phase::kTls).count(), 0u);
  EXPECT_EQ(p.phase(Phase::kTotal).count(), 11u);
  EXPECT_EQ(p.phase(Phase::kTotal).max(), 5'000'000u);
  EXPECT_EQ(snap.phases[static_cast<std::size_t>(Phase::kFirstByte)].sum(), 42'000'000u);
}

TEST(RequestProfiler, KeepsTheNSlowestWithTheirBreakdown) {
  RequestProfiler p(RequestProfilerOptions{.slowest_kept = 3});
  for (int i = 1; i <= 100; ++i) {
    p.record(trace("op" + std::to_string(i), std::chrono::microseconds(i),
                   std::chrono::milliseconds(i % 50)));
  }
  auto slow = p.slowest();
  ASSERT_EQ(slow.size(), 3u);
  // Totals: i us + (i % 50) ms; the largest are i = 49, 99, 48.
  EXPECT_EQ(slow[0].operation, "op99");
  EXPECT_EQ(slow[1].operation, "op49");
  EXPECT_EQ(slow[2].operation, "op98");
  EXPECT_EQ(slow[0].get(Phase::kConnect), 99us);
  EXPECT_EQ(slow[0].get(Phase::kFirstByte), 49ms);
  EXPECT_GE(slow[0].total(), slow[1].total());
  EXPECT_GE(slow[1].total(), slow[2].total());

  RequestProfiler none(RequestProfilerOptions{.slowest_kept = 0});
  none.record(trace("x", 1ms, 1ms));
  EXPECT_TRUE(none.slowest().empty());
}

TEST(RequestProfiler, ConcurrentRecordsAddUpAndKeepTheSlowest) {
  RequestProfiler p(RequestProfilerOptions{.slowest_kept = 5});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&p, t] {
      for (int i = 0; i < 10'000; ++i) {
        p.record(trace("t", std::chrono::microseconds(i), std::chrono::microseconds(t)));
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(p.snapshot().requests, 40'000u);
  EXPECT_EQ(p.phase(Phase::kConnect).count(), 40'000u);
  auto slow = p.slowest();
  ASSERT_EQ(slow.size(), 5u);
  EXPECT_EQ(slow[0].total(), 9999us + 3us);
  EXPECT_EQ(slow[4].total(), 10000us);  // 9999+1 or 9998+2
}

TEST(RequestProfiler, GlobalProfilerIsOneInstance) {
  EXPECT_EQ(&global_profiler(), &global_profiler());
  const auto before = global_profiler().snapshot().requests;
  global_profiler().record(trace("g", 1ms, 1ms));
  EXPECT_EQ(global_profiler().snapshot().requests, before + 1);
}

}  // namespace
}  // namespace awsperf::monitor
