// Recording latencies, finding what is slow, and exporting it.
//
//   ./example_monitor_basics            prints a JSON snapshot, then Prometheus text
#include <chrono>
#include <cstdio>
#include <random>
#include <thread>

#include "awsperf/monitor/alert.h"
#include "awsperf/monitor/export.h"
#include "awsperf/monitor/monitor.h"
#include "awsperf/monitor/profiler.h"

using namespace std::chrono_literals;
namespace mon = awsperf::monitor;

int main() {
  mon::PerformanceMonitorOptions options;
  options.default_budget.p99 = 20ms;
  mon::PerformanceMonitor monitor(options);
  mon::RequestProfiler profiler;

  // Simulated traffic: GetItem is fast with a slow tail, Scan is slow.
  std::mt19937 rng(1);
  std::lognormal_distribution<double> get_latency(std::log(2e6), 0.7);
  for (int i = 0; i < 5000; ++i) {
    const auto latency = std::chrono::nanoseconds(static_cast<long>(get_latency(rng)));
    monitor.record("GetItem", latency, i % 500 == 0 ? "ThrottlingException" : "");
    mon::RequestTrace trace{.operation = "GetItem"};
    trace.set(mon::Phase::kPoolAcquire, 20us);
    trace.set(mon::Phase::kFirstByte, latency);
    trace.set(mon::Phase::kTotal, latency + 50us);
    profiler.record(trace);
  }
  for (int i = 0; i < 50; ++i) monitor.record("Scan", 80ms);

  // Timing real work: a callable and a scoped timer.
  const int sum = monitor.measure("compute", [] {
    int s = 0;
    for (int i = 0; i < 1000; ++i) s += i;
    return s;
  });
  {
    auto timer = monitor.start("sleep");
    std::this_thread::sleep_for(1ms);
  }

  for (const auto& s : monitor.hot_paths(3)) {
    std::printf("hot: %-8s %5.1f%% of time, p99 %.2f ms\n", s.name.c_str(), s.share_of_time * 100,
                s.latency.p99.count() / 1e6);
  }
  for (const auto& b : monitor.bottlenecks())
    std::printf("bottleneck: %s\n", b.to_string().c_str());

  const auto report = mon::collect(monitor, &profiler);
  std::printf("%s\n", mon::to_json(report).c_str());
  std::printf("%s", mon::to_prometheus(report).c_str());
  return sum == 499500 ? 0 : 1;
}
