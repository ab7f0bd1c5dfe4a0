#include "tcp_relay.h"

#include <boost/asio.hpp>
#include <deque>
#include <thread>

namespace awsperf::testutil {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

namespace {

struct Counters {
  std::atomic<std::uint64_t> accepted{0};
  std::atomic<std::uint64_t> failed{0};
  std::atomic<std::uint64_t> to_target{0};
  std::atomic<std::uint64_t> from_target{0};
};

// One direction of one connection: a reader that timestamps chunks and a
// writer that releases each chunk when its time comes, in order.
class Pipe : public std::enable_shared_from_this<Pipe> {
 public:
  Pipe(std::shared_ptr<tcp::socket> from, std::shared_ptr<tcp::socket> to,
       std::chrono::microseconds delay, std::size_t chunk_bytes, std::atomic<std::uint64_t>* bytes)
      : from_(std::move(from)),
        to_(std::move(to)),
        delay_(delay),
        chunk_bytes_(chunk_bytes),
        bytes_(bytes),
        signal_(from_->get_executor()),
        wait_(from_->get_executor()) {
    signal_.expires_at(asio::steady_timer::time_point::max());
  }

  void run() {
    auto self = shared_from_this();
    asio::co_spawn(from_->get_executor(), self->read_loop(), asio::detached);
    asio::co_spawn(from_->get_executor(), self->write_loop(), asio::detached);
  }

 private:
  struct Chunk {
    std::string bytes;
    std::chrono::steady_clock::time_point due;
  };

  asio::awaitable<void> read_loop() {
    auto self = shared_from_this();
    for (;;) {
      std::string buffer(chunk_bytes_, '\0');
      auto [ec, n] = co_await from_->async_read_some(asio::buffer(buffer),
                                                     asio::as_tuple(asio::use_awaitable));
      if (ec) break;
      buffer.resize(n);
      queue_.push_back({std::move(buffer), std::chrono::steady_clock::now() + delay_});
      signal_.cancel();
    }
    eof_ = true;
    signal_.cancel();
  }

  asio::awaitable<void> write_loop() {
    auto self = shared_from_this();
    for (;;) {
      if (queue_.empty()) {
        if (eof_) break;
        co_await signal_.async_wait(asio::as_tuple(asio::use_awaitable));
        signal_.expires_at(asio::steady_timer::time_point::max());
        continue;
      }
      Chunk& chunk = queue_.front();
      if (chunk.due > std::chrono::steady_clock::now()) {
        wait_.expires_at(chunk.due);
        co_await wait_.async_wait(asio::as_tuple(asio::use_awaitable));
      }
      auto [ec, n] = co_await asio::async_write(*to_, asio::buffer(chunk.bytes),
                                                asio::as_tuple(asio::use_awaitable));
      if (ec) break;
      bytes_->fetch_add(n, std::memory_order_relaxed);
      queue_.pop_front();
    }
    // Pass the half-close on, so the other side sees end of stream.
    boost::system::error_code ignored;
    to_->shutdown(tcp::socket::shutdown_send, ignored);
    if (!eof_) from_->close(ignored);
  }

  std::shared_ptr<tcp::socket> from_, to_;
  std::chrono::microseconds delay_;
  std::size_t chunk_bytes_;
  std::atomic<std::uint64_t>* bytes_;
  asio::steady_timer signal_, wait_;
  std::deque<Chunk> queue_;
  bool eof_ = false;
};

}  // namespace

struct TcpRelay::Impl {
  TcpRelayOptions options;
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  std::thread thread;
  Counters counters;
  int port = 0;
  bool stopped = false;

  asio::awaitable<void> accept_loop() {
    tcp::endpoint target;
    {
      boost::system::error_code ec;
      auto address = asio::ip::make_address(options.target_host, ec);
      if (ec) co_return;
      target = tcp::endpoint(address, static_cast<unsigned short>(options.target_port));
    }
    for (;;) {
      auto [ec, client] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
      if (ec) {
        if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
        continue;
      }
      counters.accepted.fetch_add(1, std::memory_order_relaxed);
      asio::co_spawn(io, relay(std::move(client), target), asio::detached);
    }
  }

  asio::awaitable<void> relay(tcp::socket client, tcp::endpoint target) {
    auto upstream = std::make_shared<tcp::socket>(io);
    // The connect is delayed too: a real handshake costs a round trip.
    if (options.delay_each_way.count() > 0) {
      asio::steady_timer t(io, 2 * options.delay_each_way);
      co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    auto [ec] = co_await upstream->async_connect(target, asio::as_tuple(asio::use_awaitable));
    if (ec) {
      counters.failed.fetch_add(1, std::memory_order_relaxed);
      co_return;  // closing `client` tells the caller
    }
    boost::system::error_code ignored;
    client.set_option(tcp::no_delay(true), ignored);
    upstream->set_option(tcp::no_delay(true), ignored);
    auto down = std::make_shared<tcp::socket>(std::move(client));
    std::make_shared<Pipe>(down, upstream, options.delay_each_way, options.chunk_bytes,
                           &counters.to_target)
        ->run();
    std::make_shared<Pipe>(upstream, down, options.delay_each_way, options.chunk_bytes,
                           &counters.from_target)
        ->run();
  }
};

TcpRelay::TcpRelay(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

TcpRelay::~TcpRelay() { stop(); }

Result<std::unique_ptr<TcpRelay>> TcpRelay::start(TcpRelayOptions options) {
  if (options.target_port <= 0 || options.target_port > 65535) {
    return make_error(ErrorCode::kInvalidArgument,
                      "relay target port " + std::to_string(options.target_port) + " is invalid");
  }
  if (options.delay_each_way.count() < 0) {
    return make_error(ErrorCode::kInvalidArgument, "relay delay must not be negative");
  }
  boost::system::error_code ec;
  asio::ip::make_address(options.target_host, ec);
  if (ec) {
    return make_error(ErrorCode::kInvalidArgument,
                      "relay target host '" + options.target_host + "' is not an IP address");
  }
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  tcp::endpoint listen(asio::ip::address_v4::loopback(),
                       static_cast<unsigned short>(impl->options.listen_port));
  impl->acceptor.open(listen.protocol(), ec);
  if (!ec) impl->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(listen, ec);
  if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return make_error(ErrorCode::kIo, "relay could not listen: " + ec.message());
  }
  impl->port = impl->acceptor.local_endpoint().port();
  asio::co_spawn(impl->io, impl->accept_loop(), asio::detached);
  Impl* raw = impl.get();
  impl->thread = std::thread([raw] { raw->io.run(); });
  return std::unique_ptr<TcpRelay>(new TcpRelay(std::move(impl)));
}

int TcpRelay::port() const { return impl_->port; }

TcpRelayStats TcpRelay::stats() const {
  return TcpRelayStats{
      .connections_accepted = impl_->counters.accepted.load(std::memory_order_relaxed),
      .connections_failed = impl_->counters.failed.load(std::memory_order_relaxed),
      .bytes_to_target = impl_->counters.to_target.load(std::memory_order_relaxed),
      .bytes_from_target = impl_->counters.from_target.load(std::memory_order_relaxed),
  };
}

void TcpRelay::stop() {
  if (!impl_ || impl_->stopped) return;
  impl_->stopped = true;
  // Stopping the context abandons the relayed connections; their sockets
  // close when the io_context is destroyed with the Impl.
  asio::post(impl_->io, [this] {
    boost::system::error_code ignored;
    impl_->acceptor.close(ignored);
    impl_->io.stop();
  });
  if (impl_->thread.joinable()) impl_->thread.join();
}

}  // namespace awsperf::testutil
