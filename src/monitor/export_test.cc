#include "awsperf/monitor/export.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "awsperf/monitor/alert.h"

namespace awsperf::monitor {
namespace {

using namespace std::chrono_literals;
namespace json = boost::json;

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::filesystem::path temp_path(std::string_view name) {
  return std::filesystem::temp_directory_path() /
         (std::string("awsperf_monitor_") + std::to_string(::getpid()) + "_" + std::string(name));
}

// A monitor with awkward names: quotes, backslashes, newlines, dots, digits.
void fill(PerformanceMonitor& m) {
  for (int i = 0; i < 200; ++i) m.record("GetItem", std::chrono::microseconds(500 + i * 10));
  m.record("GetItem", 40ms, "ThrottlingException");
  m.record("table \"orders\"\\scan\nv2", 3ms);
  m.record("9lives.op-name", 12ms, "code with \"quotes\"");
  m.record("slow", 3s);
}

Report full_report(ManualClock& clock) {
  PerformanceMonitorOptions o;
  o.clock = &clock;
  PerformanceMonitor monitor(o);
  PerformanceMonitor* m = &monitor;
  fill(monitor);
  RequestProfiler profiler;
  RequestTrace t{.operation = "GetItem"};
  t.set(Phase::kConnect, 2ms);
  t.set(Phase::kFirstByte, 5ms);
  t.set(Phase::kTotal, 8ms);
  profiler.record(t);
  MemoryMonitor memory(MemoryMonitorOptions{.clock = &clock});
  memory.add_sample({clock.now(), 10 << 20, 12 << 20, 4 << 20});
  clock.advance(1min);
  memory.add_sample({clock.now(), 11 << 20, 12 << 20, 5 << 20});
  return collect(*m, &profiler, &memory);
}

struct CommandResult {
  int exit_code = -1;
  std::string output;
};

CommandResult run_with_stdin(const std::string& command, const std::string& input) {
  const auto in = temp_path("stdin.txt");
  const auto out = temp_path("stdout.txt");
  {
    std::ofstream f(in);
    f << input;
  }
  const std::string full = command + " < " + in.string() + " > " + out.string() + " 2>&1";
  const int status = std::system(full.c_str());
  CommandResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.output = slurp(out);
  std::filesystem::remove(in);
  std::filesystem::remove(out);
  return r;
}

bool on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return false;
  std::stringstream ss(path);
  std::string dir;
  while (std::getline(ss, dir, ':')) {
    if (::access((std::filesystem::path(dir) / program).c_str(), X_OK) == 0) return true;
  }
  return false;
}

TEST(Export, NamesAreSanitizedAndLabelValuesEscaped) {
  EXPECT_EQ(sanitize_metric_name("awsperf_ok:name"), "awsperf_ok:name");
  EXPECT_EQ(sanitize_metric_name("a.b-c d"), "a_b_c_d");
  EXPECT_EQ(sanitize_metric_name("9lives"), "_9lives");
  EXPECT_EQ(sanitize_metric_name(""), "_");
  EXPECT_EQ(escape_label_value("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
}

TEST(Export, PrometheusOutputPassesPromtool) {
  ASSERT_TRUE(on_path("promtool"))
      << "promtool is not installed (Debian package `prometheus`); run scripts/install.sh";
  ManualClock clock;
  auto report = full_report(clock);
  PrometheusOptions options;
  options.const_labels = {{"service", "orders\"svc"}, {"bad-label", "x"}};
  const std::string text = to_prometheus(report, options);
  auto r = run_with_stdin("promtool check metrics", text);
  EXPECT_EQ(r.exit_code, 0) << "promtool said:\n" << r.output << "\non:\n" << text;

  // The structure promtool does not insist on.
  EXPECT_NE(text.find("# TYPE awsperf_operation_duration_seconds histogram"), std::string::npos);
  EXPECT_NE(text.find("# TYPE awsperf_operation_latency_seconds summary"), std::string::npos);
  EXPECT_NE(text.find("awsperf_operation_duration_seconds_bucket{service=\"orders\\\"svc\","
                      "bad_label=\"x\",operation=\"GetItem\",le=\"+Inf\"} 201"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("operation=\"table \\\"orders\\\"\\\\scan\\nv2\""), std::string::npos);
  EXPECT_NE(text.find("awsperf_operation_errors_total{service=\"orders\\\"svc\",bad_label=\"x\","
                      "operation=\"GetItem\",code=\"ThrottlingException\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("quantile=\"0.99\""), std::string::npos);
  EXPECT_NE(text.find("awsperf_request_phase_duration_seconds_bucket"), std::string::npos);
  EXPECT_NE(text.find("awsperf_heap_in_use_bytes"), std::string::npos);
  // Buckets are cumulative, at the histogram's resolution: GetItem's 200
  // values of 0.5..2.49 ms are all ≤ 2.5 ms, none ≤ 0.25 ms.
  EXPECT_NE(text.find("operation=\"GetItem\",le=\"0.0025\"} 200"), std::string::npos) << text;
  EXPECT_NE(text.find("operation=\"GetItem\",le=\"0.00025\"} 0"), std::string::npos);
  EXPECT_NE(text.find("operation=\"GetItem\",le=\"0.0001\"} 0"), std::string::npos);
}

TEST(Export, PromtoolRejectsBrokenOutputSoTheCheckMeansSomething) {
  ASSERT_TRUE(on_path("promtool")) << "promtool is not installed (Debian package `prometheus`)";
  auto r = run_with_stdin("promtool check metrics",
                          "# TYPE x histogram\nx_bucket{le=\"1\"} 1\nbad metric line\n");
  EXPECT_NE(r.exit_code, 0);
}

TEST(Export, JsonFollowsTheDocumentedSchema) {
  ManualClock clock;
  auto report = full_report(clock);
  json::value v = json::parse(to_json(report));
  const auto& root = v.as_object();
  EXPECT_EQ(root.at("schema").as_string(), "awsperf.monitor/1");
  EXPECT_EQ(root.at("timestamp_ms").as_int64(),
            std::chrono::duration_cast<std::chrono::milliseconds>(
                report.monitor.taken_at.time_since_epoch())
                .count());
  const auto& ops = root.at("operations").as_array();
  ASSERT_EQ(ops.size(), 4u);
  const json::object* get = nullptr;
  for (const auto& op : ops) {
    if (op.at("name").as_string() == "GetItem") get = &op.as_object();
  }
  ASSERT_NE(get, nullptr);
  EXPECT_EQ(json::value_to<std::uint64_t>(get->at("count")), 201u);
  EXPECT_EQ(json::value_to<std::uint64_t>(get->at("errors")), 1u);
  EXPECT_EQ(json::value_to<std::uint64_t>(get->at("errors_by_code").at("ThrottlingException")), 1u);
  const auto& lat = get->at("latency_ns").as_object();
  for (const char* k : {"total", "mean", "min", "max", "p50", "p90", "p95", "p99", "p999"}) {
    EXPECT_TRUE(lat.contains(k)) << k;
  }
  EXPECT_EQ(json::value_to<std::int64_t>(lat.at("max")), 40'000'000);
  EXPECT_TRUE(get->at("recent").as_object().contains("latency_ns"));
  const auto& req = root.at("requests").as_object();
  EXPECT_EQ(json::value_to<std::uint64_t>(req.at("count")), 1u);
  EXPECT_EQ(json::value_to<std::int64_t>(req.at("slowest").at(0).at("phases_ns").at("connect")),
            2'000'000);
  EXPECT_EQ(json::value_to<std::int64_t>(req.at("slowest").at(0).at("total_ns")), 8'000'000);
  const auto& mem = root.at("memory").as_object();
  EXPECT_EQ(json::value_to<std::uint64_t>(mem.at("heap_in_use_bytes")), 5u << 20);
  EXPECT_NEAR(json::value_to<double>(mem.at("heap_growth_bytes_per_minute")), 1 << 20, 1);
  EXPECT_FALSE(mem.at("leak_suspected").as_bool());
}

// Checks one EMF document against the specification and returns its metric names.
std::vector<std::string> check_emf(const std::string& line, std::size_t max_metrics) {
  std::vector<std::string> names;
  json::value v = json::parse(line);
  const auto& doc = v.as_object();
  const auto& aws = doc.at("_aws").as_object();
  EXPECT_TRUE(aws.at("Timestamp").is_int64());
  const auto& directives = aws.at("CloudWatchMetrics").as_array();
  EXPECT_EQ(directives.size(), 1u);
  for (const auto& d : directives) {
    EXPECT_EQ(d.at("Namespace").as_string(), "svc");
    for (const auto& set : d.at("Dimensions").as_array()) {
      for (const auto& dim : set.as_array()) {
        EXPECT_TRUE(doc.contains(dim.as_string())) << "dimension without a value: " << dim;
      }
    }
    const auto& metrics = d.at("Metrics").as_array();
    EXPECT_LE(metrics.size(), max_metrics);
    for (const auto& m : metrics) {
      const std::string name(m.at("Name").as_string());
      EXPECT_TRUE(m.at("Unit").is_string());
      EXPECT_TRUE(doc.contains(name) && doc.at(name).is_number())
          << "metric without value: " << name;
      names.push_back(name);
    }
  }
  return names;
}

TEST(Export, EmfSplitsAtOneHundredMetricsPerDirective) {
  ManualClock clock;
  PerformanceMonitorOptions o;
  o.clock = &clock;
  PerformanceMonitor m(o);
  for (int i = 0; i < 12; ++i) m.record("op" + std::to_string(i), std::chrono::milliseconds(i + 1));
  Report report = collect(m);
  EmfOptions options;
  options.namespace_name = "svc";
  options.dimensions = {{"Service", "orders"}};
  options.per_operation_dimension = false;
  auto lines = to_emf(report, options);
  ASSERT_EQ(lines.size(), 2u);  // 12 operations x 9 metrics = 108
  std::set<std::string> all;
  std::size_t total = 0;
  for (const auto& line : lines) {
    EXPECT_EQ(line.find('\n'), std::string::npos);
    auto names = check_emf(line, 100);
    total += names.size();
    all.insert(names.begin(), names.end());
  }
  EXPECT_EQ(total, 108u);
  EXPECT_EQ(all.size(), 108u);
  EXPECT_TRUE(all.contains("op11.P99"));
  EXPECT_EQ(check_emf(lines[0], 100).size(), 100u);

  // A lower limit splits further.
  options.max_metrics_per_directive = 50;
  EXPECT_EQ(to_emf(report, options).size(), 3u);
}

TEST(Export, EmfPerOperationDimension) {
  ManualClock clock;
  auto report = full_report(clock);
  EmfOptions options;
  options.namespace_name = "svc";
  auto lines = to_emf(report, options);
  ASSERT_EQ(lines.size(), 5u);  // 4 operations + memory
  json::value v = json::parse(lines[0]);
  EXPECT_EQ(v.at("Operation").as_string(), "9lives.op-name");
  EXPECT_EQ(v.at("_aws").at("CloudWatchMetrics").at(0).at("Dimensions").at(0).at(0).as_string(),
            "Operation");
  EXPECT_DOUBLE_EQ(v.at("P99").as_double(), 12.0);
  EXPECT_EQ(v.at("_aws").at("Timestamp").as_int64(),
            std::chrono::duration_cast<std::chrono::milliseconds>(
                report.monitor.taken_at.time_since_epoch())
                .count());
  for (const auto& line : lines) check_emf(line, 100);
  json::value mem = json::parse(lines.back());
  EXPECT_EQ(mem.at("HeapInUseBytes").as_double(), 5 << 20);
}

// Value counters in all three formats.
Report report_with_values(ManualClock& clock) {
  PerformanceMonitorOptions o;
  o.clock = &clock;
  PerformanceMonitor m(o);
  m.record("dynamodb.GetItem", 2ms);
  m.add_value("dynamodb.GetItem.consumed_read_units", 0.5);
  m.add_value("dynamodb.GetItem.consumed_read_units", 1.0);
  m.add_value("odd \"name\"\n", 3.0);
  return collect(m);
}

TEST(Export, ValueCountersAreCountersInPrometheusJsonAndEmf) {
  ASSERT_TRUE(on_path("promtool")) << "promtool is not installed (Debian package `prometheus`)";
  ManualClock clock;
  const Report report = report_with_values(clock);
  const std::string text = to_prometheus(report);
  auto r = run_with_stdin("promtool check metrics", text);
  EXPECT_EQ(r.exit_code, 0) << "promtool said:\n" << r.output << "\non:\n" << text;
  EXPECT_NE(text.find("# TYPE awsperf_value_total counter"), std::string::npos) << text;
  EXPECT_NE(text.find("awsperf_value_total{name=\"dynamodb.GetItem.consumed_read_units\"} 1.5"),
            std::string::npos)
      << text;
  EXPECT_NE(
      text.find("awsperf_value_additions_total{name=\"dynamodb.GetItem.consumed_read_units\"} 2"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("name=\"odd \\\"name\\\"\\n\"} 3"), std::string::npos) << text;

  json::value v = json::parse(to_json(report));
  const auto& values = v.at("values").as_array();
  ASSERT_EQ(values.size(), 2u);
  EXPECT_EQ(values[0].at("name").as_string(), "dynamodb.GetItem.consumed_read_units");
  EXPECT_DOUBLE_EQ(values[0].at("sum").as_double(), 1.5);
  EXPECT_EQ(json::value_to<std::uint64_t>(values[0].at("count")), 2u);
  // Without counters the section is absent.
  ManualClock other;
  EXPECT_FALSE(json::parse(to_json(full_report(other))).as_object().contains("values"));

  EmfOptions options;
  options.namespace_name = "svc";
  auto lines = to_emf(report, options);
  ASSERT_EQ(lines.size(), 2u);  // the operation, the counters
  auto names = check_emf(lines[1], 100);
  EXPECT_EQ(names.size(), 4u);
  json::value emf = json::parse(lines[1]);
  EXPECT_DOUBLE_EQ(emf.at("dynamodb.GetItem.consumed_read_units").as_double(), 1.5);
  EXPECT_DOUBLE_EQ(emf.at("dynamodb.GetItem.consumed_read_units.Count").as_double(), 2.0);
  EXPECT_FALSE(emf.as_object().contains("Operation"));
}

TEST(PeriodicExporter, ExportsOncePerIntervalOfTheClock) {
  ManualClock clock;
  PerformanceMonitorOptions o;
  o.clock = &clock;
  PerformanceMonitor m(o);
  std::vector<std::string> payloads;
  PeriodicExporter exporter(
      m,
      [&](std::string_view p) -> Status {
        payloads.emplace_back(p);
        return {};
      },
      PeriodicExporterOptions{.clock = &clock, .interval = 10s});
  m.record("a", 1ms);
  EXPECT_TRUE(exporter.poll().value());  // first poll exports
  EXPECT_FALSE(exporter.poll().value());
  clock.advance(9s);
  EXPECT_FALSE(exporter.poll().value());
  clock.advance(1s);
  m.record("a", 2ms);
  EXPECT_TRUE(exporter.poll().value());
  ASSERT_EQ(payloads.size(), 2u);
  EXPECT_EQ(payloads[1].back(), '\n');
  auto doc = json::parse(payloads[1]);
  EXPECT_EQ(json::value_to<std::uint64_t>(doc.at("operations").at(0).at("count")), 2u);
  EXPECT_EQ(exporter.exports(), 2u);
}

TEST(PeriodicExporter, SamplesMemoryAndIncludesTheProfiler) {
  ManualClock clock;
  PerformanceMonitor m(PerformanceMonitorOptions{.clock = &clock});
  RequestProfiler profiler;
  RequestTrace t{.operation = "GetItem"};
  t.set(Phase::kTls, 3ms);
  profiler.record(t);
  MemoryMonitor memory(MemoryMonitorOptions{.clock = &clock, .sample_interval = 10s});
  std::vector<std::string> payloads;
  PeriodicExporter exporter(
      m,
      [&](std::string_view p) -> Status {
        payloads.emplace_back(p);
        return {};
      },
      PeriodicExporterOptions{.clock = &clock, .interval = 10s}, &profiler, &memory);
  ASSERT_TRUE(exporter.export_now().has_value());
  clock.advance(10s);
  ASSERT_TRUE(exporter.poll().value());
  EXPECT_EQ(memory.samples().size(), 2u);
  ASSERT_EQ(payloads.size(), 2u);
  auto doc = json::parse(payloads[1]);
  EXPECT_GT(json::value_to<std::uint64_t>(doc.at("memory").at("rss_bytes")), 0u);
  EXPECT_EQ(json::value_to<std::uint64_t>(doc.at("memory").at("samples")), 2u);
  EXPECT_EQ(json::value_to<std::int64_t>(
                doc.at("requests").at("phases").at("tls").at("latency_ns").at("max")),
            3'000'000);
}

TEST(PeriodicExporter, SinkErrorsAreReturned) {
  ManualClock clock;
  PerformanceMonitor m(PerformanceMonitorOptions{.clock = &clock});
  PeriodicExporter exporter(
      m, [](std::string_view) -> Status { return make_error(ErrorCode::kIo, "disk full"); },
      PeriodicExporterOptions{.clock = &clock});
  auto r = exporter.poll();
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kIo);
  auto bad = file_sink("/nonexistent-dir/x/metrics.json")("x\n");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, ErrorCode::kIo);
}

TEST(PeriodicExporter, FileSinksAppendOrReplace) {
  ManualClock clock;
  PerformanceMonitor m(PerformanceMonitorOptions{.clock = &clock});
  m.record("a", 1ms);
  const auto lines = temp_path("lines.jsonl");
  const auto prom = temp_path("metrics.prom");
  std::filesystem::remove(lines);
  {
    PeriodicExporter json_exporter(m, file_sink(lines, FileMode::kAppend),
                                   PeriodicExporterOptions{.clock = &clock, .interval = 1s});
    PeriodicExporter prom_exporter(
        m, file_sink(prom, FileMode::kReplace),
        PeriodicExporterOptions{
            .clock = &clock, .interval = 1s, .format = ExportFormat::kPrometheus});
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE(json_exporter.poll().value());
      ASSERT_TRUE(prom_exporter.poll().value());
      clock.advance(1s);
    }
  }
  std::string text = slurp(lines);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 3);
  std::string p = slurp(prom);
  EXPECT_EQ(p.find("# HELP awsperf_operation_duration_seconds"),
            p.rfind("# HELP awsperf_operation_duration_seconds"));  // replaced, not appended
  EXPECT_FALSE(std::filesystem::exists(prom.string() + ".tmp"));
  std::filesystem::remove(lines);
  std::filesystem::remove(prom);
}

TEST(PeriodicExporter, BackgroundThreadExportsWithTheRealClock) {
  PerformanceMonitor m;
  std::mutex mu;
  std::condition_variable cv;
  int n = 0;
  PeriodicExporter exporter(
      m,
      [&](std::string_view) -> Status {
        std::lock_guard lock(mu);
        ++n;
        cv.notify_all();
        return {};
      },
      PeriodicExporterOptions{.interval = 1ms, .format = ExportFormat::kEmf});
  exporter.start();
  exporter.start();  // idempotent
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, 10s, [&] { return n >= 2; }));
  }
  exporter.stop();
  EXPECT_GE(exporter.exports(), 2u);
}

}  // namespace
}  // namespace awsperf::monitor
