// AWS credentials and the chain that finds them, in the order of the AWS
// SDKs: explicit credentials; the environment (AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN); the shared files
// (~/.aws/credentials, then ~/.aws/config with its "[profile x]" sections;
// AWS_PROFILE, AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE).
//
// Secrets (secret access key, session token) never appear in to_string(),
// error messages or logs; only a masked access key id does.
//
// Thread-safety: Credentials is a value type. resolve_credentials() reads
// files and the given Environment and keeps no state; safe from any thread.
#ifndef AWSPERF_AWS_CREDENTIALS_H_
#define AWSPERF_AWS_CREDENTIALS_H_

#include <iosfwd>
#include <optional>
#include <string>

#include "awsperf/aws/environment.h"
#include "awsperf/core/result.h"

namespace awsperf::aws {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  // Empty for long-term credentials.
  std::string session_token;
  // Where they came from, e.g. "environment" or
  // "shared credentials file /home/u/.aws/credentials, profile 'dev'".
  std::string source;

  bool has_session_token() const { return !session_token.empty(); }
  // "Credentials{access_key_id=****MPLE, secret=<redacted>, ...}": safe to log.
  std::string to_string() const;
};

// Streams to_string(), so logging or a test failure message never prints
// the secret.
std::ostream& operator<<(std::ostream& out, const Credentials& credentials);

// The access key id with all but its last four characters masked.
std::string mask_access_key_id(std::string_view access_key_id);

struct CredentialsOptions {
  // Used as they are when set; the chain is not consulted.
  std::optional<Credentials> explicit_credentials;
  SharedConfigOptions shared;
};

// Walks the chain. When nothing yields credentials the error is kCredentials
// and names every source tried and why it gave nothing. Half-configured
// sources (a key id without a secret) and malformed files are errors rather
// than skipped, so a typo is not silently replaced by another identity.
Result<Credentials> resolve_credentials(const CredentialsOptions& options, const Environment& env);

}  // namespace awsperf::aws

#endif  // AWSPERF_AWS_CREDENTIALS_H_
