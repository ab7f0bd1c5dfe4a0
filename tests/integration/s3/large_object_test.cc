// A 256 MiB object goes file -> multipart upload -> ranged download -> file
// while the process's resident memory grows by less than 64 MiB: the
// transfer holds at most max_concurrency parts (4 × 8 MiB) at a time, never
// the object. Kept apart from the other S3 tests so that its memory
// measurement covers nothing else (CTest runs each test in its own process).
//
// The peer is s3rver, which streams objects to and from disk; moto keeps
// every object and part in its own memory, which is fine but slow at this
// size.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "awsperf/aws/crypto.h"
#include "awsperf/monitor/monitor.h"
#include "awsperf/s3/client.h"
#include "process.h"
#include "s3_peers.h"

namespace awsperf::s3 {
namespace {

namespace fs = std::filesystem;

// A "Vm...:   123 kB" field of /proc/self/status, in bytes.
std::uint64_t proc_status_bytes(const std::string& field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field + ":", 0) == 0) {
      return std::stoull(line.substr(field.size() + 1)) * 1024;
    }
  }
  ADD_FAILURE() << field << " not found in /proc/self/status";
  return 0;
}

void write_random_file(const std::string& path, std::uint64_t size) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  std::mt19937_64 rng(42);
  std::string block(1 << 20, '\0');
  for (std::uint64_t done = 0; done < size; done += block.size()) {
    for (std::size_t i = 0; i + 8 <= block.size(); i += 8) {
      std::uint64_t v = rng();
      std::memcpy(block.data() + i, &v, 8);
    }
    out.write(block.data(), static_cast<std::streamsize>(block.size()));
  }
  ASSERT_TRUE(out.good());
}

std::string file_sha256(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  aws::Sha256 hash;
  std::string block(1 << 20, '\0');
  while (in) {
    in.read(block.data(), static_cast<std::streamsize>(block.size()));
    hash.update(std::string_view(block.data(), static_cast<std::size_t>(in.gcount())));
  }
  auto digest = hash.finish();
  return std::string(reinterpret_cast<const char*>(digest.data()), digest.size());
}

TEST(S3LargeObject, RoundTrip256MiBWithRssGrowthUnder64MiB) {
  constexpr std::uint64_t kSize = 256ull << 20;
  constexpr std::uint64_t kMaxGrowth = 64ull << 20;
  const fs::path dir =
      fs::temp_directory_path() / ("awsperf-s3-large-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  struct Cleanup {
    fs::path dir;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  } cleanup{dir};

  auto peer = testing::start_s3rver_with_des((dir / "server").string());
  ASSERT_TRUE(peer) << "s3rver is required: " << peer.error().to_string();
  const std::string src = (dir / "src.bin").string();
  const std::string dst = (dir / "dst.bin").string();
  write_random_file(src, kSize);

  monitor::PerformanceMonitor monitor;
  auto client = BlockingClient::create({.endpoint_url = peer->endpoint(),
                                        .region = "us-east-1",
                                        .credentials = testing::test_credentials(),
                                        .monitor = &monitor});
  ASSERT_TRUE(client) << client.error().to_string();
  ASSERT_TRUE((*client)->create_bucket({.bucket = "large"}));

  // Reset the peak ("5" clears VmHWM) so that it covers the transfer only.
  {
    std::ofstream clear("/proc/self/clear_refs");
    clear << "5";
  }
  const std::uint64_t rss_before = proc_status_bytes("VmRSS");
  const auto start = std::chrono::steady_clock::now();

  auto up = (*client)->upload_file({.bucket = "large",
                                    .key = "object",
                                    .path = src,
                                    .part_size_bytes = 8ull << 20,
                                    .max_concurrency = 4});
  ASSERT_TRUE(up) << up.error().to_string();
  EXPECT_EQ(up->parts, 32);
  EXPECT_EQ(up->bytes, kSize);

  auto down = (*client)->download_file({.bucket = "large",
                                        .key = "object",
                                        .path = dst,
                                        .part_size_bytes = 8ull << 20,
                                        .max_concurrency = 4});
  ASSERT_TRUE(down) << down.error().to_string();
  EXPECT_EQ(down->bytes, kSize);
  EXPECT_EQ(down->parts, 32);

  const auto took = std::chrono::steady_clock::now() - start;
  const std::uint64_t peak = proc_status_bytes("VmHWM");
  const std::uint64_t growth = peak > rss_before ? peak - rss_before : 0;
  std::cout << "256 MiB round trip in "
            << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
            << " ms; RSS before " << (rss_before >> 20) << " MiB, peak " << (peak >> 20)
            << " MiB, growth " << (growth >> 20) << " MiB\n";
  EXPECT_LT(growth, kMaxGrowth);

  EXPECT_EQ(fs::file_size(dst), kSize);
  EXPECT_EQ(file_sha256(src), file_sha256(dst));
  auto parts = monitor.stats("s3.UploadPart");
  ASSERT_TRUE(parts);
  EXPECT_EQ(parts->latency.count, 32u);
  EXPECT_EQ(parts->errors, 0u);
  auto gets = monitor.stats("s3.GetObject");
  ASSERT_TRUE(gets);
  EXPECT_EQ(gets->latency.count, 32u);
}

}  // namespace
}  // namespace awsperf::s3
