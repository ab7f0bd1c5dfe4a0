// MultiLevelCache: an in-process Cache (L1) in front of a shared L2Store
// (Redis), in front of the origin (the loader).
//
// - Reads go L1 -> L2 -> loader and fill upward (a value from the loader is
//   written to L2 with l2_ttl, then to L1). Concurrent misses on one key in
//   one process share one L2 read and one loader call.
// - Writes (put) and invalidations go to both levels, then publish the key on
//   the L2 channel; every other instance subscribed drops it from its L1.
//   When the subscription drops or is re-made, the instance clears its L1 (it
//   cannot know what it missed).
// - L2 failures never reach the caller: they are counted, L1 and the loader
//   keep serving, and the L2 store reconnects by itself. Errors of the loader
//   (the origin) do reach the caller.
// - Coherence is eventual: another instance drops its copy when the
//   invalidation message arrives (typically well under a millisecond on a
//   LAN), and an instance that lost its subscription serves only what it
//   loaded itself until it resubscribes and clears.
//
// TypedCache<T, Codec> is the typed facade over the byte-level cache.
//
// Thread-safety: every member may be called concurrently, from threads or
// coroutines on any executor.
#ifndef AWSPERF_CACHE_MULTI_LEVEL_H_
#define AWSPERF_CACHE_MULTI_LEVEL_H_

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <concepts>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "awsperf/cache/cache.h"
#include "awsperf/cache/l2_store.h"

namespace awsperf::cache {

struct MultiLevelOptions {
  // The L1 cache (its ttl also bounds how long a missed invalidation can
  // leave a stale value in L1).
  CacheOptions l1;
  // Time to live of values written to L2. Default 5 minutes.
  std::chrono::milliseconds l2_ttl = std::chrono::minutes(5);
  // Publish and subscribe invalidations on the L2 channel. Default on.
  bool coherence = true;
};

struct MultiLevelStats {
  CacheStats l1;
  std::uint64_t l2_hits = 0;
  std::uint64_t l2_misses = 0;
  std::uint64_t l2_errors = 0;  // L2 calls that failed (swallowed)
  std::uint64_t invalidations_received = 0;
  std::uint64_t l1_resets = 0;  // L1 cleared after a subscription change
};

struct MultiLevelHook;

class MultiLevelCache {
 public:
  using Value = std::string;
  // The origin: the value, nullopt when the key does not exist, or an error.
  using Loader =
      std::function<boost::asio::awaitable<Result<std::optional<std::string>>>(const std::string&)>;

  MultiLevelCache(MultiLevelOptions options, std::shared_ptr<L2Store> l2);
  ~MultiLevelCache();
  MultiLevelCache(const MultiLevelCache&) = delete;
  MultiLevelCache& operator=(const MultiLevelCache&) = delete;

  // L1 -> L2 -> loader. nullopt: the key does not exist (cached negatively in L1).
  boost::asio::awaitable<Result<std::optional<std::string>>> get(std::string key, Loader loader);
  // L1 -> L2 only; never fails (an L2 failure reads as a miss).
  boost::asio::awaitable<std::optional<std::string>> get(std::string key);
  // L1, then one pipelined L2 read for the keys L1 lacks. One answer per key.
  boost::asio::awaitable<std::vector<std::optional<std::string>>> get_many(
      std::vector<std::string> keys);
  // Writes to L1 and L2 and tells the other instances.
  boost::asio::awaitable<void> put(std::string key, std::string value);
  // Removes from L1 and L2 and tells the other instances.
  boost::asio::awaitable<void> invalidate(std::string key);

  Cache<std::string, std::string>& l1() { return l1_; }
  MultiLevelStats stats() const;
  // This instance's id in invalidation messages.
  const std::string& instance_id() const { return id_; }

 private:
  void on_message(std::string_view message);
  void on_reset();

  MultiLevelOptions options_;
  std::shared_ptr<L2Store> l2_;
  Cache<std::string, std::string> l1_;
  std::string id_;
  std::atomic<std::uint64_t> l2_hits_{0}, l2_misses_{0}, l2_errors_{0};
  std::atomic<std::uint64_t> invalidations_{0}, resets_{0};
  std::shared_ptr<MultiLevelHook> hook_;
};

// A Codec turns a T into bytes and back; decode reports malformed bytes.
template <typename C, typename T>
concept Codec = requires(const T& value, std::string_view bytes) {
  { C::encode(value) } -> std::convertible_to<std::string>;
  { C::decode(bytes) } -> std::same_as<Result<T>>;
};

// The typed facade: values of T through Codec C over a MultiLevelCache.
template <typename T, typename C>
requires Codec<C, T>
class TypedCache {
 public:
  using Loader =
      std::function<boost::asio::awaitable<Result<std::optional<T>>>(const std::string&)>;

  explicit TypedCache(MultiLevelCache& cache) : cache_(cache) {}

  // A value that fails to decode is reported as kParse (and not trusted).
  boost::asio::awaitable<Result<std::optional<T>>> get(std::string key, Loader loader) {
    auto bytes = co_await cache_.get(std::move(key), Adapter{std::move(loader)});
    co_return decode(std::move(bytes));
  }
  boost::asio::awaitable<void> put(std::string key, const T& value) {
    co_await cache_.put(std::move(key), C::encode(value));
  }
  boost::asio::awaitable<void> invalidate(std::string key) {
    co_await cache_.invalidate(std::move(key));
  }

 private:
  // A named callable (not a capturing coroutine lambda: GCC 12 mishandles those).
  struct Adapter {
    Loader loader;
    boost::asio::awaitable<Result<std::optional<std::string>>> operator()(
        const std::string& key) const {
      return adapt(loader, key);
    }
    static boost::asio::awaitable<Result<std::optional<std::string>>> adapt(Loader loader,
                                                                            std::string key) {
      auto r = co_await loader(key);
      if (!r) co_return std::unexpected(std::move(r.error()));
      if (!*r) co_return std::optional<std::string>();
      co_return std::optional<std::string>(C::encode(**r));
    }
  };
  static Result<std::optional<T>> decode(Result<std::optional<std::string>> bytes) {
    if (!bytes) return std::unexpected(std::move(bytes.error()));
    if (!*bytes) return std::optional<T>();
    auto v = C::decode(**bytes);
    if (!v) return std::unexpected(std::move(v.error()));
    return std::optional<T>(std::move(*v));
  }

  MultiLevelCache& cache_;
};

}  // namespace awsperf::cache

#endif  // AWSPERF_CACHE_MULTI_LEVEL_H_
