// RedisCache: the L2Store on Redis, through hiredis.
//
// - Commands run on blocking hiredis connections from a small pool, on the
//   store's own threads; callers get awaitables and never block.
// - Values are stored as one format-version byte (1) followed by the bytes; a
//   value with another first byte reads as absent (and counts as a format
//   error), so a future format can coexist with this one.
// - Keys get `key_prefix`; TTL is `SET key value PX ms`; multi_get pipelines
//   one GET per key.
// - When Redis is unreachable, calls fail fast with kUnavailable while a
//   reconnect backoff (doubling from backoff_initial to backoff_max, read on
//   the injectable clock) runs; the next call after it tries again.
// - subscribe() runs a dedicated connection on its own thread: SUBSCRIBE to
//   `channel`; when that connection drops it calls on_reset, reconnects with
//   the same backoff (in real time) and calls on_reset again once subscribed.
//
// Thread-safety: every member may be called concurrently.
#ifndef AWSPERF_CACHE_REDIS_CACHE_H_
#define AWSPERF_CACHE_REDIS_CACHE_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "awsperf/cache/l2_store.h"
#include "awsperf/core/clock.h"

namespace awsperf::cache {

struct RedisOptions {
  std::string host = "127.0.0.1";
  int port = 6379;
  // Prepended to every key. Default "awsperf:".
  std::string key_prefix = "awsperf:";
  // The invalidation channel. Default "awsperf:invalidate".
  std::string channel = "awsperf:invalidate";
  // Connections (and threads) for commands. Default 4.
  std::size_t pool_size = 4;
  std::chrono::milliseconds connect_timeout{500};
  std::chrono::milliseconds command_timeout{500};
  std::chrono::milliseconds backoff_initial{50};
  std::chrono::milliseconds backoff_max{2000};
  // Largest value accepted by set(); larger ones fail with kTooLarge. Default 16 MiB.
  std::size_t max_value_bytes = 16u << 20;
  // Backoff deadlines read this clock; null = Clock::real(). Not owned.
  Clock* clock = nullptr;
};

struct RedisStats {
  std::uint64_t commands = 0;       // commands sent
  std::uint64_t failures = 0;       // commands that failed (I/O, protocol, unavailable)
  std::uint64_t connects = 0;       // successful (re)connections of the pool
  std::uint64_t format_errors = 0;  // values with an unknown format byte
  std::uint64_t subscriptions = 0;  // successful SUBSCRIBEs
  std::uint64_t subscription_drops = 0;
  std::uint64_t messages = 0;  // invalidation messages received
};

class RedisCache final : public L2Store {
 public:
  explicit RedisCache(RedisOptions options);
  ~RedisCache() override;
  RedisCache(const RedisCache&) = delete;
  RedisCache& operator=(const RedisCache&) = delete;

  boost::asio::awaitable<Result<std::optional<std::string>>> get(std::string key) override;
  boost::asio::awaitable<Result<std::vector<std::optional<std::string>>>> multi_get(
      std::vector<std::string> keys) override;
  boost::asio::awaitable<Status> set(std::string key, std::string value,
                                     std::chrono::milliseconds ttl) override;
  boost::asio::awaitable<Status> del(std::string key) override;
  boost::asio::awaitable<Status> publish(std::string message) override;
  void subscribe(std::function<void(std::string_view message)> on_message,
                 std::function<void()> on_reset) override;

  // Blocking forms, for programs without an event loop.
  Result<std::optional<std::string>> get_blocking(const std::string& key);
  Result<std::vector<std::optional<std::string>>> multi_get_blocking(
      const std::vector<std::string>& keys);
  Status set_blocking(const std::string& key, const std::string& value,
                      std::chrono::milliseconds ttl);
  Status del_blocking(const std::string& key);
  Status publish_blocking(const std::string& message);

  // True while the invalidation subscription is established.
  bool subscribed() const;
  RedisStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace awsperf::cache

#endif  // AWSPERF_CACHE_REDIS_CACHE_H_
