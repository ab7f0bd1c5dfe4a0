#include "process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <thread>

#ifndef AWSPERF_SOURCE_DIR
#error "AWSPERF_SOURCE_DIR must be defined by the build"
#endif

namespace awsperf::testutil {

namespace {

bool find_on_path(const std::string& program) {
  if (program.find('/') != std::string::npos) return access(program.c_str(), X_OK) == 0;
  const char* path = std::getenv("PATH");
  if (path == nullptr) return false;
  std::string p(path);
  size_t start = 0;
  while (start <= p.size()) {
    size_t end = p.find(':', start);
    if (end == std::string::npos) end = p.size();
    std::string candidate = p.substr(start, end - start) + "/" + program;
    if (access(candidate.c_str(), X_OK) == 0) return true;
    start = end + 1;
  }
  return false;
}

}  // namespace

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    socklen_t len = sizeof addr;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
      port = ntohs(addr.sin_port);
    }
  }
  ::close(fd);
  return port;
}

bool wait_for_port(int port, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    int rc = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::close(fd);
    if (rc == 0) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

std::string source_dir() { return AWSPERF_SOURCE_DIR; }

Process::Process(Process&& other) noexcept : pid_(other.pid_) { other.pid_ = -1; }

Process& Process::operator=(Process&& other) noexcept {
  if (this != &other) {
    stop();
    pid_ = other.pid_;
    other.pid_ = -1;
  }
  return *this;
}

Process::~Process() { stop(); }

Result<Process> Process::start(const std::vector<std::string>& argv, const std::string& log_path) {
  if (argv.empty()) return make_error(ErrorCode::kInvalidArgument, "empty command line");
  if (!find_on_path(argv[0])) {
    return make_error(
        ErrorCode::kNotFound,
        "program '" + argv[0] + "' not found; run scripts/install.sh to install the test peers");
  }
  pid_t pid = ::fork();
  if (pid < 0) return make_error(ErrorCode::kIo, std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    // Own process group, so stop() can also end the program's children; and
    // die with the test even when it crashes before its destructors run.
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    int fd = ::open(log_path.empty() ? "/dev/null" : log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                    0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      ::close(fd);
    }
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, 0);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  ::setpgid(pid, pid);
  Process p;
  p.pid_ = pid;
  return p;
}

bool Process::running() {
  if (pid_ <= 0) return false;
  int status = 0;
  pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

void Process::stop(int signal, std::chrono::milliseconds grace) {
  if (pid_ <= 0) return;
  ::kill(-pid_, signal);
  ::kill(pid_, signal);
  auto deadline = std::chrono::steady_clock::now() + grace;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      ::kill(-pid_, SIGKILL);  // stray children of the group
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(-pid_, SIGKILL);
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

Result<Peer> start_peer(const std::string& name, std::vector<std::string> argv,
                        std::chrono::milliseconds ready_timeout) {
  // Another process may take the port between free_port() and the bind; try a few.
  Error last;
  for (int attempt = 0; attempt < 3; ++attempt) {
    int port = free_port();
    std::vector<std::string> args = argv;
    for (auto& a : args) {
      auto pos = a.find("{port}");
      if (pos != std::string::npos) a.replace(pos, 6, std::to_string(port));
    }
    std::string log = (std::filesystem::temp_directory_path() /
                       ("awsperf-" + name + "-" + std::to_string(port) + ".log"))
                          .string();
    auto proc = Process::start(args, log);
    if (!proc) return make_error(proc.error());
    auto deadline = std::chrono::steady_clock::now() + ready_timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (!proc->running()) break;
      if (wait_for_port(port, std::chrono::milliseconds(100))) {
        return Peer{.process = std::move(*proc), .port = port, .name = name};
      }
    }
    last = Error{.code = ErrorCode::kUnavailable,
                 .message = name + " did not start listening on port " + std::to_string(port) +
                            "; see " + log};
  }
  return make_error(last);
}

Result<Peer> start_redis() {
  return start_peer("redis-server", {"redis-server", "--port", "{port}", "--bind", "127.0.0.1",
                                     "--save", "", "--appendonly", "no"});
}

Result<Peer> start_dynalite() {
  std::string bin = source_dir() + "/node_modules/dynalite/cli.js";
  if (access(bin.c_str(), R_OK) != 0) {
    return make_error(ErrorCode::kNotFound,
                      "dynalite not found at " + bin + "; run scripts/install.sh (npm ci)");
  }
  return start_peer("dynalite", {"node", bin, "--port", "{port}", "--host", "127.0.0.1"});
}

Result<Peer> start_moto() {
  return start_peer("moto_server", {"moto_server", "-H", "127.0.0.1", "-p", "{port}"},
                    std::chrono::seconds(60));
}

Result<Peer> start_s3rver(const std::string& directory) {
  std::string bin = source_dir() + "/node_modules/s3rver/bin/s3rver.js";
  if (access(bin.c_str(), R_OK) != 0) {
    return make_error(ErrorCode::kNotFound,
                      "s3rver not found at " + bin + "; run scripts/install.sh (npm ci)");
  }
  std::filesystem::create_directories(directory);
  // s3rver 3.7 encrypts continuation tokens with DES, which Node 20's
  // OpenSSL 3 only offers through the legacy provider.
  return start_peer("s3rver", {"node", "--openssl-legacy-provider", bin, "-d", directory, "-p",
                               "{port}", "-a", "127.0.0.1", "--silent"});
}

}  // namespace awsperf::testutil
