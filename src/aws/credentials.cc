#include "awsperf/aws/credentials.h"

#include <ostream>
#include <vector>

#include "ini.h"

namespace awsperf::aws {

std::string mask_access_key_id(std::string_view id) {
  if (id.size() <= 4) return std::string(id.size(), '*');
  return std::string(id.size() - 4, '*') + std::string(id.substr(id.size() - 4));
}

std::string Credentials::to_string() const {
  std::string out = "Credentials{access_key_id=" + mask_access_key_id(access_key_id);
  out += secret_access_key.empty() ? ", secret=<empty>" : ", secret=<redacted>";
  if (has_session_token()) out += ", session_token=<redacted>";
  if (!source.empty()) out += ", source=" + source;
  out += "}";
  return out;
}

std::ostream& operator<<(std::ostream& out, const Credentials& credentials) {
  return out << credentials.to_string();
}

namespace {

// Outcome of one link of the chain: credentials, "nothing here" with a note
// for the final error message, or a hard error.
struct LinkResult {
  std::optional<Credentials> credentials;
  std::string note;
};

Result<LinkResult> from_environment(const Environment& env) {
  auto id = env.get("AWS_ACCESS_KEY_ID");
  auto secret = env.get("AWS_SECRET_ACCESS_KEY");
  if (!id && !secret) return LinkResult{{}, "environment (AWS_ACCESS_KEY_ID not set)"};
  if (!id || !secret) {
    return make_error(
        ErrorCode::kCredentials,
        std::string("environment has ") + (id ? "AWS_ACCESS_KEY_ID but not AWS_SECRET_ACCESS_KEY"
                                              : "AWS_SECRET_ACCESS_KEY but not AWS_ACCESS_KEY_ID"));
  }
  Credentials c{.access_key_id = *id,
                .secret_access_key = *secret,
                .session_token = env.get("AWS_SESSION_TOKEN").value_or(""),
                .source = "environment"};
  return LinkResult{std::move(c), {}};
}

Result<LinkResult> from_file(const std::optional<std::string>& path, std::string_view kind,
                             const ProfileChoice& profile, bool config_file) {
  std::string what = std::string(kind);
  if (!path) return LinkResult{{}, what + " (no path: HOME not set)"};
  what += " " + *path;
  auto loaded = load_ini_file(*path);
  if (!loaded) return std::unexpected(std::move(loaded.error()));
  if (!*loaded) return LinkResult{{}, what + " (not found)"};
  const IniSection* section = find_profile(**loaded, profile.name, config_file);
  if (section == nullptr) {
    return LinkResult{{}, what + " (no profile '" + profile.name + "')"};
  }
  auto get = [&](std::string_view key) -> std::optional<std::string> {
    auto it = section->find(key);
    if (it == section->end() || it->second.empty()) return std::nullopt;
    return it->second;
  };
  auto id = get("aws_access_key_id");
  auto secret = get("aws_secret_access_key");
  if (!id && !secret) {
    return LinkResult{{}, what + " (profile '" + profile.name + "' has no aws_access_key_id)"};
  }
  if (!id || !secret) {
    return make_error(ErrorCode::kCredentials,
                      what + ": profile '" + profile.name + "' has " +
                          (id ? "aws_access_key_id but no aws_secret_access_key"
                              : "aws_secret_access_key but no aws_access_key_id"));
  }
  Credentials c{.access_key_id = *id,
                .secret_access_key = *secret,
                .session_token = get("aws_session_token").value_or(""),
                .source = what + ", profile '" + profile.name + "'"};
  return LinkResult{std::move(c), {}};
}

}  // namespace

Result<Credentials> resolve_credentials(const CredentialsOptions& options, const Environment& env) {
  if (options.explicit_credentials) {
    Credentials c = *options.explicit_credentials;
    if (c.access_key_id.empty() || c.secret_access_key.empty()) {
      return make_error(ErrorCode::kCredentials,
                        "explicit credentials lack an access key id or a secret access key");
    }
    if (c.source.empty()) c.source = "explicit";
    return c;
  }
  std::vector<std::string> tried = {"explicit (none given)"};

  auto env_link = from_environment(env);
  if (!env_link) return std::unexpected(std::move(env_link.error()));
  if (env_link->credentials) return std::move(*env_link->credentials);
  tried.push_back(std::move(env_link->note));

  ProfileChoice profile = choose_profile(options.shared, env);
  auto creds_link = from_file(credentials_file_path(options.shared, env), "shared credentials file",
                              profile, /*config_file=*/false);
  if (!creds_link) return std::unexpected(std::move(creds_link.error()));
  if (creds_link->credentials) return std::move(*creds_link->credentials);
  tried.push_back(std::move(creds_link->note));

  auto config_link = from_file(config_file_path(options.shared, env), "shared config file", profile,
                               /*config_file=*/true);
  if (!config_link) return std::unexpected(std::move(config_link.error()));
  if (config_link->credentials) return std::move(*config_link->credentials);
  tried.push_back(std::move(config_link->note));

  std::string message = "no AWS credentials found (profile '" + profile.name + "' from " +
                        profile.source + "); tried: ";
  for (std::size_t i = 0; i < tried.size(); ++i) {
    if (i) message += "; ";
    message += tried[i];
  }
  return make_error(ErrorCode::kCredentials, std::move(message));
}

}  // namespace awsperf::aws
