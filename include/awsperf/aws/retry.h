// The retry policy of the service clients: which errors are retried, how long
// to wait (exponential backoff with full jitter), how many attempts, and a
// retry token bucket that stops retry storms when a service is down (the
// AWS SDKs' "standard" retry mode).
//
// The policy only decides; it never sleeps. A client does:
//
//   RetryState state;
//   for (;;) {
//     auto r = co_await send();
//     if (r) { policy.on_success(state); return r; }
//     auto delay = policy.should_retry(r.error(), state);
//     if (!delay) return r;             // r.error() says why
//     co_await timer(*delay);           // a Clock-based timer
//   }
//
// Thread-safety: RetryPolicy and RetryTokenBucket are safe to share between
// threads (atomics; the random source must be thread-safe, the default is). A
// RetryState belongs to one request.
#ifndef AWSPERF_AWS_RETRY_H_
#define AWSPERF_AWS_RETRY_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>

#include "awsperf/core/result.h"

namespace awsperf::aws {

// Why an error may be retried.
enum class RetryClass : std::uint8_t {
  kNone,        // not retryable (other 4xx, invalid input, credentials, ...)
  kThrottling,  // the service asked us to slow down
  kTransient,   // 5xx or a transient service error (checksum mismatch too)
  kConnection,  // could not connect / connection closed
  kTimeout,     // the request or connect deadline passed
};

std::string_view retry_class_name(RetryClass c);

// True for the AWS error names that mean "slow down":
// ProvisionedThroughputExceededException, ThrottlingException, Throttling,
// ThrottledException, RequestThrottledException, RequestLimitExceeded,
// TooManyRequestsException, SlowDown, RequestThrottled,
// BandwidthLimitExceeded, LimitExceededException, TransactionInProgressException,
// PriorRequestNotComplete, EC2ThrottledException.
bool is_throttling_error(std::string_view aws_type);

// Classifies by, in order: ErrorCode (timeout, connection, throttled), the AWS
// error name (throttling, then transient names such as InternalServerError,
// ServiceUnavailable, RequestTimeout), then the HTTP status (429 throttling;
// 500, 502, 503, 504 and other 5xx except 501 transient), then the error's own
// `retryable` flag (transient) unless the status is 4xx. Everything else,
// including any other 4xx, is kNone.
RetryClass classify_retry(const Error& error);

// A shared budget of retries. Each retry takes `retry_cost` tokens
// (`timeout_retry_cost` after a timeout or connection failure); a request that
// succeeds returns what its last retry took, or `success_refund` if it needed
// no retry. Empty bucket: no more retries, first attempts still go out.
struct RetryTokenBucketOptions {
  std::uint32_t capacity = 500;
  std::uint32_t retry_cost = 5;
  std::uint32_t timeout_retry_cost = 10;
  std::uint32_t success_refund = 1;
};

class RetryTokenBucket {
 public:
  explicit RetryTokenBucket(RetryTokenBucketOptions options = {});

  // Takes `cost` tokens if that many are there.
  bool try_acquire(std::uint32_t cost);
  // Returns tokens, never beyond the capacity.
  void release(std::uint32_t amount);
  std::uint32_t available() const { return tokens_.load(std::memory_order_relaxed); }
  const RetryTokenBucketOptions& options() const { return options_; }

 private:
  RetryTokenBucketOptions options_;
  std::atomic<std::uint32_t> tokens_;
};

struct RetryOptions {
  // Attempts in total, the first one included; 1 disables retries.
  int max_attempts = 3;
  // The backoff before retry n (n = 1, 2, ...) is uniform in
  // [0, min(max_backoff, base_delay * 2^(n-1))].
  std::chrono::milliseconds base_delay{100};
  std::chrono::milliseconds max_backoff{20'000};
  // Use a retry token bucket (shared per policy unless one is passed in).
  bool use_token_bucket = true;
  RetryTokenBucketOptions token_bucket;

  // DynamoDB, like the SDKs: 10 attempts, 25 ms base.
  static RetryOptions dynamodb();
  // Every other service (S3 ...): 3 attempts, 100 ms base.
  static RetryOptions standard();
  // dynamodb() for "dynamodb", standard() otherwise.
  static RetryOptions for_service(std::string_view service);
};

// Per-request bookkeeping, owned by the caller.
struct RetryState {
  int attempts = 1;                   // attempts made so far, the failed one included
  std::uint32_t last_retry_cost = 0;  // tokens the last retry took
  std::chrono::nanoseconds total_backoff{0};
};

// A snapshot of the counters.
struct RetryStats {
  std::uint64_t retries = 0;  // every retry the policy allowed
  std::uint64_t retries_throttling = 0;
  std::uint64_t retries_transient = 0;
  std::uint64_t retries_connection = 0;
  std::uint64_t retries_timeout = 0;
  std::uint64_t not_retryable = 0;          // failures of class kNone
  std::uint64_t attempts_exhausted = 0;     // retryable, but max_attempts reached
  std::uint64_t token_bucket_rejected = 0;  // retryable, but the bucket was empty
  std::uint64_t successes = 0;
  std::uint64_t successes_after_retry = 0;
  std::chrono::nanoseconds total_backoff{0};
};

class RetryPolicy {
 public:
  // Returns a value in [0, 1). Must be thread-safe if the policy is shared.
  using RandomSource = std::function<double()>;

  // `bucket` may be shared by several policies (one per service endpoint, as
  // the SDKs do); nullptr creates one when options.use_token_bucket. `random`
  // empty means a thread-local Mersenne Twister.
  explicit RetryPolicy(RetryOptions options, std::shared_ptr<RetryTokenBucket> bucket = nullptr,
                       RandomSource random = {});

  // Called after attempt `state.attempts` failed with `error`. Returns how long
  // to wait before the next attempt, or nullopt to give up; updates `state`
  // (attempts is incremented when a retry is granted) and the statistics.
  std::optional<std::chrono::nanoseconds> should_retry(const Error& error, RetryState& state);
  // Called once when a request (after any number of retries) succeeded.
  void on_success(const RetryState& state);

  // The backoff ceiling before retry `retry_number` (1-based), without jitter.
  std::chrono::nanoseconds max_delay(int retry_number) const;

  RetryStats stats() const;
  const RetryOptions& options() const { return options_; }
  RetryTokenBucket* token_bucket() const { return bucket_.get(); }

 private:
  RetryOptions options_;
  std::shared_ptr<RetryTokenBucket> bucket_;
  RandomSource random_;

  std::atomic<std::uint64_t> retries_{0};
  std::atomic<std::uint64_t> retries_by_class_[5] = {};
  std::atomic<std::uint64_t> not_retryable_{0};
  std::atomic<std::uint64_t> attempts_exhausted_{0};
  std::atomic<std::uint64_t> token_bucket_rejected_{0};
  std::atomic<std::uint64_t> successes_{0};
  std::atomic<std::uint64_t> successes_after_retry_{0};
  std::atomic<std::int64_t> total_backoff_ns_{0};
};

}  // namespace awsperf::aws

#endif  // AWSPERF_AWS_RETRY_H_
