#include "awsperf/http/connection_pool.h"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <charconv>
#include <deque>
#include <iterator>
#include <mutex>
#include <optional>
#include <type_traits>

#include "http/observer.h"

namespace awsperf::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using ErrorCodeT = boost::system::error_code;

namespace {

// Every asynchronous step reports its error as a value: errors are data here.
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

enum class CloseReason { kIdle, kRemote, kError, kSurplus, kLocal };

class Connection {
 public:
  Connection(const asio::any_io_executor& executor, asio::ssl::context* tls) {
    if (tls != nullptr) {
      tls_.emplace(executor, *tls);
    } else {
      plain_.emplace(executor);
    }
  }

  beast::tcp_stream& tcp() { return tls_ ? beast::get_lowest_layer(*tls_) : *plain_; }
  bool is_tls() const { return tls_.has_value(); }
  beast::ssl_stream<beast::tcp_stream>& tls() { return *tls_; }
  beast::tcp_stream& plain() { return *plain_; }

  void close() {
    ErrorCodeT ignored;
    tcp().socket().shutdown(tcp::socket::shutdown_both, ignored);
    tcp().socket().close(ignored);
  }

  // An idle HTTP/1.1 connection has nothing to read; readable means the peer
  // closed it (FIN, RST, TLS close_notify) or sent junk. Either way it is
  // unusable, and finding out costs one poll() instead of a failed request.
  bool looks_alive() {
    if (!tcp().socket().is_open()) return false;
    pollfd fd{};
    fd.fd = tcp().socket().native_handle();
    fd.events = POLLIN | POLLRDHUP;
    const int rc = ::poll(&fd, 1, 0);
    return rc == 0;
  }

  beast::flat_buffer buffer;
  Clock::time_point idle_since{};

 private:
  std::optional<beast::tcp_stream> plain_;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls_;
};

struct Waiter {
  explicit Waiter(const asio::any_io_executor& executor) : timer(executor) {}
  asio::steady_timer timer;
  bool granted = false;
  bool cancelled = false;
  // With `granted`: an idle connection, or null to open a new one.
  std::unique_ptr<Connection> connection;
};

struct Lease {
  std::unique_ptr<Connection> connection;  // null: open a new one in this slot
  bool reused = false;
};

// What one request/response exchange on a connection produced.
struct Exchange {
  std::optional<Response> response;
  Error error;
  bool keep_alive = false;
  bool response_started = false;  // at least one response byte arrived
  bool timed_out = false;
};

bool has_ctl(std::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
}

bool is_closed_error(const ErrorCodeT& ec) {
  return ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || ec == asio::error::connection_aborted ||
         ec == asio::ssl::error::stream_truncated || ec == bhttp::error::end_of_stream ||
         ec == bhttp::error::partial_message;
}

std::string ms_string(std::chrono::milliseconds d) { return std::to_string(d.count()) + " ms"; }

}  // namespace

class ConnectionPool::Impl : public std::enable_shared_from_this<ConnectionPool::Impl> {
 public:
  Impl(asio::any_io_executor executor, Origin origin, PoolOptions options,
       std::unique_ptr<asio::ssl::context> tls)
      : executor_(std::move(executor)),
        origin_(std::move(origin)),
        options_(std::move(options)),
        clock_(options_.clock != nullptr ? options_.clock : Clock::real()),
        tls_(std::move(tls)),
        origin_name_(origin_.to_string()),
        host_header_(origin_.host_header()),
        observer_(options_),
        sweeper_(executor_) {
    stats_.origin = origin_name_;
  }

  static asio::awaitable<Result<Response>> run(std::shared_ptr<Impl> self, Request request);

  PoolStatistics statistics() const {
    std::lock_guard lock(mutex_);
    PoolStatistics out = stats_;
    out.idle = idle_.size();
    return out;
  }

  std::size_t evict_idle() {
    std::lock_guard lock(mutex_);
    return evict_expired_locked();
  }

  void shutdown() {
    std::lock_guard lock(mutex_);
    shut_down_ = true;
    for (auto& c : idle_) close_locked(*c, CloseReason::kLocal);
    idle_.clear();
    for (Waiter* w : waiters_) {
      w->cancelled = true;
      w->timer.cancel();
    }
    stats_.waiting = 0;
    waiters_.clear();
    sweeper_.cancel();
  }

  const Origin& origin() const { return origin_; }
  const PoolOptions& options() const { return options_; }

 private:
  asio::awaitable<Result<Lease>> acquire();
  std::optional<Lease> try_take_locked();
  void release(std::unique_ptr<Connection> connection, std::optional<CloseReason> close);
  void close_keeping_slot(std::unique_ptr<Connection> connection, CloseReason reason);
  void close_locked(Connection& c, CloseReason reason);
  std::size_t evict_expired_locked();
  void arm_sweeper_locked();
  asio::awaitable<Result<std::unique_ptr<Connection>>> connect(Phases& phases);
  template <typename Stream>
  asio::awaitable<Exchange> exchange(Stream& stream, Connection& c, std::string_view wire_head,
                                     std::string_view body, bool head,
                                     std::chrono::milliseconds timeout, Phases& phases);
  Error tls_error(Connection& c, const ErrorCodeT& ec) const;

  asio::any_io_executor executor_;
  Origin origin_;
  PoolOptions options_;
  Clock* clock_;
  std::unique_ptr<asio::ssl::context> tls_;
  std::string origin_name_;
  std::string host_header_;
  Observer observer_;

  mutable std::mutex mutex_;
  std::deque<std::unique_ptr<Connection>> idle_;  // oldest first
  std::deque<Waiter*> waiters_;                   // FIFO
  PoolStatistics stats_;
  bool shut_down_ = false;
  asio::steady_timer sweeper_;  // touched only under mutex_
  bool sweeper_armed_ = false;
};

void ConnectionPool::Impl::close_locked(Connection& c, CloseReason reason) {
  c.close();
  switch (reason) {
    case CloseReason::kIdle:
      ++stats_.closed_idle;
      break;
    case CloseReason::kRemote:
      ++stats_.closed_remote;
      break;
    case CloseReason::kError:
      ++stats_.closed_error;
      break;
    case CloseReason::kSurplus:
      ++stats_.closed_surplus;
      break;
    case CloseReason::kLocal:
      ++stats_.closed_local;
      break;
  }
}

std::size_t ConnectionPool::Impl::evict_expired_locked() {
  const Clock::time_point now = clock_->now();
  std::size_t closed = 0;
  while (!idle_.empty() && now - idle_.front()->idle_since >= options_.keep_alive_timeout) {
    close_locked(*idle_.front(), CloseReason::kIdle);
    idle_.pop_front();
    ++closed;
  }
  return closed;
}

void ConnectionPool::Impl::arm_sweeper_locked() {
  if (sweeper_armed_ || shut_down_ || options_.idle_sweep_interval.count() <= 0) return;
  sweeper_armed_ = true;
  sweeper_.expires_after(options_.idle_sweep_interval);
  sweeper_.async_wait([weak = weak_from_this()](const ErrorCodeT& ec) {
    if (ec) return;
    auto self = weak.lock();
    if (!self) return;
    std::lock_guard lock(self->mutex_);
    self->sweeper_armed_ = false;
    self->evict_expired_locked();
    // Only while something is idle, so that an unused pool lets run() return.
    if (!self->idle_.empty()) self->arm_sweeper_locked();
  });
}

std::optional<Lease> ConnectionPool::Impl::try_take_locked() {
  evict_expired_locked();
  // The most recently used connection first: the least likely to be stale.
  while (!idle_.empty()) {
    std::unique_ptr<Connection> c = std::move(idle_.back());
    idle_.pop_back();
    const bool probe = !options_.retry_stale_connection ||
                       clock_->now() - c->idle_since >= options_.probe_idle_after;
    if (probe && !c->looks_alive()) {
      close_locked(*c, CloseReason::kRemote);
      continue;
    }
    ++stats_.active;
    ++stats_.reused;
    stats_.max_active = std::max(stats_.max_active, stats_.active);
    return Lease{std::move(c), true};
  }
  if (stats_.active < options_.max_sockets) {
    ++stats_.active;
    stats_.max_active = std::max(stats_.max_active, stats_.active);
    return Lease{nullptr, false};
  }
  return std::nullopt;
}

asio::awaitable<Result<Lease>> ConnectionPool::Impl::acquire() {
  const Clock::time_point start = clock_->now();
  auto record_wait = [&] {
    stats_.acquire_wait.record(
        std::chrono::duration_cast<std::chrono::microseconds>(clock_->now() - start));
  };
  {
    std::lock_guard lock(mutex_);
    if (shut_down_) {
      co_return make_error(ErrorCode::kCancelled,
                           "connection pool for " + origin_name_ + " is shut down");
    }
    if (waiters_.empty()) {
      if (std::optional<Lease> lease = try_take_locked()) {
        record_wait();
        co_return std::move(*lease);
      }
    }
  }

  // All sockets are busy: queue. The timer is both the acquire deadline and
  // the wake-up call; it is only touched under mutex_ (a releaser cancels it
  // to hand over a connection), so the wait is initiated under the lock too.
  Waiter waiter(executor_);
  waiter.timer.expires_after(options_.acquire_timeout);
  co_await asio::async_initiate<decltype(kNoThrow), void(ErrorCodeT)>(
      [this, &waiter](auto handler) {
        std::lock_guard lock(mutex_);
        if (shut_down_) {
          waiter.cancelled = true;
          waiter.timer.expires_at(asio::steady_timer::time_point::min());
        } else if (std::optional<Lease> lease;
                   waiters_.empty() && (lease = try_take_locked()).has_value()) {
          // A slot freed up between the two critical sections.
          waiter.granted = true;
          waiter.connection = std::move(lease->connection);
          waiter.timer.expires_at(asio::steady_timer::time_point::min());
        } else {
          waiters_.push_back(&waiter);
          ++stats_.waiting;
          stats_.max_waiting = std::max(stats_.max_waiting, stats_.waiting);
        }
        waiter.timer.async_wait(std::move(handler));
      },
      kNoThrow);

  std::lock_guard lock(mutex_);
  record_wait();
  if (waiter.granted) {
    // reused was counted by whoever handed the connection over.
    const bool reused = waiter.connection != nullptr;
    co_return Lease{std::move(waiter.connection), reused};
  }
  if (waiter.cancelled) {
    co_return make_error(ErrorCode::kCancelled,
                         "connection pool for " + origin_name_ + " is shut down");
  }
  // Timed out: still queued.
  if (auto it = std::find(waiters_.begin(), waiters_.end(), &waiter); it != waiters_.end()) {
    waiters_.erase(it);
    --stats_.waiting;
  }
  ++stats_.timeouts_acquire;
  co_return make_error(ErrorCode::kTimeout,
                       "acquire timeout: no connection to " + origin_name_ + " within " +
                           ms_string(options_.acquire_timeout) + " (max_sockets " +
                           std::to_string(options_.max_sockets) + " busy)",
                       /*retryable=*/true);
}

void ConnectionPool::Impl::release(std::unique_ptr<Connection> connection,
                                   std::optional<CloseReason> close) {
  std::lock_guard lock(mutex_);
  if (connection && close) {
    close_locked(*connection, *close);
    connection.reset();
  }
  if (connection && shut_down_) {
    close_locked(*connection, CloseReason::kLocal);
    connection.reset();
  }
  if (!waiters_.empty()) {
    // The slot (and the connection, if still good) moves to the oldest waiter.
    Waiter* w = waiters_.front();
    waiters_.pop_front();
    --stats_.waiting;
    w->granted = true;
    if (connection) ++stats_.reused;
    w->connection = std::move(connection);
    w->timer.cancel();
    return;
  }
  --stats_.active;
  if (!connection) return;
  if (idle_.size() >= options_.max_free_sockets) {
    close_locked(*connection, CloseReason::kSurplus);
    return;
  }
  connection->idle_since = clock_->now();
  idle_.push_back(std::move(connection));
  arm_sweeper_locked();
}

void ConnectionPool::Impl::close_keeping_slot(std::unique_ptr<Connection> connection,
                                              CloseReason reason) {
  std::lock_guard lock(mutex_);
  close_locked(*connection, reason);
}

Error ConnectionPool::Impl::tls_error(Connection& c, const ErrorCodeT& ec) const {
  std::string detail = ec.message();
  const long verify = SSL_get_verify_result(c.tls().native_handle());
  if (verify != X509_V_OK) {
    detail =
        std::string("certificate verification failed: ") + X509_verify_cert_error_string(verify);
  }
  Error e;
  e.code = ErrorCode::kTls;
  e.message = "TLS handshake with " + origin_name_ + " failed: " + detail;
  return e;
}

asio::awaitable<Result<std::unique_ptr<Connection>>> ConnectionPool::Impl::connect(Phases& phases) {
  const auto deadline = std::chrono::steady_clock::now() + options_.connect_timeout;
  phases.connect_start = clock_->now();
  phases.connected.reset();
  phases.tls_done.reset();
  auto conn = std::make_unique<Connection>(executor_, tls_.get());
  auto fail = [&](ErrorCode code, std::string message, bool timeout) {
    std::lock_guard lock(mutex_);
    ++stats_.connect_failures;
    if (timeout) ++stats_.timeouts_connect;
    return make_error(code, std::move(message), /*retryable=*/true);
  };

  // An IP literal needs no resolver. getaddrinfo cannot be cancelled, so a
  // name's resolution is bounded by the system resolver; its time counts
  // against connect_timeout all the same.
  std::vector<tcp::endpoint> endpoints;
  ErrorCodeT ec;
  const asio::ip::address address = asio::ip::make_address(origin_.host, ec);
  if (!ec) {
    endpoints.emplace_back(address, origin_.port);
  } else {
    tcp::resolver resolver(executor_);
    auto [rec, results] =
        co_await resolver.async_resolve(origin_.host, std::to_string(origin_.port), kNoThrow);
    if (rec) {
      co_return fail(ErrorCode::kConnectionFailed,
                     "cannot resolve " + origin_.host + ": " + rec.message(), false);
    }
    for (const auto& entry : results) endpoints.push_back(entry.endpoint());
  }

  beast::tcp_stream& stream = conn->tcp();
  stream.expires_at(deadline);
  auto [cec, endpoint] = co_await stream.async_connect(endpoints, kNoThrow);
  if (cec == beast::error::timeout) {
    co_return fail(ErrorCode::kTimeout,
                   "connect timeout: " + origin_name_ + " did not accept within " +
                       ms_string(options_.connect_timeout),
                   true);
  }
  if (cec) {
    co_return fail(ErrorCode::kConnectionFailed,
                   "cannot connect to " + origin_name_ + ": " + cec.message(), false);
  }
  (void)endpoint;
  stream.socket().set_option(tcp::no_delay(true), ec);
  stream.socket().set_option(asio::socket_base::keep_alive(true), ec);
  // Plain connections first try to write synchronously (see exchange()); a
  // non-blocking socket makes that attempt return instead of waiting. Async
  // operations are unaffected.
  if (!conn->is_tls()) stream.socket().non_blocking(true, ec);
  phases.connected = clock_->now();

  if (conn->is_tls()) {
    SSL* ssl = conn->tls().native_handle();
    const std::string& name = options_.tls.server_name ? *options_.tls.server_name : origin_.host;
    ErrorCodeT not_ip;
    asio::ip::make_address(name, not_ip);
    if (!not_ip) {
      // RFC 6066: no SNI for IP literals; check the certificate's IP SANs.
      X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name.c_str());
    } else {
      SSL_set_tlsext_host_name(ssl, name.c_str());
      SSL_set1_host(ssl, name.c_str());
    }
    conn->tls().set_verify_mode(asio::ssl::verify_peer);
    stream.expires_at(deadline);
    auto [hec] = co_await conn->tls().async_handshake(asio::ssl::stream_base::client, kNoThrow);
    if (hec == beast::error::timeout) {
      co_return fail(ErrorCode::kTimeout,
                     "connect timeout: TLS handshake with " + origin_name_ + " took over " +
                         ms_string(options_.connect_timeout),
                     true);
    }
    if (hec) {
      Error e = tls_error(*conn, hec);
      std::lock_guard lock(mutex_);
      ++stats_.connect_failures;
      co_return make_error(std::move(e));
    }
    phases.tls_done = clock_->now();
  }
  stream.expires_never();
  {
    std::lock_guard lock(mutex_);
    ++stats_.created;
  }
  co_return std::move(conn);
}

template <typename Stream>
asio::awaitable<Exchange> ConnectionPool::Impl::exchange(Stream& stream, Connection& c,
                                                         std::string_view wire_head,
                                                         std::string_view body, bool head,
                                                         std::chrono::milliseconds timeout,
                                                         Phases& phases) {
  Exchange out;
  auto fail = [&](const ErrorCodeT& ec, std::string_view step) {
    out.error.retryable = true;
    if (ec == beast::error::timeout) {
      out.timed_out = true;
      out.error.code = ErrorCode::kTimeout;
      out.error.message = "request timeout: no complete response from " + origin_name_ +
                          " within " + ms_string(timeout) + " (" + std::string(step) + ")";
    } else if (ec == bhttp::error::body_limit) {
      out.error.code = ErrorCode::kTooLarge;
      out.error.retryable = false;
      out.error.message = "response body from " + origin_name_ +
                          " exceeds max_response_body_bytes " +
                          std::to_string(options_.max_response_body_bytes);
    } else if (ec == bhttp::error::header_limit) {
      out.error.code = ErrorCode::kTooLarge;
      out.error.retryable = false;
      out.error.message = "response header from " + origin_name_ +
                          " exceeds max_response_header_bytes " +
                          std::to_string(options_.max_response_header_bytes);
    } else if (is_closed_error(ec)) {
      out.error.code = ErrorCode::kConnectionClosed;
      out.error.message =
          origin_name_ + " closed the connection while " + std::string(step) + ": " + ec.message();
    } else if (ec.category() == asio::error::get_ssl_category()) {
      out.error.code = ErrorCode::kTls;
      out.error.message =
          "TLS error with " + origin_name_ + " while " + std::string(step) + ": " + ec.message();
    } else if (ec.category() == bhttp::make_error_code(bhttp::error::bad_version).category()) {
      out.error.code = ErrorCode::kProtocol;
      out.error.retryable = false;
      out.error.message = "bad HTTP response from " + origin_name_ + ": " + ec.message();
    } else {
      out.error.code = ErrorCode::kConnectionClosed;
      out.error.message =
          "I/O error with " + origin_name_ + " while " + std::string(step) + ": " + ec.message();
    }
    return out;
  };

  phases.send_start = clock_->now();
  // One deadline for the whole exchange: every asynchronous step below runs
  // under it (Beast's tcp_stream applies it to each read and write).
  c.tcp().expires_after(timeout);
  const std::array<asio::const_buffer, 2> buffers = {asio::buffer(wire_head), asio::buffer(body)};
  beast::buffers_suffix<std::array<asio::const_buffer, 2>> rest(buffers);
  ErrorCodeT wec;
  if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
    // A request usually fits the socket's send buffer: write it right away
    // on the non-blocking socket, with no asynchronous step (and no timer
    // or completion hand-off); whatever is left goes the asynchronous way.
    while (beast::buffer_bytes(rest) > 0) {
      const std::size_t n = stream.socket().write_some(rest, wec);
      if (wec) break;
      rest.consume(n);
    }
    if (wec == asio::error::would_block || wec == asio::error::try_again) wec = {};
  }
  if (!wec && beast::buffer_bytes(rest) > 0) {
    auto [aec, written] = co_await asio::async_write(stream, rest, kNoThrow);
    (void)written;
    wec = aec;
  }
  if (wec) co_return fail(wec, "sending the request");
  phases.sent = clock_->now();

  if (c.buffer.size() == 0) {
    auto [rec, n] = co_await stream.async_read_some(c.buffer.prepare(16 * 1024), kNoThrow);
    c.buffer.commit(n);
    if (rec && n == 0) co_return fail(rec, "waiting for the response");
  }
  out.response_started = true;
  phases.first_byte = clock_->now();

  bhttp::response_parser<bhttp::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(
      std::min<std::size_t>(options_.max_response_header_bytes, UINT32_MAX)));
  parser.body_limit(options_.max_response_body_bytes);
  if (head) parser.skip(true);
  // The first read usually holds the whole response: parse it in place, and
  // read on (asynchronously, under the deadline) only when more is needed.
  parser.eager(true);
  ErrorCodeT pec;
  while (c.buffer.size() > 0 && !parser.is_done()) {
    const std::size_t used = parser.put(c.buffer.data(), pec);
    c.buffer.consume(used);
    if (pec == bhttp::error::need_more) {
      pec = {};
      break;
    }
    if (pec || used == 0) break;
  }
  if (!pec && !parser.is_done()) {
    auto [rec, parsed] = co_await bhttp::async_read(stream, c.buffer, parser, kNoThrow);
    (void)parsed;
    pec = rec;
  }
  if (pec) co_return fail(pec, "reading the response");
  phases.received = clock_->now();
  c.tcp().expires_never();

  auto& msg = parser.get();
  Response response;
  response.status = static_cast<int>(msg.result_int());
  response.reason = std::string(msg.reason());
  response.headers.reserve(static_cast<std::size_t>(std::distance(msg.begin(), msg.end())));
  for (const auto& field : msg) response.headers.add(field.name_string(), field.value());
  response.body = std::move(msg.body());
  // Bytes after the response mean the framing is off: never reuse.
  out.keep_alive = msg.keep_alive() && c.buffer.size() == 0;
  out.response = std::move(response);
  co_return out;
}

asio::awaitable<Result<Response>> ConnectionPool::Impl::run(std::shared_ptr<Impl> self,
                                                            Request request) {
  Impl& s = *self;
  Phases phases;
  phases.start = s.clock_->now();
  auto finish = [&](Result<Response> result) {
    {
      std::lock_guard lock(s.mutex_);
      ++s.stats_.requests;
      if (!result) ++s.stats_.errors;
    }
    if (s.observer_.enabled()) {
      s.observer_.record(request.operation.empty() ? "http." + request.method : request.operation,
                         phases, result ? nullptr : &result.error(), s.clock_->now());
    }
    return result;
  };

  const bhttp::verb verb = bhttp::string_to_verb(request.method);
  if (verb == bhttp::verb::unknown) {
    co_return finish(make_error(ErrorCode::kInvalidArgument,
                                "unsupported HTTP method \"" + request.method + "\""));
  }
  if (request.target.empty()) request.target = "/";
  if (has_ctl(request.target) || request.target[0] != '/') {
    co_return finish(make_error(ErrorCode::kInvalidArgument,
                                "bad request target (must start with '/', no CR/LF)"));
  }
  // The request head as it goes on the wire; the body follows it as is.
  std::size_t head_size =
      request.method.size() + request.target.size() + s.host_header_.size() + 96;
  for (const auto& field : request.headers) head_size += field.name.size() + field.value.size() + 4;
  std::string wire_head;
  wire_head.reserve(head_size);
  auto put_field = [&wire_head](std::string_view name, std::string_view value) {
    wire_head.append(name);
    wire_head.append(": ");
    wire_head.append(value);
    wire_head.append("\r\n");
  };
  wire_head.append(request.method);
  wire_head.push_back(' ');
  wire_head.append(request.target);
  wire_head.append(" HTTP/1.1\r\n");
  bool has_user_agent = false;
  for (const auto& field : request.headers) {
    if (field.name.empty() || has_ctl(field.name) || has_ctl(field.value)) {
      co_return finish(
          make_error(ErrorCode::kInvalidArgument, "bad header field \"" + field.name + "\""));
    }
    const bhttp::field known = bhttp::string_to_field(field.name);
    // The client owns the framing and connection management headers.
    if (known == bhttp::field::host || known == bhttp::field::content_length ||
        known == bhttp::field::connection || known == bhttp::field::transfer_encoding) {
      continue;
    }
    if (known == bhttp::field::user_agent) has_user_agent = true;
    put_field(field.name, field.value);
  }
  put_field("Host", s.host_header_);
  if (!has_user_agent) put_field("User-Agent", "awsperf/0.1");
  // HTTP/1.1 connections are persistent unless a side says otherwise.
  if (!s.options_.keep_alive) put_field("Connection", "close");
  // As Beast's prepare_payload(): a length for any body, and for an empty
  // one where the method expects a body.
  if (verb == bhttp::verb::trace && !request.body.empty()) {
    co_return finish(make_error(ErrorCode::kInvalidArgument, "a TRACE request has no body"));
  }
  if (!request.body.empty() || verb == bhttp::verb::post || verb == bhttp::verb::put ||
      verb == bhttp::verb::options) {
    char digits[24];
    auto [end, ec] = std::to_chars(digits, digits + sizeof digits, request.body.size());
    (void)ec;
    put_field("Content-Length", std::string_view(digits, static_cast<std::size_t>(end - digits)));
  }
  wire_head.append("\r\n");
  const bool head = verb == bhttp::verb::head;
  const std::chrono::milliseconds timeout =
      request.request_timeout.value_or(s.options_.request_timeout);

  Result<Lease> lease = co_await s.acquire();
  phases.acquired = s.clock_->now();
  if (!lease) co_return finish(make_error(std::move(lease.error())));

  std::unique_ptr<Connection> conn = std::move(lease->connection);
  bool reused = lease->reused;
  // Named, not converted inside the co_await expressions (docs/gcc12-coroutines.md).
  const std::string_view head_view = wire_head;
  const std::string_view body_view = request.body;
  for (int attempt = 1;; ++attempt) {
    if (!conn) {
      Result<std::unique_ptr<Connection>> opened = co_await s.connect(phases);
      if (!opened) {
        s.release(nullptr, std::nullopt);
        co_return finish(make_error(std::move(opened.error())));
      }
      conn = std::move(*opened);
    }
    // Not a conditional expression: g++ 12 miscompiles co_await inside ?:.
    Exchange ex;
    if (conn->is_tls()) {
      ex = co_await s.exchange(conn->tls(), *conn, head_view, body_view, head, timeout, phases);
    } else {
      ex = co_await s.exchange(conn->plain(), *conn, head_view, body_view, head, timeout, phases);
    }
    if (ex.response) {
      ex.response->reused_connection = reused;
      ex.response->attempts = attempt;
      std::optional<CloseReason> close;
      if (!ex.keep_alive) close = CloseReason::kRemote;
      if (!s.options_.keep_alive) close = CloseReason::kLocal;
      s.release(std::move(conn), close);
      co_return finish(std::move(*ex.response));
    }
    // The server closed a pooled connection while it sat idle and we wrote
    // into the void: nothing was processed, so one retry on a fresh
    // connection in the same slot is safe and invisible to the caller.
    if (reused && !ex.response_started && !ex.timed_out && attempt == 1 &&
        s.options_.retry_stale_connection && ex.error.code == ErrorCode::kConnectionClosed) {
      s.close_keeping_slot(std::move(conn), CloseReason::kRemote);
      {
        std::lock_guard lock(s.mutex_);
        ++s.stats_.stale_retries;
      }
      reused = false;
      continue;
    }
    {
      std::lock_guard lock(s.mutex_);
      if (ex.timed_out) ++s.stats_.timeouts_request;
    }
    s.release(std::move(conn), CloseReason::kError);
    co_return finish(make_error(std::move(ex.error)));
  }
}

// --- ConnectionPool ---------------------------------------------------------

Result<ConnectionPool> ConnectionPool::create(asio::any_io_executor executor, Origin origin,
                                              PoolOptions options) {
  if (origin.host.empty()) return make_error(ErrorCode::kInvalidArgument, "origin without host");
  if (options.max_sockets == 0) {
    return make_error(ErrorCode::kInvalidArgument, "max_sockets must be at least 1");
  }
  if (options.connect_timeout.count() <= 0 || options.request_timeout.count() <= 0 ||
      options.acquire_timeout.count() < 0) {
    return make_error(ErrorCode::kInvalidArgument, "timeouts must be positive");
  }
  std::unique_ptr<asio::ssl::context> tls;
  if (origin.is_tls()) {
    tls = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
    ErrorCodeT ec;
    tls->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                         asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                         asio::ssl::context::no_tlsv1_1,
                     ec);
    tls->set_default_verify_paths(ec);
    if (ec) {
      return make_error(ErrorCode::kTls, "cannot load the system CA store: " + ec.message());
    }
    if (options.tls.ca_file) {
      tls->load_verify_file(*options.tls.ca_file, ec);
      if (ec) {
        return make_error(ErrorCode::kTls,
                          "cannot load CA file " + *options.tls.ca_file + ": " + ec.message());
      }
    }
    tls->set_verify_mode(asio::ssl::verify_peer);
  }
  return ConnectionPool(std::make_shared<Impl>(std::move(executor), std::move(origin),
                                               std::move(options), std::move(tls)));
}

ConnectionPool::~ConnectionPool() = default;

asio::awaitable<Result<Response>> ConnectionPool::async_request(Request request) {
  // Not a coroutine itself: the shared_ptr is copied into the frame now, so a
  // temporary ConnectionPool handle may die before the request starts.
  return Impl::run(impl_, std::move(request));
}

PoolStatistics ConnectionPool::statistics() const { return impl_->statistics(); }
const Origin& ConnectionPool::origin() const { return impl_->origin(); }
const PoolOptions& ConnectionPool::options() const { return impl_->options(); }
std::size_t ConnectionPool::evict_idle() { return impl_->evict_idle(); }
void ConnectionPool::shutdown() { impl_->shutdown(); }

}  // namespace awsperf::http
