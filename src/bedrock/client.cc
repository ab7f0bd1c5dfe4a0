#include "awsperf/bedrock/client.h"

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <future>
#include <thread>

#include "awsperf/aws/client_config.h"
#include "awsperf/aws/encoding.h"
#include "awsperf/aws/endpoint.h"
#include "awsperf/aws/error.h"
#include "awsperf/aws/signer.h"
#include "awsperf/cache/async.h"
#include "awsperf/monitor/monitor.h"

namespace awsperf::bedrock {

namespace asio = boost::asio;

using ResponseCache = cache::Cache<std::string, InvokeModelResponse>;

struct Client::Impl {
  asio::any_io_executor executor;
  aws::Endpoint endpoint;
  std::string region;
  aws::Credentials credentials;
  std::unique_ptr<aws::Signer> signer;
  std::optional<http::ConnectionPool> pool;
  std::unique_ptr<aws::RetryPolicy> retry;
  std::unique_ptr<ResponseCache> cache;
  monitor::OperationRef op, op_cached;
  Clock* clock = nullptr;
  ClientOptions options;

  std::atomic<std::uint64_t> calls{0}, attempts{0}, errors{0}, hits{0}, misses{0};

  asio::awaitable<Result<InvokeModelResponse>> send_once(const InvokeModelRequest& r) {
    // The path carries the id encoded once; the signer encodes it again for
    // the canonical request, as SigV4 wants for every service but S3.
    const std::string path =
        endpoint.base_path + "/model/" + aws::uri_encode(r.model_id) + "/invoke";
    const std::string host = endpoint.host_header();
    std::array<aws::HeaderView, 3> headers = {{
        {"host", host},
        {"content-type", r.content_type},
        {"accept", r.accept},
    }};
    aws::RequestView view{.method = "POST", .path = path, .headers = headers, .body = r.body};
    auto signature = signer->sign(view, credentials);
    if (!signature) co_return make_error(std::move(signature.error()));
    http::Request request;
    request.method = "POST";
    request.target = path;
    request.operation = "http.bedrock.InvokeModel";
    request.headers.set("Content-Type", r.content_type);
    request.headers.set("Accept", r.accept);
    for (auto& h : signature->headers) request.headers.set(h.name, h.value);
    request.body = r.body;
    attempts.fetch_add(1, std::memory_order_relaxed);
    Result<http::Response> response = co_await pool->async_request(std::move(request));
    if (!response) co_return make_error(std::move(response.error()));
    if (response->status < 200 || response->status >= 300) {
      co_return make_error(aws::parse_json_error(
          {.http_status = response->status,
           .body = response->body,
           .request_id = response->headers.get("x-amzn-RequestId").value_or(""),
           .error_type_header = response->headers.get("x-amzn-ErrorType").value_or("")}));
    }
    InvokeModelResponse out;
    out.content_type = std::string(response->headers.get("Content-Type").value_or(""));
    out.body = std::move(response->body);
    co_return out;
  }

  asio::awaitable<Result<InvokeModelResponse>> send(std::shared_ptr<const InvokeModelRequest> r) {
    aws::RetryState state;
    for (;;) {
      Result<InvokeModelResponse> result = co_await send_once(*r);
      if (result) {
        retry->on_success(state);
        co_return result;
      }
      auto delay = retry->should_retry(result.error(), state);
      if (!delay) co_return result;
      asio::steady_timer timer(executor, *delay);
      co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
  }

  // Records the call and completes the result.
  Result<InvokeModelResponse> finish(Result<InvokeModelResponse> result, bool sent,
                                     Clock::time_point start, const InvokeModelRequest& r) {
    const auto latency = clock->now() - start;
    monitor::OperationRef& ref = sent ? op : op_cached;
    if (result) {
      result->from_cache = !sent;
      ref.record(latency);
    } else {
      errors.fetch_add(1, std::memory_order_relaxed);
      ref.record(latency, monitor::detail::error_label(result.error()));
      result.error().message = "InvokeModel " + r.model_id + ": " + result.error().message;
    }
    return result;
  }

  static std::string cache_key(const InvokeModelRequest& r) {
    std::string key;
    key.reserve(r.model_id.size() + r.content_type.size() + r.accept.size() + r.body.size() + 3);
    // '\0' cannot occur in the ids or media types, so the fields cannot run
    // into each other.
    key += r.model_id;
    key += '\0';
    key += r.content_type;
    key += '\0';
    key += r.accept;
    key += '\0';
    key += r.body;
    return key;
  }
};

Client::Client(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Client::~Client() {
  if (impl_ && impl_->pool) impl_->pool->shutdown();
}

Result<std::unique_ptr<Client>> Client::create(asio::any_io_executor executor,
                                               ClientOptions options) {
  static const aws::Environment process_env = aws::Environment::process();
  const aws::Environment& env = options.environment ? *options.environment : process_env;
  auto impl = std::make_unique<Impl>();
  impl->executor = executor;
  impl->clock = options.clock ? options.clock : Clock::real();
  monitor::PerformanceMonitor* m = options.monitor ? options.monitor : &monitor::global();

  auto config =
      aws::resolve_client_config({.service = "bedrock-runtime",
                                  .signing_name = "bedrock",
                                  .region = options.region,
                                  .endpoint_url = options.endpoint_url,
                                  .credentials = {.explicit_credentials = options.credentials,
                                                  .shared = options.shared_config}},
                                 env);
  if (!config) return make_error(std::move(config.error()));
  impl->region = config->region.region;
  impl->endpoint = config->endpoint.endpoint;
  impl->credentials = std::move(config->credentials);
  impl->signer = std::make_unique<aws::Signer>(std::move(config->signing), impl->clock);
  impl->retry = std::make_unique<aws::RetryPolicy>(options.retry.value_or(config->retry));

  http::PoolOptions pool_options = options.pool;
  if (!pool_options.monitor) pool_options.monitor = m;
  http::Origin origin{.scheme = impl->endpoint.tls() ? http::Scheme::kHttps : http::Scheme::kHttp,
                      .host = impl->endpoint.host,
                      .port = impl->endpoint.port};
  auto pool = http::ConnectionPool::create(executor, std::move(origin), std::move(pool_options));
  if (!pool) return make_error(std::move(pool.error()));
  impl->pool.emplace(std::move(*pool));

  cache::CacheOptions cache_options = options.cache;
  if (!cache_options.clock) cache_options.clock = impl->clock;
  impl->cache = std::make_unique<ResponseCache>(
      cache_options,
      ResponseCache::Hooks{.weigher = [](const std::string& key, const InvokeModelResponse& v) {
        return key.size() + v.body.size() + v.content_type.size() + sizeof(InvokeModelResponse);
      }});
  impl->op = m->operation("bedrock.InvokeModel");
  impl->op_cached = m->operation("bedrock.InvokeModel.Cached");
  impl->options = std::move(options);
  return std::unique_ptr<Client>(new Client(std::move(impl)));
}

asio::awaitable<Result<InvokeModelResponse>> Client::invoke_model(InvokeModelRequest request) {
  Impl& impl = *impl_;
  impl.calls.fetch_add(1, std::memory_order_relaxed);
  const Clock::time_point start = impl.clock->now();
  if (request.model_id.empty()) {
    impl.errors.fetch_add(1, std::memory_order_relaxed);
    co_return make_error(ErrorCode::kInvalidArgument, "InvokeModel: model_id is empty");
  }
  if (request.body.size() > impl.options.max_request_body_bytes) {
    impl.errors.fetch_add(1, std::memory_order_relaxed);
    co_return make_error(ErrorCode::kTooLarge,
                         "InvokeModel: request body of " + std::to_string(request.body.size()) +
                             " bytes exceeds max_request_body_bytes " +
                             std::to_string(impl.options.max_request_body_bytes));
  }
  const bool use_cache = request.use_cache.value_or(impl.options.cache_responses);
  auto shared = std::make_shared<const InvokeModelRequest>(std::move(request));

  if (!use_cache) {
    Result<InvokeModelResponse> sent = co_await impl.send(shared);
    co_return impl.finish(std::move(sent), true, start, *shared);
  }
  // The loader runs only on a miss (once per key however many callers miss
  // together); `loaded` tells this caller whether it was the one.
  auto loaded = std::make_shared<bool>(false);
  Impl* self = &impl;
  auto loader = [self, shared, loaded](const std::string&) {
    *loaded = true;
    return self->send(shared);
  };
  std::string key = Impl::cache_key(*shared);
  Result<InvokeModelResponse> cached =
      co_await cache::get_or_load_async(*impl.cache, std::move(key), std::move(loader));
  (*loaded ? impl.misses : impl.hits).fetch_add(1, std::memory_order_relaxed);
  co_return impl.finish(std::move(cached), *loaded, start, *shared);
}

ClientStatistics Client::statistics() const {
  return ClientStatistics{
      .calls = impl_->calls.load(std::memory_order_relaxed),
      .attempts = impl_->attempts.load(std::memory_order_relaxed),
      .errors = impl_->errors.load(std::memory_order_relaxed),
      .cache_hits = impl_->hits.load(std::memory_order_relaxed),
      .cache_misses = impl_->misses.load(std::memory_order_relaxed),
      .retry = impl_->retry->stats(),
      .pool = impl_->pool->statistics(),
  };
}

std::string Client::endpoint() const { return impl_->endpoint.to_string(); }

struct BlockingClient::State {
  asio::io_context io{1};
  asio::executor_work_guard<asio::io_context::executor_type> work{asio::make_work_guard(io)};
  std::unique_ptr<Client> client;
  std::thread thread;
  ~State() {
    client.reset();
    work.reset();
    io.stop();
    if (thread.joinable()) thread.join();
  }
};

BlockingClient::BlockingClient(std::unique_ptr<State> state) : state_(std::move(state)) {}
BlockingClient::~BlockingClient() = default;

Result<std::unique_ptr<BlockingClient>> BlockingClient::create(ClientOptions options) {
  auto state = std::make_unique<State>();
  auto client = Client::create(state->io.get_executor(), std::move(options));
  if (!client) return make_error(std::move(client.error()));
  state->client = std::move(*client);
  State* raw = state.get();
  state->thread = std::thread([raw] { raw->io.run(); });
  return std::unique_ptr<BlockingClient>(new BlockingClient(std::move(state)));
}

Result<InvokeModelResponse> BlockingClient::invoke_model(InvokeModelRequest request) {
  auto future = asio::co_spawn(state_->io, state_->client->invoke_model(std::move(request)),
                               asio::use_future);
  try {
    return future.get();
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal, std::string("call failed: ") + e.what());
  }
}

Client& BlockingClient::async_client() { return *state_->client; }
ClientStatistics BlockingClient::statistics() const { return state_->client->statistics(); }

}  // namespace awsperf::bedrock
