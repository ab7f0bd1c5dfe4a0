// `awsperf bench`: argument parsing, the embedded dynalite, the delaying
// relay, progress output and the report files. The benchmark itself is
// awsperf::workload::run_bench.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>

#include "awsperf/workload/bench.h"
#include "commands.h"
#include "process.h"
#include "tcp_relay.h"

namespace awsperf::cli {

namespace {

struct BenchArgs {
  std::string endpoint;
  std::uint64_t records = 10'000;
  std::string workloads = "B";
  std::string distribution;
  std::string load = "calibrated";
  double rate = 0;
  int concurrency = 16;
  std::string duration = "15s";
  std::uint64_t ops = 0;
  std::string warmup = "3s";
  std::string floor = "3s";
  std::string modes = "baseline,pooled,optimized";
  std::string network_delay = "0ms";
  bool tls = false;
  std::string redis;
  std::string json_file;
  std::string report_file;
  std::string table = "awsperf_bench";
  std::string region = "us-east-1";
  std::uint64_t cache_entries = 0;
  std::uint64_t seed = 42;
};

[[noreturn]] void fail(const std::string& message, int code = 2) {
  std::cerr << "awsperf bench: " << message << "\n";
  throw CLI::RuntimeError(code);
}

template <typename T>
T must(Result<T> r, const std::string& what) {
  if (!r) fail(what + ": " + r.error().message);
  return std::move(*r);
}

// A progress bar on a terminal, a line per 10% otherwise.
class Progress {
 public:
  Progress() : tty_(::isatty(STDERR_FILENO) == 1) {}
  void update(std::uint64_t done, std::uint64_t total, std::chrono::nanoseconds elapsed) {
    const double seconds = std::chrono::duration<double>(elapsed).count();
    const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0;
    const double eta = rate > 0 ? static_cast<double>(total - done) / rate : 0;
    const int pct = total ? static_cast<int>(100 * done / total) : 100;
    if (tty_) {
      const int width = 30;
      const int filled = width * pct / 100;
      std::fprintf(stderr, "\rloading records [%s%s] %3d%% %llu/%llu  %.0f items/s  ETA %.0fs ",
                   std::string(static_cast<size_t>(filled), '#').c_str(),
                   std::string(static_cast<size_t>(width - filled), '.').c_str(), pct,
                   static_cast<unsigned long long>(done), static_cast<unsigned long long>(total),
                   rate, eta);
      if (done == total) std::fprintf(stderr, "\n");
    } else if (pct >= next_pct_ || done == total) {
      std::fprintf(stderr, "loading records: %d%% (%llu/%llu, %.0f items/s, ETA %.0f s)\n", pct,
                   static_cast<unsigned long long>(done), static_cast<unsigned long long>(total),
                   rate, eta);
      next_pct_ = pct - pct % 10 + 10;
    }
  }

 private:
  bool tty_;
  int next_pct_ = 0;
};

void run(const BenchArgs& a) {
  using workload::BenchOptions;
  BenchOptions o;
  o.records = a.records;
  o.table = a.table;
  o.region = a.region;
  o.concurrency = a.concurrency;
  o.rate_per_second = a.rate;
  o.cache_entries = a.cache_entries;
  o.seed = a.seed;
  o.tls = a.tls;
  o.workloads = must(workload::parse_workload_list(a.workloads), "--workload");
  if (!a.distribution.empty()) {
    std::string d = a.distribution == "zipfian" ? "scrambled_zipfian" : a.distribution;
    o.distribution = must(workload::parse_distribution(d), "--distribution");
  }
  o.modes = must(workload::parse_modes(a.modes), "--modes");
  if (a.load == "calibrated") {
    o.load = workload::LoadKind::kCalibrated;
  } else if (a.load == "open") {
    o.load = workload::LoadKind::kOpenLoop;
    if (!(a.rate > 0)) fail("--load open needs --rate R (operations per second)");
  } else if (a.load == "closed") {
    o.load = workload::LoadKind::kClosedLoop;
  } else {
    fail("--load must be calibrated, open or closed");
  }
  if (a.rate > 0 && a.load == "calibrated") o.load = workload::LoadKind::kOpenLoop;
  if (a.concurrency < 1) fail("--concurrency must be at least 1");
  o.duration = must(workload::parse_duration(a.duration), "--duration");
  o.warmup = must(workload::parse_duration(a.warmup), "--warmup");
  o.floor_duration = must(workload::parse_duration(a.floor), "--floor-duration");
  if (a.ops > 0) o.ops = a.ops;
  auto delay = must(workload::parse_duration(a.network_delay), "--network-delay");
  o.network_delay = std::chrono::duration_cast<std::chrono::microseconds>(delay);
  if (!a.redis.empty()) {
    must(workload::parse_redis_url(a.redis), "--redis");
    o.redis_url = a.redis;
  }

  // The target: the embedded dynalite unless --endpoint.
  std::optional<testutil::Peer> dynalite;
  std::string target = a.endpoint;
  if (target.empty()) {
    if (a.tls) fail("--tls needs --endpoint (the embedded dynalite speaks plain HTTP)");
    std::cerr << "starting the embedded dynalite ...\n";
    auto peer = testutil::start_dynalite();
    if (!peer) fail("cannot start the embedded dynalite: " + peer.error().message, 1);
    dynalite.emplace(std::move(*peer));
    target = dynalite->endpoint();
    o.target = "embedded dynalite (" + target + ")";
    // dynalite accepts any credentials; do not depend on the environment.
    o.credentials = aws::Credentials{.access_key_id = "AKIDAWSPERFBENCH",
                                     .secret_access_key = "awsperf-bench",
                                     .source = "bench defaults for the embedded dynalite"};
  } else {
    o.target = target;
  }
  if (a.tls && target.rfind("https://", 0) != 0) fail("--tls needs an https:// endpoint");

  // The relay in front of the target models the round trip to a region.
  std::unique_ptr<testutil::TcpRelay> relay;
  o.endpoint_url = target;
  if (o.network_delay.count() > 0) {
    if (a.tls) fail("--network-delay with --tls is not supported (the relay is plain TCP)");
    auto url = target.substr(target.find("://") + 3);
    auto colon = url.rfind(':');
    if (colon == std::string::npos) fail("--network-delay needs an endpoint with host:port");
    std::string host = url.substr(0, colon);
    if (host == "localhost") host = "127.0.0.1";
    int port = std::atoi(url.substr(colon + 1).c_str());
    auto r = testutil::TcpRelay::start(
        {.target_host = host, .target_port = port, .delay_each_way = o.network_delay});
    if (!r) fail("cannot start the delaying relay: " + r.error().message, 1);
    relay = std::move(*r);
    o.endpoint_url = relay->endpoint();
  }

  Progress progress;
  o.load_progress = [&](std::uint64_t done, std::uint64_t total, std::chrono::nanoseconds t) {
    progress.update(done, total, t);
  };
  o.log = [](const std::string& line) { std::cerr << line << "\n"; };

  auto report = workload::run_bench(o);
  if (!report) fail(report.error().to_string(), 1);
  std::cout << workload::format_table(*report);
  if (!a.json_file.empty()) {
    std::ofstream f(a.json_file);
    f << workload::to_json(*report) << "\n";
    if (!f) fail("cannot write " + a.json_file, 1);
    std::cerr << "wrote " << a.json_file << "\n";
  }
  if (!a.report_file.empty()) {
    std::ofstream f(a.report_file);
    f << workload::to_html(*report);
    if (!f) fail("cannot write " + a.report_file, 1);
    std::cerr << "wrote " << a.report_file << "\n";
  }
}

}  // namespace

void add_bench_command(CLI::App& app) {
  auto args = std::make_shared<BenchArgs>();
  auto* sub = app.add_subcommand(
      "bench",
      "load benchmark against a DynamoDB-compatible server: baseline (new connection per "
      "request) vs pooled vs optimized (pool + cache + batched reads)");
  sub->add_option("--endpoint", args->endpoint,
                  "DynamoDB endpoint URL; default: start an embedded dynalite on a free port");
  sub->add_option("--records", args->records, "records to load (about 1 KB each)")
      ->capture_default_str();
  sub->add_option("--workload", args->workloads, "YCSB workloads to run, e.g. A,B,C (A..F)")
      ->capture_default_str();
  sub->add_option("--distribution", args->distribution,
                  "key distribution: zipfian (scrambled, 0.99), uniform or latest; default: "
                  "the workload's own");
  sub->add_option("--load", args->load,
                  "calibrated (half the rate the baseline sustains, open loop), open (needs "
                  "--rate) or closed (--concurrency)")
      ->capture_default_str();
  sub->add_option("--rate", args->rate, "open-loop rate in operations per second");
  sub->add_option("--concurrency", args->concurrency,
                  "closed-loop requests in flight (also used to calibrate)")
      ->capture_default_str();
  sub->add_option("--duration", args->duration, "measured time per mode, e.g. 15s")
      ->capture_default_str();
  sub->add_option("--ops", args->ops, "measured operations per mode (instead of --duration)");
  sub->add_option("--warmup", args->warmup, "uncounted warm-up per mode")->capture_default_str();
  sub->add_option("--floor-duration", args->floor,
                  "closed-loop run with one request in flight per mode (0 to skip)")
      ->capture_default_str();
  sub->add_option("--modes", args->modes, "modes to run")->capture_default_str();
  sub->add_option("--network-delay", args->network_delay,
                  "delay each way through a local TCP relay, e.g. 2ms (models a region)")
      ->capture_default_str();
  sub->add_flag("--tls", args->tls, "the endpoint speaks TLS (https://)");
  sub->add_option("--redis", args->redis,
                  "redis://host:port: the optimized mode's cache becomes multi-level with Redis "
                  "as the shared L2");
  sub->add_option("--json", args->json_file, "write the results as JSON to this file");
  sub->add_option("--report", args->report_file, "write a self-contained HTML report");
  sub->add_option("--table", args->table, "table name")->capture_default_str();
  sub->add_option("--region", args->region, "signing region")->capture_default_str();
  sub->add_option("--cache-entries", args->cache_entries,
                  "optimized mode's cache capacity; default: records plus room for inserts");
  sub->add_option("--seed", args->seed, "random seed")->capture_default_str();
  sub->callback([args] { run(*args); });
}

}  // namespace awsperf::cli
