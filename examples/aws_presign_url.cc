// Presigns an S3 GET URL with the awsperf::aws layer: region, endpoint and
// credentials resolved as the AWS SDKs do, then SigV4 in its query form.
//
//   example_aws_presign_url <bucket> <key> [expires_seconds]
//
// Without configured credentials it says why (every source tried) and signs
// with the documentation's example keys, so the program always shows a URL.
#include <awsperf/aws/credentials.h>
#include <awsperf/aws/encoding.h>
#include <awsperf/aws/endpoint.h>
#include <awsperf/aws/signer.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  using namespace awsperf::aws;
  std::string bucket = argc > 1 ? argv[1] : "examplebucket";
  std::string key = argc > 2 ? argv[2] : "photos/2024/cat picture.jpg";
  long expires = argc > 3 ? std::strtol(argv[3], nullptr, 10) : 3600;

  Environment env = Environment::process();
  auto region = resolve_region(std::nullopt, {}, env);
  std::string region_name = region ? region->region : "us-east-1";
  if (!region) std::printf("region: %s; using us-east-1\n", region.error().to_string().c_str());

  auto endpoint = resolve_endpoint("s3", region_name, std::nullopt, env);
  if (!endpoint) {
    std::printf("endpoint: %s\n", endpoint.error().to_string().c_str());
    return 1;
  }

  auto credentials = resolve_credentials({}, env);
  if (!credentials) {
    std::printf("credentials: %s\nsigning with the documentation's example keys instead\n",
                credentials.error().to_string().c_str());
    credentials = Credentials{.access_key_id = "AKIAIOSFODNN7EXAMPLE",
                              .secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                              .source = "example"};
  }
  std::printf("credentials: %s\n", credentials->to_string().c_str());

  // Path-style addressing: /<bucket>/<key>, the key encoded once (S3 rules).
  const Endpoint& ep = endpoint->endpoint;
  std::string path = ep.base_path + "/" + uri_encode(bucket) + "/" + uri_encode(key, true);
  std::string host = ep.host_header();
  std::vector<HeaderView> headers = {{"Host", host}};

  SigningOptions options = SigningOptions::s3(region_name);
  options.unsigned_payload = true;  // a presigned URL cannot know the body
  Signer signer(options);
  auto signed_url = signer.presign({.method = "GET", .path = path, .headers = headers},
                                   *credentials, std::chrono::seconds(expires));
  if (!signed_url) {
    std::printf("presign: %s\n", signed_url.error().to_string().c_str());
    return 1;
  }
  std::printf("endpoint: %s (from %s)\n", ep.to_string().c_str(), endpoint->source.c_str());
  std::printf("%s://%s%s?%s\n", ep.scheme.c_str(), host.c_str(), path.c_str(),
              signed_url->query.c_str());
  return 0;
}
