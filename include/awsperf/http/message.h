// HTTP/1.1 request and response values, origins and URL parsing.
//
// Thread-safety: value types; distinct objects may be used from any thread,
// one object must not be modified concurrently.
#ifndef AWSPERF_HTTP_MESSAGE_H_
#define AWSPERF_HTTP_MESSAGE_H_

#include <chrono>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "awsperf/core/result.h"

namespace awsperf::http {

enum class Scheme : std::uint8_t { kHttp, kHttps };

// What a pool is keyed on: connections are only ever shared between requests
// to the same (scheme, host, port).
struct Origin {
  Scheme scheme = Scheme::kHttp;
  std::string host;  // a DNS name or an IP literal (IPv6 without brackets)
  std::uint16_t port = 80;

  // "http://host:port".
  std::string to_string() const;
  // The Host header value: the port is omitted when it is the default one.
  std::string host_header() const;
  bool is_tls() const { return scheme == Scheme::kHttps; }

  friend auto operator<=>(const Origin&, const Origin&) = default;
  friend bool operator==(const Origin&, const Origin&) = default;
};

struct Url {
  Origin origin;
  std::string target = "/";  // path and query, never empty
};

// Parses "http[s]://host[:port][/path][?query]". Fails with kInvalidArgument
// on other schemes, user info, an empty host or a bad port.
Result<Url> parse_url(std::string_view url);

// An ordered list of header fields; names compare case-insensitively.
class Headers {
 public:
  struct Field {
    std::string name;
    std::string value;
  };

  // Replaces every field called `name` by one with `value`.
  void set(std::string_view name, std::string_view value);
  // Appends a field, keeping existing ones of the same name.
  void add(std::string_view name, std::string_view value);
  void erase(std::string_view name);
  // The first field called `name`.
  std::optional<std::string_view> get(std::string_view name) const;
  bool contains(std::string_view name) const { return get(name).has_value(); }
  // Room for n fields without reallocating.
  void reserve(std::size_t n) { fields_.reserve(n); }

  std::size_t size() const { return fields_.size(); }
  bool empty() const { return fields_.empty(); }
  auto begin() const { return fields_.begin(); }
  auto end() const { return fields_.end(); }

 private:
  std::vector<Field> fields_;
};

struct Request {
  std::string method = "GET";  // any token Beast knows ("GET", "PUT", ...)
  std::string target = "/";
  Headers headers;  // Host, Content-Length and Connection are set by the client
  std::string body;
  // The name the monitor records the request under, e.g. "dynamodb.GetItem".
  // Empty: "http.<METHOD>".
  std::string operation;
  // Overrides PoolOptions::request_timeout for this request.
  std::optional<std::chrono::milliseconds> request_timeout;
};

struct Response {
  int status = 0;
  std::string reason;
  Headers headers;
  std::string body;
  // Diagnostics: whether the request ran on a pooled (reused) connection and
  // how many attempts it took (2 after a stale-connection retry).
  bool reused_connection = false;
  int attempts = 1;
};

}  // namespace awsperf::http

#endif  // AWSPERF_HTTP_MESSAGE_H_
