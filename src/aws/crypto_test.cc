#include "awsperf/aws/crypto.h"

#include <gtest/gtest.h>

#include "awsperf/aws/encoding.h"

namespace awsperf::aws {
namespace {

TEST(CryptoTest, Sha256KnownAnswers) {
  EXPECT_EQ(sha256_hex(""), kEmptySha256Hex);
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(CryptoTest, IncrementalSha256MatchesOneShot) {
  std::string data(100'000, 'x');
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 31);
  Sha256 h;
  for (std::size_t off = 0; off < data.size(); off += 777) {
    h.update(std::string_view(data).substr(off, 777));
  }
  EXPECT_EQ(h.finish(), sha256(data));
  // The object starts over after finish().
  h.update("abc");
  EXPECT_EQ(hex_encode(h.finish()), sha256_hex("abc"));
  Sha256 moved = std::move(h);
  EXPECT_EQ(hex_encode(moved.finish()), kEmptySha256Hex);
}

// RFC 4231 test cases 1, 2 and 6 (a key longer than the block size).
TEST(CryptoTest, HmacSha256Rfc4231) {
  EXPECT_EQ(hex_encode(hmac_sha256(std::string(20, '\x0b'), "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(hex_encode(hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(hex_encode(hmac_sha256(std::string(131, '\xaa'),
                                   "Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

// The same key twice in a row reuses the key's state; other keys in between
// and other messages with the same key must not see stale state.
TEST(CryptoTest, HmacSha256RepeatedAndAlternatingKeys) {
  const std::string k1(20, '\x0b');
  const char* const h1 = "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7";
  const char* const h2 = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(hex_encode(hmac_sha256(k1, "Hi There")), h1);
    EXPECT_EQ(hex_encode(hmac_sha256(k1, "Hi There")), h1);
    EXPECT_EQ(hex_encode(hmac_sha256("Jefe", "what do ya want for nothing?")), h2);
    EXPECT_EQ(hex_encode(hmac_sha256("Jefe", "what do ya want for nothing?")), h2);
  }
  // Same key, another message: RFC 4231 test cases 6 and 7 share their key.
  const std::string k6(131, '\xaa');
  EXPECT_EQ(hex_encode(hmac_sha256(k6, "Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  EXPECT_EQ(hex_encode(hmac_sha256(
                k6,
                "This is a test using a larger than block-size key and a larger than block-size "
                "data. The key needs to be hashed before being used by the HMAC algorithm.")),
            "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
  // A key that is a prefix of the last one is a different key.
  EXPECT_EQ(hex_encode(hmac_sha256(std::string(20, '\x0b'), "Hi There")), h1);
  EXPECT_NE(hex_encode(hmac_sha256(std::string(19, '\x0b'), "Hi There")), h1);
}

TEST(CryptoTest, Md5AndContentMd5) {
  EXPECT_EQ(hex_encode(md5("")), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(hex_encode(md5("The quick brown fox jumps over the lazy dog")),
            "9e107d9d372bb6826bd81d3542a419d6");
  EXPECT_EQ(content_md5(""), "1B2M2Y8AsgTpgAmY7PhCfg==");
}

TEST(CryptoTest, Crc32) {
  EXPECT_EQ(crc32("123456789"), 0xCBF43926u);
  EXPECT_EQ(crc32(""), 0u);
  // Every length and alignment around the 8-byte steps agrees with a
  // bit-at-a-time reference.
  auto reference = [](std::string_view d) {
    std::uint32_t c = 0xFFFFFFFFu;
    for (unsigned char b : d) {
      c ^= b;
      for (int k = 0; k < 8; ++k) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    }
    return c ^ 0xFFFFFFFFu;
  };
  std::string data;
  for (int i = 0; i < 300; ++i) data.push_back(static_cast<char>((i * 131 + 7) & 0xFF));
  for (std::size_t offset = 0; offset < 8; ++offset) {
    for (std::size_t len = 0; len + offset <= data.size(); len += 7) {
      const std::string_view d = std::string_view(data).substr(offset, len);
      ASSERT_EQ(crc32(d), reference(d)) << "offset " << offset << " length " << len;
    }
  }
  // A known DynamoDB answer: x-amz-crc32 of "{}".
  EXPECT_EQ(crc32("{}"), 2745614147u);
  std::string body = R"({"Item":{"id":{"S":"1"}}})";
  EXPECT_TRUE(verify_crc32(std::to_string(crc32(body)), body));
  auto mismatch = verify_crc32(std::to_string(crc32(body) ^ 1), body);
  ASSERT_FALSE(mismatch);
  EXPECT_EQ(mismatch.error().code, ErrorCode::kChecksumMismatch);
  EXPECT_TRUE(mismatch.error().retryable);
  for (std::string_view bad : {"", "abc", "-1", "4294967296", "12 ", "0x10"}) {
    auto r = verify_crc32(bad, body);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kProtocol) << bad;
  }
}

}  // namespace
}  // namespace awsperf::aws
