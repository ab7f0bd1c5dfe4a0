#include "awsperf/aws/retry.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace awsperf::aws {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;

Error service_error(int status, std::string type = "") {
  return Error{.code = ErrorCode::kService, .aws_type = std::move(type), .http_status = status};
}

Error local_error(ErrorCode code) { return Error{.code = code, .message = "x"}; }

TEST(RetryClassifyTest, ThrottlingFiveXxAndConnectionErrorsAreRetried) {
  for (std::string_view t :
       {"ProvisionedThroughputExceededException", "ThrottlingException", "Throttling",
        "RequestLimitExceeded", "TooManyRequestsException", "SlowDown"}) {
    EXPECT_TRUE(is_throttling_error(t)) << t;
    EXPECT_EQ(classify_retry(service_error(400, std::string(t))), RetryClass::kThrottling) << t;
  }
  EXPECT_EQ(classify_retry(service_error(429)), RetryClass::kThrottling);
  EXPECT_EQ(classify_retry(local_error(ErrorCode::kThrottled)), RetryClass::kThrottling);
  for (int status : {500, 502, 503, 504, 599}) {
    EXPECT_EQ(classify_retry(service_error(status)), RetryClass::kTransient) << status;
  }
  EXPECT_EQ(classify_retry(service_error(400, "RequestTimeout")), RetryClass::kTransient);
  EXPECT_EQ(classify_retry(local_error(ErrorCode::kChecksumMismatch)), RetryClass::kTransient);
  EXPECT_EQ(classify_retry(local_error(ErrorCode::kConnectionFailed)), RetryClass::kConnection);
  EXPECT_EQ(classify_retry(local_error(ErrorCode::kConnectionClosed)), RetryClass::kConnection);
  EXPECT_EQ(classify_retry(local_error(ErrorCode::kTimeout)), RetryClass::kTimeout);
}

TEST(RetryClassifyTest, OtherClientErrorsAreNotRetried) {
  EXPECT_FALSE(is_throttling_error("ResourceNotFoundException"));
  for (auto [status, type] :
       std::vector<std::pair<int, std::string>>{{400, "ValidationException"},
                                                {400, "ConditionalCheckFailedException"},
                                                {400, "ResourceNotFoundException"},
                                                {403, "AccessDenied"},
                                                {404, "NoSuchKey"},
                                                {413, ""},
                                                {501, "NotImplemented"}}) {
    EXPECT_EQ(classify_retry(service_error(status, type)), RetryClass::kNone) << status << type;
  }
  for (ErrorCode c : {ErrorCode::kInvalidArgument, ErrorCode::kCredentials, ErrorCode::kTls,
                      ErrorCode::kCancelled, ErrorCode::kTooLarge}) {
    EXPECT_EQ(classify_retry(local_error(c)), RetryClass::kNone) << error_code_name(c);
  }
}

TEST(RetryClassifyTest, HonoursRetryableFlagOutside4xx) {
  Error cut_short{.code = ErrorCode::kProtocol, .message = "truncated body", .retryable = true};
  EXPECT_EQ(classify_retry(cut_short), RetryClass::kTransient);
  Error unavailable{.code = ErrorCode::kUnavailable, .message = "x", .retryable = false};
  EXPECT_EQ(classify_retry(unavailable), RetryClass::kNone);
  Error client = service_error(400, "ValidationException");
  client.retryable = true;
  EXPECT_EQ(classify_retry(client), RetryClass::kNone);
  Error invalid{.code = ErrorCode::kInvalidArgument, .retryable = true};
  EXPECT_EQ(classify_retry(invalid), RetryClass::kNone);
}

TEST(RetryPolicyTest, Defaults) {
  EXPECT_EQ(RetryOptions::dynamodb().max_attempts, 10);
  EXPECT_EQ(RetryOptions::dynamodb().base_delay, milliseconds(25));
  EXPECT_EQ(RetryOptions::standard().max_attempts, 3);
  EXPECT_EQ(RetryOptions::standard().base_delay, milliseconds(100));
  EXPECT_EQ(RetryOptions::for_service("dynamodb").max_attempts, 10);
  EXPECT_EQ(RetryOptions::for_service("s3").max_attempts, 3);
  EXPECT_EQ(RetryOptions{}.max_backoff, milliseconds(20'000));
  RetryTokenBucketOptions b;
  EXPECT_EQ(b.capacity, 500u);
  EXPECT_EQ(b.retry_cost, 5u);
  EXPECT_EQ(b.timeout_retry_cost, 10u);
  EXPECT_EQ(b.success_refund, 1u);
}

TEST(RetryPolicyTest, ExponentialCeilingIsCapped) {
  RetryPolicy p(RetryOptions::dynamodb());
  EXPECT_EQ(p.max_delay(1), milliseconds(25));
  EXPECT_EQ(p.max_delay(2), milliseconds(50));
  EXPECT_EQ(p.max_delay(3), milliseconds(100));
  EXPECT_EQ(p.max_delay(9), milliseconds(6400));
  EXPECT_EQ(p.max_delay(11), milliseconds(20'000));
  EXPECT_EQ(p.max_delay(1'000'000), milliseconds(20'000));
}

TEST(RetryPolicyTest, FullJitterUsesTheRandomSource) {
  double next = 0.5;
  RetryPolicy p(RetryOptions::dynamodb(), nullptr, [&] { return next; });
  RetryState s;
  auto d1 = p.should_retry(service_error(500), s);
  ASSERT_TRUE(d1);
  EXPECT_EQ(*d1, nanoseconds(milliseconds(25)) / 2);
  EXPECT_EQ(s.attempts, 2);
  next = 0.0;
  EXPECT_EQ(*p.should_retry(service_error(500), s), nanoseconds(0));
  next = 0.999999;
  auto d3 = p.should_retry(service_error(500), s);  // ceiling 100 ms
  ASSERT_TRUE(d3);
  EXPECT_LT(*d3, milliseconds(100));
  EXPECT_GT(*d3, milliseconds(99));
  EXPECT_EQ(s.total_backoff, *d1 + *d3);
  // A misbehaving source cannot push the delay past the ceiling.
  next = 7.0;
  EXPECT_LE(*p.should_retry(service_error(500), s), nanoseconds(milliseconds(200)));
}

TEST(RetryPolicyTest, DefaultRandomStaysWithinTheCeiling) {
  RetryPolicy p(RetryOptions::standard());
  bool saw_nonzero = false;
  for (int i = 0; i < 200; ++i) {
    RetryState s;
    auto d = p.should_retry(service_error(503), s);
    ASSERT_TRUE(d);
    EXPECT_GE(*d, nanoseconds(0));
    EXPECT_LE(*d, milliseconds(100));
    saw_nonzero |= d->count() > 0;
    p.on_success(s);  // keep the bucket from running dry
  }
  EXPECT_TRUE(saw_nonzero);
}

TEST(RetryPolicyTest, StopsAtMaxAttempts) {
  RetryPolicy p(RetryOptions::standard(), nullptr, [] { return 0.5; });
  RetryState s;
  EXPECT_TRUE(p.should_retry(service_error(500), s));   // attempt 1 failed
  EXPECT_TRUE(p.should_retry(service_error(500), s));   // attempt 2 failed
  EXPECT_FALSE(p.should_retry(service_error(500), s));  // attempt 3 was the last
  EXPECT_EQ(s.attempts, 3);
  RetryStats st = p.stats();
  EXPECT_EQ(st.retries, 2u);
  EXPECT_EQ(st.retries_transient, 2u);
  EXPECT_EQ(st.attempts_exhausted, 1u);

  RetryOptions once = RetryOptions::standard();
  once.max_attempts = 1;
  RetryPolicy no_retry(once);
  RetryState s2;
  EXPECT_FALSE(no_retry.should_retry(local_error(ErrorCode::kTimeout), s2));
}

TEST(RetryPolicyTest, NonRetryableIsCountedAndRefused) {
  RetryPolicy p(RetryOptions::dynamodb());
  RetryState s;
  EXPECT_FALSE(p.should_retry(service_error(400, "ValidationException"), s));
  EXPECT_EQ(s.attempts, 1);
  EXPECT_EQ(p.stats().not_retryable, 1u);
  EXPECT_EQ(p.stats().retries, 0u);
  EXPECT_EQ(p.token_bucket()->available(), 500u);
}

TEST(RetryPolicyTest, TokenBucketCostsAndRefunds) {
  RetryPolicy p(RetryOptions::dynamodb(), nullptr, [] { return 0.0; });
  RetryTokenBucket* b = p.token_bucket();
  ASSERT_NE(b, nullptr);
  RetryState s;
  ASSERT_TRUE(p.should_retry(service_error(400, "ThrottlingException"), s));
  EXPECT_EQ(b->available(), 495u);
  ASSERT_TRUE(p.should_retry(local_error(ErrorCode::kTimeout), s));
  EXPECT_EQ(b->available(), 485u);
  EXPECT_EQ(s.last_retry_cost, 10u);
  p.on_success(s);  // gives back what the last retry took
  EXPECT_EQ(b->available(), 495u);

  RetryState first_try;
  p.on_success(first_try);
  EXPECT_EQ(b->available(), 496u);
  for (int i = 0; i < 10; ++i) p.on_success(first_try);
  EXPECT_EQ(b->available(), 500u);  // never beyond the capacity

  RetryStats st = p.stats();
  EXPECT_EQ(st.retries_throttling, 1u);
  EXPECT_EQ(st.retries_timeout, 1u);
  EXPECT_EQ(st.successes, 12u);
  EXPECT_EQ(st.successes_after_retry, 1u);
}

// A service that is down: every request fails with 503. Without the bucket,
// 1000 requests would make 9000 retries; the bucket allows 100 (500 / 5), then
// only first attempts go out.
TEST(RetryPolicyTest, TokenBucketStopsRetryStorm) {
  RetryPolicy p(RetryOptions::dynamodb(), nullptr, [] { return 0.0; });
  int retries = 0;
  for (int request = 0; request < 1000; ++request) {
    RetryState s;
    while (p.should_retry(service_error(503, "ServiceUnavailable"), s)) ++retries;
  }
  EXPECT_EQ(retries, 100);
  RetryStats st = p.stats();
  EXPECT_EQ(st.retries, 100u);
  EXPECT_EQ(st.token_bucket_rejected, 1000u - 100u / 9u);
  EXPECT_EQ(p.token_bucket()->available(), 0u);

  // Recovery: successes refill the bucket and retries resume.
  for (int i = 0; i < 5; ++i) p.on_success(RetryState{});
  RetryState s;
  EXPECT_TRUE(p.should_retry(service_error(503), s));
}

TEST(RetryPolicyTest, SharedBucketAcrossPolicies) {
  auto bucket = std::make_shared<RetryTokenBucket>(RetryTokenBucketOptions{.capacity = 10});
  RetryPolicy a(RetryOptions::dynamodb(), bucket), b(RetryOptions::standard(), bucket);
  RetryState sa, sb, sc;
  EXPECT_TRUE(a.should_retry(service_error(500), sa));
  EXPECT_TRUE(b.should_retry(service_error(500), sb));
  EXPECT_FALSE(a.should_retry(service_error(500), sc));
  EXPECT_EQ(bucket->available(), 0u);
  EXPECT_EQ(a.stats().token_bucket_rejected, 1u);
}

TEST(RetryPolicyTest, WithoutTokenBucket) {
  RetryOptions o = RetryOptions::dynamodb();
  o.use_token_bucket = false;
  RetryPolicy p(o, nullptr, [] { return 0.0; });
  EXPECT_EQ(p.token_bucket(), nullptr);
  int retries = 0;
  for (int request = 0; request < 100; ++request) {
    RetryState s;
    while (p.should_retry(service_error(503), s)) ++retries;
    p.on_success(s);
  }
  EXPECT_EQ(retries, 900);
}

TEST(RetryPolicyTest, ConcurrentUseKeepsCountsExact) {
  RetryPolicy p(RetryOptions::dynamodb(), nullptr, [] { return 0.25; });
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        RetryState s;
        if (p.should_retry(service_error(500), s)) p.on_success(s);
      }
    });
  }
  for (auto& th : threads) th.join();
  RetryStats st = p.stats();
  // Each retry takes 5 and its success gives the 5 back, so none is refused.
  EXPECT_EQ(st.retries, 4000u);
  EXPECT_EQ(st.successes_after_retry, 4000u);
  EXPECT_EQ(st.token_bucket_rejected, 0u);
  EXPECT_EQ(p.token_bucket()->available(), 500u);
}

}  // namespace
}  // namespace awsperf::aws
