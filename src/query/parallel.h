// Bounded parallelism on Asio coroutines, private to the query layer.
#ifndef AWSPERF_SRC_QUERY_PARALLEL_H_
#define AWSPERF_SRC_QUERY_PARALLEL_H_

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <random>

namespace awsperf::query::detail {

// Task i of n; a plain function returning the coroutine, so nothing the
// coroutine needs lives in a lambda's captures (GCC 12 mishandles coroutine
// lambdas with captures).
using Task = std::function<boost::asio::awaitable<void>(std::size_t)>;

struct ForEachState {
  ForEachState(boost::asio::strand<boost::asio::any_io_executor> s, std::size_t count, Task t)
      : strand(s),
        timer(s, std::chrono::steady_clock::time_point::max()),
        n(count),
        task(std::move(t)) {}
  boost::asio::strand<boost::asio::any_io_executor> strand;
  boost::asio::steady_timer timer;  // cancelled when the last worker ends
  std::size_t n;
  std::size_t next = 0;
  std::size_t running = 0;
  Task task;
};

inline boost::asio::awaitable<void> for_each_worker(std::shared_ptr<ForEachState> st) {
  while (st->next < st->n) {
    std::size_t i = st->next++;
    auto op = st->task(i);
    co_await std::move(op);
  }
  if (--st->running == 0) st->timer.cancel();
}

inline boost::asio::awaitable<void> for_each_driver(std::shared_ptr<ForEachState> st,
                                                    std::size_t limit) {
  std::size_t workers = std::min(limit == 0 ? 1 : limit, st->n);
  st->running = workers;
  for (std::size_t k = 0; k < workers; ++k) {
    boost::asio::co_spawn(st->strand, for_each_worker(st), boost::asio::detached);
  }
  // Workers run on the same strand, so none can finish before this wait
  // starts unless there were none.
  if (st->running > 0) {
    co_await st->timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  }
}

// Runs task(0..n-1) with at most `limit` running at once, on a strand of
// `executor`, and returns when all are done. Tasks share state safely: they
// all run on that strand.
inline boost::asio::awaitable<void> for_each_bounded(boost::asio::any_io_executor executor,
                                                     std::size_t n, std::size_t limit, Task task) {
  if (n == 0) co_return;
  auto strand = boost::asio::make_strand(executor);
  auto st = std::make_shared<ForEachState>(strand, n, std::move(task));
  auto op = boost::asio::co_spawn(strand, for_each_driver(st, limit), boost::asio::use_awaitable);
  co_await std::move(op);
}

// Suspends for `d` on the current executor.
inline boost::asio::awaitable<void> sleep_for(std::chrono::nanoseconds d) {
  if (d.count() <= 0) co_return;
  boost::asio::steady_timer t(co_await boost::asio::this_coro::executor);
  t.expires_after(d);
  co_await t.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
}

}  // namespace awsperf::query::detail

#endif  // AWSPERF_SRC_QUERY_PARALLEL_H_
