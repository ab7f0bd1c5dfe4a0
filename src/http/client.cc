#include "awsperf/http/client.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <exception>
#include <future>
#include <thread>

namespace awsperf::http {

namespace asio = boost::asio;

namespace {

asio::awaitable<Result<Response>> ready(Result<Response> result) { co_return result; }

}  // namespace

// --- ConnectionPoolManager ---------------------------------------------------

ConnectionPoolManager::ConnectionPoolManager(asio::any_io_executor executor, PoolOptions defaults)
    : executor_(std::move(executor)), defaults_(std::move(defaults)) {}

ConnectionPoolManager::~ConnectionPoolManager() = default;

Result<ConnectionPool> ConnectionPoolManager::pool(const Origin& origin) {
  std::lock_guard lock(mutex_);
  if (auto it = pools_.find(origin); it != pools_.end()) return it->second;
  Result<ConnectionPool> created = ConnectionPool::create(executor_, origin, defaults_);
  if (created) pools_.emplace(origin, *created);
  return created;
}

Result<ConnectionPool> ConnectionPoolManager::configure(const Origin& origin, PoolOptions options) {
  Result<ConnectionPool> created = ConnectionPool::create(executor_, origin, std::move(options));
  if (!created) return created;
  std::lock_guard lock(mutex_);
  if (auto it = pools_.find(origin); it != pools_.end()) {
    // Requests in flight keep the old pool alive; its idle sockets go now.
    it->second.shutdown();
    it->second = *created;
  } else {
    pools_.emplace(origin, *created);
  }
  return created;
}

ManagerStatistics ConnectionPoolManager::statistics() const {
  ManagerStatistics out;
  out.total.origin = "total";
  std::lock_guard lock(mutex_);
  out.pools.reserve(pools_.size());
  for (const auto& [origin, pool] : pools_) {
    out.pools.push_back(pool.statistics());
    out.total.merge(out.pools.back());
  }
  return out;
}

std::size_t ConnectionPoolManager::evict_idle() {
  std::lock_guard lock(mutex_);
  std::size_t closed = 0;
  for (auto& [origin, pool] : pools_) closed += pool.evict_idle();
  return closed;
}

void ConnectionPoolManager::shutdown() {
  std::lock_guard lock(mutex_);
  for (auto& [origin, pool] : pools_) pool.shutdown();
}

// --- Client ------------------------------------------------------------------

Client::Client(asio::any_io_executor executor, PoolOptions defaults)
    : manager_(std::move(executor), std::move(defaults)) {}

asio::awaitable<Result<Response>> Client::async_request(const Origin& origin, Request request) {
  Result<ConnectionPool> pool = manager_.pool(origin);
  if (!pool) return ready(make_error(std::move(pool.error())));
  return pool->async_request(std::move(request));
}

asio::awaitable<Result<Response>> Client::async_request(std::string_view url, Request request) {
  Result<Url> parsed = parse_url(url);
  if (!parsed) return ready(make_error(std::move(parsed.error())));
  request.target = std::move(parsed->target);
  return async_request(parsed->origin, std::move(request));
}

// --- BlockingClient ----------------------------------------------------------

struct BlockingClient::State {
  explicit State(PoolOptions defaults)
      : work(asio::make_work_guard(io)), client(io.get_executor(), std::move(defaults)) {
    thread = std::thread([this] { io.run(); });
  }
  ~State() {
    client.pools().shutdown();
    work.reset();
    io.stop();
    thread.join();
  }

  Result<Response> wait(asio::awaitable<Result<Response>> op) {
    std::future<Result<Response>> future = asio::co_spawn(io, std::move(op), asio::use_future);
    try {
      return future.get();
    } catch (const std::exception& e) {
      // The request path does not throw; this is a bug or bad_alloc.
      return make_error(ErrorCode::kInternal, std::string("request failed: ") + e.what());
    }
  }

  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work;
  Client client;
  std::thread thread;
};

BlockingClient::BlockingClient(PoolOptions defaults)
    : state_(std::make_unique<State>(std::move(defaults))) {}

BlockingClient::~BlockingClient() = default;

Result<Response> BlockingClient::request(const Origin& origin, Request request) {
  return state_->wait(state_->client.async_request(origin, std::move(request)));
}

Result<Response> BlockingClient::request(std::string_view url, Request request) {
  return state_->wait(state_->client.async_request(url, std::move(request)));
}

ConnectionPoolManager& BlockingClient::pools() { return state_->client.pools(); }

}  // namespace awsperf::http
