// Client and ConnectionPoolManager: one ConnectionPool per origin, created on
// first use, and a blocking facade for programs without coroutines.
//
// Thread-safety: every method of ConnectionPoolManager, Client and
// BlockingClient may be called concurrently from any thread.
#ifndef AWSPERF_HTTP_CLIENT_H_
#define AWSPERF_HTTP_CLIENT_H_

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "awsperf/core/result.h"
#include "awsperf/http/connection_pool.h"
#include "awsperf/http/message.h"

namespace awsperf::http {

struct ManagerStatistics {
  std::vector<PoolStatistics> pools;  // ordered by origin
  PoolStatistics total;               // origin "total"
};

class ConnectionPoolManager {
 public:
  // `defaults` configure every pool created on demand.
  ConnectionPoolManager(boost::asio::any_io_executor executor, PoolOptions defaults = {});
  ~ConnectionPoolManager();

  ConnectionPoolManager(const ConnectionPoolManager&) = delete;
  ConnectionPoolManager& operator=(const ConnectionPoolManager&) = delete;

  // The pool of `origin`, created with the defaults on first use.
  Result<ConnectionPool> pool(const Origin& origin);
  // Creates (or replaces, for later requests) the pool of `origin` with its
  // own options.
  Result<ConnectionPool> configure(const Origin& origin, PoolOptions options);

  // Every pool's statistics and their sum, in one call.
  ManagerStatistics statistics() const;
  // evict_idle() on every pool; returns the number closed.
  std::size_t evict_idle();
  void shutdown();

 private:
  boost::asio::any_io_executor executor_;
  PoolOptions defaults_;
  mutable std::mutex mutex_;
  std::map<Origin, ConnectionPool> pools_;
};

class Client {
 public:
  Client(boost::asio::any_io_executor executor, PoolOptions defaults = {});

  boost::asio::awaitable<Result<Response>> async_request(const Origin& origin, Request request);
  // Parses `url` and uses its path and query as the target.
  boost::asio::awaitable<Result<Response>> async_request(std::string_view url, Request request);

  ConnectionPoolManager& pools() { return manager_; }

 private:
  ConnectionPoolManager manager_;
};

// Runs its own io_context on one background thread; request() blocks the
// caller until the response is complete.
class BlockingClient {
 public:
  explicit BlockingClient(PoolOptions defaults = {});
  ~BlockingClient();
  BlockingClient(const BlockingClient&) = delete;
  BlockingClient& operator=(const BlockingClient&) = delete;

  Result<Response> request(const Origin& origin, Request request);
  Result<Response> request(std::string_view url, Request request = {});

  ConnectionPoolManager& pools();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace awsperf::http

#endif  // AWSPERF_HTTP_CLIENT_H_
