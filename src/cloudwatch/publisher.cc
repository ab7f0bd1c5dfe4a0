#include "awsperf/cloudwatch/publisher.h"

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <future>
#include <mutex>
#include <thread>

#include "awsperf/aws/encoding.h"
#include "awsperf/aws/endpoint.h"
#include "awsperf/aws/error.h"
#include "awsperf/aws/signer.h"
#include "cloudwatch/wire.h"

namespace awsperf::cloudwatch {

namespace asio = boost::asio;

namespace {

enum class Protocol : std::uint8_t { kQuery, kJson };

// One service endpoint: where, how to sign, the pool.
struct Service {
  aws::Endpoint endpoint;
  std::unique_ptr<aws::Signer> signer;
  std::optional<http::ConnectionPool> pool;
  Protocol protocol = Protocol::kQuery;
};

// resolve_endpoint() names the default host after the service id, which for
// these two services is not the host AWS uses; the variables follow the SDK
// service ids ("CloudWatch", "CloudWatch Logs").
Result<aws::Endpoint> resolve(std::string_view service_id, std::string_view host_prefix,
                              std::string_view region, const std::optional<std::string>& url,
                              const aws::Environment& env) {
  auto r = aws::resolve_endpoint(service_id, region, url, env);
  if (!r) return make_error(std::move(r.error()));
  aws::Endpoint ep = r->endpoint;
  if (r->source == "default") {
    std::size_t dot = ep.host.find('.');
    ep.host = std::string(host_prefix) + ep.host.substr(dot);
  }
  return ep;
}

}  // namespace

struct Publisher::Impl {
  asio::io_context io{1};
  asio::executor_work_guard<asio::io_context::executor_type> work{asio::make_work_guard(io)};
  std::thread thread;
  PublisherOptions options;
  aws::Credentials credentials;
  std::string region;
  Clock* clock = nullptr;
  std::unique_ptr<aws::RetryPolicy> retry;
  Service metrics, logs;

  std::mutex mu;  // guards previous and stream_ready
  std::map<std::string, std::pair<std::uint64_t, std::uint64_t>> previous;
  bool stream_ready = false;

  std::atomic<std::uint64_t> metric_requests{0}, datums{0}, log_requests{0}, log_events{0},
      errors{0};

  ~Impl() {
    if (metrics.pool) metrics.pool->shutdown();
    if (logs.pool) logs.pool->shutdown();
    work.reset();
    io.stop();
    if (thread.joinable()) thread.join();
  }

  asio::awaitable<Status> post_once(Service& s, std::string target, const std::string& body) {
    const std::string path = s.endpoint.base_path.empty() ? "/" : s.endpoint.base_path + "/";
    const std::string host = s.endpoint.host_header();
    const std::string content_type = s.protocol == Protocol::kQuery
                                         ? "application/x-www-form-urlencoded; charset=utf-8"
                                         : "application/x-amz-json-1.1";
    std::vector<aws::HeaderView> headers = {{"host", host}, {"content-type", content_type}};
    if (!target.empty()) headers.push_back({"x-amz-target", target});
    aws::RequestView view{.method = "POST", .path = path, .headers = headers, .body = body};
    auto signature = s.signer->sign(view, credentials);
    if (!signature) co_return make_error(std::move(signature.error()));
    http::Request request;
    request.method = "POST";
    request.target = path;
    request.operation = target.empty() ? "http.cloudwatch.PutMetricData"
                                       : "http.logs." + target.substr(target.find('.') + 1);
    request.headers.set("Content-Type", content_type);
    if (!target.empty()) request.headers.set("X-Amz-Target", target);
    for (auto& h : signature->headers) request.headers.set(h.name, h.value);
    request.body = body;
    Result<http::Response> response = co_await s.pool->async_request(std::move(request));
    if (!response) co_return make_error(std::move(response.error()));
    if (response->status >= 200 && response->status < 300) co_return Status{};
    const auto request_id = response->headers.get("x-amzn-RequestId").value_or("");
    if (s.protocol == Protocol::kQuery) {
      co_return make_error(aws::parse_xml_error(
          {.http_status = response->status, .body = response->body, .request_id = request_id}));
    }
    co_return make_error(aws::parse_json_error(
        {.http_status = response->status,
         .body = response->body,
         .request_id = request_id,
         .error_type_header = response->headers.get("x-amzn-ErrorType").value_or("")}));
  }

  asio::awaitable<Status> post(Service& s, std::string target, std::string body) {
    aws::RetryState state;
    for (;;) {
      Status r = co_await post_once(s, target, body);
      if (r) {
        retry->on_success(state);
        co_return r;
      }
      auto delay = retry->should_retry(r.error(), state);
      if (!delay) {
        errors.fetch_add(1, std::memory_order_relaxed);
        co_return r;
      }
      asio::steady_timer timer(io, *delay);
      co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
  }

  asio::awaitable<Status> put_metric_data(std::vector<detail::Datum> all, std::string timestamp) {
    const std::size_t per = options.max_datums_per_request;
    for (std::size_t i = 0; i < all.size(); i += per) {
      std::span<const detail::Datum> chunk(all.data() + i, std::min(per, all.size() - i));
      std::string body = detail::encode_put_metric_data(options.namespace_name, timestamp, chunk);
      metric_requests.fetch_add(1, std::memory_order_relaxed);
      Status r = co_await post(metrics, "", std::move(body));
      if (!r) {
        r.error().message = "PutMetricData: " + r.error().message;
        co_return r;
      }
      datums.fetch_add(chunk.size(), std::memory_order_relaxed);
    }
    co_return Status{};
  }

  asio::awaitable<Status> create_log_resource(std::string target, std::string body) {
    Status r = co_await post(logs, target, std::move(body));
    if (!r && r.error().aws_type != "ResourceAlreadyExistsException") {
      r.error().message = target.substr(target.find('.') + 1) + ": " + r.error().message;
      co_return r;
    }
    co_return Status{};
  }

  asio::awaitable<Status> ensure_stream() {
    Status group = co_await create_log_resource(
        "Logs_20140328.CreateLogGroup", detail::encode_log_names(options.log_group_name, ""));
    if (!group) co_return group;
    co_return co_await create_log_resource(
        "Logs_20140328.CreateLogStream",
        detail::encode_log_names(options.log_group_name, options.log_stream_name));
  }

  asio::awaitable<Status> put_log_events(std::vector<detail::LogEvent> events, bool create) {
    auto batches = detail::batch_log_events(std::move(events));
    if (!batches) co_return make_error(std::move(batches.error()));
    if (create) {
      Status ok = co_await ensure_stream();
      if (!ok) co_return ok;
      std::lock_guard lock(mu);
      stream_ready = true;
    }
    for (const auto& batch : *batches) {
      std::string body =
          detail::encode_put_log_events(options.log_group_name, options.log_stream_name, batch);
      log_requests.fetch_add(1, std::memory_order_relaxed);
      Status r = co_await post(logs, "Logs_20140328.PutLogEvents", std::move(body));
      if (!r) {
        r.error().message = "PutLogEvents: " + r.error().message;
        co_return r;
      }
      log_events.fetch_add(batch.size(), std::memory_order_relaxed);
    }
    co_return Status{};
  }

  Status wait(asio::awaitable<Status> op) {
    auto future = asio::co_spawn(io, std::move(op), asio::use_future);
    try {
      return future.get();
    } catch (const std::exception& e) {
      return make_error(ErrorCode::kInternal, std::string("publish failed: ") + e.what());
    }
  }
};

Publisher::Publisher(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Publisher::~Publisher() = default;

Result<std::unique_ptr<Publisher>> Publisher::create(PublisherOptions options) {
  static const aws::Environment process_env = aws::Environment::process();
  const aws::Environment& env = options.environment ? *options.environment : process_env;
  if (options.max_datums_per_request < 1 || options.max_datums_per_request > 1000) {
    return make_error(ErrorCode::kInvalidArgument, "max_datums_per_request outside 1..1000");
  }
  if (options.namespace_name.empty() || options.namespace_name.rfind("AWS/", 0) == 0) {
    return make_error(ErrorCode::kInvalidArgument,
                      "namespace must be non-empty and not start with \"AWS/\"");
  }
  auto impl = std::make_unique<Impl>();
  impl->clock = options.clock ? options.clock : Clock::real();
  auto region = aws::resolve_region(options.region, options.shared_config, env);
  if (!region) return make_error(std::move(region.error()));
  impl->region = region->region;
  auto credentials = aws::resolve_credentials(
      {.explicit_credentials = options.credentials, .shared = options.shared_config}, env);
  if (!credentials) return make_error(std::move(credentials.error()));
  impl->credentials = std::move(*credentials);
  impl->retry =
      std::make_unique<aws::RetryPolicy>(options.retry.value_or(aws::RetryOptions::standard()));

  auto metrics_ep = resolve("cloudwatch", "monitoring", impl->region, options.endpoint_url, env);
  if (!metrics_ep) return make_error(std::move(metrics_ep.error()));
  auto logs_ep =
      resolve("cloudwatch-logs", "logs", impl->region,
              options.logs_endpoint_url ? options.logs_endpoint_url : options.endpoint_url, env);
  if (!logs_ep) return make_error(std::move(logs_ep.error()));

  auto setup = [&](Service& s, aws::Endpoint ep, std::string signing_name,
                   Protocol protocol) -> Status {
    s.endpoint = std::move(ep);
    s.protocol = protocol;
    s.signer = std::make_unique<aws::Signer>(
        aws::SigningOptions{.region = impl->region, .service = std::move(signing_name)},
        impl->clock);
    http::Origin origin{.scheme = s.endpoint.tls() ? http::Scheme::kHttps : http::Scheme::kHttp,
                        .host = s.endpoint.host,
                        .port = s.endpoint.port};
    http::PoolOptions pool_options = options.pool;
    // Publishing must not show up in the statistics it publishes.
    pool_options.disable_monitoring = true;
    auto pool = http::ConnectionPool::create(impl->io.get_executor(), origin, pool_options);
    if (!pool) return make_error(std::move(pool.error()));
    s.pool.emplace(std::move(*pool));
    return {};
  };
  if (auto ok = setup(impl->metrics, *metrics_ep, "monitoring", Protocol::kQuery); !ok) {
    return make_error(std::move(ok.error()));
  }
  if (auto ok = setup(impl->logs, *logs_ep, "logs", Protocol::kJson); !ok) {
    return make_error(std::move(ok.error()));
  }
  impl->options = std::move(options);
  Impl* raw = impl.get();
  impl->thread = std::thread([raw] { raw->io.run(); });
  return std::unique_ptr<Publisher>(new Publisher(std::move(impl)));
}

Status Publisher::put_metric_data(const monitor::MonitorSnapshot& snapshot) {
  std::vector<detail::Datum> datums;
  {
    std::lock_guard lock(impl_->mu);
    datums = detail::snapshot_datums(snapshot, impl_->options.dimensions, impl_->previous);
  }
  if (datums.empty()) return {};
  return impl_->wait(
      impl_->put_metric_data(std::move(datums), aws::format_iso8601(snapshot.taken_at)));
}

Status Publisher::put_log_events(const std::vector<std::string>& messages) {
  const std::int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                  impl_->clock->wall_now().time_since_epoch())
                                  .count();
  std::vector<detail::LogEvent> events;
  events.reserve(messages.size());
  for (const auto& m : messages) events.push_back({now_ms, m});
  if (events.empty()) return {};
  bool create;
  {
    std::lock_guard lock(impl_->mu);
    create = impl_->options.create_log_stream && !impl_->stream_ready;
  }
  return impl_->wait(impl_->put_log_events(std::move(events), create));
}

monitor::Sink Publisher::metric_data_sink(const monitor::PerformanceMonitor& monitor) {
  return [this, &monitor](std::string_view) { return put_metric_data(monitor.snapshot()); };
}

monitor::Sink Publisher::emf_sink() {
  return [this](std::string_view payload) {
    std::vector<std::string> lines;
    while (!payload.empty()) {
      std::size_t nl = payload.find('\n');
      std::string_view line = payload.substr(0, nl);
      if (!line.empty()) lines.emplace_back(line);
      if (nl == std::string_view::npos) break;
      payload.remove_prefix(nl + 1);
    }
    return put_log_events(lines);
  };
}

PublisherStatistics Publisher::statistics() const {
  return PublisherStatistics{
      .metric_requests = impl_->metric_requests.load(std::memory_order_relaxed),
      .datums = impl_->datums.load(std::memory_order_relaxed),
      .log_requests = impl_->log_requests.load(std::memory_order_relaxed),
      .log_events = impl_->log_events.load(std::memory_order_relaxed),
      .errors = impl_->errors.load(std::memory_order_relaxed),
  };
}

}  // namespace awsperf::cloudwatch
