#include "awsperf/aws/endpoint.h"

#include <gtest/gtest.h>

#include "test_files.h"

namespace awsperf::aws {
namespace {

TEST(EndpointTest, ParsesUrls) {
  auto a = parse_endpoint("http://127.0.0.1:8000");
  ASSERT_TRUE(a) << a.error().to_string();
  EXPECT_EQ(a->scheme, "http");
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 8000);
  EXPECT_EQ(a->base_path, "");
  EXPECT_FALSE(a->tls());
  EXPECT_EQ(a->host_header(), "127.0.0.1:8000");
  EXPECT_EQ(a->to_string(), "http://127.0.0.1:8000");

  auto b = parse_endpoint("HTTPS://S3.Example.COM/base/path/");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->scheme, "https");
  EXPECT_EQ(b->host, "s3.example.com");
  EXPECT_EQ(b->port, 443);
  EXPECT_EQ(b->base_path, "/base/path");
  EXPECT_EQ(b->host_header(), "s3.example.com");

  auto v6 = parse_endpoint("http://[::1]:4566/");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 4566);
  EXPECT_EQ(v6->host_header(), "[::1]:4566");
  EXPECT_EQ(parse_endpoint("http://[::1]")->host_header(), "[::1]");
}

TEST(EndpointTest, RejectsMalformedUrls) {
  for (std::string_view bad :
       {"", "localhost:8000", "ftp://host", "http://", "http://:80",
        "http://host:", "http://host:0", "http://host:65536", "http://host:80x",
        "http://user:pw@host", "http://host/path?x=1", "http://host#frag", "http://ho st",
        "http://[::1", "http://[]:80", "http://[::1]x", "http://host/a b"}) {
    auto r = parse_endpoint(bad);
    EXPECT_FALSE(r) << bad;
    if (!r) {
      EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
      EXPECT_NE(r.error().message.find("invalid endpoint URL"), std::string::npos);
    }
  }
}

TEST(EndpointTest, RegionPrecedence) {
  testing::TempDir dir;
  dir.write(".aws/config",
            "[default]\nregion = eu-central-1\n[profile dev]\nregion = ap-south-1\n");
  std::map<std::string, std::string, std::less<>> vars = {{"HOME", dir.path().string()},
                                                          {"AWS_REGION", "us-west-1"},
                                                          {"AWS_DEFAULT_REGION", "us-west-2"}};
  auto region = [&](std::optional<std::string> explicit_region, SharedConfigOptions shared = {}) {
    auto r = resolve_region(explicit_region, shared, Environment::from_map(vars));
    EXPECT_TRUE(r) << r.error().to_string();
    return r ? r->region + "|" + r->source : std::string();
  };
  EXPECT_EQ(region("sa-east-1"), "sa-east-1|option");
  EXPECT_EQ(region(std::nullopt), "us-west-1|AWS_REGION");
  vars.erase("AWS_REGION");
  EXPECT_EQ(region(std::nullopt), "us-west-2|AWS_DEFAULT_REGION");
  vars.erase("AWS_DEFAULT_REGION");
  EXPECT_EQ(region(std::nullopt).substr(0, 13), "eu-central-1|");
  vars["AWS_PROFILE"] = "dev";
  EXPECT_EQ(region(std::nullopt).substr(0, 11), "ap-south-1|");
  EXPECT_EQ(region(std::nullopt, {.profile = "default"}).substr(0, 13), "eu-central-1|");
}

TEST(EndpointTest, RegionErrors) {
  auto none = resolve_region(std::nullopt, {}, Environment::from_map({}));
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ErrorCode::kNotFound);
  EXPECT_NE(none.error().message.find("AWS_REGION (not set)"), std::string::npos);

  auto bad = resolve_region(std::nullopt, {},
                            Environment::from_map({{"AWS_REGION", "us-east-1.evil.com/"}}));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(bad.error().message.find("AWS_REGION"), std::string::npos);

  testing::TempDir dir;
  dir.write(".aws/config", "[default]\nregion\n");
  auto malformed =
      resolve_region(std::nullopt, {}, Environment::from_map({{"HOME", dir.path().string()}}));
  ASSERT_FALSE(malformed);
  EXPECT_EQ(malformed.error().code, ErrorCode::kParse);
  EXPECT_NE(malformed.error().message.find("line 2"), std::string::npos);

  EXPECT_TRUE(is_valid_region("us-gov-west-1"));
  EXPECT_FALSE(is_valid_region("US-EAST-1"));
  EXPECT_FALSE(is_valid_region("-us"));
  EXPECT_FALSE(is_valid_region(""));
}

TEST(EndpointTest, EndpointPrecedence) {
  std::map<std::string, std::string, std::less<>> vars = {
      {"AWS_ENDPOINT_URL_DYNAMODB", "http://localhost:8000"},
      {"AWS_ENDPOINT_URL_S3", "http://localhost:9000"},
      {"AWS_ENDPOINT_URL", "http://localhost:4566"}};
  auto ep = [&](std::string_view service, std::optional<std::string> explicit_url = {}) {
    auto r = resolve_endpoint(service, "eu-west-1", explicit_url, Environment::from_map(vars));
    EXPECT_TRUE(r) << r.error().to_string();
    return r ? r->endpoint.to_string() + "|" + r->source : std::string();
  };
  EXPECT_EQ(ep("dynamodb", "http://127.0.0.1:1234"), "http://127.0.0.1:1234|option");
  EXPECT_EQ(ep("dynamodb"), "http://localhost:8000|AWS_ENDPOINT_URL_DYNAMODB");
  EXPECT_EQ(ep("s3"), "http://localhost:9000|AWS_ENDPOINT_URL_S3");
  EXPECT_EQ(ep("sts"), "http://localhost:4566|AWS_ENDPOINT_URL");
  vars["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "true";
  EXPECT_EQ(ep("dynamodb"), "https://dynamodb.eu-west-1.amazonaws.com|default");
  vars.clear();
  EXPECT_EQ(ep("s3"), "https://s3.eu-west-1.amazonaws.com|default");
  auto cn = resolve_endpoint("dynamodb", "cn-north-1", std::nullopt, Environment::from_map({}));
  ASSERT_TRUE(cn);
  EXPECT_EQ(cn->endpoint.host, "dynamodb.cn-north-1.amazonaws.com.cn");
}

TEST(EndpointTest, EndpointErrors) {
  auto env = Environment::from_map({{"AWS_ENDPOINT_URL_DYNAMODB", "localhost:8000"}});
  auto r = resolve_endpoint("dynamodb", "us-east-1", std::nullopt, env);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message.find("AWS_ENDPOINT_URL_DYNAMODB"), std::string::npos);

  auto no_region = resolve_endpoint("dynamodb", "", std::nullopt, Environment::from_map({}));
  ASSERT_FALSE(no_region);
  EXPECT_EQ(no_region.error().code, ErrorCode::kInvalidArgument);
  auto bad_service =
      resolve_endpoint("Dyn/amo", "us-east-1", std::nullopt, Environment::from_map({}));
  ASSERT_FALSE(bad_service);
}

}  // namespace
}  // namespace awsperf::aws
