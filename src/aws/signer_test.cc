#include "awsperf/aws/signer.h"

#include <gtest/gtest.h>

#include <thread>

#include "awsperf/aws/encoding.h"

namespace awsperf::aws {
namespace {

using std::chrono::seconds;

const Credentials kDocCredentials{.access_key_id = "AKIAIOSFODNN7EXAMPLE",
                                  .secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"};

std::chrono::system_clock::time_point t(std::string_view iso) { return *parse_iso8601(iso); }

const Header* find_header(const SigningResult& r, std::string_view name) {
  for (const auto& h : r.headers) {
    if (h.name == name) return &h;
  }
  return nullptr;
}

// The "GET Object" example of the S3 SigV4 documentation.
TEST(SignerTest, S3DocumentationGetObjectExample) {
  std::vector<HeaderView> headers = {{"Host", "examplebucket.s3.amazonaws.com"},
                                     {"Range", "bytes=0-9"}};
  Signer signer(SigningOptions::s3("us-east-1"));
  auto r = signer.sign({.method = "GET", .path = "/test.txt", .headers = headers}, kDocCredentials,
                       t("2013-05-24T00:00:00Z"));
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->canonical_request,
            "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
            "x-amz-content-sha256:"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
            "x-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(r->signature, "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  ASSERT_NE(find_header(*r, "x-amz-content-sha256"), nullptr);
  EXPECT_EQ(find_header(*r, "x-amz-content-sha256")->value, kEmptySha256Hex);
  ASSERT_NE(find_header(*r, "Authorization"), nullptr);
  EXPECT_EQ(find_header(*r, "Authorization")->value, r->authorization);
}

// The presigned-URL example of the S3 documentation (also what botocore
// produces).
TEST(SignerTest, S3DocumentationPresignedUrlExample) {
  std::vector<HeaderView> headers = {{"Host", "examplebucket.s3.amazonaws.com"}};
  SigningOptions options = SigningOptions::s3("us-east-1");
  options.unsigned_payload = true;
  Signer signer(options);
  auto r = signer.presign({.method = "GET", .path = "/test.txt", .headers = headers},
                          kDocCredentials, seconds(86400), t("2013-05-24T00:00:00Z"));
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->signature, "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
  EXPECT_TRUE(r->canonical_request.ends_with("\nhost\nUNSIGNED-PAYLOAD"));
  EXPECT_EQ(r->query,
            "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%"
            "2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-SignedHeaders=host&"
            "X-Amz-Expires=86400&X-Amz-Signature="
            "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
  EXPECT_TRUE(r->headers.empty());
  EXPECT_TRUE(r->authorization.empty());
}

// Expected values computed with botocore 1.43.11 (S3SigV4Auth) for the same
// request: an encoded key (single encoding, no normalization), a body, a
// session token and an encoded query value.
TEST(SignerTest, S3PutMatchesBotocore) {
  Credentials creds = kDocCredentials;
  creds.session_token = "FwoGZXIvYXdzEXAMPLE/token+=";
  std::vector<HeaderView> headers = {{"Host", "examplebucket.s3.eu-west-1.amazonaws.com"},
                                     {"Content-Type", "image/jpeg"}};
  Signer signer(SigningOptions::s3("eu-west-1"));
  auto r = signer.sign({.method = "PUT",
                        .path = "/photos/my%20file%2B1.jpg",
                        .query = "partNumber=1&uploadId=abc%2Fdef",
                        .headers = headers,
                        .body = "hello world"},
                       creds, t("2013-05-24T00:00:00Z"));
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_TRUE(r->canonical_request.starts_with(
      "PUT\n/photos/my%20file%2B1.jpg\npartNumber=1&uploadId=abc%2Fdef\n"));
  EXPECT_EQ(r->signed_headers,
            "content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token");
  EXPECT_EQ(r->signature, "13b5d585a02e031ecf6d628cd0c104f4604c8f937dc55a1f40c828f14e8db127");
  ASSERT_NE(find_header(*r, "X-Amz-Security-Token"), nullptr);
  EXPECT_EQ(find_header(*r, "x-amz-content-sha256")->value,
            "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9");
}

// botocore 1.43.11 (SigV4Auth, service dynamodb): the path is encoded again.
TEST(SignerTest, DynamoDbDoubleEncodesPathLikeBotocore) {
  std::vector<HeaderView> headers = {{"Host", "dynamodb.us-west-2.amazonaws.com"},
                                     {"Content-Type", "application/x-amz-json-1.0"},
                                     {"X-Amz-Target", "DynamoDB_20120810.GetItem"}};
  Signer signer(SigningOptions::dynamodb("us-west-2"));
  auto r = signer.sign(
      {.method = "POST", .path = "/a%20b/", .headers = headers, .body = R"({"TableName":"t"})"},
      kDocCredentials, t("2013-05-24T00:00:00Z"));
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_TRUE(r->canonical_request.starts_with("POST\n/a%2520b/\n\n"));
  EXPECT_EQ(r->signature, "df127b11ce0139557d9f198e239beca2d428ec6798e5210fc3ae5147af1dd2de");
  EXPECT_EQ(find_header(*r, "x-amz-content-sha256"), nullptr);
}

TEST(SignerTest, CanonicalUriRules) {
  EXPECT_EQ(canonical_uri("", true, true), "/");
  EXPECT_EQ(canonical_uri("/a/./b/../c//d/", true, false), "/a/c/d/");
  EXPECT_EQ(canonical_uri("/../..", true, false), "/");
  EXPECT_EQ(canonical_uri("/a b/%41", true, true), "/a%20b/%2541");
  // S3: as sent, dots and double slashes are part of the key.
  EXPECT_EQ(canonical_uri("/bucket//a/../b%20c", false, false), "/bucket//a/../b%20c");
}

TEST(SignerTest, CanonicalQuerySortsAndReencodes) {
  std::vector<QueryParamView> extra = {{"z key", "v/1"}, {"a", ""}};
  auto q = canonical_query("b=2&a=2&&flag&c=%7e+x", extra);
  ASSERT_TRUE(q) << q.error().to_string();
  EXPECT_EQ(*q, "a=&a=2&b=2&c=~%2Bx&flag=&z%20key=v%2F1");
  auto bad = canonical_query("a=%zz", {});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
}

TEST(SignerTest, ResigningReplacesOwnHeaders) {
  std::vector<HeaderView> fresh = {{"Host", "h.example"}, {"X-Custom", "1"}};
  Signer signer(SigningOptions::s3("us-east-1"));
  auto now = t("2024-01-02T03:04:05Z");
  auto first = signer.sign({.method = "GET", .path = "/k", .headers = fresh}, kDocCredentials, now);
  ASSERT_TRUE(first);
  // A retry re-signs a request that already carries the old signature.
  std::vector<HeaderView> signed_headers = fresh;
  for (const auto& h : first->headers) signed_headers.push_back({h.name, h.value});
  signed_headers.push_back({"User-Agent", "awsperf/0.1"});
  signed_headers.push_back({"Connection", "keep-alive"});
  auto again =
      signer.sign({.method = "GET", .path = "/k", .headers = signed_headers}, kDocCredentials, now);
  ASSERT_TRUE(again) << again.error().to_string();
  EXPECT_EQ(again->canonical_request, first->canonical_request);
  EXPECT_EQ(again->signature, first->signature);
}

TEST(SignerTest, UnsignedPayloadAndExplicitHash) {
  std::vector<HeaderView> headers = {{"Host", "b.s3.amazonaws.com"}};
  SigningOptions options = SigningOptions::s3("us-east-1");
  options.unsigned_payload = true;
  Signer unsigned_signer(options);
  auto r = unsigned_signer.sign({.method = "PUT", .path = "/k", .headers = headers, .body = "data"},
                                kDocCredentials, t("2024-01-01T00:00:00Z"));
  ASSERT_TRUE(r);
  EXPECT_EQ(find_header(*r, "x-amz-content-sha256")->value, "UNSIGNED-PAYLOAD");
  EXPECT_TRUE(r->canonical_request.ends_with("\nUNSIGNED-PAYLOAD"));

  Signer signer(SigningOptions::s3("us-east-1"));
  std::string hash = sha256_hex("streamed elsewhere");
  auto h = signer.sign({.method = "PUT", .path = "/k", .headers = headers, .payload_hash = hash},
                       kDocCredentials, t("2024-01-01T00:00:00Z"));
  ASSERT_TRUE(h);
  EXPECT_TRUE(h->canonical_request.ends_with("\n" + hash));

  std::string upper = hash;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto u = signer.sign({.method = "PUT", .path = "/k", .headers = headers, .payload_hash = upper},
                       kDocCredentials, t("2024-01-01T00:00:00Z"));
  ASSERT_TRUE(u);
  EXPECT_EQ(u->signature, h->signature);
  constexpr std::string_view kStreaming = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
  auto streaming =
      signer.sign({.method = "PUT", .path = "/k", .headers = headers, .payload_hash = kStreaming},
                  kDocCredentials, t("2024-01-01T00:00:00Z"));
  ASSERT_TRUE(streaming);
  EXPECT_TRUE(streaming->canonical_request.ends_with(kStreaming));

  auto bad =
      signer.sign({.method = "PUT", .path = "/k", .headers = headers, .payload_hash = "not-a-hash"},
                  kDocCredentials, t("2024-01-01T00:00:00Z"));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
}

TEST(SignerTest, OmitSessionTokenAddsItUnsigned) {
  Credentials creds = kDocCredentials;
  creds.session_token = "tok/en";
  std::vector<HeaderView> headers = {{"Host", "h"}};
  SigningOptions options = SigningOptions::dynamodb("us-east-1");
  options.omit_session_token = true;
  Signer signer(options);
  auto r = signer.sign({.method = "GET", .headers = headers}, creds, t("2024-01-01T00:00:00Z"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->signed_headers, "host;x-amz-date");
  ASSERT_NE(find_header(*r, "X-Amz-Security-Token"), nullptr);
  auto p = signer.presign({.method = "GET", .headers = headers}, creds, seconds(60),
                          t("2024-01-01T00:00:00Z"));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->canonical_request.find("Security-Token"), std::string::npos);
  EXPECT_NE(p->query.find("&X-Amz-Security-Token=tok%2Fen&X-Amz-Signature="), std::string::npos);
}

TEST(SignerTest, RejectsBadInput) {
  std::vector<HeaderView> no_host = {{"X-A", "1"}};
  std::vector<HeaderView> host = {{"Host", "h"}};
  std::vector<HeaderView> bad_name = {{"Host", "h"}, {"Bad Name", "1"}};
  auto now = t("2024-01-01T00:00:00Z");
  Signer signer(SigningOptions::dynamodb("us-east-1"));
  auto code = [&](const Result<SigningResult>& r) {
    EXPECT_FALSE(r);
    return r ? ErrorCode::kInternal : r.error().code;
  };
  EXPECT_EQ(code(signer.sign({.method = "GET", .headers = no_host}, kDocCredentials, now)),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(code(signer.sign({.method = "GET", .headers = bad_name}, kDocCredentials, now)),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(code(signer.sign({.method = "", .headers = host}, kDocCredentials, now)),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(
      code(signer.sign({.method = "GET", .path = "x", .headers = host}, kDocCredentials, now)),
      ErrorCode::kInvalidArgument);
  EXPECT_EQ(
      code(signer.sign({.method = "GET", .query = "a=%4", .headers = host}, kDocCredentials, now)),
      ErrorCode::kInvalidArgument);
  EXPECT_EQ(code(signer.sign({.method = "GET", .headers = host}, Credentials{}, now)),
            ErrorCode::kCredentials);
  EXPECT_EQ(
      code(signer.presign({.method = "GET", .headers = host}, kDocCredentials, seconds(0), now)),
      ErrorCode::kInvalidArgument);
  EXPECT_EQ(code(signer.presign({.method = "GET", .headers = host}, kDocCredentials,
                                kMaxPresignExpires + seconds(1), now)),
            ErrorCode::kInvalidArgument);
  EXPECT_TRUE(
      signer.presign({.method = "GET", .headers = host}, kDocCredentials, kMaxPresignExpires, now));
  Signer no_region(SigningOptions::dynamodb(""));
  EXPECT_EQ(code(no_region.sign({.method = "GET", .headers = host}, kDocCredentials, now)),
            ErrorCode::kInvalidArgument);
  SigningOptions slashy = SigningOptions::dynamodb("us-east-1/evil");
  Signer slash_region(slashy);
  EXPECT_EQ(code(slash_region.sign({.method = "GET", .headers = host}, kDocCredentials, now)),
            ErrorCode::kInvalidArgument);
}

TEST(SignerTest, ErrorsNeverContainTheSecret) {
  std::vector<HeaderView> host = {{"Host", "h"}};
  Credentials creds{.access_key_id = "AKID", .secret_access_key = "TOPSECRETvalue"};
  Signer signer(SigningOptions::dynamodb("us-east-1"));
  auto r = signer.sign({.method = "GET", .query = "%", .headers = host}, creds,
                       t("2024-01-01T00:00:00Z"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().to_string().find("TOPSECRET"), std::string::npos);
  auto ok = signer.sign({.method = "GET", .headers = host}, creds, t("2024-01-01T00:00:00Z"));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->canonical_request.find("TOPSECRET"), std::string::npos);
  EXPECT_EQ(ok->string_to_sign.find("TOPSECRET"), std::string::npos);
  EXPECT_EQ(ok->authorization.find("TOPSECRET"), std::string::npos);
}

// The signing key cache must follow the date and the secret.
TEST(SignerTest, KeyCacheFollowsDateAndSecret) {
  std::vector<HeaderView> host = {{"Host", "h"}};
  RequestView req{.method = "GET", .headers = host};
  Credentials other = kDocCredentials;
  other.secret_access_key = "another-secret";
  auto day1 = t("2024-01-01T23:59:59Z"), day2 = t("2024-01-02T00:00:00Z");

  Signer cached(SigningOptions::dynamodb("us-east-1"));
  std::vector<std::string> sigs;
  for (auto [creds, when] : {std::pair{kDocCredentials, day1}, std::pair{other, day1},
                             std::pair{kDocCredentials, day2}, std::pair{kDocCredentials, day1}}) {
    auto a = cached.sign(req, creds, when);
    Signer fresh(SigningOptions::dynamodb("us-east-1"));
    auto b = fresh.sign(req, creds, when);
    ASSERT_TRUE(a && b);
    EXPECT_EQ(a->signature, b->signature);
    sigs.push_back(a->signature);
  }
  EXPECT_NE(sigs[0], sigs[1]);
  EXPECT_NE(sigs[0], sigs[2]);
  EXPECT_EQ(sigs[0], sigs[3]);
}

TEST(SignerTest, UsesInjectedClock) {
  ManualClock clock;  // wall time 1.7e9 s + 1 h = 2023-11-14T23:13:20Z
  Signer signer(SigningOptions::dynamodb("us-east-1"), &clock);
  std::vector<HeaderView> host = {{"Host", "h"}};
  auto r = signer.sign({.method = "GET", .headers = host}, kDocCredentials);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->amz_date, format_amz_date(clock.wall_now()));
  EXPECT_EQ(r->amz_date, "20231114T231320Z");
  clock.advance(std::chrono::hours(24));
  auto later = signer.presign({.method = "GET", .headers = host}, kDocCredentials, seconds(60));
  ASSERT_TRUE(later);
  EXPECT_EQ(later->amz_date, "20231115T231320Z");
  EXPECT_EQ(later->credential_scope, "20231115/us-east-1/dynamodb/aws4_request");
}

TEST(SignerTest, ConcurrentSigningIsConsistent) {
  Signer signer(SigningOptions::dynamodb("us-east-1"));
  std::vector<HeaderView> host = {{"Host", "h"}};
  auto now = t("2024-01-01T00:00:00Z");
  Credentials other = kDocCredentials;
  other.secret_access_key = "x";
  const std::string expect_a =
      signer.sign({.method = "GET", .headers = host}, kDocCredentials, now)->signature;
  const std::string expect_b =
      signer.sign({.method = "GET", .headers = host}, other, now)->signature;
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      for (int j = 0; j < 200; ++j) {
        bool use_a = (i + j) % 2 == 0;
        auto r =
            signer.sign({.method = "GET", .headers = host}, use_a ? kDocCredentials : other, now);
        if (!r || r->signature != (use_a ? expect_a : expect_b)) ++mismatches;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(mismatches.load(), 0);
}

}  // namespace
}  // namespace awsperf::aws
