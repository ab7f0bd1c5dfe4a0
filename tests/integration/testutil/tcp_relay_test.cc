// The delaying relay against a real TCP echo server on loopback.
#include "tcp_relay.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "process.h"

namespace awsperf::testutil {
namespace {

using namespace std::chrono_literals;

// A blocking echo server on its own thread: one connection at a time.
class EchoServer {
 public:
  EchoServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    ::listen(fd_, 16);
    thread_ = std::thread([this] {
      for (;;) {
        int c = ::accept(fd_, nullptr, nullptr);
        if (c < 0) return;
        char buf[65536];
        for (;;) {
          ssize_t n = ::read(c, buf, sizeof buf);
          if (n <= 0) break;
          ssize_t off = 0;
          while (off < n) {
            ssize_t w = ::write(c, buf + off, static_cast<size_t>(n - off));
            if (w <= 0) break;
            off += w;
          }
        }
        ::close(c);
      }
    });
  }
  ~EchoServer() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
};

int connect_to(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  timeval tv{.tv_sec = 10, .tv_usec = 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

// Sends `payload` and reads back as many bytes (or until EOF/timeout).
std::string round_trip(int fd, const std::string& payload) {
  std::thread writer([&] {
    size_t off = 0;
    while (off < payload.size()) {
      ssize_t w = ::write(fd, payload.data() + off, payload.size() - off);
      if (w <= 0) return;
      off += static_cast<size_t>(w);
    }
  });
  std::string got;
  char buf[65536];
  while (got.size() < payload.size()) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    got.append(buf, static_cast<size_t>(n));
  }
  writer.join();
  return got;
}

TEST(TcpRelayTest, ForwardsBytesUnchangedBothWays) {
  EchoServer echo;
  auto relay = TcpRelay::start({.target_port = echo.port()});
  ASSERT_TRUE(relay.has_value()) << relay.error().to_string();
  int fd = connect_to((*relay)->port());
  ASSERT_GE(fd, 0);
  std::string payload(1 << 20, '\0');
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>(i * 7919 % 251);
  EXPECT_EQ(round_trip(fd, payload), payload);
  ::close(fd);
  auto stats = (*relay)->stats();
  EXPECT_EQ(stats.connections_accepted, 1u);
  EXPECT_EQ(stats.bytes_to_target, payload.size());
  EXPECT_EQ(stats.bytes_from_target, payload.size());
}

TEST(TcpRelayTest, HoldsEachDirectionForTheDelay) {
  EchoServer echo;
  auto relay = TcpRelay::start({.target_port = echo.port(), .delay_each_way = 25ms});
  ASSERT_TRUE(relay.has_value());
  int fd = connect_to((*relay)->port());
  ASSERT_GE(fd, 0);
  // The first exchange also pays the delayed connect; measure a later one.
  ASSERT_EQ(round_trip(fd, "warm"), "warm");
  auto start = std::chrono::steady_clock::now();
  ASSERT_EQ(round_trip(fd, "ping"), "ping");
  auto elapsed = std::chrono::steady_clock::now() - start;
  // A lower bound only: the relay must never deliver early.
  EXPECT_GE(elapsed, 50ms);
  ::close(fd);
}

TEST(TcpRelayTest, TargetDownClosesTheClientAndCountsIt) {
  int dead_port = free_port();
  auto relay = TcpRelay::start({.target_port = dead_port});
  ASSERT_TRUE(relay.has_value());
  int fd = connect_to((*relay)->port());
  ASSERT_GE(fd, 0);
  char c;
  EXPECT_LE(::read(fd, &c, 1), 0);  // closed, not hung (SO_RCVTIMEO bounds it)
  ::close(fd);
  for (int i = 0; i < 100 && (*relay)->stats().connections_failed == 0; ++i) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ((*relay)->stats().connections_failed, 1u);
}

TEST(TcpRelayTest, RejectsBadOptions) {
  EXPECT_EQ(TcpRelay::start({.target_port = 0}).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(TcpRelay::start({.target_port = 70000}).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(TcpRelay::start({.target_host = "not an ip", .target_port = 80}).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(TcpRelay::start({.target_port = 80, .delay_each_way = -1ms}).error().code,
            ErrorCode::kInvalidArgument);
}

TEST(TcpRelayTest, StopIsIdempotentWithOpenConnections) {
  EchoServer echo;
  auto relay = TcpRelay::start({.target_port = echo.port(), .delay_each_way = 1ms});
  ASSERT_TRUE(relay.has_value());
  int fd = connect_to((*relay)->port());
  ASSERT_GE(fd, 0);
  EXPECT_EQ(round_trip(fd, "x"), "x");
  (*relay)->stop();
  (*relay)->stop();
  ::close(fd);
}

}  // namespace
}  // namespace awsperf::testutil
