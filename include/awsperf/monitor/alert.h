// Alert rules on operation latency: "p99 of GetItem above 50 ms for 3
// consecutive intervals" fires once, and recovers once when it clears.
//
// An interval is the time between two evaluate() calls (PeriodicExporter calls
// it every export interval); the quantile is computed over the records of that
// interval only. An interval without records for the operation is not a breach.
// On firing and on recovery the manager calls the callback and writes one log
// line ("awsperf alert FIRING ..." / "awsperf alert RECOVERED ...").
//
// Thread-safety: every method may be called concurrently; callbacks and log
// lines are issued from the evaluate() caller, never concurrently.
#ifndef AWSPERF_MONITOR_ALERT_H_
#define AWSPERF_MONITOR_ALERT_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "awsperf/core/result.h"
#include "awsperf/monitor/histogram.h"
#include "awsperf/monitor/monitor.h"

namespace awsperf::monitor {

struct AlertRule {
  // Unique among the manager's rules; used in events and log lines.
  std::string name;
  std::string operation;
  // In (0, 1]: 0.99 is p99.
  double quantile = 0.99;
  std::chrono::nanoseconds threshold{0};
  // Breaching intervals in a row before the alert fires (≥ 1).
  int consecutive_intervals = 3;
  // Clear intervals in a row before a firing alert recovers (≥ 1).
  int recovery_intervals = 1;
};

struct AlertEvent {
  std::string rule;
  std::string operation;
  bool firing = false;  // true: fired; false: recovered
  double quantile = 0.0;
  std::chrono::nanoseconds observed{0};  // the quantile in the deciding interval
  std::chrono::nanoseconds threshold{0};
  int intervals = 0;  // consecutive breaching (firing) or clear (recovery) intervals
  std::chrono::system_clock::time_point at;

  // The log line, without a newline.
  std::string to_string() const;
};

struct AlertManagerOptions {
  std::function<void(const AlertEvent&)> on_event;
  // Where log lines go; default: stderr.
  std::function<void(std::string_view line)> log;
};

class AlertManager {
 public:
  explicit AlertManager(AlertManagerOptions options = {});

  // kInvalidArgument for an empty or duplicate name, an empty operation, a
  // quantile outside (0, 1], a non-positive threshold or interval count.
  Status add_rule(AlertRule rule);

  // Closes an interval: evaluates every rule against the records made since
  // the previous evaluate() (the first call only sets the starting point).
  // Returns the events issued.
  std::vector<AlertEvent> evaluate(const PerformanceMonitor& monitor);

  // Names of the rules currently firing.
  std::vector<std::string> firing() const;

 private:
  struct RuleState {
    AlertRule rule;
    int breaching = 0;
    int clear = 0;
    bool firing = false;
  };
  AlertManagerOptions options_;
  std::mutex evaluate_mu_;  // one evaluate() (and its callbacks) at a time
  mutable std::mutex mu_;   // rules_ and their state
  std::vector<RuleState> rules_;
  // Cumulative histogram per operation at the previous evaluate().
  std::map<std::string, HistogramSnapshot, std::less<>> previous_;
  bool started_ = false;
};

}  // namespace awsperf::monitor

#endif  // AWSPERF_MONITOR_ALERT_H_
