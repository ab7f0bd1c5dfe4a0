#include "awsperf/workload/load_driver.h"

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

namespace awsperf::workload {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

Result<LoadResult> run(LoadOptions options, OperationFn op) {
  asio::io_context io;
  auto f = asio::co_spawn(io, run_load(options, std::move(op)), asio::use_future);
  io.run();
  return f.get();
}

asio::awaitable<Status> sleep_for(std::chrono::nanoseconds d) {
  asio::steady_timer t(co_await asio::this_coro::executor, d);
  co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
  co_return Status{};
}

TEST(LoadDriverTest, ClosedLoopRunsExactlyMaxOps) {
  int calls = 0;
  auto r = run({.mode = LoadOptions::Mode::kClosedLoop, .concurrency = 4, .max_ops = 100},
               [&]() -> asio::awaitable<Status> {
                 ++calls;
                 co_return co_await sleep_for(100us);
               });
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(r->ops, 100u);
  EXPECT_EQ(calls, 100);
  EXPECT_EQ(r->latency.count(), 100u);
  EXPECT_GE(r->latency.min(), 100'000u);  // never faster than the operation
  EXPECT_GT(r->throughput, 0);
}

TEST(LoadDriverTest, OpenLoopFollowsTheSchedule) {
  int calls = 0;
  auto r = run({.mode = LoadOptions::Mode::kOpenLoop,
                .rate_per_second = 2000,
                .duration = 100ms,
                .warmup = 50ms},
               [&]() -> asio::awaitable<Status> {
                 ++calls;
                 co_return Status{};
               });
  ASSERT_TRUE(r.has_value());
  // 0.1 s at 2000/s, the warm-up's 100 not counted.
  EXPECT_EQ(r->ops, 200u);
  EXPECT_EQ(calls, 300);
  EXPECT_EQ(r->offered_rate, 2000);
}

// The point of the open loop: a stall delays every operation scheduled
// during it, and the driver charges them for it, where a closed loop records
// a single slow sample.
TEST(LoadDriverTest, OpenLoopHasNoCoordinatedOmission) {
  auto stall_once = [](std::shared_ptr<int> n) {
    return [n]() -> asio::awaitable<Status> {
      if ((*n)++ == 10) co_return co_await sleep_for(50ms);
      co_return co_await sleep_for(0ns);
    };
  };
  // Open loop with one operation in flight at a time, so the stall blocks
  // the operations behind it.
  auto open = run({.mode = LoadOptions::Mode::kOpenLoop,
                   .rate_per_second = 1000,
                   .max_ops = 100,
                   .max_in_flight = 1},
                  stall_once(std::make_shared<int>(0)));
  auto closed = run({.mode = LoadOptions::Mode::kClosedLoop, .concurrency = 1, .max_ops = 100},
                    stall_once(std::make_shared<int>(0)));
  ASSERT_TRUE(open.has_value());
  ASSERT_TRUE(closed.has_value());
  // Closed loop: one slow sample in 100, so the median is unaffected and
  // only the top 1% sees the stall.
  EXPECT_LT(closed->latency.quantile(0.5), 5'000'000u);
  EXPECT_LT(closed->latency.quantile(0.98), 5'000'000u);
  // Open loop: the ~50 operations scheduled during the stall each waited.
  EXPECT_GT(open->latency.quantile(0.75), 10'000'000u);
  EXPECT_GT(open->delayed_starts, 0u);
}

TEST(LoadDriverTest, ErrorsAreCountedByCode) {
  int n = 0;
  auto r = run({.mode = LoadOptions::Mode::kClosedLoop, .concurrency = 1, .max_ops = 10},
               [&]() -> asio::awaitable<Status> {
                 if (n++ % 2) co_return make_error(ErrorCode::kTimeout, "late");
                 co_return Status{};
               });
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->ops, 10u);
  EXPECT_EQ(r->errors, 5u);
  EXPECT_EQ(r->errors_by_code.at("timeout"), 5u);
}

TEST(LoadDriverTest, InvalidOptions) {
  auto op = []() -> asio::awaitable<Status> { co_return Status{}; };
  EXPECT_FALSE(run({.mode = LoadOptions::Mode::kOpenLoop, .max_ops = 1}, op).has_value());
  EXPECT_FALSE(run({.mode = LoadOptions::Mode::kClosedLoop, .concurrency = 0, .max_ops = 1}, op)
                   .has_value());
  EXPECT_FALSE(run({.mode = LoadOptions::Mode::kClosedLoop, .concurrency = 1}, op).has_value());
  EXPECT_FALSE(
      run({.mode = LoadOptions::Mode::kClosedLoop, .max_ops = 1}, OperationFn{}).has_value());
}

}  // namespace
}  // namespace awsperf::workload
