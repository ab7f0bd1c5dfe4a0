#include "awsperf/aws/endpoint.h"

#include <cctype>
#include <charconv>
#include <vector>

#include "ini.h"

namespace awsperf::aws {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool valid_host_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
}

}  // namespace

std::string Endpoint::host_header() const {
  std::string out = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (!default_port()) out += ":" + std::to_string(port);
  return out;
}

std::string Endpoint::to_string() const { return scheme + "://" + host_header() + base_path; }

Result<Endpoint> parse_endpoint(std::string_view url) {
  auto bad = [&](std::string_view why) {
    return make_error(
        ErrorCode::kInvalidArgument,
        "invalid endpoint URL '" + std::string(url.substr(0, 256)) + "': " + std::string(why));
  };
  std::size_t colon = url.find("://");
  if (colon == std::string_view::npos) return bad("missing scheme (expected http:// or https://)");
  Endpoint ep;
  ep.scheme = lower(url.substr(0, colon));
  if (ep.scheme != "http" && ep.scheme != "https") return bad("scheme must be http or https");
  std::string_view rest = url.substr(colon + 3);
  if (rest.find_first_of("?#") != std::string_view::npos) {
    return bad("query or fragment not allowed");
  }
  std::size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash);
  if (authority.find('@') != std::string_view::npos) return bad("user info not allowed");
  if (authority.empty()) return bad("missing host");

  std::string_view host;
  std::string_view port_text;
  if (authority.front() == '[') {
    std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad("unterminated IPv6 literal");
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad("unexpected characters after IPv6 literal");
      port_text = after.substr(1);
      if (port_text.empty()) return bad("empty port");
    }
    if (host.empty()) return bad("empty IPv6 literal");
    for (char c : host) {
      if (!std::isxdigit(static_cast<unsigned char>(c)) && c != ':' && c != '.') {
        return bad("invalid IPv6 literal");
      }
    }
  } else {
    std::size_t pc = authority.find(':');
    host = authority.substr(0, pc);
    if (pc != std::string_view::npos) {
      port_text = authority.substr(pc + 1);
      if (port_text.empty()) return bad("empty port");
    }
    if (host.empty()) return bad("missing host");
    if (host.size() > 253) return bad("host longer than 253 characters");
    for (char c : host) {
      if (!valid_host_char(c)) return bad("invalid character in host");
    }
  }
  ep.host = lower(host);
  if (!port_text.empty()) {
    unsigned port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 ||
        port > 65535) {
      return bad("port must be a number in 1..65535");
    }
    ep.port = static_cast<std::uint16_t>(port);
  } else {
    ep.port = ep.tls() ? 443 : 80;
  }
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  for (char c : path) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return bad("whitespace or control character in path");
    }
  }
  ep.base_path = std::string(path);
  return ep;
}

bool is_valid_region(std::string_view region) {
  if (region.empty() || region.size() > 63) return false;
  if (region.front() == '-' || region.back() == '-') return false;
  for (char c : region) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

Result<ResolvedRegion> resolve_region(const std::optional<std::string>& explicit_region,
                                      const SharedConfigOptions& shared, const Environment& env) {
  auto checked = [](std::string region, std::string source) -> Result<ResolvedRegion> {
    if (!is_valid_region(region)) {
      return make_error(ErrorCode::kInvalidArgument,
                        "invalid region '" + region.substr(0, 64) + "' from " + source +
                            " (expected lower-case letters, digits and '-', e.g. us-east-1)");
    }
    return ResolvedRegion{std::move(region), std::move(source)};
  };
  if (explicit_region && !explicit_region->empty()) return checked(*explicit_region, "option");
  if (auto r = env.get("AWS_REGION")) return checked(*r, "AWS_REGION");
  if (auto r = env.get("AWS_DEFAULT_REGION")) return checked(*r, "AWS_DEFAULT_REGION");

  ProfileChoice profile = choose_profile(shared, env);
  std::string tried = "option (none given); AWS_REGION (not set); AWS_DEFAULT_REGION (not set); ";
  auto path = config_file_path(shared, env);
  if (!path) {
    tried += "shared config file (no path: HOME not set)";
  } else {
    auto loaded = load_ini_file(*path);
    if (!loaded) return std::unexpected(std::move(loaded.error()));
    if (!*loaded) {
      tried += "shared config file " + *path + " (not found)";
    } else if (const IniSection* s = find_profile(**loaded, profile.name, true); s == nullptr) {
      tried += "shared config file " + *path + " (no profile '" + profile.name + "')";
    } else if (auto it = s->find("region"); it == s->end() || it->second.empty()) {
      tried += "shared config file " + *path + " (profile '" + profile.name + "' has no region)";
    } else {
      return checked(it->second, "config file " + *path + ", profile '" + profile.name + "'");
    }
  }
  return make_error(ErrorCode::kNotFound, "no AWS region configured; tried: " + tried);
}

Result<ResolvedEndpoint> resolve_endpoint(std::string_view service, std::string_view region,
                                          const std::optional<std::string>& explicit_url,
                                          const Environment& env) {
  auto parsed = [](std::string_view url, std::string source) -> Result<ResolvedEndpoint> {
    auto ep = parse_endpoint(url);
    if (!ep) {
      ep.error().message += " (from " + source + ")";
      return std::unexpected(std::move(ep.error()));
    }
    return ResolvedEndpoint{std::move(*ep), std::move(source)};
  };
  if (service.empty()) return make_error(ErrorCode::kInvalidArgument, "empty service name");
  if (explicit_url && !explicit_url->empty()) return parsed(*explicit_url, "option");

  bool ignore = lower(env.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS").value_or("")) == "true";
  if (!ignore) {
    std::string var = "AWS_ENDPOINT_URL_";
    for (char c : service) {
      var.push_back(c == '-' || c == ' '
                        ? '_'
                        : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    }
    if (auto url = env.get(var)) return parsed(*url, var);
    if (auto url = env.get("AWS_ENDPOINT_URL")) return parsed(*url, "AWS_ENDPOINT_URL");
  }
  if (!is_valid_region(region)) {
    return make_error(ErrorCode::kInvalidArgument,
                      "cannot build the default " + std::string(service) +
                          " endpoint: invalid region '" + std::string(region.substr(0, 64)) + "'");
  }
  for (char c : service) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
      return make_error(
          ErrorCode::kInvalidArgument,
          "service id '" + std::string(service.substr(0, 64)) + "' is not a lower-case host label");
    }
  }
  std::string suffix = region.starts_with("cn-") ? ".amazonaws.com.cn" : ".amazonaws.com";
  Endpoint ep{.scheme = "https",
              .host = std::string(service) + "." + std::string(region) + suffix,
              .port = 443,
              .base_path = ""};
  return ResolvedEndpoint{std::move(ep), "default"};
}

}  // namespace awsperf::aws
