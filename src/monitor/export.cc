#include "awsperf/monitor/export.h"

#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <system_error>

#include "awsperf/monitor/alert.h"

namespace awsperf::monitor {

namespace json = boost::json;

namespace {

std::int64_t unix_millis(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

json::object latency_json(const LatencyStats& s) {
  return json::object{
      {"total", s.total_time.count()}, {"mean", s.mean.count()}, {"min", s.min.count()},
      {"max", s.max.count()},          {"p50", s.p50.count()},   {"p90", s.p90.count()},
      {"p95", s.p95.count()},          {"p99", s.p99.count()},   {"p999", s.p999.count()}};
}

// Shortest round-trip representation, as Prometheus and JSON readers expect.
std::string number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[400];
  const double a = std::abs(v);
  // Fixed notation for the usual magnitudes ("0.0001", not "1e-04").
  const auto format =
      a != 0 && (a < 1e-6 || a >= 1e15) ? std::chars_format::general : std::chars_format::fixed;
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v, format);
  return ec == std::errc() ? std::string(buf, ptr) : std::string("0");
}

double seconds(std::uint64_t nanos) { return static_cast<double>(nanos) / 1e9; }
double seconds(std::chrono::nanoseconds d) { return static_cast<double>(d.count()) / 1e9; }
double millis(std::chrono::nanoseconds d) { return static_cast<double>(d.count()) / 1e6; }

std::string sanitize_label_name(std::string_view name) {
  std::string out = sanitize_metric_name(name);
  for (char& c : out) {
    if (c == ':') c = '_';
  }
  return out;
}

std::string escape_help(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

class PromWriter {
 public:
  explicit PromWriter(const PrometheusOptions& options) : options_(options) {
    for (const auto& [k, v] : options.const_labels) {
      const_labels_ += sanitize_label_name(k) + "=\"" + escape_label_value(v) + "\",";
    }
  }

  std::string name(std::string_view suffix) const {
    return sanitize_metric_name(options_.prefix.empty()
                                    ? std::string(suffix)
                                    : options_.prefix + "_" + std::string(suffix));
  }

  void family(const std::string& name, std::string_view type, std::string_view help) {
    out_ += "# HELP " + name + " " + escape_help(help) + "\n";
    out_ += "# TYPE " + name + " " + std::string(type) + "\n";
  }

  // labels: already "k=\"v\"," pairs (trailing comma allowed).
  void sample(const std::string& name, std::string labels, double value) {
    labels = const_labels_ + labels;
    if (!labels.empty() && labels.back() == ',') labels.pop_back();
    out_ += name;
    if (!labels.empty()) out_ += "{" + labels + "}";
    out_ += " " + number(value) + "\n";
  }

  static std::string label(std::string_view key, std::string_view value) {
    return std::string(key) + "=\"" + escape_label_value(value) + "\",";
  }

  void histogram(const std::string& name, const std::string& labels, const HistogramSnapshot& h) {
    for (double le : options_.buckets_seconds) {
      const double le_ns = le * 1e9;
      const std::uint64_t limit =
          le_ns >= 1.8e19 ? UINT64_MAX : static_cast<std::uint64_t>(std::floor(le_ns));
      sample(name + "_bucket", labels + label("le", number(le)),
             static_cast<double>(h.count_at_or_below(limit)));
    }
    sample(name + "_bucket", labels + label("le", "+Inf"), static_cast<double>(h.count()));
    sample(name + "_sum", labels, seconds(h.sum()));
    sample(name + "_count", labels, static_cast<double>(h.count()));
  }

  std::string take() { return std::move(out_); }

 private:
  const PrometheusOptions& options_;
  std::string const_labels_;
  std::string out_;
};

constexpr std::size_t kEmfMaxMetrics = 100;

struct EmfMetric {
  std::string name;
  std::string unit;
  double value;
};

// Splits `metrics` into documents of at most `per_doc` metrics, each with the
// given dimension values.
void emit_emf(std::vector<std::string>& out, const EmfOptions& options, std::int64_t timestamp_ms,
              const std::vector<std::pair<std::string, std::string>>& dims,
              const std::vector<EmfMetric>& metrics) {
  const std::size_t per_doc =
      std::clamp<std::size_t>(options.max_metrics_per_directive, 1, kEmfMaxMetrics);
  for (std::size_t from = 0; from < metrics.size(); from += per_doc) {
    const std::size_t to = std::min(metrics.size(), from + per_doc);
    json::object doc;
    json::array dimension_set;
    for (const auto& [k, v] : dims) {
      dimension_set.emplace_back(k);
      doc[k] = v;
    }
    json::array defs;
    for (std::size_t i = from; i < to; ++i) {
      defs.emplace_back(json::object{{"Name", metrics[i].name}, {"Unit", metrics[i].unit}});
      doc[metrics[i].name] = metrics[i].value;
    }
    json::object directive{{"Namespace", options.namespace_name},
                           {"Dimensions", json::array{dimension_set}},
                           {"Metrics", std::move(defs)}};
    doc["_aws"] = json::object{{"Timestamp", timestamp_ms},
                               {"CloudWatchMetrics", json::array{std::move(directive)}}};
    out.push_back(json::serialize(doc));
  }
}

std::vector<EmfMetric> operation_metrics(const OperationStats& s, const std::string& prefix) {
  const auto& r = s.recent;
  return {{prefix + "Count", "Count", static_cast<double>(r.count)},
          {prefix + "Errors", "Count", static_cast<double>(s.recent_errors)},
          {prefix + "P50", "Milliseconds", millis(r.p50)},
          {prefix + "P90", "Milliseconds", millis(r.p90)},
          {prefix + "P95", "Milliseconds", millis(r.p95)},
          {prefix + "P99", "Milliseconds", millis(r.p99)},
          {prefix + "P999", "Milliseconds", millis(r.p999)},
          {prefix + "Mean", "Milliseconds", millis(r.mean)},
          {prefix + "Max", "Milliseconds", millis(r.max)}};
}

}  // namespace

Report collect(const PerformanceMonitor& monitor, const RequestProfiler* profiler,
               const MemoryMonitor* memory) {
  Report r;
  r.monitor = monitor.snapshot();
  if (profiler != nullptr) r.requests = profiler->snapshot();
  if (memory != nullptr) {
    r.memory = memory->latest();
    if (r.memory) r.memory_trend = memory->trend();
  }
  return r;
}

std::string sanitize_metric_name(std::string_view name) {
  std::string out;
  out.reserve(name.size() + 1);
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == ':';
    out += ok ? c : '_';
  }
  if (out.empty() || (out[0] >= '0' && out[0] <= '9')) out.insert(out.begin(), '_');
  return out;
}

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string to_json(const Report& report) {
  const auto& m = report.monitor;
  json::object root;
  root["schema"] = "awsperf.monitor/1";
  root["timestamp_ms"] = unix_millis(m.taken_at);
  root["recent_span_ns"] = m.recent_span.count();
  root["dropped_records"] = m.dropped_records;
  json::array ops;
  for (const auto& s : m.operations) {
    json::object errors;
    for (const auto& [code, n] : s.errors_by_code) errors[code] = n;
    ops.emplace_back(
        json::object{{"name", s.name},
                     {"count", s.latency.count},
                     {"errors", s.errors},
                     {"errors_by_code", std::move(errors)},
                     {"share_of_time", s.share_of_time},
                     {"latency_ns", latency_json(s.latency)},
                     {"recent", json::object{{"count", s.recent.count},
                                             {"errors", s.recent_errors},
                                             {"latency_ns", latency_json(s.recent)}}}});
  }
  root["operations"] = std::move(ops);
  json::array bottlenecks;
  for (const auto& b : m.bottlenecks) {
    bottlenecks.emplace_back(json::object{{"operation", b.operation},
                                          {"reason", bottleneck_reason_name(b.reason)},
                                          {"observed", b.observed},
                                          {"limit", b.limit}});
  }
  root["bottlenecks"] = std::move(bottlenecks);
  if (!m.values.empty()) {
    json::array values;
    for (const auto& v : m.values) {
      values.emplace_back(json::object{{"name", v.name}, {"sum", v.sum}, {"count", v.count}});
    }
    root["values"] = std::move(values);
  }
  if (report.requests) {
    const auto& p = *report.requests;
    json::object phases;
    for (std::size_t i = 0; i < kPhaseCount; ++i) {
      if (p.phases[i].empty()) continue;
      phases[phase_name(static_cast<Phase>(i))] =
          json::object{{"count", p.phases[i].count()},
                       {"latency_ns", latency_json(LatencyStats::from(p.phases[i]))}};
    }
    json::array slowest;
    for (const auto& t : p.slowest) {
      json::object breakdown;
      for (std::size_t i = 0; i < kPhaseCount; ++i) {
        if (t.phases[i]) breakdown[phase_name(static_cast<Phase>(i))] = t.phases[i]->count();
      }
      json::object o{{"operation", t.operation},
                     {"error_code", t.error_code},
                     {"total_ns", t.total().count()},
                     {"phases_ns", std::move(breakdown)}};
      if (t.started_at) o["started_at_ms"] = unix_millis(*t.started_at);
      slowest.emplace_back(std::move(o));
    }
    root["requests"] = json::object{{"count", p.requests},
                                    {"errors", p.errors},
                                    {"phases", std::move(phases)},
                                    {"slowest", std::move(slowest)}};
  }
  if (report.memory) {
    const auto& s = *report.memory;
    json::object mem{{"rss_bytes", s.rss_bytes},
                     {"peak_rss_bytes", s.peak_rss_bytes},
                     {"heap_in_use_bytes", s.heap_in_use_bytes}};
    if (report.memory_trend) {
      mem["rss_growth_bytes_per_minute"] = report.memory_trend->rss_bytes_per_minute;
      mem["heap_growth_bytes_per_minute"] = report.memory_trend->heap_bytes_per_minute;
      mem["leak_suspected"] = report.memory_trend->leak_suspected;
      mem["samples"] = report.memory_trend->samples;
    }
    root["memory"] = std::move(mem);
  }
  return json::serialize(root);
}

std::string to_prometheus(const Report& report, const PrometheusOptions& options) {
  PromWriter w(options);
  const auto& ops = report.monitor.operations;
  if (!ops.empty()) {
    const std::string hist = w.name("operation_duration_seconds");
    w.family(hist, "histogram", "Latency of operations since start, successes and errors.");
    for (const auto& s : ops)
      w.histogram(hist, PromWriter::label("operation", s.name), s.histogram);

    const std::string summary = w.name("operation_latency_seconds");
    w.family(
        summary, "summary",
        "Latency quantiles of operations over the recent window; _sum and _count since start.");
    for (const auto& s : ops) {
      const std::string l = PromWriter::label("operation", s.name);
      const std::pair<const char*, std::chrono::nanoseconds> qs[] = {{"0.5", s.recent.p50},
                                                                     {"0.9", s.recent.p90},
                                                                     {"0.95", s.recent.p95},
                                                                     {"0.99", s.recent.p99},
                                                                     {"0.999", s.recent.p999}};
      for (const auto& [q, v] : qs)
        w.sample(summary, l + PromWriter::label("quantile", q), seconds(v));
      w.sample(summary + "_sum", l, seconds(s.latency.total_time));
      w.sample(summary + "_count", l, static_cast<double>(s.latency.count));
    }

    bool any_errors = false;
    for (const auto& s : ops) any_errors = any_errors || !s.errors_by_code.empty();
    if (any_errors) {
      const std::string errors = w.name("operation_errors_total");
      w.family(errors, "counter", "Failed operations by error code.");
      for (const auto& s : ops) {
        for (const auto& [code, n] : s.errors_by_code) {
          w.sample(errors, PromWriter::label("operation", s.name) + PromWriter::label("code", code),
                   static_cast<double>(n));
        }
      }
    }
  }
  if (const auto& values = report.monitor.values; !values.empty()) {
    const std::string sum = w.name("value_total");
    w.family(sum, "counter", "Sum of the values added to a value counter since start.");
    for (const auto& v : values) w.sample(sum, PromWriter::label("name", v.name), v.sum);
    const std::string count = w.name("value_additions_total");
    w.family(count, "counter", "Values added to a value counter since start.");
    for (const auto& v : values) {
      w.sample(count, PromWriter::label("name", v.name), static_cast<double>(v.count));
    }
  }
  if (report.requests && report.requests->requests > 0) {
    const std::string phases = w.name("request_phase_duration_seconds");
    w.family(phases, "histogram", "Time spent in each phase of a request.");
    for (std::size_t i = 0; i < kPhaseCount; ++i) {
      w.histogram(phases, PromWriter::label("phase", phase_name(static_cast<Phase>(i))),
                  report.requests->phases[i]);
    }
  }
  if (report.memory) {
    auto gauge = [&](std::string_view suffix, std::string_view help, double v) {
      const std::string n = w.name(suffix);
      w.family(n, "gauge", help);
      w.sample(n, "", v);
    };
    gauge("process_resident_memory_bytes", "Resident set size (VmRSS).",
          static_cast<double>(report.memory->rss_bytes));
    gauge("process_peak_resident_memory_bytes", "Peak resident set size (VmHWM).",
          static_cast<double>(report.memory->peak_rss_bytes));
    gauge("heap_in_use_bytes", "Heap in use (mallinfo2 uordblks + hblkhd).",
          static_cast<double>(report.memory->heap_in_use_bytes));
    if (report.memory_trend) {
      gauge("heap_growth_bytes_per_minute", "Least-squares heap growth over the sample ring.",
            report.memory_trend->heap_bytes_per_minute);
      gauge("memory_leak_suspected", "1 when the heap keeps growing (see MemoryMonitor).",
            report.memory_trend->leak_suspected ? 1.0 : 0.0);
    }
  }
  return w.take();
}

std::vector<std::string> to_emf(const Report& report, const EmfOptions& options) {
  std::vector<std::string> out;
  const std::int64_t ts = unix_millis(report.monitor.taken_at);
  if (options.per_operation_dimension) {
    for (const auto& s : report.monitor.operations) {
      auto dims = options.dimensions;
      dims.emplace_back("Operation", s.name);
      emit_emf(out, options, ts, dims, operation_metrics(s, ""));
    }
  } else {
    std::vector<EmfMetric> all;
    for (const auto& s : report.monitor.operations) {
      auto m = operation_metrics(s, s.name + ".");
      all.insert(all.end(), m.begin(), m.end());
    }
    emit_emf(out, options, ts, options.dimensions, all);
  }
  if (!report.monitor.values.empty()) {
    std::vector<EmfMetric> values;
    for (const auto& v : report.monitor.values) {
      values.push_back({v.name, "None", v.sum});
      values.push_back({v.name + ".Count", "Count", static_cast<double>(v.count)});
    }
    emit_emf(out, options, ts, options.dimensions, values);
  }
  if (report.memory) {
    std::vector<EmfMetric> mem = {
        {"RssBytes", "Bytes", static_cast<double>(report.memory->rss_bytes)},
        {"PeakRssBytes", "Bytes", static_cast<double>(report.memory->peak_rss_bytes)},
        {"HeapInUseBytes", "Bytes", static_cast<double>(report.memory->heap_in_use_bytes)}};
    if (report.memory_trend) {
      mem.push_back(
          {"HeapGrowthBytesPerMinute", "None", report.memory_trend->heap_bytes_per_minute});
    }
    emit_emf(out, options, ts, options.dimensions, mem);
  }
  return out;
}

Sink stdout_sink() {
  return [](std::string_view payload) -> Status {
    if (std::fwrite(payload.data(), 1, payload.size(), stdout) != payload.size() ||
        std::fflush(stdout) != 0) {
      return make_error(ErrorCode::kIo, "stdout sink: write failed");
    }
    return {};
  };
}

Sink file_sink(std::filesystem::path path, FileMode mode) {
  return [path = std::move(path), mode](std::string_view payload) -> Status {
    const auto target =
        mode == FileMode::kAppend ? path : std::filesystem::path(path.string() + ".tmp");
    {
      std::ofstream out(target, mode == FileMode::kAppend ? std::ios::app | std::ios::binary
                                                          : std::ios::trunc | std::ios::binary);
      if (!out) return make_error(ErrorCode::kIo, "file sink: cannot open " + target.string());
      out.write(payload.data(), static_cast<std::streamsize>(payload.size()));
      out.flush();
      if (!out) return make_error(ErrorCode::kIo, "file sink: write failed: " + target.string());
    }
    if (mode == FileMode::kReplace) {
      std::error_code ec;
      std::filesystem::rename(target, path, ec);
      if (ec)
        return make_error(ErrorCode::kIo,
                          "file sink: rename to " + path.string() + ": " + ec.message());
    }
    return {};
  };
}

PeriodicExporter::PeriodicExporter(PerformanceMonitor& monitor, Sink sink,
                                   PeriodicExporterOptions options, const RequestProfiler* profiler,
                                   MemoryMonitor* memory, AlertManager* alerts)
    : monitor_(monitor),
      sink_(std::move(sink)),
      options_(std::move(options)),
      profiler_(profiler),
      memory_(memory),
      alerts_(alerts) {
  if (options_.clock == nullptr) options_.clock = Clock::real();
  if (options_.interval <= std::chrono::nanoseconds(0))
    options_.interval = std::chrono::seconds(10);
}

PeriodicExporter::~PeriodicExporter() { stop(); }

Result<bool> PeriodicExporter::poll() {
  std::lock_guard lock(mu_);
  const auto now = options_.clock->now();
  if (last_export_ && now - *last_export_ < options_.interval) return false;
  auto status = run_once(now);
  if (!status) return std::unexpected(status.error());
  return true;
}

Status PeriodicExporter::export_now() {
  std::lock_guard lock(mu_);
  return run_once(options_.clock->now());
}

Status PeriodicExporter::run_once(Clock::time_point now) {
  last_export_ = now;
  monitor_.tick();
  if (memory_ != nullptr) {
    if (auto sampled = memory_->poll(); !sampled) return std::unexpected(sampled.error());
  }
  if (alerts_ != nullptr) alerts_->evaluate(monitor_);
  const Report report = collect(monitor_, profiler_, memory_);
  std::string payload;
  switch (options_.format) {
    case ExportFormat::kJson:
      payload = to_json(report) + "\n";
      break;
    case ExportFormat::kPrometheus:
      payload = to_prometheus(report, options_.prometheus);
      break;
    case ExportFormat::kEmf:
      for (const auto& line : to_emf(report, options_.emf)) payload += line + "\n";
      break;
  }
  ++exports_;
  if (!sink_) return {};
  return sink_(payload);
}

void PeriodicExporter::start() {
  std::lock_guard lock(thread_mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] {
    const auto step =
        std::min<std::chrono::nanoseconds>(options_.interval, std::chrono::milliseconds(100));
    std::unique_lock lock(thread_mu_);
    while (!stopping_) {
      lock.unlock();
      if (auto r = poll(); !r) std::cerr << "awsperf exporter: " << r.error().to_string() << '\n';
      lock.lock();
      cv_.wait_for(lock, step, [this] { return stopping_; });
    }
  });
}

void PeriodicExporter::stop() {
  std::thread t;
  {
    std::lock_guard lock(thread_mu_);
    stopping_ = true;
    t = std::move(thread_);
  }
  cv_.notify_all();
  if (t.joinable()) t.join();
}

std::uint64_t PeriodicExporter::exports() const {
  std::lock_guard lock(mu_);
  return exports_;
}

}  // namespace awsperf::monitor
