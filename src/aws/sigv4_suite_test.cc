// Runs every case of the AWS SigV4 test suite (aws-c-auth, 38 cases) in place
// from ../shared/testdata/sigv4: canonical request, string to sign and
// signature, in both the header and the presigned-query form.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "awsperf/aws/encoding.h"
#include "awsperf/aws/signer.h"

namespace awsperf::aws {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kExpectedCases = 38;

fs::path suite_dir() { return fs::path(AWSPERF_TESTDATA_DIR) / "sigv4"; }

std::optional<std::string> read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A raw HTTP request as the suite writes it: "METHOD PATH HTTP/1.1", header
// lines (folded continuation lines start with whitespace), a blank line, the
// body. The path may contain spaces and raw UTF-8, so the request line is
// split at its first and last space.
struct RawRequest {
  std::string method;
  std::string path;
  std::string query;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

std::optional<RawRequest> parse_request(std::string_view text, std::string& why) {
  RawRequest r;
  auto next_line = [&](std::string_view& line) {
    if (text.empty()) return false;
    std::size_t nl = text.find('\n');
    line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return true;
  };
  std::string_view line;
  if (!next_line(line)) {
    why = "empty request";
    return std::nullopt;
  }
  std::size_t first = line.find(' '), last = line.rfind(' ');
  if (first == std::string_view::npos || first == last) {
    why = "malformed request line";
    return std::nullopt;
  }
  r.method = std::string(line.substr(0, first));
  std::string_view target = line.substr(first + 1, last - first - 1);
  std::size_t q = target.find('?');
  r.path = std::string(target.substr(0, q));
  if (q != std::string_view::npos) r.query = std::string(target.substr(q + 1));
  while (next_line(line)) {
    if (line.empty()) {
      r.body = std::string(text);  // the rest, byte for byte
      break;
    }
    if (line.front() == ' ' || line.front() == '\t') {
      if (r.headers.empty()) {
        why = "continuation line before any header";
        return std::nullopt;
      }
      r.headers.back().second += "\n" + std::string(line);
      continue;
    }
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      why = "header line without ':'";
      return std::nullopt;
    }
    r.headers.emplace_back(std::string(line.substr(0, colon)), std::string(line.substr(colon + 1)));
  }
  return r;
}

struct Context {
  Credentials credentials;
  std::string region;
  std::string service;
  std::chrono::system_clock::time_point timestamp;
  bool normalize = true;
  bool sign_body = false;
  bool omit_session_token = false;
  std::chrono::seconds expires{3600};
};

std::optional<Context> parse_context(std::string_view text, std::string& why) {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec);
  if (ec || !v.is_object()) {
    why = "context.json is not a JSON object";
    return std::nullopt;
  }
  const auto& o = v.as_object();
  auto str = [&](const boost::json::object& obj, std::string_view key) -> std::string {
    auto* p = obj.if_contains(key);
    return p && p->is_string() ? std::string(p->as_string()) : std::string();
  };
  auto boolean = [&](std::string_view key, bool fallback) {
    auto* p = o.if_contains(key);
    return p && p->is_bool() ? p->as_bool() : fallback;
  };
  Context c;
  auto* creds = o.if_contains("credentials");
  if (!creds || !creds->is_object()) {
    why = "no credentials object";
    return std::nullopt;
  }
  c.credentials.access_key_id = str(creds->as_object(), "access_key_id");
  c.credentials.secret_access_key = str(creds->as_object(), "secret_access_key");
  c.credentials.session_token = str(creds->as_object(), "token");
  c.region = str(o, "region");
  c.service = str(o, "service");
  auto ts = parse_iso8601(str(o, "timestamp"));
  if (!ts) {
    why = ts.error().to_string();
    return std::nullopt;
  }
  c.timestamp = *ts;
  c.normalize = boolean("normalize", true);
  c.sign_body = boolean("sign_body", false);
  c.omit_session_token = boolean("omit_session_token", false);
  if (auto* e = o.if_contains("expiration_in_seconds"); e && e->is_int64()) {
    c.expires = std::chrono::seconds(e->as_int64());
  }
  return c;
}

std::vector<fs::path> case_dirs() {
  std::vector<fs::path> dirs;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(suite_dir(), ec)) {
    if (entry.is_directory() && fs::exists(entry.path() / "request.txt")) {
      dirs.push_back(entry.path());
    }
  }
  std::sort(dirs.begin(), dirs.end());
  return dirs;
}

// The value of the Authorization header in a signed request file.
std::string authorization_of(std::string_view signed_request) {
  std::size_t p = signed_request.find("\nAuthorization:");
  if (p == std::string_view::npos) return {};
  std::string_view rest = signed_request.substr(p + 15);
  return std::string(rest.substr(0, rest.find('\n')));
}

// The query of the request line of a signed request file.
std::string query_of(std::string_view signed_request) {
  std::string_view line = signed_request.substr(0, signed_request.find('\n'));
  std::size_t last = line.rfind(' ');
  std::string_view target = line.substr(line.find(' ') + 1, last - line.find(' ') - 1);
  std::size_t q = target.find('?');
  return q == std::string_view::npos ? std::string() : std::string(target.substr(q + 1));
}

TEST(SigV4SuiteTest, SuiteIsPresentAndComplete) {
  ASSERT_TRUE(fs::is_directory(suite_dir()))
      << "SigV4 test suite not found at " << suite_dir() << " (AWSPERF_TESTDATA_DIR)";
  EXPECT_GE(case_dirs().size(), kExpectedCases)
      << "expected the " << kExpectedCases << " cases of the aws-c-auth suite in " << suite_dir();
}

TEST(SigV4SuiteTest, AllCasesBothForms) {
  auto dirs = case_dirs();
  ASSERT_GE(dirs.size(), kExpectedCases) << "suite missing or incomplete at " << suite_dir();
  int passed = 0;
  for (const fs::path& dir : dirs) {
    SCOPED_TRACE(dir.filename().string());
    const int failures_before =
        ::testing::UnitTest::GetInstance()->current_test_info()->result()->total_part_count();
    auto read = [&](std::string_view name) {
      auto text = read_file(dir / name);
      EXPECT_TRUE(text.has_value()) << "missing " << name;
      return text.value_or("");
    };
    std::string why;
    auto raw = parse_request(read("request.txt"), why);
    ASSERT_TRUE(raw.has_value()) << why;
    auto ctx = parse_context(read("context.json"), why);
    ASSERT_TRUE(ctx.has_value()) << why;

    std::vector<HeaderView> headers;
    for (const auto& [n, v] : raw->headers) headers.push_back({n, v});
    RequestView view{.method = raw->method,
                     .path = raw->path,
                     .query = raw->query,
                     .headers = headers,
                     .body = raw->body};
    SigningOptions options;
    options.region = ctx->region;
    options.service = ctx->service;
    options.normalize_uri_path = ctx->normalize;
    options.double_uri_encode = true;
    options.add_content_sha256_header = ctx->sign_body;
    options.omit_session_token = ctx->omit_session_token;
    Signer signer(options);

    auto header = signer.sign(view, ctx->credentials, ctx->timestamp);
    ASSERT_TRUE(header.has_value()) << header.error().to_string();
    EXPECT_EQ(header->canonical_request, read("header-canonical-request.txt"));
    EXPECT_EQ(header->string_to_sign, read("header-string-to-sign.txt"));
    EXPECT_EQ(header->signature, read("header-signature.txt"));
    EXPECT_EQ(header->authorization, authorization_of(read("header-signed-request.txt")));

    auto query = signer.presign(view, ctx->credentials, ctx->expires, ctx->timestamp);
    ASSERT_TRUE(query.has_value()) << query.error().to_string();
    EXPECT_EQ(query->canonical_request, read("query-canonical-request.txt"));
    EXPECT_EQ(query->string_to_sign, read("query-string-to-sign.txt"));
    EXPECT_EQ(query->signature, read("query-signature.txt"));
    EXPECT_EQ(query->query, query_of(read("query-signed-request.txt")));
    if (::testing::UnitTest::GetInstance()->current_test_info()->result()->total_part_count() ==
        failures_before) {
      ++passed;
    }
  }
  EXPECT_EQ(passed, static_cast<int>(dirs.size()));
  std::printf("SigV4 suite: %d of %zu cases pass in both forms\n", passed, dirs.size());
}

}  // namespace
}  // namespace awsperf::aws
