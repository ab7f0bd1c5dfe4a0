// Bedrock Runtime InvokeModel (POST /model/{modelId}/invoke, SigV4 signing
// name "bedrock"), on a connection pool, retried by the standard policy and
// recorded in the PerformanceMonitor as "bedrock.InvokeModel" (answers served
// from the cache as "bedrock.InvokeModel.Cached").
//
// The response cache is opt-in (ClientOptions::cache_responses, or per
// request InvokeModelRequest::use_cache): model output is repeatable only
// when the request makes it so (temperature 0, a fixed seed), which only the
// caller knows. Entries are keyed by the model id, the content type, the
// accept type and the exact request body, byte for byte; concurrent identical
// requests share one call (single-flight). Only successful answers are cached.
//
// Thread-safety: a Client may be used from many coroutines and threads at
// once. BlockingClient's methods may be called concurrently from any thread.
#ifndef AWSPERF_BEDROCK_CLIENT_H_
#define AWSPERF_BEDROCK_CLIENT_H_

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "awsperf/aws/credentials.h"
#include "awsperf/aws/environment.h"
#include "awsperf/aws/retry.h"
#include "awsperf/cache/cache.h"
#include "awsperf/core/clock.h"
#include "awsperf/core/result.h"
#include "awsperf/http/connection_pool.h"

namespace awsperf::monitor {
class PerformanceMonitor;
}

namespace awsperf::bedrock {

struct InvokeModelRequest {
  // A model id or ARN, e.g. "anthropic.claude-3-haiku-20240307-v1:0".
  std::string model_id;
  // The model's native request document.
  std::string body;
  std::string content_type = "application/json";
  std::string accept = "application/json";
  // Overrides ClientOptions::cache_responses for this request.
  std::optional<bool> use_cache;
};

struct InvokeModelResponse {
  std::string body;
  std::string content_type;
  // True when the answer came from the response cache (no request was sent).
  bool from_cache = false;
};

struct ClientOptions {
  // Unset: AWS_ENDPOINT_URL_BEDROCK_RUNTIME, AWS_ENDPOINT_URL, else
  // https://bedrock-runtime.<region>.amazonaws.com.
  std::optional<std::string> endpoint_url;
  std::optional<std::string> region;
  std::optional<aws::Credentials> credentials;
  aws::SharedConfigOptions shared_config;
  http::PoolOptions pool;
  // Unset: aws::RetryOptions::standard(), with max_attempts from
  // AWS_MAX_ATTEMPTS or the profile's max_attempts when set. Set: used as given.
  std::optional<aws::RetryOptions> retry;
  // Cache successful responses. Default off (see the top comment).
  bool cache_responses = false;
  // Limits of the response cache; the weight of an entry is its key (the
  // request) plus its response body, in bytes. Defaults: 1000 entries,
  // 50 MiB, 5 minutes.
  cache::CacheOptions cache;
  // Larger request bodies are kInvalidArgument before sending. Default 25 MB,
  // the InvokeModel payload limit.
  std::size_t max_request_body_bytes = 25'000'000;
  monitor::PerformanceMonitor* monitor = nullptr;  // null: monitor::global()
  const aws::Environment* environment = nullptr;   // null: the process environment
  Clock* clock = nullptr;                          // null: Clock::real()
};

struct ClientStatistics {
  std::uint64_t calls = 0;     // invoke_model() calls
  std::uint64_t attempts = 0;  // HTTP requests sent, retries included
  std::uint64_t errors = 0;
  std::uint64_t cache_hits = 0;    // answered from the cache
  std::uint64_t cache_misses = 0;  // cache consulted, request sent
  aws::RetryStats retry;
  http::PoolStatistics pool;
};

class Client {
 public:
  static Result<std::unique_ptr<Client>> create(boost::asio::any_io_executor executor,
                                                ClientOptions options = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  boost::asio::awaitable<Result<InvokeModelResponse>> invoke_model(InvokeModelRequest request);

  ClientStatistics statistics() const;
  std::string endpoint() const;

  struct Impl;

 private:
  explicit Client(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

class BlockingClient {
 public:
  static Result<std::unique_ptr<BlockingClient>> create(ClientOptions options = {});
  ~BlockingClient();
  BlockingClient(const BlockingClient&) = delete;
  BlockingClient& operator=(const BlockingClient&) = delete;

  Result<InvokeModelResponse> invoke_model(InvokeModelRequest request);
  Client& async_client();
  ClientStatistics statistics() const;

 private:
  struct State;
  explicit BlockingClient(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace awsperf::bedrock

#endif  // AWSPERF_BEDROCK_CLIENT_H_
