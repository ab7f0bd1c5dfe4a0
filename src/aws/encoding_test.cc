#include "awsperf/aws/encoding.h"

#include <gtest/gtest.h>

namespace awsperf::aws {
namespace {

TEST(EncodingTest, HexRoundTrip) {
  EXPECT_EQ(hex_encode(std::string_view("\x00\x7f\xff\x10", 4)), "007fff10");
  EXPECT_EQ(hex_encode(std::string_view()), "");
  auto d = hex_decode("007FfF10");
  ASSERT_TRUE(d);
  EXPECT_EQ(*d, std::string("\x00\x7f\xff\x10", 4));
}

TEST(EncodingTest, HexRejectsMalformed) {
  EXPECT_EQ(hex_decode("abc").error().code, ErrorCode::kInvalidArgument);
  auto bad = hex_decode("0g");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("offset 1"), std::string::npos);
}

// RFC 4648 section 10 test vectors.
TEST(EncodingTest, Base64Rfc4648Vectors) {
  const std::pair<std::string_view, std::string_view> cases[] = {{"", ""},
                                                                 {"f", "Zg=="},
                                                                 {"fo", "Zm8="},
                                                                 {"foo", "Zm9v"},
                                                                 {"foob", "Zm9vYg=="},
                                                                 {"fooba", "Zm9vYmE="},
                                                                 {"foobar", "Zm9vYmFy"}};
  for (auto [plain, encoded] : cases) {
    EXPECT_EQ(base64_encode(plain), encoded);
    auto d = base64_decode(encoded);
    ASSERT_TRUE(d) << encoded;
    EXPECT_EQ(*d, plain);
  }
  std::string binary("\x00\xff\xfe\x80", 4);
  EXPECT_EQ(*base64_decode(base64_encode(binary)), binary);
}

TEST(EncodingTest, Base64RejectsMalformed) {
  for (std::string_view bad : {"Zg=", "Zm9v!A==", "Zm 9v", "=Zm9", "Z===", "Zg==Zg==", "Zm9\n"}) {
    auto r = base64_decode(bad);
    EXPECT_FALSE(r) << bad;
    if (!r) {
      EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    }
  }
}

TEST(EncodingTest, UriEncodeSigV4Rules) {
  EXPECT_EQ(uri_encode("AZaz09-_.~"), "AZaz09-_.~");
  EXPECT_EQ(uri_encode("a b/c+d=e&f*"), "a%20b%2Fc%2Bd%3De%26f%2A");
  EXPECT_EQ(uri_encode("a b/c", /*keep_slash=*/true), "a%20b/c");
  EXPECT_EQ(uri_encode("\xE1\x88\xB4"), "%E1%88%B4");
  EXPECT_EQ(uri_encode("%"), "%25");
}

TEST(EncodingTest, UriDecode) {
  EXPECT_EQ(*uri_decode("%E1%88%b4+x"), "\xE1\x88\xB4+x");
  EXPECT_EQ(*uri_decode(""), "");
  for (std::string_view bad : {"%", "%4", "%zz", "a%g1"}) {
    auto r = uri_decode(bad);
    EXPECT_FALSE(r) << bad;
  }
}

TEST(EncodingTest, Timestamps) {
  auto tp = parse_iso8601("2015-08-30T12:36:00Z");
  ASSERT_TRUE(tp);
  EXPECT_EQ(format_amz_date(*tp), "20150830T123600Z");
  EXPECT_EQ(format_date_stamp(*tp), "20150830");
  EXPECT_EQ(format_iso8601(*tp), "2015-08-30T12:36:00Z");
  EXPECT_EQ(*parse_iso8601("20150830T123600Z"), *tp);
  EXPECT_EQ(*parse_iso8601("2015-08-30T12:36:00+00:00"), *tp);
  auto frac = parse_iso8601("2015-08-30T12:36:00.250Z");
  ASSERT_TRUE(frac);
  EXPECT_EQ(*frac - *tp, std::chrono::milliseconds(250));
  // Leap day and the epoch.
  EXPECT_EQ(format_amz_date(*parse_iso8601("2024-02-29T23:59:59Z")), "20240229T235959Z");
  EXPECT_EQ(format_amz_date(std::chrono::system_clock::time_point{}), "19700101T000000Z");
}

TEST(EncodingTest, TimestampsRejectMalformed) {
  for (std::string_view bad :
       {"", "2015-08-30", "2015-13-01T00:00:00Z", "2015-02-30T00:00:00Z", "2015-08-30T24:00:00Z",
        "2015-08-30T12:36:00", "2015-08-30T12:36:00+01:00", "2015-08-30T12:36:00Zjunk",
        "2015-08-3012:36:00Z", "2015-08-30T12:36:00.Z", "2015-0830T123600Z", "9999-12-31T23:59:59Z",
        "1000-01-01T00:00:00Z"}) {
    auto r = parse_iso8601(bad);
    EXPECT_FALSE(r) << bad;
    if (!r) {
      EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    }
  }
}

}  // namespace
}  // namespace awsperf::aws
