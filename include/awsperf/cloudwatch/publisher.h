// Publishes the PerformanceMonitor to CloudWatch, in either or both of two
// ways, as a sink of monitor::PeriodicExporter or called directly:
//
// - PutMetricData (CloudWatch query protocol, signing name "monitoring"):
//   per operation, with dimension Operation=<name> plus the configured ones,
//   Count and Errors (unit Count, the increase since the previous publish)
//   and P50, P95, P99 of the monitor's recent window (unit Milliseconds).
// - EMF lines (monitor::to_emf) as log events through CloudWatch Logs
//   PutLogEvents (JSON 1.1, X-Amz-Target Logs_20140328.PutLogEvents), from
//   which CloudWatch extracts the metrics itself. The log group and stream
//   are created on first use unless told otherwise.
//
//   auto publisher = cloudwatch::Publisher::create({.region = "eu-west-1"});
//   monitor::PeriodicExporter exporter(monitor, (*publisher)->emf_sink(),
//                                      {.format = monitor::ExportFormat::kEmf});
//   exporter.start();
//
// Requests are split to the service limits (max_datums_per_request datums;
// 10,000 events or 1 MiB per PutLogEvents) and retried by the standard
// policy. Errors are Result values; a single log event above 256 KiB is
// kTooLarge rather than truncated.
//
// Thread-safety: every method may be called concurrently from any thread
// (calls are serialized on the publisher's own I/O thread).
#ifndef AWSPERF_CLOUDWATCH_PUBLISHER_H_
#define AWSPERF_CLOUDWATCH_PUBLISHER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "awsperf/aws/credentials.h"
#include "awsperf/aws/environment.h"
#include "awsperf/aws/retry.h"
#include "awsperf/core/clock.h"
#include "awsperf/core/result.h"
#include "awsperf/http/connection_pool.h"
#include "awsperf/monitor/export.h"
#include "awsperf/monitor/monitor.h"

namespace awsperf::cloudwatch {

struct PublisherOptions {
  // CloudWatch. Unset: AWS_ENDPOINT_URL_CLOUDWATCH, AWS_ENDPOINT_URL, else
  // https://monitoring.<region>.amazonaws.com.
  std::optional<std::string> endpoint_url;
  // CloudWatch Logs. Unset: endpoint_url when set (moto serves both), else
  // AWS_ENDPOINT_URL_CLOUDWATCH_LOGS, AWS_ENDPOINT_URL, else
  // https://logs.<region>.amazonaws.com.
  std::optional<std::string> logs_endpoint_url;
  std::optional<std::string> region;
  std::optional<aws::Credentials> credentials;
  aws::SharedConfigOptions shared_config;
  http::PoolOptions pool;
  // Unset: aws::RetryOptions::standard().
  std::optional<aws::RetryOptions> retry;
  std::string namespace_name = "awsperf";
  // Added to every datum, e.g. {"Service", "orders"}.
  std::vector<std::pair<std::string, std::string>> dimensions;
  // Datums per PutMetricData request, 1..1000 (1000 is today's API limit;
  // the default suits older endpoints too).
  std::size_t max_datums_per_request = 20;
  std::string log_group_name = "awsperf";
  std::string log_stream_name = "awsperf";
  // CreateLogGroup/CreateLogStream before the first PutLogEvents (an existing
  // group or stream is fine). Default on.
  bool create_log_stream = true;
  const aws::Environment* environment = nullptr;  // null: the process environment
  // Log event timestamps and signing time; null: Clock::real().
  Clock* clock = nullptr;
};

struct PublisherStatistics {
  std::uint64_t metric_requests = 0;  // PutMetricData calls sent
  std::uint64_t datums = 0;
  std::uint64_t log_requests = 0;  // PutLogEvents calls sent
  std::uint64_t log_events = 0;
  std::uint64_t errors = 0;
};

class Publisher {
 public:
  static Result<std::unique_ptr<Publisher>> create(PublisherOptions options = {});
  ~Publisher();
  Publisher(const Publisher&) = delete;
  Publisher& operator=(const Publisher&) = delete;

  // PutMetricData for every operation of the snapshot that was called since
  // the previous publish (nothing is sent when none was).
  Status put_metric_data(const monitor::MonitorSnapshot& snapshot);
  // PutLogEvents with one event per message, stamped with the clock's wall time.
  Status put_log_events(const std::vector<std::string>& messages);

  // A PeriodicExporter sink that ignores the rendered payload and publishes
  // monitor.snapshot() with put_metric_data (any ExportFormat will do).
  // `monitor` must outlive the sink.
  monitor::Sink metric_data_sink(const monitor::PerformanceMonitor& monitor);
  // A PeriodicExporter sink for ExportFormat::kEmf: each line becomes a log event.
  monitor::Sink emf_sink();

  PublisherStatistics statistics() const;

  struct Impl;

 private:
  explicit Publisher(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace awsperf::cloudwatch

#endif  // AWSPERF_CLOUDWATCH_PUBLISHER_H_
