#include "awsperf/workload/key_generators.h"

#include <cmath>
#include <string>

namespace awsperf::workload {

std::uint64_t fnv1a_64(std::uint64_t value) {
  std::uint64_t hash = 0xCBF29CE484222325ULL;
  for (int i = 0; i < 8; ++i) {
    hash ^= value & 0xff;
    hash *= 1099511628211ULL;
    value >>= 8;
  }
  // YCSB returns Math.abs() of the signed value; keep its key mapping.
  if (hash >> 63) hash = ~hash + 1;
  return hash;
}

double zeta(std::uint64_t n, double theta) {
  double sum = 0;
  for (std::uint64_t i = 1; i <= n; ++i) sum += 1.0 / std::pow(static_cast<double>(i), theta);
  return sum;
}

ZipfianGenerator::ZipfianGenerator(std::uint64_t min, std::uint64_t max, double theta,
                                   double zeta_n)
    : min_(min), items_(max - min + 1), theta_(theta) {
  zeta_n_ = zeta_n > 0 ? zeta_n : zeta(items_, theta_);
  zeta2_ = zeta(2, theta_);
  alpha_ = 1.0 / (1.0 - theta_);
  eta_ = (1 - std::pow(2.0 / static_cast<double>(items_), 1 - theta_)) / (1 - zeta2_ / zeta_n_);
}

std::uint64_t ZipfianGenerator::next(std::mt19937_64& rng) {
  double u = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
  double uz = u * zeta_n_;
  if (uz < 1.0) return min_;
  if (uz < 1.0 + std::pow(0.5, theta_)) return min_ + 1;
  auto rank = static_cast<std::uint64_t>(static_cast<double>(items_) *
                                         std::pow(eta_ * u - eta_ + 1, alpha_));
  if (rank >= items_) rank = items_ - 1;
  return min_ + rank;
}

Result<Distribution> parse_distribution(std::string_view name) {
  if (name == "uniform") return Distribution::kUniform;
  if (name == "zipfian") return Distribution::kZipfian;
  if (name == "scrambled_zipfian" || name == "zipf") return Distribution::kScrambledZipfian;
  if (name == "latest") return Distribution::kLatest;
  return make_error(ErrorCode::kInvalidArgument,
                    "unknown distribution '" + std::string(name) +
                        "' (expected uniform, zipfian, scrambled_zipfian or latest)");
}

namespace {

class UniformChooser final : public KeyChooser {
 public:
  UniformChooser(std::uint64_t n, std::uint64_t seed) : rng_(seed), dist_(0, n - 1) {}
  std::uint64_t next() override { return dist_(rng_); }

 private:
  std::mt19937_64 rng_;
  std::uniform_int_distribution<std::uint64_t> dist_;
};

class ZipfianChooser final : public KeyChooser {
 public:
  ZipfianChooser(std::uint64_t n, std::uint64_t seed) : rng_(seed), zipf_(0, n - 1) {}
  std::uint64_t next() override { return zipf_.next(rng_); }

 private:
  std::mt19937_64 rng_;
  ZipfianGenerator zipf_;
};

// YCSB's ScrambledZipfianGenerator: Zipfian over a fixed 10^10 item space
// (with its precomputed ζ), hashed into the record range. Using the large
// space keeps the popularity curve the same whatever the record count.
class ScrambledZipfianChooser final : public KeyChooser {
 public:
  static constexpr std::uint64_t kItemCount = 10'000'000'000ULL;
  static constexpr double kZetan = 26.46902820178302;
  ScrambledZipfianChooser(std::uint64_t n, std::uint64_t seed)
      : n_(n), rng_(seed), zipf_(0, kItemCount - 1, kZipfianConstant, kZetan) {}
  std::uint64_t next() override { return fnv1a_64(zipf_.next(rng_)) % n_; }

 private:
  std::uint64_t n_;
  std::mt19937_64 rng_;
  ZipfianGenerator zipf_;
};

// YCSB's SkewedLatestGenerator: the newest record is the most popular.
class LatestChooser final : public KeyChooser {
 public:
  LatestChooser(std::uint64_t n, std::uint64_t seed, const std::atomic<std::uint64_t>* counter)
      : rng_(seed), counter_(counter), zipf_(0, n - 1) {}
  std::uint64_t next() override {
    std::uint64_t count = counter_->load(std::memory_order_acquire);
    if (count == 0) return 0;
    std::uint64_t back = zipf_.next(rng_) % count;
    return count - 1 - back;
  }

 private:
  std::mt19937_64 rng_;
  const std::atomic<std::uint64_t>* counter_;
  ZipfianGenerator zipf_;
};

}  // namespace

Result<std::unique_ptr<KeyChooser>> KeyChooser::create(
    Distribution distribution, std::uint64_t record_count, std::uint64_t seed,
    const std::atomic<std::uint64_t>* insert_counter) {
  if (record_count == 0) {
    return make_error(ErrorCode::kInvalidArgument, "record count must be at least 1");
  }
  switch (distribution) {
    case Distribution::kUniform:
      return std::make_unique<UniformChooser>(record_count, seed);
    case Distribution::kZipfian:
      return std::make_unique<ZipfianChooser>(record_count, seed);
    case Distribution::kScrambledZipfian:
      return std::make_unique<ScrambledZipfianChooser>(record_count, seed);
    case Distribution::kLatest:
      if (insert_counter == nullptr) {
        return make_error(ErrorCode::kInvalidArgument,
                          "the latest distribution needs the insert counter");
      }
      return std::make_unique<LatestChooser>(record_count, seed, insert_counter);
  }
  return make_error(ErrorCode::kInternal, "unhandled distribution");
}

}  // namespace awsperf::workload
