#include "awsperf/aws/client_config.h"

#include <gtest/gtest.h>

#include "test_files.h"

namespace awsperf::aws {
namespace {

TEST(ClientConfigTest, DynamoDbFromEnvironment) {
  auto env = Environment::from_map({{"AWS_REGION", "eu-west-1"},
                                    {"AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:8000"},
                                    {"AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"},
                                    {"AWS_SECRET_ACCESS_KEY", "SECRETKEYVALUE"}});
  auto c = resolve_client_config({.service = "dynamodb"}, env);
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->region.region, "eu-west-1");
  EXPECT_EQ(c->endpoint.endpoint.port, 8000);
  EXPECT_EQ(c->signing.service, "dynamodb");
  EXPECT_EQ(c->signing.region, "eu-west-1");
  EXPECT_TRUE(c->signing.normalize_uri_path);
  EXPECT_EQ(c->retry.max_attempts, 10);
  EXPECT_EQ(c->retry.base_delay, std::chrono::milliseconds(25));
  std::string s = c->to_string();
  EXPECT_EQ(s.find("SECRETKEYVALUE"), std::string::npos) << s;
  EXPECT_NE(s.find("http://127.0.0.1:8000 (AWS_ENDPOINT_URL_DYNAMODB)"), std::string::npos) << s;
}

TEST(ClientConfigTest, S3WithProfileAndMaxAttempts) {
  testing::TempDir dir;
  dir.write(".aws/config",
            "[profile p]\nregion = ap-northeast-1\nmax_attempts = 7\n"
            "aws_access_key_id = AKIDP\naws_secret_access_key = sp\n");
  std::map<std::string, std::string, std::less<>> vars = {{"HOME", dir.path().string()},
                                                          {"AWS_PROFILE", "p"}};
  auto c = resolve_client_config({.service = "s3"}, Environment::from_map(vars));
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->endpoint.endpoint.host, "s3.ap-northeast-1.amazonaws.com");
  EXPECT_FALSE(c->signing.normalize_uri_path);
  EXPECT_FALSE(c->signing.double_uri_encode);
  EXPECT_TRUE(c->signing.add_content_sha256_header);
  EXPECT_EQ(c->retry.max_attempts, 7);
  EXPECT_EQ(c->retry.base_delay, std::chrono::milliseconds(100));

  vars["AWS_MAX_ATTEMPTS"] = "4";
  EXPECT_EQ(
      resolve_client_config({.service = "s3"}, Environment::from_map(vars))->retry.max_attempts, 4);
  EXPECT_EQ(resolve_client_config({.service = "s3", .max_attempts = 2}, Environment::from_map(vars))
                ->retry.max_attempts,
            2);
  for (std::string bad : {"0", "x", "101", "3 "}) {
    vars["AWS_MAX_ATTEMPTS"] = bad;
    auto r = resolve_client_config({.service = "s3"}, Environment::from_map(vars));
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(r.error().message.find("AWS_MAX_ATTEMPTS"), std::string::npos);
  }
}

TEST(ClientConfigTest, SigningNameCanDifferFromTheServiceId) {
  auto env = Environment::from_map({{"AWS_REGION", "us-west-2"},
                                    {"AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"},
                                    {"AWS_SECRET_ACCESS_KEY", "SECRETKEYVALUE"}});
  auto c = resolve_client_config({.service = "bedrock-runtime", .signing_name = "bedrock"}, env);
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->endpoint.endpoint.host, "bedrock-runtime.us-west-2.amazonaws.com");
  EXPECT_EQ(c->signing.service, "bedrock");
  EXPECT_EQ(c->retry.max_attempts, 3);
}

TEST(ClientConfigTest, ErrorsPropagate) {
  auto no_creds = resolve_client_config({.service = "dynamodb", .region = "us-east-1"},
                                        Environment::from_map({}));
  ASSERT_FALSE(no_creds);
  EXPECT_EQ(no_creds.error().code, ErrorCode::kCredentials);
  auto no_region = resolve_client_config({.service = "dynamodb"}, Environment::from_map({}));
  ASSERT_FALSE(no_region);
  EXPECT_EQ(no_region.error().code, ErrorCode::kNotFound);
  auto bad_url = resolve_client_config(
      {.service = "dynamodb", .region = "us-east-1", .endpoint_url = "not a url"},
      Environment::from_map({}));
  ASSERT_FALSE(bad_url);
  EXPECT_EQ(bad_url.error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(resolve_client_config({}, Environment::from_map({})));
}

}  // namespace
}  // namespace awsperf::aws
