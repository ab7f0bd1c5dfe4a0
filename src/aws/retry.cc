#include "awsperf/aws/retry.h"

#include <algorithm>
#include <array>
#include <random>

namespace awsperf::aws {
namespace {

constexpr std::array<std::string_view, 14> kThrottlingTypes = {
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "Throttling",
    "ThrottledException",
    "RequestThrottledException",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "SlowDown",
    "RequestThrottled",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "TransactionInProgressException",
    "PriorRequestNotComplete",
    "EC2ThrottledException"};

constexpr std::array<std::string_view, 7> kTransientTypes = {
    "RequestTimeout",     "RequestTimeoutException", "InternalServerError",  "InternalError",
    "ServiceUnavailable", "InternalFailure",         "IDPCommunicationError"};

double default_random() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

}  // namespace

std::string_view retry_class_name(RetryClass c) {
  switch (c) {
    case RetryClass::kNone:
      return "none";
    case RetryClass::kThrottling:
      return "throttling";
    case RetryClass::kTransient:
      return "transient";
    case RetryClass::kConnection:
      return "connection";
    case RetryClass::kTimeout:
      return "timeout";
  }
  return "unknown";
}

bool is_throttling_error(std::string_view aws_type) {
  return std::find(kThrottlingTypes.begin(), kThrottlingTypes.end(), aws_type) !=
         kThrottlingTypes.end();
}

RetryClass classify_retry(const Error& error) {
  switch (error.code) {
    case ErrorCode::kTimeout:
      return RetryClass::kTimeout;
    case ErrorCode::kConnectionFailed:
    case ErrorCode::kConnectionClosed:
      return RetryClass::kConnection;
    case ErrorCode::kThrottled:
      return RetryClass::kThrottling;
    case ErrorCode::kChecksumMismatch:
      return RetryClass::kTransient;
    // Local conditions that a resend cannot fix.
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kCredentials:
    case ErrorCode::kCancelled:
    case ErrorCode::kTooLarge:
    case ErrorCode::kTls:
    case ErrorCode::kInternal:
      return RetryClass::kNone;
    default:
      break;
  }
  if (is_throttling_error(error.aws_type)) return RetryClass::kThrottling;
  if (std::find(kTransientTypes.begin(), kTransientTypes.end(), error.aws_type) !=
      kTransientTypes.end()) {
    return RetryClass::kTransient;
  }
  if (error.http_status == 429) return RetryClass::kThrottling;
  // 501 Not Implemented will not become implemented on a retry.
  if (error.http_status >= 500 && error.http_status <= 599 && error.http_status != 501) {
    return RetryClass::kTransient;
  }
  // A lower layer that knows better (say, a response cut short) may mark an
  // otherwise unclassified error retryable; a 4xx stays final regardless.
  if (error.retryable && (error.http_status < 400 || error.http_status > 499)) {
    return RetryClass::kTransient;
  }
  return RetryClass::kNone;
}

RetryTokenBucket::RetryTokenBucket(RetryTokenBucketOptions options)
    : options_(options), tokens_(options.capacity) {}

bool RetryTokenBucket::try_acquire(std::uint32_t cost) {
  std::uint32_t have = tokens_.load(std::memory_order_relaxed);
  do {
    if (have < cost) return false;
  } while (!tokens_.compare_exchange_weak(have, have - cost, std::memory_order_acq_rel,
                                          std::memory_order_relaxed));
  return true;
}

void RetryTokenBucket::release(std::uint32_t amount) {
  std::uint32_t have = tokens_.load(std::memory_order_relaxed);
  std::uint32_t next;
  do {
    next = static_cast<std::uint32_t>(
        std::min<std::uint64_t>(options_.capacity, std::uint64_t{have} + amount));
  } while (have != next && !tokens_.compare_exchange_weak(have, next, std::memory_order_acq_rel,
                                                          std::memory_order_relaxed));
}

RetryOptions RetryOptions::dynamodb() {
  RetryOptions o;
  o.max_attempts = 10;
  o.base_delay = std::chrono::milliseconds(25);
  return o;
}

RetryOptions RetryOptions::standard() { return RetryOptions{}; }

RetryOptions RetryOptions::for_service(std::string_view service) {
  return service == "dynamodb" ? dynamodb() : standard();
}

RetryPolicy::RetryPolicy(RetryOptions options, std::shared_ptr<RetryTokenBucket> bucket,
                         RandomSource random)
    : options_(std::move(options)), bucket_(std::move(bucket)), random_(std::move(random)) {
  if (options_.max_attempts < 1) options_.max_attempts = 1;
  if (options_.base_delay.count() < 0) options_.base_delay = std::chrono::milliseconds(0);
  if (options_.max_backoff < options_.base_delay) options_.max_backoff = options_.base_delay;
  if (!bucket_ && options_.use_token_bucket) {
    bucket_ = std::make_shared<RetryTokenBucket>(options_.token_bucket);
  }
  if (!random_) random_ = default_random;
}

std::chrono::nanoseconds RetryPolicy::max_delay(int retry_number) const {
  using std::chrono::nanoseconds;
  nanoseconds cap = options_.max_backoff;
  nanoseconds delay = options_.base_delay;
  // Doubling stops at the cap, so a large retry number cannot overflow.
  for (int i = 1; i < retry_number && delay < cap; ++i) delay *= 2;
  return std::min(delay, cap);
}

std::optional<std::chrono::nanoseconds> RetryPolicy::should_retry(const Error& error,
                                                                  RetryState& state) {
  RetryClass cls = classify_retry(error);
  if (cls == RetryClass::kNone) {
    not_retryable_.fetch_add(1, std::memory_order_relaxed);
    return std::nullopt;
  }
  if (state.attempts >= options_.max_attempts) {
    attempts_exhausted_.fetch_add(1, std::memory_order_relaxed);
    return std::nullopt;
  }
  std::uint32_t cost = 0;
  if (bucket_) {
    const auto& b = bucket_->options();
    cost = (cls == RetryClass::kTimeout || cls == RetryClass::kConnection) ? b.timeout_retry_cost
                                                                           : b.retry_cost;
    if (!bucket_->try_acquire(cost)) {
      token_bucket_rejected_.fetch_add(1, std::memory_order_relaxed);
      return std::nullopt;
    }
  }
  double r = std::clamp(random_(), 0.0, 1.0);
  auto ceiling = max_delay(state.attempts);
  auto delay =
      std::chrono::nanoseconds(static_cast<std::int64_t>(static_cast<double>(ceiling.count()) * r));
  if (delay > ceiling) delay = ceiling;

  state.attempts += 1;
  state.last_retry_cost = cost;
  state.total_backoff += delay;
  retries_.fetch_add(1, std::memory_order_relaxed);
  retries_by_class_[static_cast<int>(cls)].fetch_add(1, std::memory_order_relaxed);
  total_backoff_ns_.fetch_add(delay.count(), std::memory_order_relaxed);
  return delay;
}

void RetryPolicy::on_success(const RetryState& state) {
  successes_.fetch_add(1, std::memory_order_relaxed);
  if (state.attempts > 1) successes_after_retry_.fetch_add(1, std::memory_order_relaxed);
  if (!bucket_) return;
  bucket_->release(state.attempts > 1 ? state.last_retry_cost : bucket_->options().success_refund);
}

RetryStats RetryPolicy::stats() const {
  auto load = [](const std::atomic<std::uint64_t>& a) { return a.load(std::memory_order_relaxed); };
  RetryStats s;
  s.retries = load(retries_);
  s.retries_throttling = load(retries_by_class_[static_cast<int>(RetryClass::kThrottling)]);
  s.retries_transient = load(retries_by_class_[static_cast<int>(RetryClass::kTransient)]);
  s.retries_connection = load(retries_by_class_[static_cast<int>(RetryClass::kConnection)]);
  s.retries_timeout = load(retries_by_class_[static_cast<int>(RetryClass::kTimeout)]);
  s.not_retryable = load(not_retryable_);
  s.attempts_exhausted = load(attempts_exhausted_);
  s.token_bucket_rejected = load(token_bucket_rejected_);
  s.successes = load(successes_);
  s.successes_after_retry = load(successes_after_retry_);
  s.total_backoff = std::chrono::nanoseconds(total_backoff_ns_.load(std::memory_order_relaxed));
  return s;
}

}  // namespace awsperf::aws
