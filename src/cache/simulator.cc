#include "awsperf/cache/simulator.h"

#include <zstd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <queue>
#include <random>
#include <thread>
#include <unordered_map>

#include "awsperf/cache/cache.h"

namespace awsperf::cache {

namespace {

constexpr std::uint64_t kNoNextUse = UINT64_MAX;

class LineParser {
 public:
  LineParser(const TraceReadOptions& options, std::vector<std::uint64_t>& out)
      : options_(options), out_(out) {}

  // Feeds bytes; complete lines are parsed, a partial one is kept.
  Status feed(std::string_view data) {
    while (!data.empty()) {
      auto nl = data.find('\n');
      if (nl == std::string_view::npos) {
        pending_.append(data);
        if (pending_.size() > kMaxLine) return too_long();
        return {};
      }
      if (pending_.empty()) {
        if (auto s = line(data.substr(0, nl)); !s) return s;
      } else {
        pending_.append(data.substr(0, nl));
        if (auto s = line(pending_); !s) return s;
        pending_.clear();
      }
      data.remove_prefix(nl + 1);
      if (full()) return {};
    }
    return {};
  }
  Status finish() {
    if (!pending_.empty()) {
      auto s = line(pending_);
      pending_.clear();
      return s;
    }
    return {};
  }
  bool full() const { return options_.max_requests && out_.size() >= *options_.max_requests; }

 private:
  static constexpr std::size_t kMaxLine = 4096;

  Status too_long() {
    return make_error(ErrorCode::kParse,
                      "line " + std::to_string(line_no_ + 1) + " is longer than 4096 bytes");
  }

  static bool parse_u64(std::string_view s, std::uint64_t& v) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return ec == std::errc() && p == s.data() + s.size();
  }

  Status push(std::uint64_t key) {
    if (full()) return {};
    if (out_.size() >= options_.limit_requests) {
      return make_error(ErrorCode::kTooLarge, "the trace expands to more than " +
                                                  std::to_string(options_.limit_requests) +
                                                  " requests");
    }
    out_.push_back(key);
    return {};
  }

  Status line(std::string_view l) {
    ++line_no_;
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    if (l.size() > kMaxLine) return too_long();
    // Split on whitespace.
    std::string_view fields[4];
    int n = 0;
    std::size_t i = 0;
    while (i < l.size()) {
      while (i < l.size() && (l[i] == ' ' || l[i] == '\t')) ++i;
      std::size_t j = i;
      while (j < l.size() && l[j] != ' ' && l[j] != '\t') ++j;
      if (j > i) {
        if (n < 4) fields[n] = l.substr(i, j - i);
        ++n;
      }
      i = j;
    }
    if (n == 0) return {};  // blank line
    if (options_.format == TraceFormat::kKeys) {
      std::uint64_t v = 0;
      if (n == 1 && parse_u64(fields[0], v)) return push(v);
      // Not an integer: FNV-1a of the whole line.
      std::uint64_t h = 1469598103934665603ull;
      for (unsigned char c : l) h = (h ^ c) * 1099511628211ull;
      return push(h);
    }
    std::uint64_t start = 0, count = 0;
    if (n < 2 || !parse_u64(fields[0], start) || !parse_u64(fields[1], count)) {
      return make_error(ErrorCode::kParse,
                        "line " + std::to_string(line_no_) +
                            ": expected 'start_block block_count ignored request_id', got '" +
                            std::string(l.substr(0, 80)) + "'");
    }
    if (count > options_.limit_requests) {
      return make_error(ErrorCode::kTooLarge, "line " + std::to_string(line_no_) +
                                                  ": block_count " + std::to_string(count) +
                                                  " is over the request limit");
    }
    for (std::uint64_t k = 0; k < count && !full(); ++k) {
      if (auto s = push(start + k); !s) return s;
    }
    return {};
  }

  const TraceReadOptions& options_;
  std::vector<std::uint64_t>& out_;
  std::string pending_;
  std::uint64_t line_no_ = 0;
};

SimResult simulate_opt(const std::vector<std::uint64_t>& trace, std::uint64_t size) {
  SimResult r{.policy = SimPolicy::kOpt, .size = size, .requests = trace.size()};
  if (size == 0) return r;
  std::vector<std::uint64_t> next(trace.size());
  {
    std::unordered_map<std::uint64_t, std::uint64_t> last;
    last.reserve(trace.size() / 4);
    for (std::size_t i = trace.size(); i-- > 0;) {
      auto [it, inserted] = last.try_emplace(trace[i], i);
      next[i] = inserted ? kNoNextUse : it->second;
      it->second = i;
    }
  }
  // Resident keys -> their next use; a max-heap of (next use, key) with stale
  // entries skipped lazily.
  std::unordered_map<std::uint64_t, std::uint64_t> resident;
  resident.reserve(size * 2);
  std::priority_queue<std::pair<std::uint64_t, std::uint64_t>> heap;
  for (std::size_t i = 0; i < trace.size(); ++i) {
    std::uint64_t key = trace[i];
    auto it = resident.find(key);
    if (it != resident.end()) {
      ++r.hits;
      it->second = next[i];
      heap.emplace(next[i], key);
      continue;
    }
    if (next[i] == kNoNextUse) continue;  // never used again: bypass
    if (resident.size() >= size) {
      // Drop the resident key used farthest in the future, unless the new key
      // is used even later.
      while (true) {
        auto [use, k] = heap.top();
        auto rit = resident.find(k);
        if (rit == resident.end() || rit->second != use) {
          heap.pop();
          continue;
        }
        if (use < next[i]) goto skip;
        heap.pop();
        resident.erase(rit);
        break;
      }
    }
    resident.emplace(key, next[i]);
    heap.emplace(next[i], key);
  skip:;
  }
  return r;
}

SimResult simulate_cache(const std::vector<std::uint64_t>& trace, SimPolicy policy,
                         std::uint64_t size) {
  SimResult r{.policy = policy, .size = size, .requests = trace.size()};
  ManualClock clock;
  Cache<std::uint64_t, std::uint8_t> cache(
      CacheOptions{.max_entries = size,
                   .max_bytes = UINT64_MAX,
                   .ttl = std::chrono::nanoseconds(0),
                   .policy = policy == SimPolicy::kLru ? Policy::kLru : Policy::kWTinyLfu,
                   .auto_cleanup = false,
                   .shards = 1,
                   // Every read reaches the policy, so results are exact and
                   // reproducible.
                   .read_replay = ReadReplay::kInline,
                   .clock = &clock});
  for (std::uint64_t key : trace) {
    if (cache.get(key)) {
      ++r.hits;
    } else {
      cache.put(key, 1);
    }
  }
  return r;
}

}  // namespace

Result<std::vector<std::uint64_t>> read_trace(const std::string& path,
                                              const TraceReadOptions& options) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    return make_error(ErrorCode::kNotFound, "cannot open trace '" + path + "'");
  }
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> closer(f, &std::fclose);
  std::vector<std::uint64_t> out;
  LineParser parser(options, out);
  std::vector<char> in(ZSTD_DStreamInSize());
  std::vector<char> buf(ZSTD_DStreamOutSize());
  std::size_t n = std::fread(in.data(), 1, in.size(), f);
  bool zstd = n >= 4 && static_cast<unsigned char>(in[0]) == 0x28 &&
              static_cast<unsigned char>(in[1]) == 0xB5 &&
              static_cast<unsigned char>(in[2]) == 0x2F &&
              static_cast<unsigned char>(in[3]) == 0xFD;
  if (!zstd) {
    while (n > 0 && !parser.full()) {
      if (auto s = parser.feed(std::string_view(in.data(), n)); !s)
        return std::unexpected(s.error());
      n = std::fread(in.data(), 1, in.size(), f);
    }
  } else {
    std::unique_ptr<ZSTD_DStream, std::size_t (*)(ZSTD_DStream*)> ds(ZSTD_createDStream(),
                                                                     &ZSTD_freeDStream);
    ZSTD_initDStream(ds.get());
    std::size_t last = 0;
    while (n > 0 && !parser.full()) {
      ZSTD_inBuffer input{in.data(), n, 0};
      while (input.pos < input.size && !parser.full()) {
        ZSTD_outBuffer output{buf.data(), buf.size(), 0};
        last = ZSTD_decompressStream(ds.get(), &output, &input);
        if (ZSTD_isError(last)) {
          return make_error(ErrorCode::kParse,
                            "zstd: " + std::string(ZSTD_getErrorName(last)) + " in '" + path + "'");
        }
        if (auto s = parser.feed(std::string_view(buf.data(), output.pos)); !s) {
          return std::unexpected(s.error());
        }
      }
      n = std::fread(in.data(), 1, in.size(), f);
    }
    if (!parser.full() && last != 0) {
      return make_error(ErrorCode::kParse, "'" + path + "' is a truncated zstd stream");
    }
  }
  if (std::ferror(f)) return make_error(ErrorCode::kIo, "read error on '" + path + "'");
  if (auto s = parser.finish(); !s) return std::unexpected(s.error());
  return out;
}

Result<std::vector<std::uint64_t>> synthetic_trace(std::string_view spec) {
  auto bad = [&](std::string why) {
    return make_error(ErrorCode::kInvalidArgument,
                      "synthetic trace '" + std::string(spec) + "': " + why +
                          " (expected zipf:<skew>:keys=<n>:ops=<m>[:seed=<s>])");
  };
  std::vector<std::string_view> parts;
  for (std::size_t start = 0;;) {
    auto colon = spec.find(':', start);
    parts.push_back(spec.substr(start, colon - start));
    if (colon == std::string_view::npos) break;
    start = colon + 1;
  }
  if (parts.size() < 2 || parts[0] != "zipf") return bad("unknown distribution");
  double skew = 0;
  {
    auto [p, ec] = std::from_chars(parts[1].data(), parts[1].data() + parts[1].size(), skew);
    if (ec != std::errc() || p != parts[1].data() + parts[1].size() || skew < 0 || skew > 10) {
      return bad("skew must be a number in [0, 10]");
    }
  }
  std::uint64_t keys = 0, ops = 0, seed = 42;
  for (std::size_t i = 2; i < parts.size(); ++i) {
    auto eq = parts[i].find('=');
    if (eq == std::string_view::npos)
      return bad("'" + std::string(parts[i]) + "' is not name=value");
    auto name = parts[i].substr(0, eq);
    auto value = parts[i].substr(eq + 1);
    std::uint64_t v = 0;
    auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (ec != std::errc() || p != value.data() + value.size())
      return bad("bad number '" + std::string(value) + "'");
    if (name == "keys") {
      keys = v;
    } else if (name == "ops") {
      ops = v;
    } else if (name == "seed") {
      seed = v;
    } else {
      return bad("unknown parameter '" + std::string(name) + "'");
    }
  }
  if (keys == 0 || keys > 100'000'000) return bad("keys must be in [1, 1e8]");
  if (ops == 0 || ops > 1'000'000'000) return bad("ops must be in [1, 1e9]");
  std::vector<double> cdf(keys);
  double sum = 0;
  for (std::uint64_t i = 0; i < keys; ++i) {
    sum += 1.0 / std::pow(static_cast<double>(i + 1), skew);
    cdf[i] = sum;
  }
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0, sum);
  std::vector<std::uint64_t> out;
  out.reserve(ops);
  for (std::uint64_t i = 0; i < ops; ++i) {
    auto rank =
        static_cast<std::uint64_t>(std::lower_bound(cdf.begin(), cdf.end(), u(rng)) - cdf.begin());
    out.push_back(std::min(rank, keys - 1));
  }
  return out;
}

Result<SimPolicy> parse_sim_policy(std::string_view name) {
  if (name == "lru") return SimPolicy::kLru;
  if (name == "wtinylfu" || name == "w-tinylfu" || name == "tinylfu") return SimPolicy::kWTinyLfu;
  if (name == "opt" || name == "belady") return SimPolicy::kOpt;
  return make_error(ErrorCode::kInvalidArgument,
                    "unknown policy '" + std::string(name) + "' (expected lru, wtinylfu or opt)");
}

std::string_view sim_policy_name(SimPolicy policy) {
  switch (policy) {
    case SimPolicy::kLru:
      return "lru";
    case SimPolicy::kWTinyLfu:
      return "wtinylfu";
    case SimPolicy::kOpt:
      return "opt";
  }
  return "?";
}

SimResult simulate(const std::vector<std::uint64_t>& trace, SimPolicy policy, std::uint64_t size) {
  if (policy == SimPolicy::kOpt) return simulate_opt(trace, size);
  return simulate_cache(trace, policy, size);
}

std::vector<SimResult> simulate_all(const std::vector<std::uint64_t>& trace,
                                    const std::vector<SimPolicy>& policies,
                                    const std::vector<std::uint64_t>& sizes, unsigned threads) {
  std::vector<SimResult> results(policies.size() * sizes.size());
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t i; (i = next.fetch_add(1)) < results.size();) {
      results[i] = simulate(trace, policies[i / sizes.size()], sizes[i % sizes.size()]);
    }
  };
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  threads = static_cast<unsigned>(std::min<std::size_t>(threads, results.size()));
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  return results;
}

std::string results_to_json(std::string_view trace_name, const std::vector<SimResult>& results) {
  std::string out = "{\"trace\": \"";
  for (char c : trace_name) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  out += "\", \"results\": [";
  bool first = true;
  for (const auto& r : results) {
    if (!first) out += ", ";
    first = false;
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "{\"policy\": \"%s\", \"size\": %llu, \"requests\": %llu, \"hits\": %llu, "
                  "\"hit_ratio\": %.6f",
                  std::string(sim_policy_name(r.policy)).c_str(),
                  static_cast<unsigned long long>(r.size),
                  static_cast<unsigned long long>(r.requests),
                  static_cast<unsigned long long>(r.hits), r.hit_ratio());
    out += buf;
    for (const auto& o : results) {
      if (o.policy == SimPolicy::kOpt && o.size == r.size && o.hits > 0) {
        std::snprintf(buf, sizeof buf, ", \"fraction_of_opt\": %.4f",
                      static_cast<double>(r.hits) / static_cast<double>(o.hits));
        out += buf;
      }
    }
    out += "}";
  }
  out += "]}";
  return out;
}

}  // namespace awsperf::cache
