#include "awsperf/aws/client_config.h"

#include <charconv>

#include "ini.h"

namespace awsperf::aws {
namespace {

constexpr int kMaxMaxAttempts = 100;

Result<int> parse_attempts(std::string_view text, std::string_view source) {
  int v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || v < 1 ||
      v > kMaxMaxAttempts) {
    return make_error(ErrorCode::kInvalidArgument, "max_attempts from " + std::string(source) +
                                                       " must be an integer in 1.." +
                                                       std::to_string(kMaxMaxAttempts) + ", got '" +
                                                       std::string(text.substr(0, 32)) + "'");
  }
  return v;
}

// max_attempts from the profile of the shared config file, if any.
Result<std::optional<int>> profile_max_attempts(const SharedConfigOptions& shared,
                                                const Environment& env) {
  auto path = config_file_path(shared, env);
  if (!path) return std::optional<int>();
  auto loaded = load_ini_file(*path);
  if (!loaded) return std::unexpected(std::move(loaded.error()));
  if (!*loaded) return std::optional<int>();
  ProfileChoice profile = choose_profile(shared, env);
  const IniSection* s = find_profile(**loaded, profile.name, /*config_file=*/true);
  if (s == nullptr) return std::optional<int>();
  auto it = s->find("max_attempts");
  if (it == s->end() || it->second.empty()) return std::optional<int>();
  auto v = parse_attempts(it->second, "config file " + *path);
  if (!v) return std::unexpected(std::move(v.error()));
  return std::optional<int>(*v);
}

}  // namespace

std::string ClientConfig::to_string() const {
  return service + " " + region.region + " (" + region.source + ") " +
         endpoint.endpoint.to_string() + " (" + endpoint.source + "), credentials " +
         mask_access_key_id(credentials.access_key_id) + " from " + credentials.source +
         ", max_attempts " + std::to_string(retry.max_attempts);
}

Result<ClientConfig> resolve_client_config(const ClientConfigOptions& options,
                                           const Environment& env) {
  if (options.service.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "client config: empty service id");
  }
  const SharedConfigOptions& shared = options.credentials.shared;
  ClientConfig c;
  c.service = options.service;

  auto region = resolve_region(options.region, shared, env);
  if (!region) return std::unexpected(std::move(region.error()));
  c.region = std::move(*region);

  auto endpoint = resolve_endpoint(options.service, c.region.region, options.endpoint_url, env);
  if (!endpoint) return std::unexpected(std::move(endpoint.error()));
  c.endpoint = std::move(*endpoint);

  auto credentials = resolve_credentials(options.credentials, env);
  if (!credentials) return std::unexpected(std::move(credentials.error()));
  c.credentials = std::move(*credentials);

  c.signing = options.service == "s3" ? SigningOptions::s3(c.region.region)
                                      : SigningOptions::dynamodb(c.region.region);
  c.signing.service = options.signing_name.value_or(options.service);

  c.retry = RetryOptions::for_service(options.service);
  if (options.max_attempts) {
    auto v = parse_attempts(std::to_string(*options.max_attempts), "option");
    if (!v) return std::unexpected(std::move(v.error()));
    c.retry.max_attempts = *v;
  } else if (auto var = env.get("AWS_MAX_ATTEMPTS")) {
    auto v = parse_attempts(*var, "AWS_MAX_ATTEMPTS");
    if (!v) return std::unexpected(std::move(v.error()));
    c.retry.max_attempts = *v;
  } else {
    auto v = profile_max_attempts(shared, env);
    if (!v) return std::unexpected(std::move(v.error()));
    if (*v) c.retry.max_attempts = **v;
  }
  return c;
}

}  // namespace awsperf::aws
