// awsperf-bench-monitor: the cost of recording a latency, against
// prometheus-cpp's Histogram and Summary in the same run, and the accuracy of
// the histogram's quantiles on 10 million samples.
//
//   record/awsperf               awsperf::monitor::Histogram::record
//   record/prometheus_histogram  prometheus::Histogram::Observe (16 buckets)
//   record/prometheus_summary    prometheus::Summary::Observe (5 quantiles)
//   record/awsperf_monitor       PerformanceMonitor::record by name (lookup included)
//   record/awsperf_operation_ref OperationRef::record (name resolved once)
//   accuracy/lognormal, accuracy/bimodal: relative error of p50/p99/p999
//
// After the runs it prints the ratios and the accuracy table.
#include "awsperf/monitor/monitor.h"

#include <benchmark/benchmark.h>
#include <prometheus/histogram.h>
#include <prometheus/summary.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "awsperf/monitor/histogram.h"

namespace {

using awsperf::monitor::Histogram;

// The same latencies (ns) for every recorder: lognormal around 2 ms.
const std::vector<std::uint64_t>& inputs() {
  static const std::vector<std::uint64_t> v = [] {
    std::mt19937_64 rng(1);
    std::lognormal_distribution<double> d(std::log(2e6), 1.0);
    std::vector<std::uint64_t> out(4096);
    for (auto& x : out) x = static_cast<std::uint64_t>(d(rng));
    return out;
  }();
  return v;
}

const std::vector<double>& inputs_seconds() {
  static const std::vector<double> v = [] {
    std::vector<double> out;
    for (auto x : inputs()) out.push_back(static_cast<double>(x) / 1e9);
    return out;
  }();
  return v;
}

void BM_record_awsperf(benchmark::State& state) {
  static Histogram* h = new Histogram();
  const auto& in = inputs();
  std::size_t i = static_cast<std::size_t>(state.thread_index()) * 977;
  for (auto _ : state) {
    h->record(in[i++ & 4095]);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_record_prometheus_histogram(benchmark::State& state) {
  static auto* h = new prometheus::Histogram(
      prometheus::Histogram::BucketBoundaries{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                              0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10});
  const auto& in = inputs_seconds();
  std::size_t i = static_cast<std::size_t>(state.thread_index()) * 977;
  for (auto _ : state) {
    h->Observe(in[i++ & 4095]);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_record_prometheus_summary(benchmark::State& state) {
  static auto* s = new prometheus::Summary(prometheus::Summary::Quantiles{
      {0.5, 0.05}, {0.9, 0.01}, {0.95, 0.005}, {0.99, 0.001}, {0.999, 0.0001}});
  const auto& in = inputs_seconds();
  std::size_t i = static_cast<std::size_t>(state.thread_index()) * 977;
  for (auto _ : state) {
    s->Observe(in[i++ & 4095]);
  }
  state.SetItemsProcessed(state.iterations());
}

awsperf::monitor::PerformanceMonitor& bench_monitor() {
  static auto* m = new awsperf::monitor::PerformanceMonitor();
  return *m;
}

void BM_record_awsperf_monitor(benchmark::State& state) {
  auto& m = bench_monitor();
  const auto& in = inputs();
  const std::string names[] = {"GetItem", "PutItem", "Query", "Scan"};
  std::size_t i = static_cast<std::size_t>(state.thread_index()) * 977;
  for (auto _ : state) {
    m.record(names[i & 3], std::chrono::nanoseconds(in[i & 4095]));
    ++i;
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_record_awsperf_operation_ref(benchmark::State& state) {
  auto op = bench_monitor().operation("GetItemRef");
  const auto& in = inputs();
  std::size_t i = static_cast<std::size_t>(state.thread_index()) * 977;
  for (auto _ : state) {
    op.record(std::chrono::nanoseconds(in[i++ & 4095]));
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_record_awsperf)->Name("record/awsperf")->Threads(1)->Threads(2)->UseRealTime();
BENCHMARK(BM_record_prometheus_histogram)
    ->Name("record/prometheus_histogram")
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime();
BENCHMARK(BM_record_prometheus_summary)
    ->Name("record/prometheus_summary")
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime();
BENCHMARK(BM_record_awsperf_monitor)
    ->Name("record/awsperf_monitor")
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime();
BENCHMARK(BM_record_awsperf_operation_ref)
    ->Name("record/awsperf_operation_ref")
    ->Threads(1)
    ->Threads(2)
    ->UseRealTime();

// ---- accuracy ----

struct Accuracy {
  double p50 = 0, p99 = 0, p999 = 0;  // relative errors
};
std::map<std::string, Accuracy>& accuracy_results() {
  static std::map<std::string, Accuracy> m;
  return m;
}

constexpr std::size_t kAccuracySamples = 10'000'000;

template <typename Gen>
Accuracy measure_accuracy(Gen gen) {
  std::vector<std::uint64_t> values(kAccuracySamples);
  Histogram h;
  for (auto& v : values) {
    v = gen();
    h.record(v);
  }
  const auto snap = h.snapshot();
  std::sort(values.begin(), values.end());
  auto exact = [&](double q) {
    auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(values.size())));
    return values[std::clamp<std::size_t>(rank, 1, values.size()) - 1];
  };
  auto err = [&](double q) {
    const double want = static_cast<double>(exact(q));
    return std::abs(static_cast<double>(snap.quantile(q)) - want) / want;
  };
  return Accuracy{err(0.5), err(0.99), err(0.999)};
}

void report_accuracy(benchmark::State& state, const std::string& name, const Accuracy& a) {
  accuracy_results()[name] = a;
  state.counters["p50_rel_err_pct"] = a.p50 * 100;
  state.counters["p99_rel_err_pct"] = a.p99 * 100;
  state.counters["p999_rel_err_pct"] = a.p999 * 100;
  if (std::max({a.p50, a.p99, a.p999}) > 0.01) state.SkipWithError("relative error above 1%");
}

void BM_accuracy_lognormal(benchmark::State& state) {
  for (auto _ : state) {
    std::mt19937_64 rng(11);
    std::lognormal_distribution<double> d(std::log(3e6), 0.9);  // median 3 ms, long tail
    report_accuracy(state, "lognormal",
                    measure_accuracy([&] { return static_cast<std::uint64_t>(d(rng)) + 1; }));
  }
}

void BM_accuracy_bimodal(benchmark::State& state) {
  for (auto _ : state) {
    std::mt19937_64 rng(12);
    // 90% cache hits around 200 us, 10% misses around 25 ms.
    std::lognormal_distribution<double> hit(std::log(200e3), 0.3), miss(std::log(25e6), 0.5);
    std::bernoulli_distribution is_miss(0.1);
    report_accuracy(state, "bimodal", measure_accuracy([&] {
                      return static_cast<std::uint64_t>(is_miss(rng) ? miss(rng) : hit(rng)) + 1;
                    }));
  }
}

BENCHMARK(BM_accuracy_lognormal)
    ->Name("accuracy/lognormal")
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_accuracy_bimodal)
    ->Name("accuracy/bimodal")
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

// Remembers the time per record of each case, for the ratio summary.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const auto& r : runs) {
      if (r.run_type == Run::RT_Iteration && !r.error_occurred) {
        ns_per_op[r.benchmark_name()] = {r.GetAdjustedRealTime(), r.GetAdjustedCPUTime()};
      }
    }
    ConsoleReporter::ReportRuns(runs);
  }
  // name -> (real ns, cpu ns) per record.
  std::map<std::string, std::pair<double, double>> ns_per_op;
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();

  auto& t = reporter.ns_per_op;
  // CPU time is shown too: on a loaded machine, real time includes waiting
  // for a core; the ratios hold on both since all cases run in one process.
  std::printf("\nns per record (real | cpu) and ratio to record/awsperf (real | cpu):\n");
  for (int threads : {1, 2}) {
    const std::string suffix = "/real_time/threads:" + std::to_string(threads);
    auto get = [&](const std::string& name) {
      auto it = t.find(name + suffix);
      return it == t.end() ? std::pair<double, double>{-1, -1} : it->second;
    };
    const auto a = get("record/awsperf");
    if (a.first <= 0) continue;
    for (const char* other :
         {"record/awsperf", "record/prometheus_histogram", "record/prometheus_summary",
          "record/awsperf_operation_ref", "record/awsperf_monitor"}) {
      const auto o = get(other);
      if (o.first <= 0) continue;
      std::printf("  threads=%d %-30s %9.2f | %9.2f ns   %7.1fx | %7.1fx\n", threads, other,
                  o.first, o.second, o.first / a.first, o.second / a.second);
    }
  }
  if (!accuracy_results().empty()) {
    std::printf("\nquantile relative error on %zu samples (histogram vs exact sorted):\n",
                kAccuracySamples);
    std::printf("  %-10s %9s %9s %9s\n", "dist", "p50", "p99", "p999");
    for (const auto& [name, a] : accuracy_results()) {
      std::printf("  %-10s %8.3f%% %8.3f%% %8.3f%%\n", name.c_str(), a.p50 * 100, a.p99 * 100,
                  a.p999 * 100);
    }
  }
  return 0;
}
