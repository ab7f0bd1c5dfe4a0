// awsperf-bench-http: what the pool saves, against one local keep-alive server
// (the project's Beast test server, in this process on its own thread).
//
//   request/pooled/<proto>          awsperf ConnectionPool, connections reused
//   request/new_connection/<proto>  the same client with keep_alive off: a new
//                                   TCP connection (and TLS handshake) per request
//   request/libcurl/<proto>         libcurl, one reused easy handle per worker
//                                   (the engine under the AWS C++ SDK)
//
// Every case keeps kConcurrency requests in flight: coroutines on one
// io_context thread for awsperf, one thread per easy handle for libcurl. Time
// is wall-clock per request; `req_per_s` is the wall-clock rate. At the end
// the ratios the issue sets targets for are printed (pooled vs new_connection:
// ≥ 2× over HTTP, ≥ 10× over TLS; pooled vs libcurl: ≥ 1×).
#include <benchmark/benchmark.h>
#include <curl/curl.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "awsperf/http/connection_pool.h"
#include "http_test_server.h"

namespace {

namespace asio = boost::asio;
namespace http = awsperf::http;
using awsperf::testutil::HttpTestServer;

constexpr int kConcurrency = 8;
constexpr int kPerLane = 32;  // requests per lane per batch
constexpr int kBatch = kConcurrency * kPerLane;

struct Environment {
  std::string cert_directory;
  awsperf::testutil::TestCertificates certs;
  std::unique_ptr<HttpTestServer> plain;
  std::unique_ptr<HttpTestServer> tls;
  std::string error;

  ~Environment() {
    plain.reset();
    tls.reset();
    if (!cert_directory.empty()) std::filesystem::remove_all(cert_directory);
  }
};

Environment& environment() {
  static Environment* env = [] {
    auto* e = new Environment();
    e->cert_directory = awsperf::testutil::make_temp_directory("awsperf-bench-http");
    auto certs = awsperf::testutil::generate_test_certificates(e->cert_directory);
    if (!certs) {
      e->error = certs.error().to_string();
      return e;
    }
    e->certs = *certs;
    auto plain = HttpTestServer::start({});
    awsperf::testutil::HttpTestServerOptions tls_options;
    tls_options.cert_file = e->certs.cert_file;
    tls_options.key_file = e->certs.key_file;
    auto tls = HttpTestServer::start(tls_options);
    if (!plain || !tls) {
      e->error = !plain ? plain.error().to_string() : tls.error().to_string();
      return e;
    }
    e->plain = std::move(*plain);
    e->tls = std::move(*tls);
    return e;
  }();
  return *env;
}

const HttpTestServer& server(bool tls) { return tls ? *environment().tls : *environment().plain; }

void report_rate(benchmark::State& state, std::int64_t requests, double seconds) {
  state.SetItemsProcessed(requests);
  state.counters["req_per_s"] = seconds > 0 ? static_cast<double>(requests) / seconds : 0.0;
}

// awsperf: kConcurrency coroutines on this thread, each doing kPerLane requests.
void run_awsperf(benchmark::State& state, bool tls, bool keep_alive) {
  if (!environment().error.empty()) {
    state.SkipWithError(environment().error.c_str());
    return;
  }
  asio::io_context io;
  http::PoolOptions options;
  options.max_sockets = kConcurrency;
  options.max_free_sockets = kConcurrency;
  options.keep_alive = keep_alive;
  options.idle_sweep_interval = std::chrono::milliseconds(0);
  if (tls) options.tls.ca_file = environment().certs.ca_file;
  auto pool =
      http::ConnectionPool::create(io.get_executor(),
                                   http::Origin{tls ? http::Scheme::kHttps : http::Scheme::kHttp,
                                                "127.0.0.1", server(tls).port()},
                                   options);
  if (!pool) {
    state.SkipWithError(pool.error().to_string().c_str());
    return;
  }
  int failures = 0;
  std::string first_error;
  auto batch = [&](int per_lane) {
    for (int lane = 0; lane < kConcurrency; ++lane) {
      asio::co_spawn(
          io,
          [&, per_lane]() -> asio::awaitable<void> {
            for (int i = 0; i < per_lane; ++i) {
              http::Request request;
              request.operation = "bench.http";
              awsperf::Result<http::Response> r = co_await pool->async_request(std::move(request));
              if (!r || r->status != 200) {
                if (failures++ == 0) first_error = r ? "HTTP status" : r.error().to_string();
              }
            }
          },
          asio::detached);
    }
    io.restart();
    io.run();
  };
  if (keep_alive) batch(2);  // warm the pool, like a service that has been running
  std::int64_t requests = 0;
  double seconds = 0;
  while (state.KeepRunningBatch(kBatch)) {
    const auto start = std::chrono::steady_clock::now();
    batch(kPerLane);
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    requests += kBatch;
  }
  if (failures > 0) {
    state.SkipWithError(("requests failed: " + first_error).c_str());
    return;
  }
  report_rate(state, requests, seconds);
  const http::PoolStatistics s = pool->statistics();
  state.counters["reuse_ratio"] = s.reuse_ratio();
}

void BM_pooled(benchmark::State& state, bool tls) { run_awsperf(state, tls, true); }
void BM_new_connection(benchmark::State& state, bool tls) { run_awsperf(state, tls, false); }

std::size_t discard_body(char* data, std::size_t size, std::size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

// libcurl: kConcurrency threads, each with its own reused easy handle.
void BM_libcurl(benchmark::State& state, bool tls) {
  if (!environment().error.empty()) {
    state.SkipWithError(environment().error.c_str());
    return;
  }
  const std::string url = server(tls).url() + "/";
  struct Lane {
    CURL* easy = nullptr;
    std::string body;
    int failures = 0;
  };
  std::vector<Lane> lanes(kConcurrency);
  for (Lane& lane : lanes) {
    lane.easy = curl_easy_init();
    curl_easy_setopt(lane.easy, CURLOPT_URL, url.c_str());
    curl_easy_setopt(lane.easy, CURLOPT_WRITEFUNCTION, discard_body);
    curl_easy_setopt(lane.easy, CURLOPT_WRITEDATA, &lane.body);
    curl_easy_setopt(lane.easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(lane.easy, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(lane.easy, CURLOPT_TCP_KEEPALIVE, 1L);
    if (tls) curl_easy_setopt(lane.easy, CURLOPT_CAINFO, environment().certs.ca_file.c_str());
  }
  auto batch = [&](int per_lane) {
    std::vector<std::thread> threads;
    for (Lane& lane : lanes) {
      threads.emplace_back([&lane, per_lane] {
        for (int i = 0; i < per_lane; ++i) {
          lane.body.clear();
          long status = 0;
          if (curl_easy_perform(lane.easy) != CURLE_OK ||
              curl_easy_getinfo(lane.easy, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK ||
              status != 200) {
            ++lane.failures;
          }
        }
      });
    }
    for (auto& t : threads) t.join();
  };
  batch(2);  // connect every handle first, as for the pool
  std::int64_t requests = 0;
  double seconds = 0;
  while (state.KeepRunningBatch(kBatch)) {
    const auto start = std::chrono::steady_clock::now();
    batch(kPerLane);
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    requests += kBatch;
  }
  int failures = 0;
  for (Lane& lane : lanes) {
    failures += lane.failures;
    curl_easy_cleanup(lane.easy);
  }
  if (failures > 0) {
    state.SkipWithError("libcurl requests failed");
    return;
  }
  report_rate(state, requests, seconds);
}

// Prints the table as usual, then the ratios of the wall-clock rates.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.error_occurred || run.run_type != Run::RT_Iteration) continue;
      auto it = run.counters.find("req_per_s");
      if (it != run.counters.end()) rates_[run.run_name.function_name].push_back(it->second.value);
    }
  }

  void Finalize() override {
    ConsoleReporter::Finalize();
    auto median = [&](const std::string& name) -> double {
      auto it = rates_.find(name);
      if (it == rates_.end() || it->second.empty()) return 0.0;
      std::vector<double> v = it->second;
      std::sort(v.begin(), v.end());
      return v[v.size() / 2];
    };
    std::printf("\nratios of requests per second (median of runs), concurrency %d:\n",
                kConcurrency);
    for (const char* proto : {"http", "tls"}) {
      const std::string p = proto;
      const double pooled = median("request/pooled/" + p);
      const double fresh = median("request/new_connection/" + p);
      const double curl = median("request/libcurl/" + p);
      if (pooled > 0 && fresh > 0) {
        std::printf("  %-4s pooled / new_connection = %6.2fx  (target >= %s)\n", proto,
                    pooled / fresh, p == "http" ? "2x" : "10x");
      }
      if (pooled > 0 && curl > 0) {
        std::printf("  %-4s pooled / libcurl        = %6.2fx  (target >= 1x)\n", proto,
                    pooled / curl);
      }
    }
  }

 private:
  std::map<std::string, std::vector<double>> rates_;
};

}  // namespace

int main(int argc, char** argv) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  for (bool tls : {false, true}) {
    const std::string proto = tls ? "tls" : "http";
    benchmark::RegisterBenchmark(("request/pooled/" + proto).c_str(), BM_pooled, tls);
    benchmark::RegisterBenchmark(("request/new_connection/" + proto).c_str(), BM_new_connection,
                                 tls);
    benchmark::RegisterBenchmark(("request/libcurl/" + proto).c_str(), BM_libcurl, tls);
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  delete &environment();
  curl_global_cleanup();
  return 0;
}
