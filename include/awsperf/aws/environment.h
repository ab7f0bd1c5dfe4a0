// Where configuration comes from: an injectable environment-variable lookup,
// so that resolution can be tested without touching the process environment,
// and the locations of the shared AWS config files.
//
// Thread-safety: an Environment is immutable after construction; get() may be
// called concurrently provided the lookup function itself is thread-safe (the
// process and map lookups are).
#ifndef AWSPERF_AWS_ENVIRONMENT_H_
#define AWSPERF_AWS_ENVIRONMENT_H_

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace awsperf::aws {

class Environment {
 public:
  using Lookup = std::function<std::optional<std::string>(std::string_view name)>;

  explicit Environment(Lookup lookup) : lookup_(std::move(lookup)) {}

  // Reads the real process environment (getenv) at each get().
  static Environment process();
  // A fixed set of variables; everything else is unset.
  static Environment from_map(std::map<std::string, std::string, std::less<>> vars);

  // The value of `name`; an empty value counts as unset, as in the AWS SDKs.
  std::optional<std::string> get(std::string_view name) const;

 private:
  Lookup lookup_;
};

// Which profile and which files to read. Unset fields follow the SDKs.
struct SharedConfigOptions {
  // Default: AWS_PROFILE, else "default".
  std::optional<std::string> profile;
  // Default: AWS_SHARED_CREDENTIALS_FILE, else $HOME/.aws/credentials.
  std::optional<std::string> credentials_file;
  // Default: AWS_CONFIG_FILE, else $HOME/.aws/config.
  std::optional<std::string> config_file;
};

// The effective profile name and where it came from ("option", "AWS_PROFILE"
// or "default").
struct ProfileChoice {
  std::string name;
  std::string source;
};
ProfileChoice choose_profile(const SharedConfigOptions& options, const Environment& env);

// The effective file paths; nullopt when neither the option, the variable nor
// HOME gives one.
std::optional<std::string> credentials_file_path(const SharedConfigOptions& options,
                                                 const Environment& env);
std::optional<std::string> config_file_path(const SharedConfigOptions& options,
                                            const Environment& env);

}  // namespace awsperf::aws

#endif  // AWSPERF_AWS_ENVIRONMENT_H_
