// The HTTP pool against real servers on loopback: the project's Beast test
// server (plain and TLS, with certificates made by the openssl CLI), a
// listener with a full accept queue, and a closed port.
#include "awsperf/http/connection_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "awsperf/http/client.h"
#include "awsperf/monitor/monitor.h"
#include "awsperf/monitor/profiler.h"
#include "http_test_server.h"
#include "process.h"

namespace awsperf::http {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using testutil::HttpTestServer;
using testutil::HttpTestServerOptions;

std::unique_ptr<HttpTestServer> start_server(HttpTestServerOptions options = {}) {
  auto server = HttpTestServer::start(std::move(options));
  if (!server) {
    ADD_FAILURE() << "test server did not start: " << server.error().to_string();
    return nullptr;
  }
  return std::move(*server);
}

Origin origin_of(const HttpTestServer& server) {
  return Origin{server.tls() ? Scheme::kHttps : Scheme::kHttp, "127.0.0.1", server.port()};
}

// Options for tests: no background sweeper, so io_context::run() returns when
// the requests are done; everything else at its default unless a test says so.
PoolOptions test_options() {
  PoolOptions options;
  options.idle_sweep_interval = 0ms;
  options.disable_monitoring = true;
  return options;
}

Request get(std::string target = "/") {
  Request r;
  r.target = std::move(target);
  return r;
}

// A POST to the test server's /echo, which answers with the body it got.
Request echo(std::string body) {
  Request r;
  r.method = "POST";
  r.target = "/echo";
  r.body = std::move(body);
  return r;
}

// Runs one request to completion on `io`.
Result<Response> run(asio::io_context& io, ConnectionPool& pool, Request request) {
  std::optional<Result<Response>> out;
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { out.emplace(co_await pool.async_request(request)); },
      asio::detached);
  io.restart();
  io.run();
  if (!out) return make_error(ErrorCode::kInternal, "request did not finish");
  return std::move(*out);
}

ConnectionPool make_pool(asio::io_context& io, const Origin& origin, PoolOptions options) {
  Result<ConnectionPool> pool = ConnectionPool::create(io.get_executor(), origin, options);
  EXPECT_TRUE(pool.has_value()) << pool.error().to_string();
  return std::move(*pool);
}

TEST(HttpPool, SequentialRequestsReuseOneConnection) {
  auto server = start_server();
  ASSERT_TRUE(server);
  asio::io_context io;
  ConnectionPool pool = make_pool(io, origin_of(*server), test_options());
  for (int i = 0; i < 10; ++i) {
    Result<Response> r = run(io, pool, get());
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "ok");
    EXPECT_EQ(r->reused_connection, i > 0);
    EXPECT_EQ(r->headers.get("server"), "awsperf-test");
  }
  PoolStatistics s = pool.statistics();
  EXPECT_EQ(s.requests, 10u);
  EXPECT_EQ(s.created, 1u);
  EXPECT_EQ(s.reused, 9u);
  EXPECT_DOUBLE_EQ(s.reuse_ratio(), 0.9);
  EXPECT_EQ(s.idle, 1u);
  EXPECT_EQ(s.active, 0u);
  EXPECT_EQ(s.errors, 0u);
  EXPECT_EQ(s.acquire_wait.count, 10u);
  EXPECT_EQ(server->accepted_connections(), 1u);
  EXPECT_EQ(server->requests(), 10u);
}

TEST(HttpPool, PostBodyAndHeadersRoundTrip) {
  auto server = start_server();
  ASSERT_TRUE(server);
  asio::io_context io;
  ConnectionPool pool = make_pool(io, origin_of(*server), test_options());
  Request post = echo(std::string(100'000, 'b') + "end");
  post.headers.set("Content-Type", "application/x-amz-json-1.0");
  Result<Response> r = run(io, pool, post);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->body, post.body);
  EXPECT_EQ(r->headers.get("content-length"), std::to_string(post.body.size()));

  Request head = get("/size/1000");
  head.method = "HEAD";
  r = run(io, pool, head);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(r->body.empty());
  // The HEAD response had no body to read: the connection is still good.
  r = run(io, pool, get("/status/404"));
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(pool.statistics().created, 1u);
}

TEST(HttpPool, LargeBodiesThatDoNotFitOneWriteOrReadRoundTrip) {
  // A plain request is first written without waiting; 24 MB cannot fit the
  // socket buffer, so the rest goes out asynchronously. The echoed response
  // does not fit the first read either and is read on under the deadline.
  auto server = start_server();
  ASSERT_TRUE(server);
  asio::io_context io;
  ConnectionPool pool = make_pool(io, origin_of(*server), test_options());
  std::string body;
  body.reserve(24u << 20);
  for (std::size_t i = 0; body.size() < (24u << 20); ++i) body += std::to_string(i) + ",";
  Request post = echo(std::move(body));
  Result<Response> r = run(io, pool, post);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(r->body == post.body) << "echoed body differs (" << r->body.size() << " bytes)";
  r = run(io, pool, get());
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_TRUE(r->reused_connection);
  EXPECT_EQ(pool.statistics().created, 1u);
}

TEST(HttpPool, BadRequestsFailBeforeTouchingTheNetwork) {
  asio::io_context io;
  // Nothing listens on port 1; these fail on validation, not on connect.
  ConnectionPool pool = make_pool(io, Origin{Scheme::kHttp, "127.0.0.1", 1}, test_options());
  Request bad_method = get();
  bad_method.method = "NOT A METHOD";
  Result<Response> r = run(io, pool, bad_method);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  Request smuggle = get();
  smuggle.headers.set("X-Test", "a\r\nHost: evil");
  r = run(io, pool, smuggle);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(pool.statistics().created + pool.statistics().connect_failures, 0u);
}

TEST(HttpPool, MaxSocketsBoundsABurstAndExtraIdleSocketsAreClosed) {
  auto server = start_server();
  ASSERT_TRUE(server);
  asio::io_context io;
  PoolOptions options = test_options();
  options.max_sockets = 4;
  options.max_free_sockets = 2;
  ConnectionPool pool = make_pool(io, origin_of(*server), options);
  int ok = 0;
  for (int i = 0; i < 16; ++i) {
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          Result<Response> r = co_await pool.async_request(get("/delay/30"));
          if (r && r->status == 200) ++ok;
        },
        asio::detached);
  }
  io.run();
  EXPECT_EQ(ok, 16);
  PoolStatistics s = pool.statistics();
  EXPECT_EQ(s.created, 4u);
  EXPECT_EQ(s.reused, 12u);
  EXPECT_EQ(s.max_active, 4u);
  EXPECT_EQ(s.max_waiting, 12u);
  EXPECT_EQ(s.waiting, 0u);
  EXPECT_EQ(s.idle, 2u);
  EXPECT_EQ(s.closed_surplus, 2u);
  EXPECT_EQ(server->accepted_connections(), 4u);
  // Twelve requests waited about one or more 30 ms rounds.
  EXPECT_GE(s.acquire_wait.percentile(0.99), 10ms);
}

TEST(HttpPool, WaitersAreServedInFifoOrder) {
  auto server = start_server();
  ASSERT_TRUE(server);
  asio::io_context io;
  PoolOptions options = test_options();
  options.max_sockets = 1;
  ConnectionPool pool = make_pool(io, origin_of(*server), options);
  std::vector<int> order;
  for (int i = 0; i < 6; ++i) {
    asio::co_spawn(
        io,
        [&, i]() -> asio::awaitable<void> {
          Result<Response> r =
              co_await pool.async_request(get("/delay/" + std::to_string(5 * (6 - i))));
          if (r) order.push_back(i);
        },
        asio::detached);
  }
  io.run();
  // Later requests are faster on the server, yet they come back in arrival
  // order: each waits for the one before it to hand the connection over.
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(pool.statistics().max_waiting, 5u);
  EXPECT_EQ(server->accepted_connections(), 1u);
}

TEST(HttpPool, AcquireTimeout) {
  auto server = start_server();
  ASSERT_TRUE(server);
  asio::io_context io;
  PoolOptions options = test_options();
  options.max_sockets = 1;
  options.acquire_timeout = 100ms;
  ConnectionPool pool = make_pool(io, origin_of(*server), options);
  std::optional<Result<Response>> slow, starved;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        slow.emplace(co_await pool.async_request(get("/delay/600")));
      },
      asio::detached);
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { starved.emplace(co_await pool.async_request(get())); },
      asio::detached);
  io.run();
  ASSERT_TRUE(slow && starved);
  ASSERT_TRUE(*slow) << slow->error().to_string();
  ASSERT_FALSE(*starved);
  EXPECT_EQ(starved->error().code, ErrorCode::kTimeout);
  EXPECT_NE(starved->error().message.find("acquire timeout"), std::string::npos);
  PoolStatistics s = pool.statistics();
  EXPECT_EQ(s.timeouts_acquire, 1u);
  EXPECT_EQ(s.waiting, 0u);
  EXPECT_EQ(s.errors, 1u);
  EXPECT_EQ(s.created, 1u);
}

TEST(HttpPool, IdleConnectionsExpireByTheInjectedClock) {
  auto server = start_server();
  ASSERT_TRUE(server);
  asio::io_context io;
  ManualClock clock;
  PoolOptions options = test_options();
  options.keep_alive_timeout = 60s;
  options.clock = &clock;
  ConnectionPool pool = make_pool(io, origin_of(*server), options);
  ASSERT_TRUE(run(io, pool, get()));
  EXPECT_EQ(pool.statistics().idle, 1u);

  clock.advance(59s);
  EXPECT_EQ(pool.evict_idle(), 0u);
  Result<Response> r = run(io, pool, get());
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->reused_connection);

  clock.advance(60s);
  EXPECT_EQ(pool.evict_idle(), 1u);
  PoolStatistics s = pool.statistics();
  EXPECT_EQ(s.idle, 0u);
  EXPECT_EQ(s.closed_idle, 1u);

  // An expired connection is never handed out, even before a sweep.
  ASSERT_TRUE(run(io, pool, get()));
  clock.advance(61s);
  r = run(io, pool, get());
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->reused_connection);
  s = pool.statistics();
  EXPECT_EQ(s.closed_idle, 2u);
  EXPECT_EQ(s.created, 3u);
}

TEST(HttpPool, BackgroundSweeperClosesExpiredConnections) {
  auto server = start_server();
  ASSERT_TRUE(server);
  asio::io_context io;
  PoolOptions options = test_options();
  options.keep_alive_timeout = 50ms;
  options.idle_sweep_interval = 20ms;
  ConnectionPool pool = make_pool(io, origin_of(*server), options);
  // run() returns only once the sweeper has nothing left to watch.
  Result<Response> r = run(io, pool, get());
  ASSERT_TRUE(r);
  PoolStatistics s = pool.statistics();
  EXPECT_EQ(s.idle, 0u);
  EXPECT_EQ(s.closed_idle, 1u);
}

TEST(HttpPool, ServerClosingIdleConnectionsIsDetectedBeforeReuse) {
  HttpTestServerOptions server_options;
  server_options.close_idle_after = 50ms;
  auto server = start_server(server_options);
  ASSERT_TRUE(server);
  asio::io_context io;
  PoolOptions options = test_options();
  options.probe_idle_after = 0ms;  // probe every reuse, however short the idle time
  ConnectionPool pool = make_pool(io, origin_of(*server), options);
  ASSERT_TRUE(run(io, pool, get()));
  // Let the server's idle timer close the connection.
  for (int i = 0; i < 100 && server->open_connections() > 0; ++i) std::this_thread::sleep_for(10ms);
  ASSERT_EQ(server->open_connections(), 0u);
  Result<Response> r = run(io, pool, get());
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->attempts, 1);  // found before sending anything
  PoolStatistics s = pool.statistics();
  EXPECT_EQ(s.created, 2u);
  EXPECT_EQ(s.closed_remote, 1u);
  EXPECT_EQ(s.stale_retries, 0u);
  EXPECT_EQ(s.errors, 0u);
}

TEST(HttpPool, BrieflyIdleConnectionTheServerClosedIsRetriedWithoutAProbe) {
  HttpTestServerOptions server_options;
  server_options.close_idle_after = 50ms;
  auto server = start_server(server_options);
  ASSERT_TRUE(server);
  asio::io_context io;
  // Default probe_idle_after (1 s): a connection idle for ~50 ms is reused
  // without a poll(); the write into the closed connection fails before any
  // response byte, and the stale-connection retry sends it again.
  ConnectionPool pool = make_pool(io, origin_of(*server), test_options());
  ASSERT_TRUE(run(io, pool, get()));
  for (int i = 0; i < 100 && server->open_connections() > 0; ++i) std::this_thread::sleep_for(10ms);
  ASSERT_EQ(server->open_connections(), 0u);
  Result<Response> r = run(io, pool, get());
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->attempts, 2);
  PoolStatistics s = pool.statistics();
  EXPECT_EQ(s.created, 2u);
  EXPECT_EQ(s.stale_retries, 1u);
  EXPECT_EQ(s.errors, 0u);

  // Without the retry every reuse is probed, so the caller still sees no error.
  PoolOptions strict_options = test_options();
  strict_options.retry_stale_connection = false;
  ConnectionPool strict = make_pool(io, origin_of(*server), strict_options);
  ASSERT_TRUE(run(io, strict, get()));
  for (int i = 0; i < 100 && server->open_connections() > 0; ++i) std::this_thread::sleep_for(10ms);
  ASSERT_EQ(server->open_connections(), 0u);
  r = run(io, strict, get());
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->attempts, 1);
  EXPECT_EQ(strict.statistics().closed_remote, 1u);
}

TEST(HttpPool, RequestOnAConnectionTheServerDroppedIsRetriedOnce) {
  HttpTestServerOptions server_options;
  server_options.drop_after_requests = 1;
  auto server = start_server(server_options);
  ASSERT_TRUE(server);
  asio::io_context io;
  ConnectionPool pool = make_pool(io, origin_of(*server), test_options());
  ASSERT_TRUE(run(io, pool, get()));
  Result<Response> r = run(io, pool, get());
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->attempts, 2);
  EXPECT_FALSE(r->reused_connection);
  PoolStatistics s = pool.statistics();
  EXPECT_EQ(s.stale_retries, 1u);
  EXPECT_EQ(s.created, 2u);
  EXPECT_EQ(s.closed_remote, 1u);
  EXPECT_EQ(s.errors, 0u);
  EXPECT_EQ(server->accepted_connections(), 2u);

  // Without the retry the same situation is an error the caller sees.
  PoolOptions no_retry = test_options();
  no_retry.retry_stale_connection = false;
  ConnectionPool strict = make_pool(io, origin_of(*server), no_retry);
  ASSERT_TRUE(run(io, strict, get()));
  r = run(io, strict, get());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kConnectionClosed);
  EXPECT_TRUE(r.error().retryable);
}

TEST(HttpPool, ServerAnsweringConnectionCloseGetsANewConnectionEachTime) {
  HttpTestServerOptions server_options;
  server_options.connection_close = true;
  auto server = start_server(server_options);
  ASSERT_TRUE(server);
  asio::io_context io;
  ConnectionPool pool = make_pool(io, origin_of(*server), test_options());
  for (int i = 0; i < 3; ++i) {
    Result<Response> r = run(io, pool, get());
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->headers.get("connection"), "close");
    EXPECT_FALSE(r->reused_connection);
  }
  PoolStatistics s = pool.statistics();
  EXPECT_EQ(s.created, 3u);
  EXPECT_EQ(s.reused, 0u);
  EXPECT_EQ(s.closed_remote, 3u);
  EXPECT_EQ(s.idle, 0u);
  EXPECT_EQ(server->accepted_connections(), 3u);
}

TEST(HttpPool, KeepAliveOffSendsConnectionClose) {
  auto server = start_server();
  ASSERT_TRUE(server);
  asio::io_context io;
  PoolOptions options = test_options();
  options.keep_alive = false;
  ConnectionPool pool = make_pool(io, origin_of(*server), options);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(run(io, pool, get()));
  PoolStatistics s = pool.statistics();
  EXPECT_EQ(s.created, 3u);
  EXPECT_EQ(s.closed_local, 3u);
  EXPECT_EQ(server->accepted_connections(), 3u);
}

TEST(HttpPool, ConnectTimeoutAgainstAFullAcceptQueue) {
  auto listener = testutil::FullBacklogListener::start();
  ASSERT_TRUE(listener) << listener.error().to_string();
  asio::io_context io;
  PoolOptions options = test_options();
  options.connect_timeout = 200ms;
  ConnectionPool pool =
      make_pool(io, Origin{Scheme::kHttp, "127.0.0.1", (*listener)->port()}, options);
  const auto start = std::chrono::steady_clock::now();
  Result<Response> r = run(io, pool, get());
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kTimeout);
  EXPECT_NE(r.error().message.find("connect timeout"), std::string::npos) << r.error().message;
  EXPECT_LT(took, 5s);
  PoolStatistics s = pool.statistics();
  EXPECT_EQ(s.timeouts_connect, 1u);
  EXPECT_EQ(s.active, 0u);
  EXPECT_EQ(s.created, 0u);
}

TEST(HttpPool, RequestTimeoutOnASlowServerClosesTheConnection) {
  auto server = start_server();
  ASSERT_TRUE(server);
  asio::io_context io;
  PoolOptions options = test_options();
  options.request_timeout = 150ms;
  ConnectionPool pool = make_pool(io, origin_of(*server), options);
  Result<Response> r = run(io, pool, get("/delay/2000"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kTimeout);
  EXPECT_NE(r.error().message.find("request timeout"), std::string::npos) << r.error().message;
  // A per-request timeout overrides the pool's.
  Request patient = get("/delay/300");
  patient.request_timeout = 5s;
  Result<Response> ok = run(io, pool, patient);
  ASSERT_TRUE(ok) << ok.error().to_string();
  PoolStatistics s = pool.statistics();
  EXPECT_EQ(s.timeouts_request, 1u);
  EXPECT_EQ(s.closed_error, 1u);
  EXPECT_EQ(s.created, 2u);
}

TEST(HttpPool, ConnectionRefusedIsAClearErrorWithoutHanging) {
  const int port = testutil::free_port();
  asio::io_context io;
  ConnectionPool pool = make_pool(
      io, Origin{Scheme::kHttp, "127.0.0.1", static_cast<std::uint16_t>(port)}, test_options());
  const auto start = std::chrono::steady_clock::now();
  Result<Response> r = run(io, pool, get());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kConnectionFailed);
  EXPECT_NE(r.error().message.find("refused"), std::string::npos) << r.error().message;
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_EQ(pool.statistics().connect_failures, 1u);
  EXPECT_EQ(pool.statistics().active, 0u);
}

TEST(HttpPool, OversizedResponseIsAnErrorNotATruncation) {
  auto server = start_server();
  ASSERT_TRUE(server);
  asio::io_context io;
  PoolOptions options = test_options();
  options.max_response_body_bytes = 1 << 20;
  ConnectionPool pool = make_pool(io, origin_of(*server), options);
  Result<Response> fits = run(io, pool, get("/size/1048576"));
  ASSERT_TRUE(fits) << fits.error().to_string();
  EXPECT_EQ(fits->body.size(), 1048576u);
  Result<Response> r = run(io, pool, get("/size/1048577"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kTooLarge);
  EXPECT_FALSE(r.error().retryable);
  // The half-read connection is closed, and the pool goes on.
  EXPECT_EQ(pool.statistics().closed_error, 1u);
  ASSERT_TRUE(run(io, pool, get()));
  EXPECT_EQ(pool.statistics().created, 2u);
}

class HttpPoolTls : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    directory_ = new std::string(testutil::make_temp_directory("awsperf-http-tls"));
    auto certs = testutil::generate_test_certificates(*directory_);
    if (certs)
      certs_ = new testutil::TestCertificates(*certs);
    else
      error_ = new std::string(certs.error().to_string());
  }
  static void TearDownTestSuite() {
    if (directory_ && !directory_->empty()) std::filesystem::remove_all(*directory_);
    delete directory_;
    delete certs_;
    delete error_;
  }
  void SetUp() override {
    ASSERT_NE(certs_, nullptr) << "cannot make test certificates: " << (error_ ? *error_ : "");
    HttpTestServerOptions options;
    options.cert_file = certs_->cert_file;
    options.key_file = certs_->key_file;
    server_ = start_server(options);
    ASSERT_TRUE(server_);
  }
  static std::string* directory_;
  static testutil::TestCertificates* certs_;
  static std::string* error_;
  std::unique_ptr<HttpTestServer> server_;
};
std::string* HttpPoolTls::directory_ = nullptr;
testutil::TestCertificates* HttpPoolTls::certs_ = nullptr;
std::string* HttpPoolTls::error_ = nullptr;

TEST_F(HttpPoolTls, VerifiedWithTheTestCaAndReused) {
  asio::io_context io;
  PoolOptions options = test_options();
  options.tls.ca_file = certs_->ca_file;
  for (const char* host : {"localhost", "127.0.0.1"}) {
    ConnectionPool pool = make_pool(io, Origin{Scheme::kHttps, host, server_->port()}, options);
    for (int i = 0; i < 3; ++i) {
      Result<Response> r = run(io, pool, get());
      ASSERT_TRUE(r) << host << ": " << r.error().to_string();
      EXPECT_EQ(r->body, "ok");
    }
    EXPECT_EQ(pool.statistics().created, 1u) << host;
    EXPECT_EQ(pool.statistics().reused, 2u) << host;
  }
}

TEST_F(HttpPoolTls, UnknownCaIsAClearVerificationError) {
  asio::io_context io;
  ConnectionPool pool =
      make_pool(io, Origin{Scheme::kHttps, "localhost", server_->port()}, test_options());
  Result<Response> r = run(io, pool, get());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kTls);
  EXPECT_NE(r.error().message.find("certificate verification failed"), std::string::npos)
      << r.error().message;
  EXPECT_NE(r.error().message.find("local issuer"), std::string::npos) << r.error().message;
  EXPECT_EQ(pool.statistics().created, 0u);
  EXPECT_EQ(pool.statistics().active, 0u);
}

TEST_F(HttpPoolTls, WrongHostNameIsAClearVerificationError) {
  asio::io_context io;
  PoolOptions options = test_options();
  options.tls.ca_file = certs_->ca_file;
  options.tls.server_name = "not-localhost.example";
  ConnectionPool pool =
      make_pool(io, Origin{Scheme::kHttps, "127.0.0.1", server_->port()}, options);
  Result<Response> r = run(io, pool, get());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kTls);
  EXPECT_NE(r.error().message.find("hostname mismatch"), std::string::npos) << r.error().message;
}

TEST_F(HttpPoolTls, MissingCaFileFailsAtCreation) {
  asio::io_context io;
  PoolOptions options = test_options();
  options.tls.ca_file = *directory_ + "/does-not-exist.pem";
  Result<ConnectionPool> pool =
      ConnectionPool::create(io.get_executor(), Origin{Scheme::kHttps, "localhost", 1}, options);
  ASSERT_FALSE(pool);
  EXPECT_EQ(pool.error().code, ErrorCode::kTls);
  EXPECT_NE(pool.error().message.find("does-not-exist.pem"), std::string::npos);
}

TEST(HttpPool, ShutdownFailsQueuedAndLaterRequestsAndLetsInFlightOnesFinish) {
  auto server = start_server();
  ASSERT_TRUE(server);
  asio::io_context io;
  PoolOptions options = test_options();
  options.max_sockets = 1;
  ConnectionPool pool = make_pool(io, origin_of(*server), options);
  std::optional<Result<Response>> in_flight, queued;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        in_flight.emplace(co_await pool.async_request(get("/delay/100")));
      },
      asio::detached);
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { queued.emplace(co_await pool.async_request(get())); },
      asio::detached);
  asio::steady_timer timer(io, 30ms);
  timer.async_wait([&](const boost::system::error_code&) { pool.shutdown(); });
  io.run();
  ASSERT_TRUE(in_flight && queued);
  EXPECT_TRUE(*in_flight);
  ASSERT_FALSE(*queued);
  EXPECT_EQ(queued->error().code, ErrorCode::kCancelled);
  Result<Response> later = run(io, pool, get());
  ASSERT_FALSE(later);
  EXPECT_EQ(later.error().code, ErrorCode::kCancelled);
  PoolStatistics s = pool.statistics();
  EXPECT_EQ(s.idle, 0u);
  EXPECT_EQ(s.active, 0u);
  EXPECT_EQ(s.closed_local, 1u);  // the in-flight connection, on its return
}

TEST(HttpPool, ManyThreadsShareOnePool) {
  HttpTestServerOptions server_options;
  server_options.threads = 2;
  auto server = start_server(server_options);
  ASSERT_TRUE(server);
  asio::io_context io;
  PoolOptions options = test_options();
  options.max_sockets = 6;
  ConnectionPool pool = make_pool(io, origin_of(*server), options);
  std::atomic<int> ok{0};
  for (int i = 0; i < 200; ++i) {
    // Each coroutine on its own strand: a multi-threaded io_context.
    asio::co_spawn(
        asio::make_strand(io),
        [&, i]() -> asio::awaitable<void> {
          Result<Response> r = co_await pool.async_request(get(i % 2 ? "/" : "/delay/1"));
          if (r && r->status == 200) ok.fetch_add(1);
        },
        asio::detached);
  }
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) threads.emplace_back([&] { io.run(); });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 200);
  PoolStatistics s = pool.statistics();
  EXPECT_LE(s.max_active, 6u);
  EXPECT_LE(server->accepted_connections(), 6u);
  EXPECT_EQ(s.created + s.reused, 200u);
  EXPECT_EQ(s.active, 0u);
}

TEST(HttpClient, BlockingClientFromSeveralThreadsAndManagerStatistics) {
  auto a = start_server();
  auto b = start_server();
  ASSERT_TRUE(a && b);
  PoolOptions options;
  options.disable_monitoring = true;
  BlockingClient client(options);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        const std::string url = ((t + i) % 2 ? a : b)->url() + "/echo?x=" + std::to_string(i);
        Request r;
        r.method = "PUT";
        r.body = "body" + std::to_string(i);
        Result<Response> response = client.request(url, r);
        if (response && response->body == r.body) ok.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 100);
  ManagerStatistics stats = client.pools().statistics();
  ASSERT_EQ(stats.pools.size(), 2u);
  EXPECT_EQ(stats.total.origin, "total");
  EXPECT_EQ(stats.total.requests, 100u);
  EXPECT_EQ(stats.pools[0].requests + stats.pools[1].requests, 100u);
  EXPECT_LE(stats.total.created, 8u);
  EXPECT_GT(stats.total.reuse_ratio(), 0.9);

  Result<Response> bad = client.request("ftp://127.0.0.1/");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
}

TEST(HttpPool, RequestsFeedTheMonitorAndTheProfiler) {
  auto server = start_server();
  ASSERT_TRUE(server);
  asio::io_context io;
  monitor::PerformanceMonitor performance;
  monitor::RequestProfiler profiler;
  PoolOptions options = test_options();
  options.disable_monitoring = false;
  options.monitor = &performance;
  options.profiler = &profiler;
  ConnectionPool pool = make_pool(io, origin_of(*server), options);
  for (int i = 0; i < 5; ++i) {
    Request r = get();
    r.operation = "test.Get";
    ASSERT_TRUE(run(io, pool, r));
  }
  Request failing = get("/delay/1000");
  failing.operation = "test.Slow";
  failing.request_timeout = 50ms;
  ASSERT_FALSE(run(io, pool, failing));

  auto get_stats = performance.stats("test.Get");
  ASSERT_TRUE(get_stats.has_value());
  EXPECT_EQ(get_stats->latency.count, 5u);
  EXPECT_EQ(get_stats->errors, 0u);
  auto slow_stats = performance.stats("test.Slow");
  ASSERT_TRUE(slow_stats.has_value());
  EXPECT_EQ(slow_stats->errors, 1u);

  monitor::ProfilerSnapshot p = profiler.snapshot();
  EXPECT_EQ(p.requests, 6u);
  EXPECT_EQ(p.errors, 1u);
  auto phase = [&](monitor::Phase ph) { return p.phases[static_cast<std::size_t>(ph)].count(); };
  EXPECT_EQ(phase(monitor::Phase::kPoolAcquire), 6u);
  EXPECT_EQ(phase(monitor::Phase::kConnect), 1u);  // one connection, reused
  EXPECT_EQ(phase(monitor::Phase::kTls), 0u);
  EXPECT_EQ(phase(monitor::Phase::kSend), 6u);
  EXPECT_EQ(phase(monitor::Phase::kFirstByte), 5u);
  EXPECT_EQ(phase(monitor::Phase::kReceive), 5u);
  EXPECT_EQ(phase(monitor::Phase::kTotal), 6u);
}

}  // namespace
}  // namespace awsperf::http
