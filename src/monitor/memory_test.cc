#include "awsperf/monitor/memory.h"

#include <gtest/gtest.h>

namespace awsperf::monitor {
namespace {

using namespace std::chrono_literals;

constexpr double kMiB = 1024.0 * 1024.0;

MemoryMonitorOptions options(ManualClock& clock) {
  return MemoryMonitorOptions{.clock = &clock,
                              .sample_interval = 10s,
                              .max_samples = 360,
                              .leak_min_growth_bytes_per_minute = kMiB,
                              .leak_min_span = 10min};
}

TEST(MemoryMonitor, ParsesProcStatus) {
  auto s = parse_proc_status(
      "Name:\tx\nVmPeak:\t  9000 kB\nVmHWM:\t    2048 kB\nVmRSS:\t    1024 kB\nThreads:\t1\n");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->rss_bytes, 1024u * 1024);
  EXPECT_EQ(s->peak_rss_bytes, 2048u * 1024);
  auto missing = parse_proc_status("Name:\tx\nVmHWM:\t 1 kB\n");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, ErrorCode::kParse);
  EXPECT_FALSE(parse_proc_status("VmRSS:\t lots kB\n").has_value());
  EXPECT_FALSE(parse_proc_status("VmRSS:\t 99999999999999999999 kB\n").has_value());
}

TEST(MemoryMonitor, ReadsThisProcess) {
  auto s = read_process_memory();
  ASSERT_TRUE(s.has_value()) << s.error().to_string();
  EXPECT_GT(s->rss_bytes, 1u << 20);
  EXPECT_GE(s->peak_rss_bytes, s->rss_bytes);
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  // The sanitizers replace malloc; their mallinfo2 reports zeros, and the
  // trend falls back to RSS (FallsBackToRssWhenHeapIsUnknown).
  EXPECT_EQ(s->heap_in_use_bytes, 0u);
#else
  EXPECT_GT(s->heap_in_use_bytes, 0u);
#endif
}

TEST(MemoryMonitor, PollSamplesOncePerInterval) {
  ManualClock clock;
  MemoryMonitor m(options(clock));
  EXPECT_TRUE(m.poll().value());
  EXPECT_FALSE(m.poll().value());
  clock.advance(10s);
  EXPECT_TRUE(m.poll().value());
  EXPECT_EQ(m.samples().size(), 2u);
  EXPECT_EQ(m.latest()->at, clock.now());
}

TEST(MemoryMonitor, RingIsBounded) {
  ManualClock clock;
  auto o = options(clock);
  o.max_samples = 5;
  MemoryMonitor m(o);
  for (int i = 0; i < 12; ++i) m.add_sample({clock.now() + std::chrono::seconds(i), 1, 1, 1});
  auto s = m.samples();
  ASSERT_EQ(s.size(), 5u);
  EXPECT_EQ(s.front().at, clock.now() + 7s);
}

TEST(MemoryMonitor, SteadyGrowthIsALeakSuspect) {
  ManualClock clock;
  MemoryMonitor m(options(clock));
  // 15 minutes of samples every 10 s; the heap grows 2 MiB/min with noise.
  for (int i = 0; i <= 90; ++i) {
    const double minutes = i / 6.0;
    const double noise = (i % 3 - 1) * 50'000.0;
    m.add_sample({clock.now(), static_cast<std::uint64_t>(100 * kMiB + minutes * 2 * kMiB),
                  static_cast<std::uint64_t>(120 * kMiB),
                  static_cast<std::uint64_t>(50 * kMiB + minutes * 2 * kMiB + noise)});
    clock.advance(10s);
  }
  auto t = m.trend();
  EXPECT_EQ(t.samples, 91u);
  EXPECT_EQ(t.span, 15min);
  EXPECT_NEAR(t.heap_bytes_per_minute, 2 * kMiB, 0.01 * kMiB);
  EXPECT_NEAR(t.rss_bytes_per_minute, 2 * kMiB, 0.01 * kMiB);
  EXPECT_TRUE(t.leak_suspected);
}

TEST(MemoryMonitor, OneStepUpIsNotALeak) {
  ManualClock clock;
  MemoryMonitor m(options(clock));
  // A cache warms up once (+100 MiB in the first minutes), then flat.
  for (int i = 0; i <= 90; ++i) {
    const std::uint64_t heap = i < 12 ? static_cast<std::uint64_t>(50 * kMiB + i * 8 * kMiB)
                                      : static_cast<std::uint64_t>(150 * kMiB);
    m.add_sample({clock.now(), heap, heap, heap});
    clock.advance(10s);
  }
  auto t = m.trend();
  EXPECT_GT(t.heap_bytes_per_minute, kMiB);  // the regression alone would flag it
  EXPECT_FALSE(t.leak_suspected);
}

TEST(MemoryMonitor, ShortOrSlowGrowthIsNotALeak) {
  ManualClock clock;
  MemoryMonitor short_span(options(clock));
  for (int i = 0; i <= 30; ++i) {  // 5 minutes only
    short_span.add_sample({clock.now(), 0, 0, static_cast<std::uint64_t>(i * kMiB)});
    clock.advance(10s);
  }
  EXPECT_GT(short_span.trend().heap_bytes_per_minute, kMiB);
  EXPECT_FALSE(short_span.trend().leak_suspected);

  MemoryMonitor slow(options(clock));
  for (int i = 0; i <= 90; ++i) {  // 15 minutes at 100 KiB/min
    slow.add_sample(
        {clock.now(), 0, 0, static_cast<std::uint64_t>(50 * kMiB + i * 100 * 1024 / 6)});
    clock.advance(10s);
  }
  EXPECT_NEAR(slow.trend().heap_bytes_per_minute, 100 * 1024, 1024);
  EXPECT_FALSE(slow.trend().leak_suspected);
}

TEST(MemoryMonitor, FallsBackToRssWhenHeapIsUnknown) {
  ManualClock clock;
  MemoryMonitor m(options(clock));
  for (int i = 0; i <= 90; ++i) {
    m.add_sample({clock.now(), static_cast<std::uint64_t>(100 * kMiB + i * kMiB), 0, 0});
    clock.advance(10s);
  }
  EXPECT_NEAR(m.trend().rss_bytes_per_minute, 6 * kMiB, 0.01 * kMiB);
  EXPECT_TRUE(m.trend().leak_suspected);
}

TEST(MemoryMonitor, FewerThanTwoSamplesHaveNoTrend) {
  ManualClock clock;
  MemoryMonitor m(options(clock));
  EXPECT_EQ(m.trend().samples, 0u);
  m.add_sample({clock.now(), 1, 1, 1});
  EXPECT_EQ(m.trend().heap_bytes_per_minute, 0.0);
  EXPECT_FALSE(m.latest() == std::nullopt);
}

TEST(MemoryMonitor, BackgroundThreadStartsAndStops) {
  MemoryMonitor m(MemoryMonitorOptions{.sample_interval = 1ms});
  m.start();
  m.start();
  for (int i = 0; i < 2000 && m.samples().size() < 2; ++i) {
    std::this_thread::sleep_for(1ms);
  }
  m.stop();
  EXPECT_GE(m.samples().size(), 2u);
}

}  // namespace
}  // namespace awsperf::monitor
