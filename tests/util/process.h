// Test and benchmark utilities: start a real peer (redis-server, dynalite,
// moto_server, s3rver, ...) on a free loopback port and stop it afterwards.
//
// Thread-safety: a Process is owned by one thread; free_port() may be called
// from any thread.
#ifndef AWSPERF_TESTS_UTIL_PROCESS_H_
#define AWSPERF_TESTS_UTIL_PROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

#include "awsperf/core/result.h"

namespace awsperf::testutil {

// A port on 127.0.0.1 that was free a moment ago (bound to port 0 and released).
int free_port();

// True when a TCP connection to 127.0.0.1:port succeeds within `timeout`.
bool wait_for_port(int port, std::chrono::milliseconds timeout);

// The absolute path of the project's source tree (for node_modules/.bin, ...).
std::string source_dir();

// A child process started with fork/exec; killed (SIGTERM, then SIGKILL) and
// reaped when destroyed, so a test never leaves a process running.
class Process {
 public:
  Process() = default;
  Process(Process&& other) noexcept;
  Process& operator=(Process&& other) noexcept;
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  ~Process();

  // Starts argv[0] (looked up on PATH) with stdout/stderr sent to `log_path`
  // (or /dev/null when empty). Fails with a clear message when the program
  // does not exist.
  static Result<Process> start(const std::vector<std::string>& argv,
                               const std::string& log_path = {});

  pid_t pid() const { return pid_; }
  bool running();
  // Sends `signal` and waits up to `grace` for exit, then SIGKILL.
  void stop(int signal = 15, std::chrono::milliseconds grace = std::chrono::seconds(5));

 private:
  pid_t pid_ = -1;
};

// A peer server listening on 127.0.0.1:port.
struct Peer {
  Process process;
  int port = 0;
  std::string name;
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port); }
};

// Start a peer on a free port and wait until it accepts connections. On
// failure the error says which program is missing and how to install it
// (scripts/install.sh). These never skip: a missing peer is a test failure.
Result<Peer> start_redis();
Result<Peer> start_dynalite();
Result<Peer> start_moto();
// `directory` holds the buckets; created if absent.
Result<Peer> start_s3rver(const std::string& directory);

// Starts any command whose argv contains the placeholder "{port}" and waits
// for it to listen.
Result<Peer> start_peer(const std::string& name, std::vector<std::string> argv,
                        std::chrono::milliseconds ready_timeout = std::chrono::seconds(30));

}  // namespace awsperf::testutil

#endif  // AWSPERF_TESTS_UTIL_PROCESS_H_
