#include "awsperf/cache/async.h"

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <string>
#include <vector>

namespace awsperf::cache {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

TEST(AsyncCacheTest, CoroutineLoadsAreSingleFlight) {
  ManualClock clock;
  Cache<std::string, std::string> cache(CacheOptions{.auto_cleanup = false, .clock = &clock});
  asio::io_context io;
  asio::steady_timer gate(io, asio::steady_timer::time_point::max());
  int calls = 0;
  auto loader = [&](const std::string& k) -> asio::awaitable<Result<std::string>> {
    ++calls;
    // Held until the test opens the gate, so every other coroutine misses too.
    co_await gate.async_wait(asio::as_tuple(asio::use_awaitable));
    co_return "v-" + k;
  };
  std::vector<std::string> got;
  for (int i = 0; i < 20; ++i) {
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          auto r = co_await get_or_load_async(cache, std::string("key"), loader);
          got.push_back(r ? *r : r.error().to_string());
        },
        asio::detached);
  }
  io.poll();
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(got.empty());
  EXPECT_EQ(cache.stats().misses, 20u);
  gate.cancel();
  io.run();
  ASSERT_EQ(got.size(), 20u);
  for (auto& g : got) EXPECT_EQ(g, "v-key");
  EXPECT_EQ(cache.get("key"), "v-key");
  EXPECT_EQ(cache.stats().loads, 1u);
}

TEST(AsyncCacheTest, NegativeErrorAndRefreshPaths) {
  ManualClock clock;
  Cache<std::string, std::string> cache(
      CacheOptions{.ttl = 10min, .auto_cleanup = false, .refresh_after = 1min, .clock = &clock});
  asio::io_context io;
  int absent_calls = 0;
  int version = 0;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        auto absent =
            [&](const std::string&) -> asio::awaitable<Result<std::optional<std::string>>> {
          ++absent_calls;
          co_return std::nullopt;
        };
        auto a = co_await get_or_load_async(cache, std::string("ghost"), absent);
        EXPECT_TRUE(a && !a->has_value());
        a = co_await get_or_load_async(cache, std::string("ghost"), absent);
        EXPECT_TRUE(a && !a->has_value());
        EXPECT_EQ(absent_calls, 1);

        auto failing = [](const std::string&) -> asio::awaitable<Result<std::string>> {
          co_return make_error(ErrorCode::kUnavailable, "origin down");
        };
        auto f = co_await get_or_load_async(cache, std::string("f"), failing);
        EXPECT_FALSE(f);
        EXPECT_EQ(f.error().code, ErrorCode::kUnavailable);

        auto versioned = [&](const std::string&) -> asio::awaitable<Result<std::string>> {
          co_return "v" + std::to_string(++version);
        };
        auto v = co_await get_or_load_async(cache, std::string("r"), versioned);
        EXPECT_EQ(*v, "v1");
        clock.advance(2min);
        v = co_await get_or_load_async(cache, std::string("r"), versioned);
        EXPECT_EQ(*v, "v1");  // served at once; the reload is spawned
      },
      asio::detached);
  io.run();
  EXPECT_EQ(version, 2);
  EXPECT_EQ(cache.get("r"), "v2");
  EXPECT_EQ(cache.stats().load_failures, 1u);
}

}  // namespace
}  // namespace awsperf::cache
