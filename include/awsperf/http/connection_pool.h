// ConnectionPool: keep-alive HTTP/1.1 connections (plain or TLS) to one
// origin, bounded, with FIFO waiters and statistics.
//
// A request pays for a TCP connect and a TLS handshake only when no idle
// connection is available; a burst never opens more than max_sockets; a
// connection goes back to the pool only after its response was read in full
// and neither side asked to close it.
//
// Thread-safety: every method may be called concurrently from any thread.
// The coroutine returned by async_request() may run on any executor; a pool's
// own sockets and timers live on the executor given to create() (an
// io_context executor, not a strand, so that coroutines on different threads
// can share connections).
#ifndef AWSPERF_HTTP_CONNECTION_POOL_H_
#define AWSPERF_HTTP_CONNECTION_POOL_H_

#include <array>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "awsperf/core/clock.h"
#include "awsperf/core/result.h"
#include "awsperf/http/message.h"

namespace awsperf::monitor {
class PerformanceMonitor;
class RequestProfiler;
}  // namespace awsperf::monitor

namespace awsperf::http {

struct TlsOptions {
  // A PEM file of extra trusted CAs, added to the system CA store (which is
  // always used). Peer verification cannot be turned off.
  std::optional<std::string> ca_file;
  // The name sent as SNI and checked against the certificate; default: the
  // origin's host.
  std::optional<std::string> server_name;
};

struct PoolOptions {
  // Upper bound on connections to the origin, busy and idle together.
  std::size_t max_sockets = 50;
  // Upper bound on idle connections kept; surplus ones are closed.
  std::size_t max_free_sockets = 10;
  // Off: every request sends "Connection: close" and uses a new connection.
  bool keep_alive = true;
  // Idle connections older than this (by `clock`) are closed.
  std::chrono::milliseconds keep_alive_timeout{60'000};
  // DNS resolution, TCP connect and TLS handshake together.
  std::chrono::milliseconds connect_timeout{10'000};
  // Writing the request and reading the whole response.
  std::chrono::milliseconds request_timeout{30'000};
  // Waiting for a connection when max_sockets are busy.
  std::chrono::milliseconds acquire_timeout{10'000};
  // A larger response body fails with kTooLarge (never truncated).
  std::size_t max_response_body_bytes = 64u << 20;
  // A larger response header block fails with kTooLarge.
  std::size_t max_response_header_bytes = 64u << 10;
  // Retry once, on a new connection, a request that failed on a reused
  // connection before any response byte arrived (the server had closed it).
  bool retry_stale_connection = true;
  // With retry_stale_connection on, an idle connection is probed (one poll()
  // for a FIN/RST from the server) before reuse only when it sat idle at
  // least this long; a connection reused sooner is almost never stale, and
  // when it is, the stale-connection retry above covers it. Zero: always
  // probe. Without retry_stale_connection every reuse is probed.
  std::chrono::milliseconds probe_idle_after{1'000};
  // How often the background sweeper closes expired idle connections, in real
  // time; zero disables it (evict_idle() and every acquire still do).
  std::chrono::milliseconds idle_sweep_interval{1'000};
  TlsOptions tls;
  // Reads idle ages and phase durations. Null: Clock::real().
  Clock* clock = nullptr;
  // Where requests are recorded. Null: the global instances.
  monitor::PerformanceMonitor* monitor = nullptr;
  monitor::RequestProfiler* profiler = nullptr;
  // True: record nothing (for benchmarks that compare raw transport cost).
  bool disable_monitoring = false;
};

// Time spent waiting for a connection: log2 buckets of microseconds.
struct WaitHistogram {
  static constexpr std::size_t kBuckets = 28;  // bucket i: < 2^i us; the last is open
  std::array<std::uint64_t, kBuckets> counts{};
  std::uint64_t count = 0;
  std::uint64_t sum_us = 0;
  std::uint64_t max_us = 0;

  void record(std::chrono::microseconds wait);
  void merge(const WaitHistogram& other);
  // An upper bound of the p-quantile (p in [0, 1]); zero when empty.
  std::chrono::microseconds percentile(double p) const;
};

struct PoolStatistics {
  std::string origin;                  // "http://host:port"; "total" for a sum
  std::uint64_t requests = 0;          // completed async_request calls
  std::uint64_t errors = 0;            // of those, failed ones
  std::uint64_t created = 0;           // connections opened
  std::uint64_t reused = 0;            // requests served by an idle connection
  std::uint64_t stale_retries = 0;     // retries after a reused connection died
  std::uint64_t connect_failures = 0;  // connects that failed (incl. timeouts)
  std::size_t active = 0;              // connections in use or being opened
  std::size_t idle = 0;
  std::size_t max_active = 0;
  std::size_t waiting = 0;  // requests queued for a connection
  std::size_t max_waiting = 0;
  std::uint64_t timeouts_connect = 0;
  std::uint64_t timeouts_request = 0;
  std::uint64_t timeouts_acquire = 0;
  std::uint64_t closed_idle = 0;     // keep_alive_timeout passed
  std::uint64_t closed_remote = 0;   // the server closed or asked to close
  std::uint64_t closed_error = 0;    // an I/O, protocol or timeout error
  std::uint64_t closed_surplus = 0;  // more than max_free_sockets idle
  std::uint64_t closed_local = 0;    // keep_alive off or shutdown()
  WaitHistogram acquire_wait;

  // reused / (reused + created); zero before the first request.
  double reuse_ratio() const;
  // Adds counters and histograms; gauges and maxima are summed too.
  void merge(const PoolStatistics& other);
};

class ConnectionPool {
 public:
  // Fails with kInvalidArgument on bad options and kTls when the CA file
  // cannot be loaded.
  static Result<ConnectionPool> create(boost::asio::any_io_executor executor, Origin origin,
                                       PoolOptions options = {});

  ConnectionPool(const ConnectionPool&) = default;  // copies share the pool
  ConnectionPool& operator=(const ConnectionPool&) = default;
  ~ConnectionPool();

  // Sends `request` to the origin and reads the whole response. Never throws;
  // errors: kTimeout (connect/request/acquire, named in the message),
  // kConnectionFailed, kConnectionClosed, kTls, kProtocol, kTooLarge,
  // kInvalidArgument, kCancelled (after shutdown()).
  boost::asio::awaitable<Result<Response>> async_request(Request request);

  PoolStatistics statistics() const;
  const Origin& origin() const;
  const PoolOptions& options() const;

  // Closes idle connections whose age reached keep_alive_timeout; returns how
  // many were closed.
  std::size_t evict_idle();
  // Closes idle connections, stops the sweeper and fails queued and later
  // requests with kCancelled; requests in flight finish.
  void shutdown();

  class Impl;

 private:
  explicit ConnectionPool(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<Impl> impl_;
};

}  // namespace awsperf::http

#endif  // AWSPERF_HTTP_CONNECTION_POOL_H_
