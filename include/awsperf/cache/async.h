// The coroutine form of Cache::get_or_load: the loader is a coroutine
// returning boost::asio::awaitable<Result<V>> (or Result<std::optional<V>>
// for negative caching). Single-flight is shared with the blocking form: a
// coroutine that misses while another caller (thread or coroutine) loads the
// same key suspends, without blocking its thread, until that load completes.
// A refresh-ahead reload is spawned detached on the caller's executor.
//
// Thread-safety: as Cache; any number of coroutines on any executors.
#ifndef AWSPERF_CACHE_ASYNC_H_
#define AWSPERF_CACHE_ASYNC_H_

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>

#include "awsperf/cache/cache.h"

namespace awsperf::cache {

namespace detail {

template <typename T>
struct AwaitableValue;
template <typename T>
struct AwaitableValue<boost::asio::awaitable<T>> {
  using type = T;
};

// Suspends until `flight` completes; resumes on the coroutine's executor.
// A named initiation object and a plain (non-coroutine) function: GCC 12
// mishandles capturing lambdas and by-value parameters around co_await.
template <typename FlightPtr>
struct WaitFlightOp {
  FlightPtr flight;
  template <typename Handler>
  void operator()(Handler handler) const {
    auto ex = boost::asio::get_associated_executor(handler);
    auto shared = std::make_shared<Handler>(std::move(handler));
    auto work = std::make_shared<boost::asio::executor_work_guard<decltype(ex)>>(ex);
    std::function<void()> resume = [shared, work] {
      boost::asio::post(work->get_executor(), [shared] { std::move (*shared)(); });
    };
    std::unique_lock lk(flight->mu);
    if (flight->done) {
      lk.unlock();
      resume();
      return;
    }
    flight->waiters.push_back(std::move(resume));
  }
};

template <typename FlightPtr>
boost::asio::awaitable<void> wait_flight(const FlightPtr& flight) {
  return boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void()>(
      WaitFlightOp<FlightPtr>{flight}, boost::asio::use_awaitable);
}

}  // namespace detail

// Coroutine get_or_load. `loader(key)` returns awaitable<Result<V>> or
// awaitable<Result<std::optional<V>>>; the result type follows it.
template <typename K, typename V, typename H, typename E, typename Loader>
auto get_or_load_async(Cache<K, V, H, E>& cache, K key, Loader loader) -> boost::asio::awaitable<
    typename detail::AwaitableValue<std::invoke_result_t<Loader&, const K&>>::type> {
  using R = typename detail::AwaitableValue<std::invoke_result_t<Loader&, const K&>>::type;
  constexpr bool kOptional = std::is_same_v<R, Result<std::optional<V>>>;
  static_assert(kOptional || std::is_same_v<R, Result<V>>,
                "the loader must return awaitable<Result<V>> or awaitable<Result<optional<V>>>");
  using CacheT = Cache<K, V, H, E>;
  auto to_optional = [](R r) -> Result<std::optional<V>> {
    if constexpr (kOptional) {
      return r;
    } else {
      if (!r) return std::unexpected(std::move(r.error()));
      return std::optional<V>(std::move(*r));
    }
  };
  // Plain functions for the conversions: GCC 12 miscompiles some
  // assignments to locals that live across co_await in a coroutine frame, so
  // each path below converts and returns at once.
  auto finish = [](Result<std::optional<V>> r) -> R {
    if constexpr (kOptional) {
      return r;
    } else {
      if (!r) return std::unexpected(std::move(r.error()));
      if (!*r) return make_error(ErrorCode::kNotFound, "the key does not exist");
      return std::move(**r);
    }
  };
  auto st = cache.begin_load(key, kOptional);
  if (st.kind == CacheT::LoadStart::kHit) {
    if (st.flight) {
      auto ex = co_await boost::asio::this_coro::executor;
      boost::asio::co_spawn(
          ex,
          [&cache, key, loader, f = st.flight, started = st.started,
           to_optional]() mutable -> boost::asio::awaitable<void> {
            cache.finish_load(key, f, to_optional(co_await loader(key)), started, kOptional);
          },
          boost::asio::detached);
    }
    co_return finish(Result<std::optional<V>>(std::move(st.value)));
  }
  if (st.kind == CacheT::LoadStart::kJoin) {
    co_await detail::wait_flight(st.flight);
    co_return finish(*st.flight->result);
  }
  auto flight = st.flight;
  auto started = st.started;
  std::optional<Result<std::optional<V>>> loaded;
  try {
    loaded.emplace(to_optional(co_await loader(key)));
  } catch (const std::exception& e) {
    loaded.emplace(make_error(ErrorCode::kInternal, std::string("loader threw: ") + e.what()));
  } catch (...) {
    loaded.emplace(make_error(ErrorCode::kInternal, "loader threw"));
  }
  cache.finish_load(key, flight, *loaded, started, kOptional);
  co_return finish(*flight->result);
}

}  // namespace awsperf::cache

#endif  // AWSPERF_CACHE_ASYNC_H_
