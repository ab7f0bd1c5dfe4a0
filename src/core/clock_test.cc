#include "awsperf/core/clock.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace awsperf {
namespace {

using namespace std::chrono_literals;

TEST(ClockTest, RealClockIsMonotonic) {
  Clock* clock = Clock::real();
  auto a = clock->now();
  auto b = clock->now();
  EXPECT_LE(a, b);
  EXPECT_EQ(Clock::real(), clock);
}

TEST(ClockTest, ManualClockMovesOnlyWhenTold) {
  ManualClock clock;
  auto t0 = clock.now();
  EXPECT_NE(t0, Clock::time_point{});
  EXPECT_EQ(clock.now(), t0);
  clock.advance(5s);
  EXPECT_EQ(clock.now() - t0, 5s);
  auto w0 = clock.wall_now();
  clock.advance(250ms);
  EXPECT_EQ(clock.wall_now() - w0, 250ms);
  clock.set(t0);
  EXPECT_EQ(clock.now(), t0);
}

TEST(ClockTest, ManualClockAdvanceIsAtomic) {
  ManualClock clock(0ns);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) clock.advance(1ns);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(clock.now().time_since_epoch(), 40000ns);
}

}  // namespace
}  // namespace awsperf
