#include "awsperf/http/message.h"

#include <gtest/gtest.h>

#include "awsperf/http/connection_pool.h"

namespace awsperf::http {
namespace {

using namespace std::chrono_literals;

TEST(ParseUrl, SchemesPortsAndTargets) {
  Result<Url> u = parse_url("https://dynamodb.us-east-1.amazonaws.com");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->origin.scheme, Scheme::kHttps);
  EXPECT_EQ(u->origin.host, "dynamodb.us-east-1.amazonaws.com");
  EXPECT_EQ(u->origin.port, 443);
  EXPECT_EQ(u->target, "/");
  EXPECT_EQ(u->origin.host_header(), "dynamodb.us-east-1.amazonaws.com");

  u = parse_url("http://127.0.0.1:8000/bucket/key?x-id=GetObject#frag");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->origin.port, 8000);
  EXPECT_EQ(u->target, "/bucket/key?x-id=GetObject");
  EXPECT_EQ(u->origin.host_header(), "127.0.0.1:8000");
  EXPECT_EQ(u->origin.to_string(), "http://127.0.0.1:8000");

  u = parse_url("http://[::1]:9000?list-type=2");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->origin.host, "::1");
  EXPECT_EQ(u->target, "/?list-type=2");
  EXPECT_EQ(u->origin.host_header(), "[::1]:9000");
}

TEST(ParseUrl, RejectsWhatItCannotServe) {
  for (const char* bad :
       {"ftp://x/", "http://", "http://:80/", "http://h:0/", "http://h:65536/", "http://h:8x/",
        "http://user:pw@h/", "http://h/a b", "http://[::1/", "h/path"}) {
    Result<Url> u = parse_url(bad);
    ASSERT_FALSE(u) << bad;
    EXPECT_EQ(u.error().code, ErrorCode::kInvalidArgument) << bad;
  }
}

TEST(Headers, CaseInsensitiveSetAddErase) {
  Headers h;
  h.add("X-Amz-Target", "DynamoDB_20120810.GetItem");
  h.add("x-amz-meta", "1");
  h.add("X-AMZ-META", "2");
  EXPECT_EQ(h.get("x-amz-target"), "DynamoDB_20120810.GetItem");
  EXPECT_EQ(h.get("X-Amz-Meta"), "1");
  h.set("x-amz-meta", "3");
  EXPECT_EQ(h.size(), 2u);
  EXPECT_EQ(h.get("x-amz-meta"), "3");
  h.erase("X-AMZ-TARGET");
  EXPECT_FALSE(h.contains("x-amz-target"));
  EXPECT_FALSE(h.get("absent").has_value());
}

TEST(WaitHistogram, PercentilesAreUpperBoundsNeverAboveMax) {
  WaitHistogram h;
  EXPECT_EQ(h.percentile(0.5), 0us);
  for (int i = 0; i < 90; ++i) h.record(0us);
  for (int i = 0; i < 10; ++i) h.record(1500us);
  EXPECT_EQ(h.count, 100u);
  EXPECT_EQ(h.percentile(0.5), 0us);
  EXPECT_EQ(h.percentile(0.9), 0us);
  // 1500 us lies in [1024, 2048): reported as at most the max seen.
  EXPECT_EQ(h.percentile(0.95), 1500us);
  EXPECT_EQ(h.max_us, 1500u);
  h.record(700us);
  EXPECT_EQ(h.percentile(0.91), 1023us);

  WaitHistogram other;
  other.record(3s);
  h.merge(other);
  EXPECT_EQ(h.count, 102u);
  EXPECT_EQ(h.percentile(1.0), 3s);
}

TEST(PoolStatistics, ReuseRatioAndMerge) {
  PoolStatistics a, b;
  EXPECT_EQ(a.reuse_ratio(), 0.0);
  a.created = 1;
  a.reused = 3;
  a.closed_idle = 2;
  b.created = 3;
  b.reused = 3;
  b.timeouts_acquire = 1;
  a.merge(b);
  EXPECT_EQ(a.created, 4u);
  EXPECT_DOUBLE_EQ(a.reuse_ratio(), 0.6);
  EXPECT_EQ(a.timeouts_acquire, 1u);
  EXPECT_EQ(a.closed_idle, 2u);
}

}  // namespace
}  // namespace awsperf::http
