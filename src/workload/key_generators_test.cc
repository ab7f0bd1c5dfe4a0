#include "awsperf/workload/key_generators.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <vector>

namespace awsperf::workload {
namespace {

TEST(ZipfianTest, ZetaMatchesKnownValues) {
  EXPECT_NEAR(zeta(1, 0.99), 1.0, 1e-12);
  EXPECT_NEAR(zeta(2, 0.99), 1.0 + std::pow(2.0, -0.99), 1e-12);
  // Harmonic number H(100) for θ = 1.
  EXPECT_NEAR(zeta(100, 1.0), 5.187377517639621, 1e-9);
}

TEST(ZipfianTest, FnvMatchesYcsb) {
  // FNV-1a of eight zero bytes is 0xA8C7F832281A39C5; YCSB takes its
  // absolute value as a signed number.
  EXPECT_EQ(fnv1a_64(0), 0x573807CDD7E5C63BULL);
  EXPECT_EQ(fnv1a_64(12345) >> 63, 0u);
  EXPECT_NE(fnv1a_64(1), fnv1a_64(2));
}

// The frequency of each rank follows 1/k^θ: the two top ranks exactly (the
// algorithm is exact there), the rest by the slope of log(frequency) against
// log(rank) and by the share of the top decile.
TEST(ZipfianTest, DistributionFollowsZipfsLaw) {
  const std::uint64_t n = 1000;
  const int samples = 2'000'000;
  ZipfianGenerator zipf(0, n - 1);
  std::mt19937_64 rng(42);
  std::vector<double> count(n, 0);
  for (int i = 0; i < samples; ++i) {
    auto v = zipf.next(rng);
    ASSERT_LT(v, n);
    count[v] += 1;
  }
  const double z = zeta(n, kZipfianConstant);
  EXPECT_NEAR(count[0] / samples, 1.0 / z, 0.02 / z);
  EXPECT_NEAR(count[1] / samples, std::pow(2.0, -kZipfianConstant) / z, 0.03 / z);

  // Least-squares slope over ranks 3..200 (enough samples per rank).
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  int m = 0;
  for (std::uint64_t k = 3; k <= 200; ++k) {
    double x = std::log(static_cast<double>(k));
    double y = std::log(count[k - 1]);
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
    ++m;
  }
  double slope = (m * sxy - sx * sy) / (m * sxx - sx * sx);
  EXPECT_NEAR(slope, -kZipfianConstant, 0.08);

  double top_decile = std::accumulate(count.begin(), count.begin() + n / 10, 0.0) / samples;
  double expected = zeta(n / 10, kZipfianConstant) / z;
  EXPECT_NEAR(top_decile, expected, 0.02);
}

TEST(KeyChooserTest, UniformPassesChiSquare) {
  auto chooser = KeyChooser::create(Distribution::kUniform, 100, 7);
  ASSERT_TRUE(chooser.has_value());
  std::vector<int> count(100, 0);
  const int samples = 100'000;
  for (int i = 0; i < samples; ++i) {
    auto v = (*chooser)->next();
    ASSERT_LT(v, 100u);
    ++count[v];
  }
  double chi2 = 0;
  const double expected = samples / 100.0;
  for (int c : count) chi2 += (c - expected) * (c - expected) / expected;
  // 99 degrees of freedom: the 0.1% critical value is 148.2.
  EXPECT_LT(chi2, 148.2);
  // And it is not suspiciously perfect either (0.1% lower tail: 61.9).
  EXPECT_GT(chi2, 61.9);
}

TEST(KeyChooserTest, ScrambledZipfianIsSkewedButSpread) {
  const std::uint64_t n = 10'000;
  auto chooser = KeyChooser::create(Distribution::kScrambledZipfian, n, 11);
  ASSERT_TRUE(chooser.has_value());
  std::map<std::uint64_t, int> count;
  const int samples = 1'000'000;
  for (int i = 0; i < samples; ++i) {
    auto v = (*chooser)->next();
    ASSERT_LT(v, n);
    ++count[v];
  }
  std::vector<std::pair<int, std::uint64_t>> ranked;
  for (auto [k, c] : count) ranked.push_back({c, k});
  std::sort(ranked.rbegin(), ranked.rend());
  // The hottest key takes about 1/ζ(10^10, 0.99) = 3.8% of requests.
  double top = static_cast<double>(ranked[0].first) / samples;
  EXPECT_GT(top, 0.03);
  EXPECT_LT(top, 0.06);
  // Skewed: the top 1% of keys take about ζ(100)/ζ(10^10) = 20% of requests.
  double top1pct = 0;
  for (size_t i = 0; i < n / 100; ++i) top1pct += ranked[i].first;
  EXPECT_GT(top1pct / samples, 0.18);
  EXPECT_LT(top1pct / samples, 0.30);
  // Spread: the ten hottest keys are not neighbours.
  std::vector<std::uint64_t> hot;
  for (int i = 0; i < 10; ++i) hot.push_back(ranked[i].second);
  std::sort(hot.begin(), hot.end());
  EXPECT_GT(hot.back() - hot.front(), n / 4);
  // Most keys are touched at least once.
  EXPECT_GT(count.size(), n / 2);
}

TEST(KeyChooserTest, LatestPrefersTheNewestRecords) {
  std::atomic<std::uint64_t> inserted{1000};
  auto chooser = KeyChooser::create(Distribution::kLatest, 1000, 3, &inserted);
  ASSERT_TRUE(chooser.has_value());
  int newest = 0, oldest_half = 0;
  for (int i = 0; i < 100'000; ++i) {
    auto v = (*chooser)->next();
    ASSERT_LT(v, 1000u);
    newest += (v == 999);
    oldest_half += (v < 500);
  }
  EXPECT_GT(newest, oldest_half);
  inserted = 2000;  // new inserts become the hot ones
  int new_hot = 0;
  for (int i = 0; i < 10'000; ++i) new_hot += ((*chooser)->next() == 1999);
  EXPECT_GT(new_hot, 500);
}

TEST(KeyChooserTest, BadArguments) {
  EXPECT_EQ(KeyChooser::create(Distribution::kUniform, 0, 1).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(KeyChooser::create(Distribution::kLatest, 10, 1).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(parse_distribution("zipf").value(), Distribution::kScrambledZipfian);
  EXPECT_EQ(parse_distribution("latest").value(), Distribution::kLatest);
  EXPECT_FALSE(parse_distribution("gaussian").has_value());
}

}  // namespace
}  // namespace awsperf::workload
