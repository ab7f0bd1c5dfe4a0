// Renderings of a BenchReport: the terminal table, JSON and a self-contained
// HTML page with inline SVG charts.
#include <boost/json.hpp>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "awsperf/workload/bench.h"

namespace awsperf::workload {

namespace json = boost::json;

namespace {

std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

std::string fmt_us(double us) {
  if (us >= 10'000) return fmt("%.1fms", us / 1e3);
  if (us >= 1'000) return fmt("%.2fms", us / 1e3);
  return fmt("%.0fus", us);
}

std::string fmt_bytes(double b) {
  if (b >= 1 << 30) return fmt("%.1fGiB", b / (1 << 30));
  if (b >= 1 << 20) return fmt("%.1fMiB", b / (1 << 20));
  if (b >= 1 << 10) return fmt("%.1fKiB", b / (1 << 10));
  return fmt("%.0fB", b);
}

std::string pad(const std::string& s, size_t width) {
  // Pads by displayed characters (the strings here are ASCII).
  return s.size() >= width ? s : std::string(width - s.size(), ' ') + s;
}

std::string pad_right(const std::string& s, size_t width) {
  return s.size() >= width ? s : s + std::string(width - s.size(), ' ');
}

std::string mix_description(char name) {
  switch (name) {
    case 'A':
      return "update heavy, 50% read / 50% update";
    case 'B':
      return "read mostly, 95% read / 5% update";
    case 'C':
      return "read only";
    case 'D':
      return "read latest, 95% read / 5% insert";
    case 'E':
      return "short ranges, 95% scan / 5% insert";
    case 'F':
      return "read-modify-write, 50% read / 50% RMW";
  }
  return "";
}

// Connection overhead per operation: connections opened per operation.
double connections_per_op(const ModeResult& m) {
  return m.ops ? static_cast<double>(m.connections_opened) / static_cast<double>(m.ops) : 0;
}

double db_calls_per_op(const ModeResult& m) {
  return m.ops ? static_cast<double>(m.db_calls) / static_cast<double>(m.ops) : 0;
}

std::string load_line(const BenchReport& r, const WorkloadResult& w) {
  std::string s;
  if (w.offered_rate > 0) {
    s = "open loop at " + fmt("%.0f", w.offered_rate) + " ops/s";
    if (w.calibrated_baseline_throughput > 0) {
      s += " (half of the " + fmt("%.0f", w.calibrated_baseline_throughput) +
           " ops/s the baseline sustains)";
    }
  } else {
    s = "closed loop, " + std::to_string(w.concurrency) + " in flight";
  }
  s += ", " + fmt("%.0f", r.duration_s) + " s measured after " + fmt("%.0f", r.warmup_s) +
       " s warm-up";
  return s;
}

json::object latency_json(const LatencySummary& l, bool full) {
  json::object o{{"mean", l.mean_us}, {"p50", l.p50_us}, {"p99", l.p99_us}};
  if (full) {
    o["p95"] = l.p95_us;
    o["p999"] = l.p999_us;
    o["max"] = l.max_us;
  }
  return o;
}

}  // namespace

std::string format_table(const BenchReport& r) {
  std::ostringstream out;
  ClaimedFigures claimed;
  out << "awsperf bench: " << r.target << ", " << r.records << " records";
  if (r.network_delay_ms > 0)
    out << ", network delay " << fmt("%.1f", r.network_delay_ms) << " ms each way";
  if (r.tls) out << ", TLS";
  if (!r.cache.empty()) out << "; optimized cache: " << r.cache;
  out << "\n";
  for (const auto& w : r.workloads) {
    out << "\nWorkload " << w.name << " (" << mix_description(w.name) << "), " << w.distribution
        << " keys; " << load_line(r, w) << "\n";
    out << pad_right("mode", 10) << pad("ops/s", 9) << pad("mean", 9) << pad("p50", 9)
        << pad("p95", 9) << pad("p99", 9) << pad("p999", 9) << pad("db calls", 10)
        << pad("hit rate", 10) << pad("conns", 7) << pad("received", 10) << pad("errors", 8)
        << "\n";
    for (const auto& m : w.modes) {
      out << pad_right(std::string(bench_mode_name(m.mode)), 10)
          << pad(fmt("%.0f", m.throughput), 9) << pad(fmt_us(m.latency.mean_us), 9)
          << pad(fmt_us(m.latency.p50_us), 9) << pad(fmt_us(m.latency.p95_us), 9)
          << pad(fmt_us(m.latency.p99_us), 9) << pad(fmt_us(m.latency.p999_us), 9)
          << pad(std::to_string(m.db_calls), 10)
          << pad(m.mode == BenchMode::kOptimized ? fmt("%.1f%%", 100 * m.cache_hit_rate) : "-", 10)
          << pad(std::to_string(m.connections_opened), 7)
          << pad(fmt_bytes(static_cast<double>(m.bytes_received)), 10)
          << pad(std::to_string(m.errors), 8) << "\n";
    }
    const ModeResult* base = w.mode(BenchMode::kBaseline);
    if (base != nullptr && w.modes.size() > 1) {
      out << "Improvement over baseline (commonly claimed for such layers in brackets):\n";
      out << pad_right("mode", 10) << pad("mean", 15) << pad("p95", 15) << pad("p99", 15)
          << pad("db calls", 15) << pad("hit rate", 15) << pad("conn overhead", 15) << "\n";
      for (const auto& m : w.modes) {
        if (m.mode == BenchMode::kBaseline) continue;
        auto cell = [&](double measured, double claim) {
          return pad(fmt("%+.1f%%", measured) + fmt(" (%.0f%%)", claim), 15);
        };
        out << pad_right(std::string(bench_mode_name(m.mode)), 10)
            << cell(improvement_percent(base->latency.mean_us, m.latency.mean_us),
                    claimed.mean_latency_reduction)
            << cell(improvement_percent(base->latency.p95_us, m.latency.p95_us),
                    claimed.p95_reduction)
            << cell(improvement_percent(base->latency.p99_us, m.latency.p99_us),
                    claimed.p99_reduction)
            << cell(improvement_percent(db_calls_per_op(*base), db_calls_per_op(m)),
                    claimed.db_call_reduction)
            << pad(m.mode == BenchMode::kOptimized ? fmt("%.1f%%", 100 * m.cache_hit_rate) +
                                                         fmt(" (%.0f%%)", claimed.cache_hit_rate)
                                                   : std::string("-"),
                   15)
            << cell(improvement_percent(connections_per_op(*base), connections_per_op(m)),
                    claimed.connection_overhead_reduction)
            << "\n";
      }
    }
    bool any_floor = false;
    for (const auto& m : w.modes) any_floor |= m.floor.has_value();
    if (any_floor) {
      out << "Latency floor (closed loop, 1 in flight):";
      for (const auto& m : w.modes) {
        if (!m.floor) continue;
        out << "  " << bench_mode_name(m.mode) << " p50 " << fmt_us(m.floor->p50_us) << " p99 "
            << fmt_us(m.floor->p99_us);
      }
      out << "\n";
    }
  }
  return out.str();
}

std::string to_json(const BenchReport& r) {
  json::object root{{"target", r.target},
                    {"records", r.records},
                    {"network_delay_ms", r.network_delay_ms},
                    {"tls", r.tls},
                    {"load", r.load},
                    {"duration_s", r.duration_s},
                    {"warmup_s", r.warmup_s},
                    {"load_seconds", r.load_seconds},
                    {"cache", r.cache}};
  json::object workloads;
  for (const auto& w : r.workloads) {
    json::object wo{{"offered_rate", w.offered_rate},
                    {"distribution", w.distribution},
                    {"calibrated_baseline_throughput", w.calibrated_baseline_throughput}};
    if (w.concurrency) wo["concurrency"] = w.concurrency;
    json::object modes;
    const ModeResult* base = w.mode(BenchMode::kBaseline);
    for (const auto& m : w.modes) {
      json::object mo{{"ops", m.ops},
                      {"errors", m.errors},
                      {"throughput", m.throughput},
                      {"latency_us", latency_json(m.latency, true)},
                      {"db_calls", m.db_calls},
                      {"cache_hit_rate", m.cache_hit_rate},
                      {"connections_opened", m.connections_opened},
                      {"bytes_received", m.bytes_received}};
      if (m.floor) mo["floor_latency_us"] = latency_json(*m.floor, false);
      json::array curve;
      for (auto [q, us] : m.percentile_curve) curve.push_back(json::array{q, us});
      mo["percentiles_us"] = std::move(curve);
      if (base != nullptr && m.mode != BenchMode::kBaseline) {
        mo["improvement_percent"] = json::object{
            {"mean", improvement_percent(base->latency.mean_us, m.latency.mean_us)},
            {"p95", improvement_percent(base->latency.p95_us, m.latency.p95_us)},
            {"p99", improvement_percent(base->latency.p99_us, m.latency.p99_us)},
            {"db_calls", improvement_percent(db_calls_per_op(*base), db_calls_per_op(m))},
            {"connection_overhead",
             improvement_percent(connections_per_op(*base), connections_per_op(m))}};
      }
      modes[bench_mode_name(m.mode)] = std::move(mo);
    }
    wo["modes"] = std::move(modes);
    workloads[std::string(1, w.name)] = std::move(wo);
  }
  root["workloads"] = std::move(workloads);
  ClaimedFigures c;
  root["claimed_percent"] = json::object{{"mean", c.mean_latency_reduction},
                                         {"p95", c.p95_reduction},
                                         {"p99", c.p99_reduction},
                                         {"db_calls", c.db_call_reduction},
                                         {"cache_hit_rate", c.cache_hit_rate},
                                         {"connection_overhead", c.connection_overhead_reduction}};
  return json::serialize(root);
}

namespace {

std::string escape_html(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

const char* mode_color(BenchMode m) {
  switch (m) {
    case BenchMode::kBaseline:
      return "#d62728";
    case BenchMode::kPooled:
      return "#ff7f0e";
    case BenchMode::kOptimized:
      return "#2ca02c";
  }
  return "#333";
}

// Latency by percentile: x is -log10(1 - q) ("nines"), y is log10(latency).
std::string percentile_svg(const WorkloadResult& w) {
  const double width = 640, height = 360, left = 70, right = 20, top = 20, bottom = 50;
  double lo = 1e18, hi = 0;
  for (const auto& m : w.modes) {
    for (auto [q, us] : m.percentile_curve) {
      if (us > 0) {
        lo = std::min(lo, us);
        hi = std::max(hi, us);
      }
    }
  }
  if (hi <= 0) return "<p>No latency data.</p>";
  double ylo = std::floor(std::log10(lo)), yhi = std::ceil(std::log10(hi));
  if (yhi <= ylo) yhi = ylo + 1;
  const double xmax = 4;  // 99.99%
  auto x = [&](double q) {
    double nines = q >= 0.9999 ? xmax : -std::log10(1 - q);
    return left + (width - left - right) * nines / xmax;
  };
  auto y = [&](double us) {
    double v = std::log10(std::max(us, std::pow(10.0, ylo)));
    return top + (height - top - bottom) * (1 - (v - ylo) / (yhi - ylo));
  };
  std::ostringstream s;
  s << "<svg xmlns='http://www.w3.org/2000/svg' width='" << width << "' height='" << height
    << "' role='img' aria-label='latency by percentile'>";
  s << "<rect width='100%' height='100%' fill='white'/>";
  for (double d = ylo; d <= yhi; ++d) {
    double us = std::pow(10.0, d);
    s << "<line x1='" << left << "' x2='" << width - right << "' y1='" << y(us) << "' y2='" << y(us)
      << "' stroke='#ddd'/><text x='" << left - 6 << "' y='" << y(us) + 4
      << "' font-size='11' text-anchor='end'>" << fmt_us(us) << "</text>";
  }
  const char* labels[] = {"p0", "p90", "p99", "p99.9", "p99.99"};
  for (int i = 0; i <= 4; ++i) {
    double q = i == 0 ? 0 : 1 - std::pow(10.0, -i);
    s << "<line x1='" << x(q) << "' x2='" << x(q) << "' y1='" << top << "' y2='" << height - bottom
      << "' stroke='#eee'/><text x='" << x(q) << "' y='" << height - bottom + 16
      << "' font-size='11' text-anchor='middle'>" << labels[i] << "</text>";
  }
  s << "<text x='" << (left + width - right) / 2 << "' y='" << height - 10
    << "' font-size='12' text-anchor='middle'>percentile</text>";
  s << "<text x='14' y='" << (top + height - bottom) / 2
    << "' font-size='12' transform='rotate(-90 14 " << (top + height - bottom) / 2
    << ")' text-anchor='middle'>latency (log scale)</text>";
  int legend = 0;
  for (const auto& m : w.modes) {
    s << "<polyline fill='none' stroke-width='2' stroke='" << mode_color(m.mode) << "' points='";
    for (auto [q, us] : m.percentile_curve) {
      if (q > 0.9999) continue;
      s << x(q) << "," << y(us) << " ";
    }
    s << "'/>";
    s << "<rect x='" << left + 10 << "' y='" << top + 8 + legend * 16
      << "' width='12' height='3' fill='" << mode_color(m.mode) << "'/><text x='" << left + 28
      << "' y='" << top + 13 + legend * 16 << "' font-size='12'>" << bench_mode_name(m.mode)
      << "</text>";
    ++legend;
  }
  s << "</svg>";
  return s.str();
}

std::string throughput_svg(const WorkloadResult& w) {
  const double width = 640, bar = 26, gap = 12, left = 90, right = 90;
  double max = 0;
  for (const auto& m : w.modes) max = std::max(max, m.throughput);
  if (max <= 0) max = 1;
  const double height = 20 + static_cast<double>(w.modes.size()) * (bar + gap);
  std::ostringstream s;
  s << "<svg xmlns='http://www.w3.org/2000/svg' width='" << width << "' height='" << height
    << "' role='img' aria-label='throughput'><rect width='100%' height='100%' fill='white'/>";
  double yy = 10;
  for (const auto& m : w.modes) {
    double len = (width - left - right) * m.throughput / max;
    s << "<text x='" << left - 8 << "' y='" << yy + bar * 0.65
      << "' font-size='12' text-anchor='end'>" << bench_mode_name(m.mode) << "</text><rect x='"
      << left << "' y='" << yy << "' width='" << len << "' height='" << bar << "' fill='"
      << mode_color(m.mode) << "'/><text x='" << left + len + 6 << "' y='" << yy + bar * 0.65
      << "' font-size='12'>" << fmt("%.0f ops/s", m.throughput) << "</text>";
    yy += bar + gap;
  }
  s << "</svg>";
  return s.str();
}

}  // namespace

std::string to_html(const BenchReport& r) {
  std::ostringstream h;
  h << "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>awsperf bench "
       "report</title>"
       "<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:1000px}"
       "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;"
       "text-align:right}th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}"
       "pre{background:#f8f8f8;padding:1em;overflow:auto}</style></head><body>";
  h << "<h1>awsperf bench</h1>";
  h << "<h2>Parameters</h2><table>";
  auto row = [&](const std::string& k, const std::string& v) {
    h << "<tr><th>" << escape_html(k) << "</th><td>" << escape_html(v) << "</td></tr>";
  };
  row("target", r.target);
  row("records", std::to_string(r.records));
  row("network delay",
      r.network_delay_ms > 0 ? fmt("%.1f ms each way", r.network_delay_ms) : "none");
  row("TLS", r.tls ? "yes" : "no");
  row("load", r.load);
  row("optimized mode's cache", r.cache);
  row("measured / warm-up", fmt("%.0f s", r.duration_s) + " / " + fmt("%.0f s", r.warmup_s));
  row("table load time", fmt("%.1f s", r.load_seconds));
  h << "</table>";
  ClaimedFigures claimed;
  for (const auto& w : r.workloads) {
    h << "<h2>Workload " << w.name << " (" << escape_html(mix_description(w.name)) << ")</h2>";
    h << "<p>" << escape_html(w.distribution) << " keys; " << escape_html(load_line(r, w))
      << "</p>";
    h << "<table><tr><th>mode</th><th>ops/s</th><th>mean</th><th>p50</th><th>p95</th><th>p99</th>"
         "<th>p99.9</th><th>db calls</th><th>cache hit "
         "rate</th><th>connections</th><th>received</th>"
         "<th>errors</th><th>floor p50</th></tr>";
    for (const auto& m : w.modes) {
      h << "<tr><td>" << bench_mode_name(m.mode) << "</td><td>" << fmt("%.0f", m.throughput)
        << "</td><td>" << fmt_us(m.latency.mean_us) << "</td><td>" << fmt_us(m.latency.p50_us)
        << "</td><td>" << fmt_us(m.latency.p95_us) << "</td><td>" << fmt_us(m.latency.p99_us)
        << "</td><td>" << fmt_us(m.latency.p999_us) << "</td><td>" << m.db_calls << "</td><td>"
        << (m.mode == BenchMode::kOptimized ? fmt("%.1f%%", 100 * m.cache_hit_rate) : "-")
        << "</td><td>" << m.connections_opened << "</td><td>"
        << fmt_bytes(static_cast<double>(m.bytes_received)) << "</td><td>" << m.errors
        << "</td><td>" << (m.floor ? fmt_us(m.floor->p50_us) : "-") << "</td></tr>";
    }
    h << "</table>";
    if (const ModeResult* base = w.mode(BenchMode::kBaseline); base && w.modes.size() > 1) {
      h << "<table><tr><th>improvement over baseline</th><th>mean</th><th>p95</th><th>p99</th>"
           "<th>db calls</th><th>connection overhead</th></tr>";
      for (const auto& m : w.modes) {
        if (m.mode == BenchMode::kBaseline) continue;
        h << "<tr><td>" << bench_mode_name(m.mode) << "</td><td>"
          << fmt("%+.1f%%", improvement_percent(base->latency.mean_us, m.latency.mean_us))
          << "</td><td>"
          << fmt("%+.1f%%", improvement_percent(base->latency.p95_us, m.latency.p95_us))
          << "</td><td>"
          << fmt("%+.1f%%", improvement_percent(base->latency.p99_us, m.latency.p99_us))
          << "</td><td>"
          << fmt("%+.1f%%", improvement_percent(db_calls_per_op(*base), db_calls_per_op(m)))
          << "</td><td>"
          << fmt("%+.1f%%", improvement_percent(connections_per_op(*base), connections_per_op(m)))
          << "</td></tr>";
      }
      h << "<tr><td><i>commonly claimed</i></td><td>"
        << fmt("%.0f%%", claimed.mean_latency_reduction) << "</td><td>"
        << fmt("%.0f%%", claimed.p95_reduction) << "</td><td>"
        << fmt("%.0f%%", claimed.p99_reduction) << "</td><td>"
        << fmt("%.0f%%", claimed.db_call_reduction) << "</td><td>"
        << fmt("%.0f%%", claimed.connection_overhead_reduction) << "</td></tr></table>";
    }
    h << "<h3>Latency by percentile</h3>" << percentile_svg(w);
    h << "<h3>Throughput</h3>" << throughput_svg(w);
  }
  h << "<h2>Table as printed</h2><pre>" << escape_html(format_table(r)) << "</pre>";
  h << "</body></html>\n";
  return h.str();
}

}  // namespace awsperf::workload
