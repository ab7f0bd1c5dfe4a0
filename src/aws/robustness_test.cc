// Every parser of this layer fed with mutated and random input: each must
// return a value or a specific error, never crash, hang or read out of bounds
// (run under ASan/UBSan by the dev preset). Deterministic: fixed seeds.
#include <gtest/gtest.h>

#include <random>

#include "awsperf/aws/crypto.h"
#include "awsperf/aws/encoding.h"
#include "awsperf/aws/endpoint.h"
#include "awsperf/aws/error.h"
#include "awsperf/aws/signer.h"
#include "ini.h"

namespace awsperf::aws {
namespace {

constexpr int kIterations = 3000;

// Mutates `seed` by flipping, inserting and deleting bytes, or returns random
// bytes, so inputs are near-valid as well as garbage.
class Mutator {
 public:
  explicit Mutator(std::uint64_t seed) : rng_(seed) {}

  std::string next(std::string_view seed) {
    std::string s(seed);
    if (pick(8) == 0) {
      s.assign(pick(64), '\0');
      for (char& c : s) c = static_cast<char>(pick(256));
      return s;
    }
    int edits = 1 + static_cast<int>(pick(4));
    for (int i = 0; i < edits; ++i) {
      std::size_t pos = s.empty() ? 0 : pick(s.size());
      switch (pick(3)) {
        case 0:
          if (!s.empty()) s[pos] = interesting();
          break;
        case 1:
          s.insert(s.begin() + static_cast<std::ptrdiff_t>(pos), interesting());
          break;
        default:
          if (!s.empty()) s.erase(pos, 1 + pick(4));
          break;
      }
    }
    return s;
  }

 private:
  std::size_t pick(std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_);
  }
  char interesting() {
    static constexpr std::string_view kChars = "%=&[]#:/<>\"\\{}\n\r\t \x00\xff\xe1.-+0aZ";
    return pick(4) == 0 ? static_cast<char>(pick(256)) : kChars[pick(kChars.size())];
  }
  std::mt19937_64 rng_;
};

TEST(RobustnessTest, IniParser) {
  Mutator m(1);
  const std::string seed =
      "[default]\naws_access_key_id = A\naws_secret_access_key = B\n[profile x]\ns3 =\n  a = b\n";
  int ok = 0, errors = 0;
  for (int i = 0; i < kIterations; ++i) {
    auto r = parse_ini(m.next(seed), "fuzz");
    if (r) {
      ++ok;
    } else {
      ++errors;
      EXPECT_EQ(r.error().code, ErrorCode::kParse);
      EXPECT_TRUE(r.error().message.starts_with("fuzz: line ")) << r.error().message;
    }
  }
  EXPECT_GT(ok, 0);
  EXPECT_GT(errors, 0);
}

TEST(RobustnessTest, ErrorBodies) {
  Mutator m(2);
  const std::string json =
      R"({"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"m"})";
  const std::string xml =
      "<Error><Code>NoSuchKey</Code><Message>m</Message><RequestId>r</RequestId></Error>";
  for (int i = 0; i < kIterations; ++i) {
    int status = 400 + (i % 3) * 50;
    std::string jb = m.next(json), xb = m.next(xml);
    Error je = parse_json_error({.http_status = status, .body = jb});
    Error xe = parse_xml_error({.http_status = status, .body = xb});
    for (const Error* e : {&je, &xe}) {
      EXPECT_EQ(e->http_status, status);
      EXPECT_FALSE(e->message.empty());
      EXPECT_TRUE(e->code == ErrorCode::kProtocol || e->code == ErrorCode::kService ||
                  e->code == ErrorCode::kNotFound || e->code == ErrorCode::kThrottled)
          << e->to_string();
    }
  }
}

TEST(RobustnessTest, EndpointsTimestampsAndEncodings) {
  Mutator m(3);
  for (int i = 0; i < kIterations; ++i) {
    auto ep = parse_endpoint(m.next("https://[::1]:8443/base/path"));
    if (ep) {
      EXPECT_TRUE(ep->scheme == "http" || ep->scheme == "https");
      EXPECT_NE(ep->port, 0);
      EXPECT_FALSE(ep->host.empty());
    } else {
      EXPECT_EQ(ep.error().code, ErrorCode::kInvalidArgument);
    }
    auto ts = parse_iso8601(m.next("2015-08-30T12:36:00.125Z"));
    if (ts) {
      EXPECT_EQ(format_amz_date(*parse_iso8601(format_iso8601(*ts))), format_amz_date(*ts));
    }
    auto b64 = base64_decode(m.next("Zm9vYmFyYQ=="));
    if (b64) {
      EXPECT_EQ(*base64_decode(base64_encode(*b64)), *b64);
    }
    auto hex = hex_decode(m.next("00ff10ab"));
    if (hex) {
      EXPECT_EQ(*hex_decode(hex_encode(*hex)), *hex);
    }
    std::string q = m.next("a=1&b=%2F&c");
    auto dq = uri_decode(q);
    if (dq) {
      EXPECT_EQ(*uri_decode(uri_encode(*dq)), *dq);
    }
    auto crc = verify_crc32(m.next("123456"), "body");
    if (!crc) {
      EXPECT_TRUE(crc.error().code == ErrorCode::kProtocol ||
                  crc.error().code == ErrorCode::kChecksumMismatch);
    }
  }
}

TEST(RobustnessTest, SignerInputs) {
  Mutator m(4);
  Signer signer(SigningOptions::dynamodb("us-east-1"));
  Credentials creds{.access_key_id = "AKID", .secret_access_key = "secret"};
  auto now = *parse_iso8601("2024-01-01T00:00:00Z");
  int ok = 0;
  for (int i = 0; i < kIterations; ++i) {
    // One field mutated at a time, so most requests stay signable.
    std::string path = "/a/./b/../c%20d//e", query = "x=1&y=%41&z", name = "X-Custom",
                value = "  v  1 \n 2 ", method = "GET";
    std::string* fields[] = {&path, &query, &name, &value, &method};
    std::string* target = fields[i % 5];
    *target = m.next(*target);
    std::vector<HeaderView> headers = {{"Host", "h"}, {name, value}};
    RequestView req{.method = method, .path = path, .query = query, .headers = headers};
    auto r = (i / 5) % 2 ? signer.sign(req, creds, now)
                         : signer.presign(req, creds, std::chrono::seconds(60), now);
    if (r) {
      ++ok;
      EXPECT_EQ(r->signature.size(), 64u);
    } else {
      EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << r.error().to_string();
    }
  }
  EXPECT_GT(ok, kIterations / 10);
}

}  // namespace
}  // namespace awsperf::aws
