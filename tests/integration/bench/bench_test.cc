// A short `awsperf bench` run against dynalite: every mode runs, and the
// optimized mode does what it claims (fewer calls, cache hits, no new
// connections per request). Behaviour, not speed: the CI machine is shared.
#include "awsperf/workload/bench.h"

#include <gtest/gtest.h>

#include "process.h"
#include "tcp_relay.h"

namespace awsperf::workload {
namespace {

using namespace std::chrono_literals;

BenchOptions short_run(const std::string& endpoint) {
  BenchOptions o;
  o.endpoint_url = endpoint;
  o.target = endpoint;
  o.credentials = aws::Credentials{.access_key_id = "AKIDTEST", .secret_access_key = "x"};
  o.records = 300;
  o.workloads = *parse_workload_list("B,E");
  o.duration = 1500ms;
  o.warmup = 300ms;
  o.calibration = 1s;
  o.floor_duration = 300ms;
  o.concurrency = 4;
  return o;
}

TEST(BenchEndToEndTest, EveryModeRunsAndOptimizedSavesCalls) {
  auto dynalite = testutil::start_dynalite();
  ASSERT_TRUE(dynalite.has_value()) << dynalite.error().to_string();
  auto report = run_bench(short_run(dynalite->endpoint()));
  ASSERT_TRUE(report.has_value()) << report.error().to_string();
  ASSERT_EQ(report->workloads.size(), 2u);
  const WorkloadResult& b = report->workloads[0];
  EXPECT_EQ(b.name, 'B');
  EXPECT_GT(b.offered_rate, 0);
  ASSERT_EQ(b.modes.size(), 3u);
  for (const auto& m : b.modes) {
    EXPECT_GT(m.ops, 0u) << bench_mode_name(m.mode);
    EXPECT_EQ(m.errors, 0u) << bench_mode_name(m.mode);
    ASSERT_TRUE(m.floor.has_value());
    EXPECT_GT(m.floor_ops, 0u);
  }
  const ModeResult* base = b.mode(BenchMode::kBaseline);
  const ModeResult* pooled = b.mode(BenchMode::kPooled);
  const ModeResult* opt = b.mode(BenchMode::kOptimized);
  // The baseline opens a connection per request; the pool does not.
  EXPECT_GE(base->connections_opened, base->db_calls);
  EXPECT_LT(pooled->connections_opened, pooled->db_calls / 4 + 2);
  // Reads come from the warmed cache; only writes reach the database.
  EXPECT_GT(opt->cache_hit_rate, 0.9);
  EXPECT_LT(opt->db_calls, base->db_calls / 4);
  // Workload E runs its scans as Queries.
  const WorkloadResult& e = report->workloads[1];
  EXPECT_EQ(e.name, 'E');
  for (const auto& m : e.modes) EXPECT_EQ(m.errors, 0u) << bench_mode_name(m.mode);

  // The report renders.
  EXPECT_NE(to_json(*report).find("\"optimized\""), std::string::npos);
  EXPECT_NE(format_table(*report).find("Workload E"), std::string::npos);
}

TEST(BenchEndToEndTest, ThroughTheDelayingRelay) {
  auto dynalite = testutil::start_dynalite();
  ASSERT_TRUE(dynalite.has_value()) << dynalite.error().to_string();
  auto relay = testutil::TcpRelay::start({.target_port = dynalite->port, .delay_each_way = 2ms});
  ASSERT_TRUE(relay.has_value());
  BenchOptions o = short_run((*relay)->endpoint());
  o.workloads = *parse_workload_list("C");
  o.network_delay = 2ms;
  auto report = run_bench(o);
  ASSERT_TRUE(report.has_value()) << report.error().to_string();
  EXPECT_DOUBLE_EQ(report->network_delay_ms, 2.0);
  // Every baseline request crosses the relay twice (4 ms) plus a connect.
  const ModeResult* base = report->workloads[0].mode(BenchMode::kBaseline);
  ASSERT_NE(base, nullptr);
  EXPECT_GE(base->latency.p50_us, 4000);
  EXPECT_GT((*relay)->stats().connections_accepted, base->ops);
}

TEST(BenchEndToEndTest, MultiLevelCacheWithRedis) {
  auto dynalite = testutil::start_dynalite();
  ASSERT_TRUE(dynalite.has_value()) << dynalite.error().to_string();
  auto redis = testutil::start_redis();
  ASSERT_TRUE(redis.has_value()) << redis.error().to_string();
  BenchOptions o = short_run(dynalite->endpoint());
  o.workloads = *parse_workload_list("B");
  o.modes = {BenchMode::kBaseline, BenchMode::kOptimized};
  o.redis_url = "redis://127.0.0.1:" + std::to_string(redis->port);
  auto report = run_bench(o);
  ASSERT_TRUE(report.has_value()) << report.error().to_string();
  EXPECT_NE(report->cache.find("Redis L2"), std::string::npos);
  const ModeResult* base = report->workloads[0].mode(BenchMode::kBaseline);
  const ModeResult* opt = report->workloads[0].mode(BenchMode::kOptimized);
  ASSERT_NE(opt, nullptr);
  EXPECT_EQ(opt->errors, 0u);
  // Most reads are served by L1 or L2. In short runs the multi-level mode
  // measured 81-88% (the in-process cache: above 90%); see the issue note.
  EXPECT_GT(opt->cache_hit_rate, 0.75);
  EXPECT_LT(opt->db_calls, base->db_calls / 3);
}

TEST(BenchArgumentsTest, RedisUrl) {
  auto r = parse_redis_url("redis://localhost:6380");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->host, "127.0.0.1");
  EXPECT_EQ(r->port, 6380);
  EXPECT_EQ(parse_redis_url("10.0.0.1").value().port, 6379);
  EXPECT_FALSE(parse_redis_url("redis://host:notaport").has_value());
  EXPECT_FALSE(parse_redis_url("redis://user:pw@host:1").has_value());
  EXPECT_FALSE(parse_redis_url("redis://:1").has_value());
}

TEST(BenchEndToEndTest, UnreachableEndpointIsAClearError) {
  BenchOptions o = short_run("http://127.0.0.1:" + std::to_string(testutil::free_port()));
  auto report = run_bench(o);
  ASSERT_FALSE(report.has_value());
  EXPECT_EQ(report.error().code, ErrorCode::kConnectionFailed) << report.error().to_string();
  EXPECT_NE(report.error().message.find("cannot use table"), std::string::npos);
}

}  // namespace
}  // namespace awsperf::workload
