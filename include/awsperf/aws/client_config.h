// Everything a service client needs before its first request, resolved in one
// call the way the AWS SDKs do: region, endpoint, credentials, signing and
// retry options.
//
//   max attempts: option > AWS_MAX_ATTEMPTS > the profile's max_attempts >
//   the service default (DynamoDB 10, others 3).
//
// Thread-safety: value types and a stateless function; safe from any thread.
// ClientConfig::to_string() holds no secret.
#ifndef AWSPERF_AWS_CLIENT_CONFIG_H_
#define AWSPERF_AWS_CLIENT_CONFIG_H_

#include <optional>
#include <string>

#include "awsperf/aws/credentials.h"
#include "awsperf/aws/endpoint.h"
#include "awsperf/aws/environment.h"
#include "awsperf/aws/retry.h"
#include "awsperf/aws/signer.h"
#include "awsperf/core/result.h"

namespace awsperf::aws {

struct ClientConfigOptions {
  // The lower-case service id: "dynamodb", "s3", "bedrock-runtime". It names
  // the endpoint variables and the default host.
  std::string service;
  // The SigV4 signing name when it is not the service id (Bedrock Runtime
  // signs as "bedrock"). Unset: the service id.
  std::optional<std::string> signing_name;
  std::optional<std::string> region;
  std::optional<std::string> endpoint_url;
  // Explicit credentials and the profile / shared files, which the region and
  // max_attempts lookups read too.
  CredentialsOptions credentials;
  // 1..100; see the order above.
  std::optional<int> max_attempts;
};

struct ClientConfig {
  std::string service;
  ResolvedRegion region;
  ResolvedEndpoint endpoint;
  Credentials credentials;
  SigningOptions signing;
  RetryOptions retry;

  // "dynamodb us-east-1 (AWS_REGION) http://127.0.0.1:8000 (option),
  //  credentials ****MPLE from environment, max_attempts 10".
  std::string to_string() const;
};

Result<ClientConfig> resolve_client_config(const ClientConfigOptions& options,
                                           const Environment& env);

}  // namespace awsperf::aws

#endif  // AWSPERF_AWS_CLIENT_CONFIG_H_
