// A small HTTP/1.1 server (plain or TLS) for the HTTP layer's tests and
// benchmarks, with knobs for the misbehaviours a pool must survive: slow
// answers, idle connections closed by the server, `Connection: close`,
// requests dropped on a kept-alive connection. Plus: test certificates made
// with the openssl CLI, and a listener whose accept queue is full (connects
// to it hang, for connect timeouts on loopback).
//
// Per-request knobs in the target: /delay/<ms> answers after <ms>,
// /size/<bytes> answers with a body of that size, /status/<code> answers with
// that status, /echo answers with the request body. Anything else answers
// with the default body. Query strings are ignored.
//
// Thread-safety: the server runs on its own threads; every method may be
// called from any thread.
#ifndef AWSPERF_TESTS_UTIL_HTTP_TEST_SERVER_H_
#define AWSPERF_TESTS_UTIL_HTTP_TEST_SERVER_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "awsperf/core/result.h"

namespace awsperf::testutil {

struct HttpTestServerOptions {
  // TLS when both are set (PEM files).
  std::optional<std::string> cert_file;
  std::optional<std::string> key_file;
  // Added before every response.
  std::chrono::milliseconds response_delay{0};
  // The server closes a connection that stays idle this long.
  std::chrono::milliseconds close_idle_after{std::chrono::minutes(5)};
  // Answer every request with `Connection: close` and close.
  bool connection_close = false;
  // Size of the default response body.
  std::size_t body_bytes = 2;
  // On each connection, answer this many requests, then read the next one
  // and close without answering (what a server that timed the connection out
  // at that instant looks like to the client).
  std::optional<std::size_t> drop_after_requests;
  // Threads running the server.
  int threads = 1;
};

class HttpTestServer {
 public:
  // Listens on 127.0.0.1 on a port the kernel picks.
  static Result<std::unique_ptr<HttpTestServer>> start(HttpTestServerOptions options = {});
  ~HttpTestServer();
  HttpTestServer(const HttpTestServer&) = delete;
  HttpTestServer& operator=(const HttpTestServer&) = delete;

  std::uint16_t port() const;
  bool tls() const;
  // "http://127.0.0.1:<port>" or "https://...".
  std::string url() const;

  std::uint64_t accepted_connections() const;
  std::uint64_t requests() const;
  std::size_t open_connections() const;

  // Stops accepting and closes every connection; the destructor calls it.
  void stop();

  struct Impl;

 private:
  explicit HttpTestServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

struct TestCertificates {
  std::string directory;
  std::string ca_file;    // the CA that signed the server certificate
  std::string cert_file;  // server certificate: CN and SAN localhost, SAN IP 127.0.0.1
  std::string key_file;   // its RSA-2048 key
};

// Creates a CA and a server certificate in `directory` (created if absent)
// with the openssl CLI. Fails with a clear message when openssl is missing.
Result<TestCertificates> generate_test_certificates(const std::string& directory);

// A fresh directory under $TMPDIR (or /tmp), e.g. for certificates.
std::string make_temp_directory(const std::string& prefix);

// A TCP listener on 127.0.0.1 that never accepts and whose accept queue is
// already full: the kernel drops further SYNs, so connects hang until the
// client's timeout.
class FullBacklogListener {
 public:
  static Result<std::unique_ptr<FullBacklogListener>> start();
  ~FullBacklogListener();
  FullBacklogListener(const FullBacklogListener&) = delete;
  FullBacklogListener& operator=(const FullBacklogListener&) = delete;
  std::uint16_t port() const { return port_; }

 private:
  FullBacklogListener() = default;
  int listen_fd_ = -1;
  std::vector<int> fillers_;
  std::uint16_t port_ = 0;
};

}  // namespace awsperf::testutil

#endif  // AWSPERF_TESTS_UTIL_HTTP_TEST_SERVER_H_
