#include "awsperf/monitor/alert.h"

#include <cstdio>
#include <iostream>
#include <set>

namespace awsperf::monitor {

namespace {

std::string millis(std::chrono::nanoseconds d) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.3fms", static_cast<double>(d.count()) / 1e6);
  return buf;
}

std::string quantile_label(double q) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "p%g", q * 100.0);
  std::string s = buf;
  for (char& c : s) {
    if (c == '.') c = '_';
  }
  return s;
}

}  // namespace

std::string AlertEvent::to_string() const {
  return std::string("awsperf alert ") + (firing ? "FIRING" : "RECOVERED") + " rule=" + rule +
         " operation=" + operation + " " + quantile_label(quantile) + "=" + millis(observed) +
         " threshold=" + millis(threshold) + " intervals=" + std::to_string(intervals);
}

AlertManager::AlertManager(AlertManagerOptions options) : options_(std::move(options)) {
  if (!options_.log) {
    options_.log = [](std::string_view line) { std::clog << line << '\n'; };
  }
}

Status AlertManager::add_rule(AlertRule rule) {
  if (rule.name.empty()) return make_error(ErrorCode::kInvalidArgument, "alert rule: empty name");
  if (rule.operation.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "alert rule " + rule.name + ": empty operation");
  }
  if (!(rule.quantile > 0.0 && rule.quantile <= 1.0)) {
    return make_error(ErrorCode::kInvalidArgument,
                      "alert rule " + rule.name + ": quantile must be in (0, 1]");
  }
  if (rule.threshold <= std::chrono::nanoseconds(0)) {
    return make_error(ErrorCode::kInvalidArgument,
                      "alert rule " + rule.name + ": threshold must be positive");
  }
  if (rule.consecutive_intervals < 1 || rule.recovery_intervals < 1) {
    return make_error(ErrorCode::kInvalidArgument,
                      "alert rule " + rule.name + ": interval counts must be >= 1");
  }
  std::lock_guard lock(mu_);
  for (const auto& r : rules_) {
    if (r.rule.name == rule.name) {
      return make_error(ErrorCode::kAlreadyExists, "alert rule " + rule.name + " already exists");
    }
  }
  rules_.push_back(RuleState{std::move(rule)});
  return {};
}

std::vector<AlertEvent> AlertManager::evaluate(const PerformanceMonitor& monitor) {
  std::lock_guard evaluate_lock(evaluate_mu_);
  const auto stats = monitor.all_stats();
  const auto at = monitor.clock()->wall_now();
  std::vector<AlertEvent> events;
  {
    std::lock_guard lock(mu_);
    std::map<std::string, HistogramSnapshot, std::less<>> current;
    for (const auto& s : stats) current.emplace(s.name, s.histogram);
    if (started_) {
      for (auto& state : rules_) {
        const AlertRule& rule = state.rule;
        HistogramSnapshot interval;
        if (auto it = current.find(rule.operation); it != current.end()) {
          auto prev = previous_.find(rule.operation);
          interval = prev == previous_.end() ? it->second : it->second.since(prev->second);
        }
        const auto observed =
            std::chrono::nanoseconds(static_cast<std::int64_t>(interval.quantile(rule.quantile)));
        const bool breach = interval.count() > 0 && observed > rule.threshold;
        if (breach) {
          ++state.breaching;
          state.clear = 0;
        } else {
          ++state.clear;
          state.breaching = 0;
        }
        if (!state.firing && state.breaching >= rule.consecutive_intervals) {
          state.firing = true;
          events.push_back({rule.name, rule.operation, true, rule.quantile, observed,
                            rule.threshold, state.breaching, at});
        } else if (state.firing && state.clear >= rule.recovery_intervals) {
          state.firing = false;
          events.push_back({rule.name, rule.operation, false, rule.quantile, observed,
                            rule.threshold, state.clear, at});
        }
      }
    }
    previous_ = std::move(current);
    started_ = true;
  }
  for (const auto& e : events) {
    options_.log(e.to_string());
    if (options_.on_event) options_.on_event(e);
  }
  return events;
}

std::vector<std::string> AlertManager::firing() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (const auto& s : rules_) {
    if (s.firing) out.push_back(s.rule.name);
  }
  return out;
}

}  // namespace awsperf::monitor
