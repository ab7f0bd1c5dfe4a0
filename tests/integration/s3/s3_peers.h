// Peers and helpers shared by the S3 integration tests.
#ifndef AWSPERF_TESTS_INTEGRATION_S3_S3_PEERS_H_
#define AWSPERF_TESTS_INTEGRATION_S3_S3_PEERS_H_

#include <unistd.h>

#include <filesystem>
#include <string>

#include "awsperf/aws/credentials.h"
#include "process.h"

namespace awsperf::s3::testing {

// s3rver checks signatures against these; moto accepts any.
inline aws::Credentials test_credentials() {
  return {.access_key_id = "S3RVER", .secret_access_key = "S3RVER", .source = "test"};
}

// s3rver 3.7 encrypts ListObjectsV2 continuation tokens with DES, which
// Node's OpenSSL 3 only offers through the legacy provider; without it every
// truncated listing is an InternalError. testutil::start_s3rver does not pass
// the flag, so the peer is started here.
inline Result<testutil::Peer> start_s3rver_with_des(const std::string& dir) {
  const std::string bin = testutil::source_dir() + "/node_modules/s3rver/bin/s3rver.js";
  if (::access(bin.c_str(), R_OK) != 0) {
    return make_error(ErrorCode::kNotFound,
                      "s3rver not found at " + bin + "; run scripts/install.sh (npm ci)");
  }
  std::filesystem::create_directories(dir);
  return testutil::start_peer("s3rver", {"node", "--openssl-legacy-provider", bin, "-d", dir, "-p",
                                         "{port}", "-a", "127.0.0.1", "--silent"});
}

}  // namespace awsperf::s3::testing

#endif  // AWSPERF_TESTS_INTEGRATION_S3_S3_PEERS_H_
