#include "awsperf/aws/signer.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "awsperf/aws/encoding.h"

namespace awsperf::aws {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool is_token_char(char c) {
  if (std::isalnum(static_cast<unsigned char>(c))) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Trims and collapses every run of whitespace to one space. Line folds
// ("a\n  b") become single spaces too.
void append_canonical_value(std::string& out, std::string_view v) {
  std::size_t b = 0, e = v.size();
  while (b < e && is_ws(v[b])) ++b;
  while (e > b && is_ws(v[e - 1])) --e;
  bool in_ws = false;
  for (std::size_t i = b; i < e; ++i) {
    if (is_ws(v[i])) {
      in_ws = true;
      continue;
    }
    if (in_ws) out.push_back(' ');
    in_ws = false;
    out.push_back(v[i]);
  }
}

// Headers a proxy or the HTTP layer may add, drop or rewrite after signing;
// signing them would make the signature fragile.
bool is_unsigned_header(std::string_view lname) {
  static constexpr std::array<std::string_view, 10> kSkip = {
      "user-agent", "x-amzn-trace-id", "connection", "expect",           "transfer-encoding",
      "upgrade",    "keep-alive",      "te",         "proxy-connection", "proxy-authorization"};
  return std::find(kSkip.begin(), kSkip.end(), lname) != kSkip.end();
}

bool valid_scope_part(std::string_view s) {
  if (s.empty() || s.size() > 128) return false;
  for (char c : s) {
    if (c == '/' || is_ws(c) || static_cast<unsigned char>(c) < 0x20) return false;
  }
  return true;
}

bool valid_payload_hash(std::string_view h) {
  if (h == kUnsignedPayload) return true;
  if (h.starts_with("STREAMING-")) {
    return std::all_of(h.begin(), h.end(), [](char c) { return is_token_char(c); });
  }
  return h.size() == 64 && std::all_of(h.begin(), h.end(), [](char c) {
           return std::isxdigit(static_cast<unsigned char>(c));
         });
}

struct CanonicalHeader {
  std::string name;  // lower case
  std::string value;
};

struct EncodedParam {
  std::string name;
  std::string value;
  bool operator<(const EncodedParam& o) const {
    return name != o.name ? name < o.name : value < o.value;
  }
};

Status add_raw_query(std::string_view raw, std::vector<EncodedParam>& out) {
  while (!raw.empty()) {
    std::size_t amp = raw.find('&');
    std::string_view piece = raw.substr(0, amp);
    raw.remove_prefix(amp == std::string_view::npos ? raw.size() : amp + 1);
    if (piece.empty()) continue;
    std::size_t eq = piece.find('=');
    auto name = uri_decode(piece.substr(0, eq));
    if (!name) return std::unexpected(std::move(name.error()));
    auto value =
        uri_decode(eq == std::string_view::npos ? std::string_view() : piece.substr(eq + 1));
    if (!value) return std::unexpected(std::move(value.error()));
    out.push_back({uri_encode(*name), uri_encode(*value)});
  }
  return {};
}

std::string join_params(std::vector<EncodedParam>& params) {
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& p : params) {
    if (!out.empty()) out.push_back('&');
    out += p.name;
    out.push_back('=');
    out += p.value;
  }
  return out;
}

std::string_view as_view(const Sha256Digest& d) {
  return {reinterpret_cast<const char*>(d.data()), d.size()};
}

}  // namespace

SigningOptions SigningOptions::dynamodb(std::string region) {
  SigningOptions o;
  o.region = std::move(region);
  o.service = "dynamodb";
  return o;
}

SigningOptions SigningOptions::s3(std::string region) {
  SigningOptions o;
  o.region = std::move(region);
  o.service = "s3";
  o.normalize_uri_path = false;
  o.double_uri_encode = false;
  o.add_content_sha256_header = true;
  return o;
}

std::string canonical_uri(std::string_view path, bool normalize, bool double_encode) {
  if (path.empty()) path = "/";
  std::string normalized;
  if (normalize) {
    std::vector<std::string_view> segments;
    std::string_view rest = path;
    while (!rest.empty()) {
      std::size_t slash = rest.find('/');
      std::string_view seg = rest.substr(0, slash);
      rest.remove_prefix(slash == std::string_view::npos ? rest.size() : slash + 1);
      if (seg.empty() || seg == ".") continue;
      if (seg == "..") {
        if (!segments.empty()) segments.pop_back();
        continue;
      }
      segments.push_back(seg);
    }
    normalized = "/";
    for (std::size_t i = 0; i < segments.size(); ++i) {
      if (i) normalized.push_back('/');
      normalized += segments[i];
    }
    // A directory stays a directory: "/a/b/" keeps its slash.
    if (!segments.empty() && path.back() == '/') normalized.push_back('/');
    path = normalized;
  }
  return double_encode ? uri_encode(path, /*keep_slash=*/true) : std::string(path);
}

Result<std::string> canonical_query(std::string_view raw_query,
                                    std::span<const QueryParamView> params) {
  std::vector<EncodedParam> encoded;
  if (auto st = add_raw_query(raw_query, encoded); !st) return std::unexpected(st.error());
  for (const auto& p : params) encoded.push_back({uri_encode(p.name), uri_encode(p.value)});
  return join_params(encoded);
}

Signer::Signer(SigningOptions options, const Clock* clock)
    : options_(std::move(options)), clock_(clock != nullptr ? clock : Clock::real()) {}

Result<SigningResult> Signer::sign(const RequestView& request,
                                   const Credentials& credentials) const {
  return sign_impl(request, credentials, clock_->wall_now(), std::nullopt);
}

Result<SigningResult> Signer::sign(const RequestView& request, const Credentials& credentials,
                                   std::chrono::system_clock::time_point now) const {
  return sign_impl(request, credentials, now, std::nullopt);
}

Result<SigningResult> Signer::presign(const RequestView& request, const Credentials& credentials,
                                      std::chrono::seconds expires) const {
  return sign_impl(request, credentials, clock_->wall_now(), expires);
}

Result<SigningResult> Signer::presign(const RequestView& request, const Credentials& credentials,
                                      std::chrono::seconds expires,
                                      std::chrono::system_clock::time_point now) const {
  return sign_impl(request, credentials, now, expires);
}

Sha256Digest Signer::signing_key(const Credentials& credentials, std::string_view date) const {
  {
    std::lock_guard lock(key_mutex_);
    if (key_date_ == date && key_secret_ == credentials.secret_access_key) return key_;
  }
  Sha256Digest k = hmac_sha256("AWS4" + credentials.secret_access_key, date);
  k = hmac_sha256(as_view(k), options_.region);
  k = hmac_sha256(as_view(k), options_.service);
  k = hmac_sha256(as_view(k), "aws4_request");
  std::lock_guard lock(key_mutex_);
  key_date_ = std::string(date);
  key_secret_ = credentials.secret_access_key;
  key_ = k;
  return k;
}

Result<SigningResult> Signer::sign_impl(const RequestView& request, const Credentials& credentials,
                                        std::chrono::system_clock::time_point now,
                                        std::optional<std::chrono::seconds> expires) const {
  auto invalid = [](std::string what) {
    return make_error(ErrorCode::kInvalidArgument, "cannot sign: " + std::move(what));
  };
  if (!valid_scope_part(options_.region)) return invalid("region is empty or malformed");
  if (!valid_scope_part(options_.service)) return invalid("service is empty or malformed");
  if (credentials.access_key_id.empty() || credentials.secret_access_key.empty()) {
    return make_error(ErrorCode::kCredentials,
                      "cannot sign: credentials lack an access key id or secret");
  }
  if (request.method.empty() || !std::all_of(request.method.begin(), request.method.end(),
                                             [](char c) { return is_token_char(c); })) {
    return invalid("method is empty or not an HTTP token");
  }
  if (!request.path.empty() && request.path.front() != '/') {
    return invalid("path must start with '/'");
  }
  if (expires && (expires->count() < 1 || *expires > kMaxPresignExpires)) {
    return invalid("presign expiry must be 1 s .. 7 days, got " + std::to_string(expires->count()) +
                   " s");
  }
  const bool presigning = expires.has_value();
  const bool token_signed = credentials.has_session_token() && !options_.omit_session_token;

  SigningResult out;
  out.amz_date = format_amz_date(now);
  const std::string date = out.amz_date.substr(0, 8);
  out.credential_scope = date + "/" + options_.region + "/" + options_.service + "/aws4_request";

  std::string payload_hash;
  if (options_.unsigned_payload) {
    payload_hash = kUnsignedPayload;
  } else if (request.payload_hash) {
    if (!valid_payload_hash(*request.payload_hash)) {
      return invalid("payload_hash is neither 64 hex digits nor UNSIGNED-PAYLOAD");
    }
    payload_hash = std::string(*request.payload_hash);
    // Hex digests are canonically lower case; the named forms keep their case.
    if (payload_hash.size() == 64) payload_hash = lower(payload_hash);
  } else {
    payload_hash = request.body.empty() ? std::string(kEmptySha256Hex) : sha256_hex(request.body);
  }
  const bool add_content_header = !presigning && options_.add_content_sha256_header;

  // Headers: lower-case, drop what the signer owns, sort stably (duplicates
  // keep their order), then merge duplicates with ','.
  std::vector<CanonicalHeader> headers;
  headers.reserve(request.headers.size() + 3);
  bool has_host = false;
  for (const HeaderView& h : request.headers) {
    if (h.name.empty() ||
        !std::all_of(h.name.begin(), h.name.end(), [](char c) { return is_token_char(c); })) {
      return invalid("header name '" + std::string(h.name.substr(0, 64)) + "' is not a token");
    }
    std::string name = lower(h.name);
    if (name == "authorization" || name == "x-amz-date" || name == "x-amz-security-token" ||
        is_unsigned_header(name)) {
      continue;
    }
    if (name == "x-amz-content-sha256" && add_content_header) continue;
    if (name == "host") has_host = true;
    CanonicalHeader ch{std::move(name), {}};
    append_canonical_value(ch.value, h.value);
    headers.push_back(std::move(ch));
  }
  if (!has_host) return invalid("the request has no Host header");
  if (!presigning) {
    headers.push_back({"x-amz-date", out.amz_date});
    if (token_signed) headers.push_back({"x-amz-security-token", credentials.session_token});
    if (add_content_header) headers.push_back({"x-amz-content-sha256", payload_hash});
  }
  std::stable_sort(
      headers.begin(), headers.end(),
      [](const CanonicalHeader& a, const CanonicalHeader& b) { return a.name < b.name; });
  std::string canonical_headers;
  for (std::size_t i = 0; i < headers.size(); ++i) {
    if (i > 0 && headers[i].name == headers[i - 1].name) {
      canonical_headers.back() = ',';  // replaces the previous '\n'
    } else {
      if (!out.signed_headers.empty()) out.signed_headers.push_back(';');
      out.signed_headers += headers[i].name;
      canonical_headers += headers[i].name;
      canonical_headers.push_back(':');
    }
    canonical_headers += headers[i].value;
    canonical_headers.push_back('\n');
  }

  // Query.
  std::vector<EncodedParam> params;
  if (auto st = add_raw_query(request.query, params); !st) {
    return invalid("query: " + st.error().message);
  }
  std::string added_query;  // what presigning appends, in the SDKs' order
  auto add_param = [&](std::string_view name, std::string_view value, bool signed_param) {
    std::string n = uri_encode(name), v = uri_encode(value);
    if (!added_query.empty()) added_query.push_back('&');
    added_query += n + "=" + v;
    if (signed_param) params.push_back({std::move(n), std::move(v)});
  };
  for (const auto& p : request.query_params) add_param(p.name, p.value, true);
  if (presigning) {
    add_param("X-Amz-Algorithm", kAlgorithm, true);
    add_param("X-Amz-Credential", credentials.access_key_id + "/" + out.credential_scope, true);
    add_param("X-Amz-Date", out.amz_date, true);
    add_param("X-Amz-SignedHeaders", out.signed_headers, true);
    add_param("X-Amz-Expires", std::to_string(expires->count()), true);
    if (credentials.has_session_token()) {
      add_param("X-Amz-Security-Token", credentials.session_token, token_signed);
    }
  }

  out.canonical_request.reserve(256 + canonical_headers.size());
  out.canonical_request += request.method;
  out.canonical_request.push_back('\n');
  out.canonical_request +=
      canonical_uri(request.path, options_.normalize_uri_path, options_.double_uri_encode);
  out.canonical_request.push_back('\n');
  out.canonical_request += join_params(params);
  out.canonical_request.push_back('\n');
  out.canonical_request += canonical_headers;
  out.canonical_request.push_back('\n');
  out.canonical_request += out.signed_headers;
  out.canonical_request.push_back('\n');
  out.canonical_request += payload_hash;

  out.string_to_sign.reserve(128);
  out.string_to_sign += kAlgorithm;
  out.string_to_sign += "\n" + out.amz_date + "\n" + out.credential_scope + "\n";
  out.string_to_sign += sha256_hex(out.canonical_request);

  Sha256Digest key = signing_key(credentials, date);
  out.signature = hex_encode(hmac_sha256(as_view(key), out.string_to_sign));

  if (presigning) {
    out.query = std::string(request.query);
    if (!out.query.empty() && !added_query.empty()) out.query.push_back('&');
    out.query += added_query;
    out.query += "&X-Amz-Signature=" + out.signature;
  } else {
    out.authorization = std::string(kAlgorithm) + " Credential=" + credentials.access_key_id + "/" +
                        out.credential_scope + ", SignedHeaders=" + out.signed_headers +
                        ", Signature=" + out.signature;
    out.headers.push_back({"X-Amz-Date", out.amz_date});
    if (credentials.has_session_token()) {
      out.headers.push_back({"X-Amz-Security-Token", credentials.session_token});
    }
    if (add_content_header) out.headers.push_back({"x-amz-content-sha256", payload_hash});
    out.headers.push_back({"Authorization", out.authorization});
  }
  return out;
}

}  // namespace awsperf::aws
