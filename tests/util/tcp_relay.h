// A delaying TCP relay: listens on 127.0.0.1, forwards every connection to a
// target, and holds each direction's bytes for a set delay before passing them
// on. It models the round trip to a real AWS region in local tests and
// benchmarks (a 2 ms delay each way adds about 4 ms to every request), so
// that what pooling, batching and parallelism win is visible against a local
// server.
//
// Thread-safety: start() and stop() from one thread; stats() from any thread.
// The relay runs its own I/O thread.
#ifndef AWSPERF_TESTS_UTIL_TCP_RELAY_H_
#define AWSPERF_TESTS_UTIL_TCP_RELAY_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "awsperf/core/result.h"

namespace awsperf::testutil {

struct TcpRelayOptions {
  // Where connections go. Loopback only on this project's machines.
  std::string target_host = "127.0.0.1";
  int target_port = 0;
  // Held back in each direction; zero forwards at once.
  std::chrono::microseconds delay_each_way{0};
  // Port to listen on; 0 picks a free one (see TcpRelay::port()).
  int listen_port = 0;
  // Bytes read from a socket in one go.
  std::size_t chunk_bytes = 64 * 1024;
};

struct TcpRelayStats {
  std::uint64_t connections_accepted = 0;
  std::uint64_t connections_failed = 0;  // target refused or unreachable
  std::uint64_t bytes_to_target = 0;
  std::uint64_t bytes_from_target = 0;
};

class TcpRelay {
 public:
  // Binds, starts the I/O thread and returns once the relay accepts.
  static Result<std::unique_ptr<TcpRelay>> start(TcpRelayOptions options);

  ~TcpRelay();
  TcpRelay(const TcpRelay&) = delete;
  TcpRelay& operator=(const TcpRelay&) = delete;

  int port() const;
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port()); }
  TcpRelayStats stats() const;
  // Closes the listener and every relayed connection, joins the thread.
  void stop();

 private:
  struct Impl;
  explicit TcpRelay(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace awsperf::testutil

#endif  // AWSPERF_TESTS_UTIL_TCP_RELAY_H_
