#include "awsperf/aws/error.h"

#include <gtest/gtest.h>

namespace awsperf::aws {
namespace {

TEST(ErrorModelTest, DynamoDbJsonError) {
  Error e = parse_json_error(
      {.http_status = 400,
       .body = R"({"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",)"
               R"("message":"Requested resource not found"})",
       .request_id = "REQ123"});
  EXPECT_EQ(e.code, ErrorCode::kNotFound);
  EXPECT_EQ(e.aws_type, "ResourceNotFoundException");
  EXPECT_EQ(e.message, "Requested resource not found");
  EXPECT_EQ(e.http_status, 400);
  EXPECT_EQ(e.request_id, "REQ123");
  EXPECT_FALSE(e.retryable);
}

TEST(ErrorModelTest, JsonThrottlingAndCapitalMessage) {
  Error e = parse_json_error(
      {.http_status = 400,
       .body =
           R"({"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",)"
           R"("Message":"Rate exceeded"})"});
  EXPECT_EQ(e.code, ErrorCode::kThrottled);
  EXPECT_EQ(e.aws_type, "ProvisionedThroughputExceededException");
  EXPECT_EQ(e.message, "Rate exceeded");
  EXPECT_TRUE(e.retryable);

  Error v = parse_json_error(
      {.http_status = 400, .body = R"({"__type":"com.amazon.coral.validate#ValidationException",
                                          "message":"bad"})"});
  EXPECT_EQ(v.code, ErrorCode::kService);
  EXPECT_EQ(v.aws_type, "ValidationException");
  EXPECT_FALSE(v.retryable);

  Error s = parse_json_error(
      {.http_status = 500,
       .body = R"({"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError"})"});
  EXPECT_EQ(s.code, ErrorCode::kService);
  EXPECT_EQ(s.message, "InternalServerError");
  EXPECT_TRUE(s.retryable);
}

TEST(ErrorModelTest, JsonTypeFromHeader) {
  Error e =
      parse_json_error({.http_status = 400,
                        .body = R"({"message":"nope"})",
                        .error_type_header = "ThrottlingException:http://internal.amazon.com/"});
  EXPECT_EQ(e.aws_type, "ThrottlingException");
  EXPECT_EQ(e.code, ErrorCode::kThrottled);
}

TEST(ErrorModelTest, MalformedJsonIsAProtocolError) {
  for (std::string_view body : {"{", "not json", "[1,2]", R"({"message":"no type"})",
                                R"({"__type":42})", "<html>Bad Gateway</html>", "\xff\xfe"}) {
    Error e = parse_json_error({.http_status = 502, .body = body, .request_id = "R"});
    EXPECT_EQ(e.code, ErrorCode::kProtocol) << body;
    EXPECT_EQ(e.http_status, 502);
    EXPECT_NE(e.message.find("HTTP 502"), std::string::npos) << e.message;
    EXPECT_TRUE(e.retryable) << "a 502 is retried whatever its body";
    EXPECT_EQ(e.request_id, "R");
  }
  Error client = parse_json_error({.http_status = 400, .body = "garbage"});
  EXPECT_EQ(client.code, ErrorCode::kProtocol);
  EXPECT_FALSE(client.retryable);
  std::string huge(1 << 20, 'x');
  Error big = parse_json_error({.http_status = 400, .body = huge});
  EXPECT_EQ(big.code, ErrorCode::kProtocol);
  EXPECT_LT(big.message.size(), 200u);
}

TEST(ErrorModelTest, S3XmlError) {
  Error e = parse_xml_error({.http_status = 404,
                             .body = R"(<?xml version="1.0" encoding="UTF-8"?>
<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message>
<Key>a/b</Key><RequestId>4442587FB7D0A2F9</RequestId><HostId>abc</HostId></Error>)",
                             .request_id = "header-id"});
  EXPECT_EQ(e.code, ErrorCode::kNotFound);
  EXPECT_EQ(e.aws_type, "NoSuchKey");
  EXPECT_EQ(e.message, "The specified key does not exist.");
  EXPECT_EQ(e.request_id, "4442587FB7D0A2F9");
  EXPECT_EQ(e.http_status, 404);
  EXPECT_FALSE(e.retryable);

  Error slow = parse_xml_error({.http_status = 503,
                                .body = "<Error><Code>SlowDown</Code><Message>Please reduce your "
                                        "request rate.</Message></Error>",
                                .request_id = "hdr"});
  EXPECT_EQ(slow.code, ErrorCode::kThrottled);
  EXPECT_TRUE(slow.retryable);
  EXPECT_EQ(slow.request_id, "hdr");

  Error denied = parse_xml_error(
      {.http_status = 403,
       .body = "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"});
  EXPECT_EQ(denied.code, ErrorCode::kService);
  EXPECT_FALSE(denied.retryable);

  Error wrapped = parse_xml_error(
      {.http_status = 400,
       .body =
           "<ErrorResponse><Error><Code>Throttling</Code><Message>Rate exceeded</Message></Error>"
           "<RequestId>wrapped-id</RequestId></ErrorResponse>"});
  EXPECT_EQ(wrapped.aws_type, "Throttling");
  EXPECT_EQ(wrapped.request_id, "wrapped-id");
  EXPECT_TRUE(wrapped.retryable);
}

// The shape moto gives a DynamoDB request whose signature does not match.
TEST(ErrorModelTest, QueryProtocolXmlError) {
  Error e = parse_xml_error({.http_status = 403, .body = R"(<?xml version="1.0" encoding="utf-8"?>
<ErrorResponse><Errors><Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match.</Message><Type>Sender</Type></Error></Errors></ErrorResponse>)"});
  EXPECT_EQ(e.code, ErrorCode::kService);
  EXPECT_EQ(e.aws_type, "SignatureDoesNotMatch");
  EXPECT_FALSE(e.retryable);
  Error ec2 = parse_xml_error(
      {.http_status = 503,
       .body = "<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>m</Message>"
               "</Error></Errors><RequestID>ec2-id</RequestID></Response>"});
  EXPECT_EQ(ec2.code, ErrorCode::kThrottled);
  EXPECT_EQ(ec2.request_id, "ec2-id");
}

TEST(ErrorModelTest, MalformedXmlIsAProtocolError) {
  for (std::string_view body : {"<Error><Code>NoSuchKey</Code>", "plain text", "<Other/>",
                                "<Error><Message>no code</Message></Error>", "<<<"}) {
    Error e = parse_xml_error({.http_status = 400, .body = body});
    EXPECT_EQ(e.code, ErrorCode::kProtocol) << body;
    EXPECT_NE(e.message.find("HTTP 400"), std::string::npos);
    EXPECT_FALSE(e.retryable);
  }
  Error e500 = parse_xml_error({.http_status = 500, .body = "<html>"});
  EXPECT_EQ(e500.code, ErrorCode::kProtocol);
  EXPECT_TRUE(e500.retryable);
}

TEST(ErrorModelTest, EmptyBodyNamedAfterStatus) {
  Error head404 = parse_xml_error({.http_status = 404, .body = "", .request_id = "r"});
  EXPECT_EQ(head404.code, ErrorCode::kNotFound);
  EXPECT_EQ(head404.aws_type, "NotFound");
  EXPECT_EQ(head404.request_id, "r");
  Error json503 = parse_json_error({.http_status = 503, .body = "  \n"});
  EXPECT_EQ(json503.aws_type, "ServiceUnavailable");
  EXPECT_TRUE(json503.retryable);
  Error odd = parse_json_error({.http_status = 418, .body = ""});
  EXPECT_EQ(odd.aws_type, "Http418");
  EXPECT_FALSE(odd.retryable);
}

TEST(ErrorModelTest, StripErrorType) {
  EXPECT_EQ(strip_error_type("com.amazonaws.dynamodb.v20120810#Foo"), "Foo");
  EXPECT_EQ(strip_error_type("Foo:http://internal.amazon.com/coral/"), "Foo");
  EXPECT_EQ(strip_error_type("Foo"), "Foo");
  EXPECT_EQ(strip_error_type(""), "");
}

TEST(ErrorModelTest, LongMessagesAreClipped) {
  std::string body =
      R"({"__type":"X#ValidationException","message":")" + std::string(5000, 'm') + "\"}";
  Error e = parse_json_error({.http_status = 400, .body = body});
  EXPECT_EQ(e.aws_type, "ValidationException");
  EXPECT_LE(e.message.size(), 1030u);
}

}  // namespace
}  // namespace awsperf::aws
