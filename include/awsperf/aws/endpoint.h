// Region and endpoint resolution as the AWS SDKs do it.
//
// Region: explicit option > AWS_REGION > AWS_DEFAULT_REGION > the profile's
// `region` in the shared config file.
// Endpoint: explicit option > AWS_ENDPOINT_URL_<SERVICE> (e.g.
// AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_S3) > AWS_ENDPOINT_URL > the
// default https://<service>.<region>.amazonaws.com. Setting
// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true skips the two variables.
//
// Thread-safety: value types and stateless functions; safe from any thread.
#ifndef AWSPERF_AWS_ENDPOINT_H_
#define AWSPERF_AWS_ENDPOINT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "awsperf/aws/environment.h"
#include "awsperf/core/result.h"

namespace awsperf::aws {

struct Endpoint {
  std::string scheme;      // "http" or "https"
  std::string host;        // lower-cased; an IPv6 literal is kept without brackets
  std::uint16_t port = 0;  // always set: the scheme's default when the URL had none
  // The path prefix every request goes under: "" or "/prefix" (no trailing
  // slash).
  std::string base_path;

  bool tls() const { return scheme == "https"; }
  bool default_port() const { return port == (tls() ? 443 : 80); }
  // The Host header value: host, bracketed when IPv6, plus ":port" when not
  // the scheme's default.
  std::string host_header() const;
  // "https://host[:port][/base]".
  std::string to_string() const;
};

// Parses "scheme://host[:port][/path]". Only http and https; no user info, no
// query or fragment; the port must be 1..65535. Errors are kInvalidArgument
// and say what is wrong.
Result<Endpoint> parse_endpoint(std::string_view url);

// A region as it appears in a host name: 1..63 characters of [a-z0-9-], not
// starting or ending with '-'.
bool is_valid_region(std::string_view region);

struct ResolvedRegion {
  std::string region;
  std::string source;  // "option", "AWS_REGION", "AWS_DEFAULT_REGION", "config file <path>"
};

// kInvalidArgument for an invalid region name from any source (naming the
// source); kNotFound naming every place tried when none has one; kParse/kIo
// for a malformed or unreadable config file.
Result<ResolvedRegion> resolve_region(const std::optional<std::string>& explicit_region,
                                      const SharedConfigOptions& shared, const Environment& env);

struct ResolvedEndpoint {
  Endpoint endpoint;
  std::string source;  // "option", the variable's name, or "default"
};

// `service` is the SDK service id in lower case: "dynamodb", "s3", ... It
// names the service-specific variable (AWS_ENDPOINT_URL_ + upper case, with
// '-' and ' ' as '_') and the default host. China regions (cn-*) get the
// amazonaws.com.cn suffix.
Result<ResolvedEndpoint> resolve_endpoint(std::string_view service, std::string_view region,
                                          const std::optional<std::string>& explicit_url,
                                          const Environment& env);

}  // namespace awsperf::aws

#endif  // AWSPERF_AWS_ENDPOINT_H_
