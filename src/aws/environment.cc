#include "awsperf/aws/environment.h"

#include <cstdlib>

namespace awsperf::aws {

Environment Environment::process() {
  return Environment([](std::string_view name) -> std::optional<std::string> {
    // getenv is safe to call concurrently as long as nobody calls setenv.
    const char* v = std::getenv(std::string(name).c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  });
}

Environment Environment::from_map(std::map<std::string, std::string, std::less<>> vars) {
  return Environment([vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  });
}

std::optional<std::string> Environment::get(std::string_view name) const {
  if (!lookup_) return std::nullopt;
  auto v = lookup_(name);
  if (v && v->empty()) return std::nullopt;
  return v;
}

ProfileChoice choose_profile(const SharedConfigOptions& options, const Environment& env) {
  if (options.profile && !options.profile->empty()) return {*options.profile, "option"};
  if (auto p = env.get("AWS_PROFILE")) return {*p, "AWS_PROFILE"};
  return {"default", "default"};
}

namespace {

std::optional<std::string> file_path(const std::optional<std::string>& option,
                                     const Environment& env, std::string_view variable,
                                     std::string_view home_relative) {
  if (option && !option->empty()) return option;
  std::optional<std::string> path = env.get(variable);
  if (!path) {
    auto home = env.get("HOME");
    if (!home) return std::nullopt;
    path = *home + "/" + std::string(home_relative);
  }
  // The SDKs expand a leading "~/" in these variables too.
  if (path->starts_with("~/")) {
    auto home = env.get("HOME");
    if (!home) return std::nullopt;
    path = *home + path->substr(1);
  }
  return path;
}

}  // namespace

std::optional<std::string> credentials_file_path(const SharedConfigOptions& options,
                                                 const Environment& env) {
  return file_path(options.credentials_file, env, "AWS_SHARED_CREDENTIALS_FILE",
                   ".aws/credentials");
}

std::optional<std::string> config_file_path(const SharedConfigOptions& options,
                                            const Environment& env) {
  return file_path(options.config_file, env, "AWS_CONFIG_FILE", ".aws/config");
}

}  // namespace awsperf::aws
