// AWS Signature Version 4, in both forms: the Authorization header and the
// presigned query string (X-Amz-Expires ...).
//
// The signer knows nothing of the HTTP layer: callers describe a request with
// a RequestView (borrowed strings) and apply the result (headers to add, or
// the new query string) to their own message type. Re-signing a request that
// already carries Authorization / X-Amz-Date / X-Amz-Security-Token /
// x-amz-content-sha256 replaces them, so a retry can simply sign again.
//
// Rules follow the SigV4 specification and the aws-c-auth test suite (all 38
// cases pass): header names lower-cased, values trimmed with inner whitespace
// runs collapsed, duplicates joined with ','; query parameters decoded then
// re-encoded and sorted; the path normalized (dot segments, empty segments)
// and encoded once more unless the service is S3, which takes the path as
// sent.
//
// Thread-safety: a Signer is safe to use from many threads at once; its only
// mutable state, the derived signing key cache, is guarded by a mutex.
#ifndef AWSPERF_AWS_SIGNER_H_
#define AWSPERF_AWS_SIGNER_H_

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "awsperf/aws/credentials.h"
#include "awsperf/aws/crypto.h"
#include "awsperf/core/clock.h"
#include "awsperf/core/result.h"

namespace awsperf::aws {

inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
// Presigned URLs are valid for at most seven days.
inline constexpr std::chrono::seconds kMaxPresignExpires{7 * 24 * 3600};

struct HeaderView {
  std::string_view name;
  std::string_view value;
};

struct QueryParamView {
  std::string_view name;   // decoded
  std::string_view value;  // decoded
};

// A request as the signer sees it. Nothing is copied or owned.
struct RequestView {
  std::string_view method;  // "GET", "POST", ...
  // The path as sent on the request line, already percent-encoded where the
  // caller needed it ("/bucket/my%20key"); "" means "/".
  std::string_view path;
  // The raw query as sent, without the '?': "a=1&b=x%2Fy". Percent sequences
  // are decoded before canonical re-encoding; '+' is a literal '+'.
  std::string_view query;
  // Further parameters, already decoded; they join those of `query`.
  std::span<const QueryParamView> query_params;
  // Must include Host. Order matters only among duplicates of one name.
  std::span<const HeaderView> headers;
  // The body, hashed when payload_hash is not given.
  std::string_view body;
  // Hex SHA-256 of the body, or kUnsignedPayload. Lets callers hash once or
  // stream a body the signer never sees.
  std::optional<std::string_view> payload_hash;
};

struct SigningOptions {
  std::string region;   // e.g. "us-east-1"; required
  std::string service;  // the signing name: "dynamodb", "s3", ...; required
  // Remove "." / ".." and empty segments from the path. Default on; S3: off.
  bool normalize_uri_path = true;
  // Percent-encode the (already encoded) path once more. Default on; S3: off.
  bool double_uri_encode = true;
  // Header form: send and sign x-amz-content-sha256 with the payload hash.
  // Default off; S3: on (S3 requires it).
  bool add_content_sha256_header = false;
  // Sign "UNSIGNED-PAYLOAD" instead of the body hash (S3 only). Default off.
  bool unsigned_payload = false;
  // Add X-Amz-Security-Token after signing instead of signing it (what a few
  // services such as IoT expect). Default off.
  bool omit_session_token = false;

  // DynamoDB: every default.
  static SigningOptions dynamodb(std::string region);
  // S3: no normalization, single encoding, x-amz-content-sha256.
  static SigningOptions s3(std::string region);
};

struct Header {
  std::string name;
  std::string value;
};

struct SigningResult {
  // Header form: the headers to set on the request (X-Amz-Date,
  // X-Amz-Security-Token, x-amz-content-sha256 as configured, Authorization).
  // Presigned form: empty.
  std::vector<Header> headers;
  // Presigned form: the complete query string to send (the original query
  // followed by the X-Amz-* parameters). Header form: empty.
  std::string query;
  // Header form: the Authorization value.
  std::string authorization;
  // Intermediate results, for tests and debugging. They hold no secret.
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;         // lower-case hex
  std::string signed_headers;    // "host;x-amz-date"
  std::string amz_date;          // "20150830T123600Z"
  std::string credential_scope;  // "20150830/us-east-1/service/aws4_request"
};

class Signer {
 public:
  // `clock` provides the signing time for the overloads without one; nullptr
  // means the real clock. The clock must outlive the signer.
  explicit Signer(SigningOptions options, const Clock* clock = nullptr);

  Signer(const Signer&) = delete;
  Signer& operator=(const Signer&) = delete;

  const SigningOptions& options() const { return options_; }

  // Authorization-header form.
  Result<SigningResult> sign(const RequestView& request, const Credentials& credentials) const;
  Result<SigningResult> sign(const RequestView& request, const Credentials& credentials,
                             std::chrono::system_clock::time_point now) const;

  // Presigned-query form, valid for `expires` (1 s .. 7 days).
  Result<SigningResult> presign(const RequestView& request, const Credentials& credentials,
                                std::chrono::seconds expires) const;
  Result<SigningResult> presign(const RequestView& request, const Credentials& credentials,
                                std::chrono::seconds expires,
                                std::chrono::system_clock::time_point now) const;

 private:
  Result<SigningResult> sign_impl(const RequestView& request, const Credentials& credentials,
                                  std::chrono::system_clock::time_point now,
                                  std::optional<std::chrono::seconds> presign_expires) const;
  Sha256Digest signing_key(const Credentials& credentials, std::string_view date) const;

  SigningOptions options_;
  const Clock* clock_;

  // The key derived from (secret, date, region, service) changes once a day;
  // caching it saves four of the five HMACs per request.
  mutable std::mutex key_mutex_;
  mutable std::string key_date_;
  mutable std::string key_secret_;
  mutable Sha256Digest key_{};
};

// The canonical form of a path: normalized and/or encoded per the options.
std::string canonical_uri(std::string_view path, bool normalize, bool double_encode);
// The canonical query of a raw query plus decoded parameters; kInvalidArgument
// on a bad percent sequence.
Result<std::string> canonical_query(std::string_view raw_query,
                                    std::span<const QueryParamView> params);

}  // namespace awsperf::aws

#endif  // AWSPERF_AWS_SIGNER_H_
