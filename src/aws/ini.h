// The INI dialect of the shared AWS config and credentials files.
//
// Thread-safety: free functions without shared state.
#ifndef AWSPERF_SRC_AWS_INI_H_
#define AWSPERF_SRC_AWS_INI_H_

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "awsperf/core/result.h"

namespace awsperf::aws {

using IniSection = std::map<std::string, std::string, std::less<>>;

struct IniFile {
  std::map<std::string, IniSection, std::less<>> sections;
};

// Larger shared config files are refused rather than read without bound.
inline constexpr std::size_t kMaxIniFileBytes = 1 << 20;

// Parses `text`. Keys are lower-cased (the files are case-insensitive in the
// SDKs), values trimmed; '#' and ';' start comment lines. Indented lines under
// a key with an empty value are sub-properties, stored as "key.sub". Errors are
// kParse and read "<origin>: line N: <what>", never quoting the line, which may
// hold a secret.
Result<IniFile> parse_ini(std::string_view text, std::string_view origin);

// Reads and parses a file; nullopt when it does not exist. Unreadable or
// oversized files are kIo / kTooLarge.
Result<std::optional<IniFile>> load_ini_file(const std::string& path);

// The section of profile `name`: in a credentials file "[name]"; in a config
// file "[profile name]", or "[default]" for the default profile.
const IniSection* find_profile(const IniFile& file, std::string_view name, bool config_file);

}  // namespace awsperf::aws

#endif  // AWSPERF_SRC_AWS_INI_H_
