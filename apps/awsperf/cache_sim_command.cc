#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "awsperf/cache/simulator.h"
#include "commands.h"

namespace awsperf::cli {

namespace {

struct CacheSimArgs {
  std::string trace;
  std::string format = "arc";
  std::string synthetic;
  std::vector<std::uint64_t> sizes{250, 500, 1000, 2000};
  std::vector<std::string> policies{"lru", "wtinylfu", "opt"};
  std::uint64_t max_requests = 0;
  unsigned threads = 0;
  bool json = false;
};

[[noreturn]] void fail(const std::string& message) {
  std::cerr << "awsperf cache-sim: " << message << "\n";
  throw CLI::RuntimeError(1);
}

void run(const CacheSimArgs& a) {
  using namespace awsperf::cache;
  if (a.trace.empty() == a.synthetic.empty()) fail("give exactly one of --trace or --synthetic");
  std::vector<SimPolicy> policies;
  for (const auto& p : a.policies) {
    auto r = parse_sim_policy(p);
    if (!r) fail(r.error().message);
    policies.push_back(*r);
  }
  for (auto s : a.sizes) {
    if (s == 0) fail("sizes must be positive");
  }
  Result<std::vector<std::uint64_t>> trace;
  std::string name;
  if (!a.trace.empty()) {
    TraceReadOptions o;
    if (a.format == "arc") {
      o.format = TraceFormat::kArc;
    } else if (a.format == "keys") {
      o.format = TraceFormat::kKeys;
    } else {
      fail("unknown --format '" + a.format + "' (expected arc or keys)");
    }
    if (a.max_requests > 0) o.max_requests = a.max_requests;
    trace = read_trace(a.trace, o);
    name = a.trace;
  } else {
    trace = synthetic_trace(a.synthetic);
    name = a.synthetic;
  }
  if (!trace) fail(trace.error().to_string());
  if (trace->empty()) fail("the trace has no requests");
  auto results = simulate_all(*trace, policies, a.sizes, a.threads);
  if (a.json) {
    std::cout << results_to_json(name, results) << "\n";
    return;
  }
  std::printf("trace %s: %zu requests\n", name.c_str(), trace->size());
  std::printf("%-10s %8s %10s %12s\n", "policy", "size", "hit ratio", "of optimal");
  for (const auto& r : results) {
    std::string of_opt = "-";
    for (const auto& o : results) {
      if (o.policy == SimPolicy::kOpt && o.size == r.size && o.hits > 0) {
        of_opt = std::to_string(static_cast<double>(r.hits) / static_cast<double>(o.hits) * 100)
                     .substr(0, 5) +
                 "%";
      }
    }
    std::printf("%-10s %8llu %9.2f%% %12s\n", std::string(sim_policy_name(r.policy)).c_str(),
                static_cast<unsigned long long>(r.size), r.hit_ratio() * 100, of_opt.c_str());
  }
}

}  // namespace

void add_cache_sim_command(CLI::App& app) {
  auto args = std::make_shared<CacheSimArgs>();
  auto* sub = app.add_subcommand(
      "cache-sim",
      "replay a cache trace through the real Cache and report hit ratios per policy and size");
  sub->add_option("--trace", args->trace, "trace file (plain or .zst)");
  sub->add_option("--format", args->format, "trace format: arc or keys")->capture_default_str();
  sub->add_option("--synthetic", args->synthetic,
                  "synthetic trace, e.g. zipf:0.99:keys=100000:ops=1000000");
  sub->add_option("--sizes", args->sizes, "cache sizes (entries)")
      ->delimiter(',')
      ->capture_default_str();
  sub->add_option("--policies", args->policies, "lru, wtinylfu, opt")
      ->delimiter(',')
      ->capture_default_str();
  sub->add_option("--max-requests", args->max_requests, "replay only the first N requests");
  sub->add_option("--threads", args->threads, "simulations run in parallel (0 = all cores)");
  sub->add_flag("--json", args->json, "print one JSON object");
  sub->callback([args] { run(*args); });
}

}  // namespace awsperf::cli
