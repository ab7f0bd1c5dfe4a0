// Key choosers for load generation, as YCSB defines them: uniform, Zipfian
// (Gray et al., "Quickly generating billion-record synthetic databases"),
// scrambled Zipfian (Zipfian popularity spread over the key space by an FNV
// hash, so the hot keys are not neighbours) and latest (Zipfian over recency).
//
// Thread-safety: a generator is used by one thread at a time (it holds the
// random engine). The `latest` generator reads a shared insert counter that
// other threads may advance.
#ifndef AWSPERF_WORKLOAD_KEY_GENERATORS_H_
#define AWSPERF_WORKLOAD_KEY_GENERATORS_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <random>
#include <string_view>

#include "awsperf/core/result.h"

namespace awsperf::workload {

// YCSB's Zipfian constant.
inline constexpr double kZipfianConstant = 0.99;

// FNV-1a over the 8 little-endian bytes of `value`, made non-negative as a
// signed 64-bit number the way YCSB's fnvhash64 does.
std::uint64_t fnv1a_64(std::uint64_t value);

// ζ(n, θ) = Σ_{i=1..n} 1/i^θ.
double zeta(std::uint64_t n, double theta);

// Integers in [min, max] with P(rank k) ∝ 1/k^θ; `min` is the most popular.
class ZipfianGenerator {
 public:
  // `zeta_n` may be given when known (it costs O(n) to compute).
  ZipfianGenerator(std::uint64_t min, std::uint64_t max, double theta = kZipfianConstant,
                   double zeta_n = 0);
  std::uint64_t next(std::mt19937_64& rng);
  std::uint64_t item_count() const { return items_; }

 private:
  std::uint64_t min_, items_;
  double theta_, zeta_n_, zeta2_, alpha_, eta_;
};

enum class Distribution : std::uint8_t { kUniform, kZipfian, kScrambledZipfian, kLatest };

// Parses "uniform", "zipfian", "scrambled_zipfian" (or "zipf"), "latest".
Result<Distribution> parse_distribution(std::string_view name);

// Chooses keys in [0, record_count). For kLatest, `insert_counter` (the
// number of records that exist, advanced by inserts) must be given, and keys
// near the newest record are the most popular.
class KeyChooser {
 public:
  static Result<std::unique_ptr<KeyChooser>> create(
      Distribution distribution, std::uint64_t record_count, std::uint64_t seed,
      const std::atomic<std::uint64_t>* insert_counter = nullptr);
  virtual ~KeyChooser() = default;
  virtual std::uint64_t next() = 0;
};

}  // namespace awsperf::workload

#endif  // AWSPERF_WORKLOAD_KEY_GENERATORS_H_
