// The coroutine form of PerformanceMonitor::measure for boost::asio::awaitable:
//
//   #include "awsperf/monitor/asio.h"
//   Result<Item> item = co_await monitor.measure("GetItem", client.get_item(key));
//
// Kept apart from monitor.h so that code which does not use Asio does not
// parse it. The timer starts when the returned awaitable starts running (on
// co_await), not when it is created; the operation name is resolved at the
// call, so it need not outlive the awaitable.
//
// Thread-safety: as PerformanceMonitor::record.
#ifndef AWSPERF_MONITOR_ASIO_H_
#define AWSPERF_MONITOR_ASIO_H_

#include <boost/asio/awaitable.hpp>
#include <string_view>
#include <type_traits>
#include <utility>

#include "awsperf/monitor/monitor.h"

namespace awsperf::monitor {

namespace detail {
template <typename T, typename Executor>
boost::asio::awaitable<T, Executor> measured(OperationRef operation, Clock* clock,
                                             boost::asio::awaitable<T, Executor> awaitable) {
  ScopedTimer timer(operation, clock);
  try {
    if constexpr (std::is_void_v<T>) {
      co_await std::move(awaitable);
    } else {
      T result = co_await std::move(awaitable);
      timer.set_error(outcome_error(result));
      co_return result;
    }
  } catch (...) {
    timer.set_error("exception");
    throw;
  }
}
}  // namespace detail

// Found by PerformanceMonitor::measure through argument-dependent lookup.
template <typename T, typename Executor>
boost::asio::awaitable<T, Executor> measure_awaitable(
    PerformanceMonitor& monitor, std::string_view operation,
    boost::asio::awaitable<T, Executor> awaitable) {
  return detail::measured(monitor.operation(operation), monitor.clock(), std::move(awaitable));
}

}  // namespace awsperf::monitor

#endif  // AWSPERF_MONITOR_ASIO_H_
