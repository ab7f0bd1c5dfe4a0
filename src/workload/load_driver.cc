#include "awsperf/workload/load_driver.h"

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>
#include <mutex>

#include "awsperf/monitor/monitor.h"

namespace awsperf::workload {

namespace asio = boost::asio;
using SteadyClock = std::chrono::steady_clock;

namespace {

// Shared by the driver and every operation it spawned.
struct RunState {
  OperationFn operation;
  monitor::Histogram latency;
  std::atomic<std::uint64_t> ops{0}, errors{0};
  std::atomic<std::size_t> in_flight{0};
  std::atomic<std::int64_t> last_done_ns{0};  // steady clock, measured ops only
  std::mutex errors_mutex;
  std::map<std::string, std::uint64_t> errors_by_code;

  void finish(SteadyClock::time_point started, bool counted, const Status& status) {
    const auto now = SteadyClock::now();
    if (counted) {
      latency.record(now - started);
      ops.fetch_add(1, std::memory_order_relaxed);
      if (!status) {
        errors.fetch_add(1, std::memory_order_relaxed);
        std::lock_guard lock(errors_mutex);
        ++errors_by_code[std::string(monitor::error_label(status.error()))];
      }
      std::int64_t t = now.time_since_epoch().count();
      std::int64_t prev = last_done_ns.load(std::memory_order_relaxed);
      while (prev < t && !last_done_ns.compare_exchange_weak(prev, t)) {
      }
    }
    in_flight.fetch_sub(1, std::memory_order_acq_rel);
  }
};

// One open-loop operation; latency counts from `intended`.
asio::awaitable<void> run_one(std::shared_ptr<RunState> state, SteadyClock::time_point intended,
                              bool counted) {
  Status status;
  try {
    status = co_await state->operation();
  } catch (const std::exception& e) {
    status = make_error(ErrorCode::kInternal, std::string("operation threw: ") + e.what());
  }
  state->finish(intended, counted, status);
}

// One closed-loop worker.
asio::awaitable<void> worker(std::shared_ptr<RunState> state, SteadyClock::time_point warm_end,
                             SteadyClock::time_point end, std::uint64_t max_ops,
                             std::shared_ptr<std::atomic<std::uint64_t>> started) {
  for (;;) {
    const auto t0 = SteadyClock::now();
    if (t0 >= end) break;
    const bool counted = t0 >= warm_end;
    if (counted && started->fetch_add(1, std::memory_order_relaxed) >= max_ops) break;
    state->in_flight.fetch_add(1, std::memory_order_acq_rel);
    Status status;
    try {
      status = co_await state->operation();
    } catch (const std::exception& e) {
      status = make_error(ErrorCode::kInternal, std::string("operation threw: ") + e.what());
    }
    state->finish(t0, counted, status);
  }
}

asio::awaitable<void> sleep_until(SteadyClock::time_point t) {
  asio::steady_timer timer(co_await asio::this_coro::executor, t);
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

asio::awaitable<void> wait_drained(const std::shared_ptr<RunState>& state) {
  while (state->in_flight.load(std::memory_order_acquire) != 0) {
    co_await sleep_until(SteadyClock::now() + std::chrono::microseconds(200));
  }
}

}  // namespace

Status validate(const LoadOptions& o) {
  if (!o.duration && !o.max_ops) {
    return make_error(ErrorCode::kInvalidArgument, "set a duration or a number of operations");
  }
  if (o.duration && o.duration->count() <= 0) {
    return make_error(ErrorCode::kInvalidArgument, "the duration must be positive");
  }
  if (o.max_ops && *o.max_ops == 0) {
    return make_error(ErrorCode::kInvalidArgument, "the number of operations must be positive");
  }
  if (o.warmup.count() < 0) {
    return make_error(ErrorCode::kInvalidArgument, "the warm-up must not be negative");
  }
  if (o.mode == LoadOptions::Mode::kOpenLoop && !(o.rate_per_second > 0)) {
    return make_error(ErrorCode::kInvalidArgument, "an open-loop load needs a rate above 0");
  }
  if (o.mode == LoadOptions::Mode::kClosedLoop && o.concurrency < 1) {
    return make_error(ErrorCode::kInvalidArgument, "a closed-loop load needs concurrency ≥ 1");
  }
  if (o.max_in_flight == 0) {
    return make_error(ErrorCode::kInvalidArgument, "max_in_flight must be at least 1");
  }
  return {};
}

asio::awaitable<Result<LoadResult>> run_load(LoadOptions options, OperationFn operation) {
  if (auto v = validate(options); !v) co_return make_error(v.error());
  if (!operation) co_return make_error(ErrorCode::kInvalidArgument, "no operation to run");

  auto executor = co_await asio::this_coro::executor;
  auto state = std::make_shared<RunState>();
  state->operation = std::move(operation);

  const auto start = SteadyClock::now();
  const auto warm_end = start + options.warmup;
  const auto end = options.duration ? warm_end + *options.duration : SteadyClock::time_point::max();
  const std::uint64_t max_ops = options.max_ops.value_or(UINT64_MAX);
  LoadResult result;

  if (options.mode == LoadOptions::Mode::kOpenLoop) {
    result.offered_rate = options.rate_per_second;
    const double interval_ns = 1e9 / options.rate_per_second;
    std::uint64_t counted = 0;
    for (std::uint64_t i = 0;; ++i) {
      const auto intended =
          start +
          std::chrono::nanoseconds(static_cast<std::int64_t>(static_cast<double>(i) * interval_ns));
      if (intended >= end) break;
      const bool measure = intended >= warm_end;
      if (measure && counted >= max_ops) break;
      if (intended > SteadyClock::now()) co_await sleep_until(intended);
      if (state->in_flight.load(std::memory_order_acquire) >= options.max_in_flight) {
        ++result.delayed_starts;
        while (state->in_flight.load(std::memory_order_acquire) >= options.max_in_flight) {
          co_await sleep_until(SteadyClock::now() + std::chrono::microseconds(100));
        }
      }
      state->in_flight.fetch_add(1, std::memory_order_acq_rel);
      if (measure) ++counted;
      asio::co_spawn(executor, run_one(state, intended, measure), asio::detached);
    }
  } else {
    auto started = std::make_shared<std::atomic<std::uint64_t>>(0);
    for (int w = 0; w < options.concurrency; ++w) {
      asio::co_spawn(executor, worker(state, warm_end, end, max_ops, started), asio::detached);
    }
    // Workers register in_flight only while an operation runs; give them a
    // moment to start before waiting for the drain.
    co_await sleep_until(SteadyClock::now() + std::chrono::milliseconds(1));
    while (SteadyClock::now() < end && started->load() < max_ops) {
      co_await sleep_until(std::min(end, SteadyClock::now() + std::chrono::milliseconds(5)));
    }
  }
  co_await wait_drained(state);

  result.ops = state->ops.load();
  result.errors = state->errors.load();
  result.latency = state->latency.snapshot();
  {
    std::lock_guard lock(state->errors_mutex);
    result.errors_by_code = state->errors_by_code;
  }
  const auto last = SteadyClock::time_point(SteadyClock::duration(state->last_done_ns.load()));
  result.measured_span = last > warm_end ? last - warm_end : std::chrono::nanoseconds(0);
  if (result.measured_span.count() > 0) {
    result.throughput =
        static_cast<double>(result.ops) * 1e9 / static_cast<double>(result.measured_span.count());
  }
  co_return result;
}

}  // namespace awsperf::workload
