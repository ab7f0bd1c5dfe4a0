// The second level of a MultiLevelCache: a shared byte store with TTL, and
// optionally an invalidation channel between the processes sharing it.
// RedisCache (redis_cache.h) is the implementation on Redis.
//
// Thread-safety: implementations must allow every member to be called
// concurrently from any thread.
#ifndef AWSPERF_CACHE_L2_STORE_H_
#define AWSPERF_CACHE_L2_STORE_H_

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "awsperf/core/result.h"

namespace awsperf::cache {

class L2Store {
 public:
  virtual ~L2Store() = default;

  // The value, nullopt when absent.
  virtual boost::asio::awaitable<Result<std::optional<std::string>>> get(std::string key) = 0;
  // One answer per key, in order.
  virtual boost::asio::awaitable<Result<std::vector<std::optional<std::string>>>> multi_get(
      std::vector<std::string> keys) = 0;
  // Stores with a time to live; zero = no expiry.
  virtual boost::asio::awaitable<Status> set(std::string key, std::string value,
                                             std::chrono::milliseconds ttl) = 0;
  virtual boost::asio::awaitable<Status> del(std::string key) = 0;

  // Invalidation channel. publish() sends `message` to every subscriber
  // (including this process). subscribe() delivers each message to
  // on_message, and calls on_reset whenever the subscription is (re)made or
  // lost, since messages may have been missed; both run on an internal
  // thread. The defaults: no channel.
  virtual boost::asio::awaitable<Status> publish(std::string message) {
    (void)message;
    co_return Status{};
  }
  virtual void subscribe(std::function<void(std::string_view message)> on_message,
                         std::function<void()> on_reset) {
    (void)on_message;
    (void)on_reset;
  }
};

}  // namespace awsperf::cache

#endif  // AWSPERF_CACHE_L2_STORE_H_
