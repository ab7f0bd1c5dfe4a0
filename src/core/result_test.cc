#include "awsperf/core/result.h"

#include <gtest/gtest.h>

namespace awsperf {
namespace {

Result<int> parse_positive(int v) {
  if (v <= 0) return make_error(ErrorCode::kInvalidArgument, "must be positive");
  return v;
}

TEST(ResultTest, ValueAndErrorPaths) {
  auto ok = parse_positive(3);
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(*ok, 3);

  auto bad = parse_positive(-1);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(bad.error().retryable);
  EXPECT_EQ(bad.error().to_string(), "invalid_argument: must be positive");
}

TEST(ResultTest, ToStringIncludesServiceDetails) {
  Error e{.code = ErrorCode::kThrottled,
          .message = "slow down",
          .aws_type = "ProvisionedThroughputExceededException",
          .http_status = 400,
          .retryable = true,
          .request_id = "ABC"};
  EXPECT_EQ(e.to_string(),
            "throttled: slow down [ProvisionedThroughputExceededException, HTTP 400, "
            "request id ABC]");
}

TEST(ResultTest, EveryCodeHasAName) {
  for (int c = 0; c <= static_cast<int>(ErrorCode::kInternal); ++c) {
    EXPECT_NE(error_code_name(static_cast<ErrorCode>(c)), "unknown") << c;
  }
}

TEST(ResultTest, StatusCarriesNoValue) {
  Status ok{};
  EXPECT_TRUE(ok.has_value());
  Status bad = make_error(ErrorCode::kIo, "disk");
  EXPECT_FALSE(bad.has_value());
}

}  // namespace
}  // namespace awsperf
