// The cache trace simulator behind `awsperf cache-sim`: reads a trace (the ARC
// format or one key per line, plain or zstd-compressed) or generates a
// synthetic one, and replays it through the real Cache with each policy and
// size, counting hits. `opt` is Belady's optimal policy computed offline (with
// bypass: a key whose next use is farthest is simply not kept).
//
// Thread-safety: free functions over caller-owned data; simulate_all() runs
// its jobs on its own threads.
#ifndef AWSPERF_CACHE_SIMULATOR_H_
#define AWSPERF_CACHE_SIMULATOR_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "awsperf/core/result.h"

namespace awsperf::cache {

enum class TraceFormat {
  kArc,   // "start_block block_count ignored request_id": block_count keys from start_block
  kKeys,  // one key per line: a decimal integer, or any other text (hashed)
};

struct TraceReadOptions {
  TraceFormat format = TraceFormat::kArc;
  // Stop after this many requests (keys); unset = the whole trace.
  std::optional<std::uint64_t> max_requests;
  // A trace expanding to more requests than this is refused with kTooLarge
  // (an ARC line can claim any block_count). Default 100 million.
  std::uint64_t limit_requests = 100'000'000;
};

// Reads a trace file; zstd-compressed files (by their magic number) are
// decompressed on the fly.
Result<std::vector<std::uint64_t>> read_trace(const std::string& path,
                                              const TraceReadOptions& options = {});

// "zipf:<skew>:keys=<n>:ops=<m>[:seed=<s>]", e.g. "zipf:0.99:keys=100000:ops=1000000".
Result<std::vector<std::uint64_t>> synthetic_trace(std::string_view spec);

enum class SimPolicy { kLru, kWTinyLfu, kOpt };

// "lru", "wtinylfu", "opt".
Result<SimPolicy> parse_sim_policy(std::string_view name);
std::string_view sim_policy_name(SimPolicy policy);

struct SimResult {
  SimPolicy policy = SimPolicy::kLru;
  std::uint64_t size = 0;
  std::uint64_t requests = 0;
  std::uint64_t hits = 0;
  double hit_ratio() const {
    return requests == 0 ? 0.0 : static_cast<double>(hits) / static_cast<double>(requests);
  }
};

// One policy at one size. kLru and kWTinyLfu replay through Cache<uint64_t,
// ...> with one shard, no TTL and a ManualClock: get, and put on a miss.
SimResult simulate(const std::vector<std::uint64_t>& trace, SimPolicy policy, std::uint64_t size);

// Every policy at every size, `threads` jobs at a time (0 = hardware threads);
// results ordered by policy, then size.
std::vector<SimResult> simulate_all(const std::vector<std::uint64_t>& trace,
                                    const std::vector<SimPolicy>& policies,
                                    const std::vector<std::uint64_t>& sizes, unsigned threads = 0);

// {"trace": "...", "results": [{"policy": "lru", "size": 250, "requests": N, "hits": H,
//  "hit_ratio": 0.165, "fraction_of_opt": 0.43}, ...]}; fraction_of_opt only
// when opt ran at that size.
std::string results_to_json(std::string_view trace_name, const std::vector<SimResult>& results);

}  // namespace awsperf::cache

#endif  // AWSPERF_CACHE_SIMULATOR_H_
