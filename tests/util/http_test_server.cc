#include "http_test_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <string_view>
#include <thread>

namespace awsperf::testutil {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

// "/<name>/<number>..." → number.
std::optional<std::uint64_t> path_number(std::string_view target, std::string_view name) {
  std::string prefix = "/" + std::string(name) + "/";
  if (!target.starts_with(prefix)) return std::nullopt;
  std::string_view rest = target.substr(prefix.size());
  std::uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), value);
  if (ec != std::errc() || ptr == rest.data()) return std::nullopt;
  return value;
}

}  // namespace

struct HttpTestServer::Impl {
  explicit Impl(HttpTestServerOptions o) : options(std::move(o)), acceptor(io) {}

  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(asio::make_strand(io), kNoThrow);
      if (ec) {
        if (!acceptor.is_open()) co_return;
        continue;
      }
      accepted.fetch_add(1, std::memory_order_relaxed);
      boost::system::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      asio::any_io_executor executor = socket.get_executor();
      asio::co_spawn(executor, session(std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<void> session(tcp::socket socket) {
    open.fetch_add(1, std::memory_order_relaxed);
    if (tls_context) {
      beast::ssl_stream<beast::tcp_stream> stream(std::move(socket), *tls_context);
      beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(30));
      auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, kNoThrow);
      if (!ec) co_await serve(stream, beast::get_lowest_layer(stream));
      beast::get_lowest_layer(stream).close();
    } else {
      beast::tcp_stream stream(std::move(socket));
      co_await serve(stream, stream);
      stream.close();
    }
    open.fetch_sub(1, std::memory_order_relaxed);
  }

  template <typename Stream>
  asio::awaitable<void> serve(Stream& stream, beast::tcp_stream& tcp) {
    beast::flat_buffer buffer;
    std::size_t answered = 0;
    for (;;) {
      tcp.expires_after(options.close_idle_after);
      bhttp::request_parser<bhttp::string_body> parser;
      parser.body_limit(256u << 20);
      auto [ec, n] = co_await bhttp::async_read(stream, buffer, parser, kNoThrow);
      if (ec) co_return;
      requests.fetch_add(1, std::memory_order_relaxed);
      if (options.drop_after_requests && answered >= *options.drop_after_requests) co_return;
      bhttp::request<bhttp::string_body>& request = parser.get();
      std::string_view target = request.target();

      std::chrono::milliseconds delay = options.response_delay;
      if (auto d = path_number(target, "delay")) delay += std::chrono::milliseconds(*d);
      if (delay.count() > 0) {
        asio::steady_timer timer(co_await asio::this_coro::executor, delay);
        co_await timer.async_wait(kNoThrow);
      }

      bhttp::response<bhttp::string_body> response;
      response.version(request.version());
      response.result(static_cast<unsigned>(path_number(target, "status").value_or(200)));
      response.set(bhttp::field::server, "awsperf-test");
      response.set(bhttp::field::content_type, "text/plain");
      if (target.starts_with("/echo")) {
        response.body() = std::move(request.body());
      } else if (auto size = path_number(target, "size")) {
        response.body().assign(*size, 'x');
      } else {
        response.body().assign(options.body_bytes, 'o');
        if (options.body_bytes == 2) response.body() = "ok";
      }
      const bool keep = request.keep_alive() && !options.connection_close;
      response.keep_alive(keep);
      response.prepare_payload();
      // A HEAD answer announces the length but carries no body.
      if (request.method() == bhttp::verb::head) response.body().clear();
      tcp.expires_after(std::chrono::seconds(30));
      auto [wec, written] = co_await bhttp::async_write(stream, response, kNoThrow);
      if (wec) co_return;
      ++answered;
      if (!keep) {
        boost::system::error_code ignored;
        tcp.socket().shutdown(tcp::socket::shutdown_send, ignored);
        co_return;
      }
    }
  }

  HttpTestServerOptions options;
  asio::io_context io;
  std::unique_ptr<asio::ssl::context> tls_context;
  tcp::acceptor acceptor;
  std::vector<std::thread> threads;
  std::uint16_t port = 0;
  std::atomic<std::uint64_t> accepted{0};
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::size_t> open{0};
  std::once_flag stopped;
};

HttpTestServer::HttpTestServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpTestServer::~HttpTestServer() { stop(); }

Result<std::unique_ptr<HttpTestServer>> HttpTestServer::start(HttpTestServerOptions options) {
  auto impl = std::make_unique<Impl>(std::move(options));
  boost::system::error_code ec;
  if (impl->options.cert_file.has_value() != impl->options.key_file.has_value()) {
    return make_error(ErrorCode::kInvalidArgument, "TLS needs both cert_file and key_file");
  }
  if (impl->options.cert_file) {
    impl->tls_context = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
    impl->tls_context->use_certificate_chain_file(*impl->options.cert_file, ec);
    if (!ec) {
      impl->tls_context->use_private_key_file(*impl->options.key_file, asio::ssl::context::pem, ec);
    }
    if (ec) {
      return make_error(ErrorCode::kTls, "test server cannot load " + *impl->options.cert_file +
                                             ": " + ec.message());
    }
  }
  const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  impl->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(endpoint, ec);
  if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return make_error(ErrorCode::kIo, "test server cannot listen: " + ec.message());
  impl->port = impl->acceptor.local_endpoint().port();
  asio::co_spawn(impl->acceptor.get_executor(), impl->accept_loop(), asio::detached);
  Impl* raw = impl.get();
  for (int i = 0; i < std::max(1, raw->options.threads); ++i) {
    raw->threads.emplace_back([raw] { raw->io.run(); });
  }
  return std::unique_ptr<HttpTestServer>(new HttpTestServer(std::move(impl)));
}

void HttpTestServer::stop() {
  std::call_once(impl_->stopped, [this] {
    asio::post(impl_->acceptor.get_executor(), [this] {
      boost::system::error_code ignored;
      impl_->acceptor.close(ignored);
    });
    impl_->io.stop();
    for (auto& t : impl_->threads) t.join();
  });
}

std::uint16_t HttpTestServer::port() const { return impl_->port; }
bool HttpTestServer::tls() const { return impl_->tls_context != nullptr; }
std::string HttpTestServer::url() const {
  return std::string(tls() ? "https" : "http") + "://127.0.0.1:" + std::to_string(port());
}
std::uint64_t HttpTestServer::accepted_connections() const {
  return impl_->accepted.load(std::memory_order_relaxed);
}
std::uint64_t HttpTestServer::requests() const {
  return impl_->requests.load(std::memory_order_relaxed);
}
std::size_t HttpTestServer::open_connections() const {
  return impl_->open.load(std::memory_order_relaxed);
}

// --- certificates -------------------------------------------------------------

std::string make_temp_directory(const std::string& prefix) {
  const char* base = std::getenv("TMPDIR");
  std::string pattern =
      std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/" + prefix + "-XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (::mkdtemp(buffer.data()) == nullptr) return {};
  return std::string(buffer.data());
}

Result<TestCertificates> generate_test_certificates(const std::string& directory) {
  std::error_code fs_ec;
  std::filesystem::create_directories(directory, fs_ec);
  if (fs_ec)
    return make_error(ErrorCode::kIo, "cannot create " + directory + ": " + fs_ec.message());
  TestCertificates out{directory, directory + "/ca.pem", directory + "/server.pem",
                       directory + "/server.key"};
  {
    std::ofstream ext(directory + "/server.ext");
    ext << "subjectAltName=DNS:localhost,IP:127.0.0.1\n"
           "basicConstraints=CA:FALSE\n"
           "keyUsage=digitalSignature,keyEncipherment\n"
           "extendedKeyUsage=serverAuth\n";
  }
  const std::string log = directory + "/openssl.log";
  const std::string d = "'" + directory + "'";
  const std::vector<std::string> commands = {
      "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=awsperf-test-ca -keyout " + d +
          "/ca.key -out " + d + "/ca.pem",
      "openssl req -newkey rsa:2048 -nodes -subj /CN=localhost -keyout " + d + "/server.key -out " +
          d + "/server.csr",
      "openssl x509 -req -days 2 -in " + d + "/server.csr -CA " + d + "/ca.pem -CAkey " + d +
          "/ca.key -CAcreateserial -extfile " + d + "/server.ext -out " + d + "/server.pem",
  };
  for (const std::string& command : commands) {
    const std::string full = command + " >>'" + log + "' 2>&1";
    const int rc = std::system(full.c_str());
    if (rc != 0) {
      return make_error(ErrorCode::kIo, "`" + command + "` failed (exit " + std::to_string(rc) +
                                            "; is the openssl CLI installed? see " + log + ")");
    }
  }
  return out;
}

// --- FullBacklogListener --------------------------------------------------------

Result<std::unique_ptr<FullBacklogListener>> FullBacklogListener::start() {
  std::unique_ptr<FullBacklogListener> out(new FullBacklogListener());
  out->listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (out->listen_fd_ < 0 ||
      ::bind(out->listen_fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
      ::listen(out->listen_fd_, 0) != 0 ||
      ::getsockname(out->listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return make_error(ErrorCode::kIo, "cannot create the full-backlog listener");
  }
  out->port_ = ntohs(addr.sin_port);
  // Fill the accept queue until a connect no longer completes.
  for (int i = 0; i < 16; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) break;
    out->fillers_.push_back(fd);
    ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    pollfd p{fd, POLLOUT, 0};
    if (::poll(&p, 1, 200) == 0) return out;  // this one hangs: the queue is full
  }
  return make_error(ErrorCode::kIo, "could not fill the accept queue of the backlog listener");
}

FullBacklogListener::~FullBacklogListener() {
  for (int fd : fillers_) ::close(fd);
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

}  // namespace awsperf::testutil
