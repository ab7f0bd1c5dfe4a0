#include "awsperf/cache/simulator.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace awsperf::cache {
namespace {

const std::string kOltp = std::string(AWSPERF_TESTDATA_DIR) + "/traces/OLTP.lis.zst";

std::string write_temp(const std::string& name, const std::string& text) {
  auto path =
      (std::filesystem::temp_directory_path() / (name + "-" + std::to_string(::getpid()) + ".txt"))
          .string();
  std::ofstream(path) << text;
  return path;
}

double ratio(const std::vector<SimResult>& rs, SimPolicy p, std::uint64_t size) {
  for (const auto& r : rs) {
    if (r.policy == p && r.size == size) return r.hit_ratio();
  }
  ADD_FAILURE() << "no result";
  return 0;
}

TEST(SimulatorTest, ReadsTheOltpTraceAndMatchesPublishedFigures) {
  auto trace = read_trace(kOltp);
  ASSERT_TRUE(trace) << trace.error().to_string();
  ASSERT_EQ(trace->size(), 914145u);  // one block per line in this trace
  auto rs =
      simulate_all(*trace, {SimPolicy::kLru, SimPolicy::kWTinyLfu, SimPolicy::kOpt}, {250, 2000});
  // Published (Caffeine's charts): LRU 16.5% -> 42.5%, W-TinyLFU 24.5% -> 46%,
  // OPT 38.5% -> 60.5%.
  EXPECT_NEAR(ratio(rs, SimPolicy::kLru, 250), 0.165, 0.01);
  EXPECT_NEAR(ratio(rs, SimPolicy::kLru, 2000), 0.425, 0.01);
  EXPECT_GE(ratio(rs, SimPolicy::kWTinyLfu, 250), 0.245);
  EXPECT_GE(ratio(rs, SimPolicy::kWTinyLfu, 2000), 0.455);
  EXPECT_NEAR(ratio(rs, SimPolicy::kOpt, 250), 0.385, 0.02);
  EXPECT_NEAR(ratio(rs, SimPolicy::kOpt, 2000), 0.605, 0.02);
}

TEST(SimulatorTest, WTinyLfuBeatsLruOnZipf) {
  auto trace = synthetic_trace("zipf:0.99:keys=100000:ops=300000");
  ASSERT_TRUE(trace) << trace.error().to_string();
  auto rs = simulate_all(*trace, {SimPolicy::kLru, SimPolicy::kWTinyLfu, SimPolicy::kOpt}, {1000});
  double lru = ratio(rs, SimPolicy::kLru, 1000);
  double tiny = ratio(rs, SimPolicy::kWTinyLfu, 1000);
  double opt = ratio(rs, SimPolicy::kOpt, 1000);
  EXPECT_GE(tiny, lru + 0.05) << "lru " << lru << " wtinylfu " << tiny;
  EXPECT_LE(tiny, opt);
}

TEST(SimulatorTest, MaxRequestsTakesAPrefix) {
  auto trace = read_trace(kOltp, {.max_requests = 1000});
  ASSERT_TRUE(trace);
  EXPECT_EQ(trace->size(), 1000u);
}

TEST(SimulatorTest, ArcLinesExpandToConsecutiveBlocks) {
  auto path = write_temp("arc", "10 3 0 1\n\n100 1 0 2\r\n10 2 0 3");
  auto trace = read_trace(path);
  std::filesystem::remove(path);
  ASSERT_TRUE(trace) << trace.error().to_string();
  EXPECT_EQ(*trace, (std::vector<std::uint64_t>{10, 11, 12, 100, 10, 11}));
  auto r = simulate(*trace, SimPolicy::kLru, 10);
  EXPECT_EQ(r.requests, 6u);
  EXPECT_EQ(r.hits, 2u);
}

TEST(SimulatorTest, KeysFormatHashesNonNumericKeys) {
  auto path = write_temp("keys", "7\nuser:1\n7\nuser:1\n");
  auto trace = read_trace(path, {.format = TraceFormat::kKeys});
  std::filesystem::remove(path);
  ASSERT_TRUE(trace);
  ASSERT_EQ(trace->size(), 4u);
  EXPECT_EQ((*trace)[0], 7u);
  EXPECT_EQ((*trace)[1], (*trace)[3]);
  EXPECT_NE((*trace)[1], 7u);
}

TEST(SimulatorTest, BadInputGetsSpecificErrors) {
  auto missing = read_trace("/nonexistent/trace");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);

  auto path = write_temp("bad", "1 2 0 0\nnot numbers\n");
  auto bad = read_trace(path);
  std::filesystem::remove(path);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kParse);
  EXPECT_NE(bad.error().message.find("line 2"), std::string::npos);

  path = write_temp("huge", "1 99999999999 0 0\n");
  auto huge = read_trace(path, {.limit_requests = 1000});
  std::filesystem::remove(path);
  ASSERT_FALSE(huge);
  EXPECT_EQ(huge.error().code, ErrorCode::kTooLarge);

  path = write_temp("long", std::string(10000, '1'));
  auto long_line = read_trace(path);
  std::filesystem::remove(path);
  ASSERT_FALSE(long_line);
  EXPECT_EQ(long_line.error().code, ErrorCode::kParse);

  // A truncated zstd stream is an error, not a silently shorter trace.
  std::ifstream in(kOltp, std::ios::binary);
  std::string head(100000, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  path = write_temp("trunc", head);
  auto trunc = read_trace(path);
  std::filesystem::remove(path);
  ASSERT_FALSE(trunc);
  EXPECT_EQ(trunc.error().code, ErrorCode::kParse);

  for (const char* spec :
       {"uniform:1:keys=1:ops=1", "zipf:x:keys=10:ops=10", "zipf:0.9:keys=0:ops=1",
        "zipf:0.9:keys=10", "zipf:0.9:keys=10:ops=10:color=red"}) {
    auto s = synthetic_trace(spec);
    ASSERT_FALSE(s) << spec;
    EXPECT_EQ(s.error().code, ErrorCode::kInvalidArgument);
  }
  EXPECT_FALSE(parse_sim_policy("fifo"));
}

TEST(SimulatorTest, JsonHasOneObjectWithResults) {
  std::vector<std::uint64_t> trace{1, 2, 1, 2, 3, 1};
  auto rs = simulate_all(trace, {SimPolicy::kLru, SimPolicy::kOpt}, {2});
  auto json = results_to_json("t\"x", rs);
  EXPECT_EQ(
      json.rfind("{\"trace\": \"t\\\"x\", \"results\": [{\"policy\": \"lru\", \"size\": 2, "
                 "\"requests\": 6, \"hits\": 2, \"hit_ratio\": 0.333333, \"fraction_of_opt\": ",
                 0),
      0u)
      << json;
  EXPECT_NE(json.find("{\"policy\": \"opt\", \"size\": 2, \"requests\": 6, \"hits\": 3"),
            std::string::npos)
      << json;
}

}  // namespace
}  // namespace awsperf::cache
