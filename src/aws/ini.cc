#include "ini.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

namespace awsperf::aws {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

Result<IniFile> parse_ini(std::string_view text, std::string_view origin) {
  if (text.size() > kMaxIniFileBytes) {
    return make_error(ErrorCode::kTooLarge, std::string(origin) + ": larger than " +
                                                std::to_string(kMaxIniFileBytes) + " bytes");
  }
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // UTF-8 BOM
  IniFile file;
  IniSection* section = nullptr;
  std::string last_key;  // the key that indented lines continue
  std::size_t line_no = 0;
  auto fail = [&](std::string_view what) {
    return make_error(ErrorCode::kParse, std::string(origin) + ": line " + std::to_string(line_no) +
                                             ": " + std::string(what));
  };
  while (!text.empty()) {
    ++line_no;
    std::size_t nl = text.find('\n');
    std::string_view raw = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    std::string_view line = trim(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (raw.find('\0') != std::string_view::npos) return fail("NUL byte");
    bool indented = is_space(raw.front());
    if (line.front() == '[') {
      if (line.back() != ']') return fail("malformed section header (missing ']')");
      std::string_view name = trim(line.substr(1, line.size() - 2));
      if (name.empty()) return fail("empty section name");
      if (name.find_first_of("[]") != std::string_view::npos) {
        return fail("malformed section header");
      }
      section = &file.sections[std::string(name)];
      last_key.clear();
      continue;
    }
    if (section == nullptr) return fail("property outside any [section]");
    std::size_t eq = line.find('=');
    if (indented && !last_key.empty()) {
      // A nested property such as "s3 =\n  addressing_style = path".
      if (eq == std::string_view::npos) return fail("expected 'key = value' in nested block");
      std::string_view key = trim(line.substr(0, eq));
      if (key.empty()) return fail("empty key");
      (*section)[last_key + "." + lower(key)] = std::string(trim(line.substr(eq + 1)));
      continue;
    }
    if (eq == std::string_view::npos) return fail("expected 'key = value'");
    std::string_view key = trim(line.substr(0, eq));
    if (key.empty()) return fail("empty key");
    std::string_view value = trim(line.substr(eq + 1));
    std::string k = lower(key);
    (*section)[k] = std::string(value);
    last_key = value.empty() ? k : std::string();
  }
  return file;
}

Result<std::optional<IniFile>> load_ini_file(const std::string& path) {
  std::error_code ec;
  auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) return std::optional<IniFile>();
  if (std::filesystem::is_directory(status)) {
    return make_error(ErrorCode::kIo, path + ": is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return make_error(ErrorCode::kIo, path + ": cannot open: " + std::strerror(errno));
  }
  std::string text;
  char buf[8192];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxIniFileBytes) {
      return make_error(ErrorCode::kTooLarge,
                        path + ": larger than " + std::to_string(kMaxIniFileBytes) + " bytes");
    }
  }
  if (in.bad()) return make_error(ErrorCode::kIo, path + ": read failed");
  auto parsed = parse_ini(text, path);
  if (!parsed) return std::unexpected(std::move(parsed.error()));
  return std::optional<IniFile>(std::move(*parsed));
}

const IniSection* find_profile(const IniFile& file, std::string_view name, bool config_file) {
  auto lookup = [&](const std::string& section) -> const IniSection* {
    auto it = file.sections.find(section);
    return it == file.sections.end() ? nullptr : &it->second;
  };
  if (!config_file) return lookup(std::string(name));
  if (const IniSection* s = lookup("profile " + std::string(name))) return s;
  if (name == "default") return lookup("default");
  return nullptr;
}

}  // namespace awsperf::aws
