// Hashes and checksums of the AWS wire protocols, on OpenSSL 3 (EVP) and
// Boost.CRC: SHA-256 and HMAC-SHA256 for SigV4, MD5 for Content-MD5, CRC32
// for DynamoDB's x-amz-crc32.
//
// Thread-safety: the free functions are safe from any thread. A Sha256 object
// is not; use one per thread.
#ifndef AWSPERF_AWS_CRYPTO_H_
#define AWSPERF_AWS_CRYPTO_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "awsperf/core/result.h"

namespace awsperf::aws {

using Sha256Digest = std::array<std::uint8_t, 32>;

Sha256Digest sha256(std::string_view data);
// Lower-case hex of the SHA-256, the form of a SigV4 payload hash.
std::string sha256_hex(std::string_view data);
Sha256Digest hmac_sha256(std::string_view key, std::string_view data);

// The SHA-256 of the empty string, precomputed: most GETs have no body.
inline constexpr std::string_view kEmptySha256Hex =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// Incremental SHA-256 for bodies that arrive in pieces (S3 uploads).
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;

  void update(std::string_view data);
  // Ends the hash; the object starts over afterwards.
  Sha256Digest finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::array<std::uint8_t, 16> md5(std::string_view data);
// base64(MD5(body)): the value of a Content-MD5 header.
std::string content_md5(std::string_view data);

// CRC-32 (IEEE 802.3, the zlib one) as DynamoDB sends in x-amz-crc32.
std::uint32_t crc32(std::string_view data);
// Checks a body against an x-amz-crc32 header value (decimal). A mismatch is
// kChecksumMismatch (retryable: the body was damaged in transit); a header
// that is not a decimal uint32 is kProtocol.
Status verify_crc32(std::string_view header_value, std::string_view body);

}  // namespace awsperf::aws

#endif  // AWSPERF_AWS_CRYPTO_H_
