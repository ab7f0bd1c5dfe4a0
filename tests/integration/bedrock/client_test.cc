// Bedrock Runtime InvokeModel against moto_server, with and without the
// response cache. Requests are counted by the client (attempts) and by the
// connection pool (requests that reached the wire).
#include "awsperf/bedrock/client.h"

#include <gtest/gtest.h>

#include "awsperf/monitor/monitor.h"
#include "peer_suite.h"
#include "process.h"

namespace awsperf::bedrock {
namespace {

class BedrockTest : public testutil::PeerSuite<testutil::start_moto> {
 protected:
  std::unique_ptr<BlockingClient> make_client(ClientOptions options) {
    options.endpoint_url = peer_->endpoint();
    options.region = "us-east-1";
    options.credentials = aws::Credentials{
        .access_key_id = "AKIDEXAMPLE", .secret_access_key = "secret", .source = "test"};
    options.monitor = &monitor_;
    auto c = BlockingClient::create(std::move(options));
    EXPECT_TRUE(c) << c.error().to_string();
    return c ? std::move(*c) : nullptr;
  }

  monitor::PerformanceMonitor monitor_;
};

const char* kBody = R"({"prompt":"Say hi","temperature":0,"max_tokens":10})";

TEST_F(BedrockTest, InvokeModelReturnsTheModelsJson) {
  ASSERT_NE(peer_, nullptr);
  auto client = make_client({});
  auto r = client->invoke_model({.model_id = "anthropic.claude-v2", .body = kBody});
  ASSERT_TRUE(r) << r.error().to_string();
  // moto's model answers an empty JSON document.
  EXPECT_EQ(r->body, "{}");
  EXPECT_EQ(r->content_type, "application/json");
  EXPECT_FALSE(r->from_cache);
  // Versioned ids carry ':', which is percent-encoded in the path and
  // encoded again for the signature. (Full ARNs also carry '/', which moto
  // 5.2 decodes before routing and answers 404; AWS accepts them.)
  auto arn =
      client->invoke_model({.model_id = "anthropic.claude-3-haiku-20240307-v1:0", .body = kBody});
  ASSERT_TRUE(arn) << arn.error().to_string();
  auto stats = monitor_.stats("bedrock.InvokeModel");
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->latency.count, 2u);
  EXPECT_EQ(stats->errors, 0u);
}

TEST_F(BedrockTest, CacheIsOffByDefault) {
  ASSERT_NE(peer_, nullptr);
  auto client = make_client({});
  for (int i = 0; i < 3; ++i) {
    auto r = client->invoke_model({.model_id = "anthropic.claude-v2", .body = kBody});
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_FALSE(r->from_cache);
  }
  auto s = client->statistics();
  EXPECT_EQ(s.attempts, 3u);
  EXPECT_EQ(s.pool.requests, 3u);
  EXPECT_EQ(s.cache_hits, 0u);
  EXPECT_EQ(s.cache_misses, 0u);
}

TEST_F(BedrockTest, CacheHitAvoidsTheSecondCall) {
  ASSERT_NE(peer_, nullptr);
  auto client = make_client({.cache_responses = true});
  auto first = client->invoke_model({.model_id = "anthropic.claude-v2", .body = kBody});
  ASSERT_TRUE(first) << first.error().to_string();
  EXPECT_FALSE(first->from_cache);
  auto second = client->invoke_model({.model_id = "anthropic.claude-v2", .body = kBody});
  ASSERT_TRUE(second) << second.error().to_string();
  EXPECT_TRUE(second->from_cache);
  EXPECT_EQ(second->body, first->body);
  EXPECT_EQ(client->statistics().pool.requests, 1u);
  EXPECT_EQ(client->statistics().attempts, 1u);

  // The key is the exact body and the model: one byte or another model misses.
  std::string other = kBody;
  other.back() = ' ';
  other += "}";
  auto third = client->invoke_model({.model_id = "anthropic.claude-v2", .body = other});
  ASSERT_TRUE(third);
  EXPECT_FALSE(third->from_cache);
  auto fourth = client->invoke_model({.model_id = "amazon.titan-text-express-v1", .body = kBody});
  ASSERT_TRUE(fourth);
  EXPECT_FALSE(fourth->from_cache);
  // A request may opt out.
  auto fifth =
      client->invoke_model({.model_id = "anthropic.claude-v2", .body = kBody, .use_cache = false});
  ASSERT_TRUE(fifth);
  EXPECT_FALSE(fifth->from_cache);

  auto s = client->statistics();
  EXPECT_EQ(s.pool.requests, 4u);
  EXPECT_EQ(s.cache_hits, 1u);
  EXPECT_EQ(s.cache_misses, 3u);
  auto cached = monitor_.stats("bedrock.InvokeModel.Cached");
  ASSERT_TRUE(cached);
  EXPECT_EQ(cached->latency.count, 1u);
}

TEST_F(BedrockTest, CachedEntriesExpireByTheClock) {
  ASSERT_NE(peer_, nullptr);
  ManualClock clock;
  auto client = make_client({.cache_responses = true,
                             .cache = {.ttl = std::chrono::seconds(60), .auto_cleanup = false},
                             .clock = &clock});
  ASSERT_TRUE(client->invoke_model({.model_id = "m1", .body = kBody}));
  ASSERT_TRUE(client->invoke_model({.model_id = "m1", .body = kBody}));
  EXPECT_EQ(client->statistics().pool.requests, 1u);
  clock.advance(std::chrono::seconds(61));
  auto r = client->invoke_model({.model_id = "m1", .body = kBody});
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->from_cache);
  EXPECT_EQ(client->statistics().pool.requests, 2u);
}

TEST_F(BedrockTest, BadInputAndRefusedConnectionsAreClearErrors) {
  ASSERT_NE(peer_, nullptr);
  auto client = make_client({.max_request_body_bytes = 16});
  auto big = client->invoke_model({.model_id = "m", .body = std::string(17, 'x')});
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().code, ErrorCode::kTooLarge);
  auto empty = client->invoke_model({.model_id = "", .body = "{}"});
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(client->statistics().pool.requests, 0u);

  auto refused = BlockingClient::create(
      {.endpoint_url = "http://127.0.0.1:" + std::to_string(testutil::free_port()),
       .region = "us-east-1",
       .credentials = aws::Credentials{.access_key_id = "a", .secret_access_key = "b"},
       .monitor = &monitor_});
  ASSERT_TRUE(refused);
  auto r = (*refused)->invoke_model({.model_id = "m", .body = "{}"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kConnectionFailed) << r.error().to_string();
  EXPECT_NE(r.error().message.find("InvokeModel m"), std::string::npos);
}

}  // namespace
}  // namespace awsperf::bedrock
