#include "awsperf/http/message.h"

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "awsperf/http/connection_pool.h"

namespace awsperf::http {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
           return lower(x) == lower(y);
         });
}

}  // namespace

std::string Origin::to_string() const {
  std::string out = scheme == Scheme::kHttps ? "https://" : "http://";
  bool v6 = host.find(':') != std::string::npos;
  if (v6) out += '[';
  out += host;
  if (v6) out += ']';
  out += ':';
  out += std::to_string(port);
  return out;
}

std::string Origin::host_header() const {
  bool v6 = host.find(':') != std::string::npos;
  std::string out;
  if (v6) out += '[';
  out += host;
  if (v6) out += ']';
  const std::uint16_t default_port = scheme == Scheme::kHttps ? 443 : 80;
  if (port != default_port) {
    // Appended piecewise: GCC 12 warns falsely (-Wstringop-overflow) on
    // ":" + std::to_string(port).
    out += ':';
    out += std::to_string(port);
  }
  return out;
}

Result<Url> parse_url(std::string_view url) {
  Url out;
  auto bad = [&](std::string_view why) {
    return make_error(ErrorCode::kInvalidArgument,
                      "bad URL \"" + std::string(url.substr(0, 200)) + "\": " + std::string(why));
  };
  std::string_view rest;
  if (url.starts_with("http://")) {
    out.origin.scheme = Scheme::kHttp;
    out.origin.port = 80;
    rest = url.substr(7);
  } else if (url.starts_with("https://")) {
    out.origin.scheme = Scheme::kHttps;
    out.origin.port = 443;
    rest = url.substr(8);
  } else {
    return bad("the scheme must be http or https");
  }
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
      return bad("control or space character");
  }
  std::size_t end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end);
  std::string_view target = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
  if (auto hash = target.find('#'); hash != std::string_view::npos) target = target.substr(0, hash);
  if (authority.find('@') != std::string_view::npos) return bad("user info is not supported");
  std::string_view host = authority;
  std::string_view port;
  if (authority.starts_with('[')) {
    std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return bad("unterminated IPv6 literal");
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return bad("junk after the IPv6 literal");
      port = after.substr(1);
    }
  } else if (std::size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) return bad("empty host");
  if (!port.empty()) {
    unsigned value = 0;
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || ptr != port.data() + port.size() || value == 0 || value > 65535) {
      return bad("bad port");
    }
    out.origin.port = static_cast<std::uint16_t>(value);
  }
  out.origin.host = std::string(host);
  out.target.assign(1, '/');  // not = "/": GCC 12 -Wstringop-overflow false positive
  if (!target.empty()) {
    if (target[0] == '?') {
      out.target += target;
    } else {
      out.target = std::string(target);
    }
  }
  return out;
}

void Headers::set(std::string_view name, std::string_view value) {
  erase(name);
  add(name, value);
}

void Headers::add(std::string_view name, std::string_view value) {
  fields_.push_back(Field{std::string(name), std::string(value)});
}

void Headers::erase(std::string_view name) {
  std::erase_if(fields_, [&](const Field& f) { return iequals(f.name, name); });
}

std::optional<std::string_view> Headers::get(std::string_view name) const {
  for (const Field& f : fields_) {
    if (iequals(f.name, name)) return std::string_view(f.value);
  }
  return std::nullopt;
}

void WaitHistogram::record(std::chrono::microseconds wait) {
  const std::uint64_t us = wait.count() < 0 ? 0 : static_cast<std::uint64_t>(wait.count());
  std::size_t bucket = 0;
  while (bucket + 1 < kBuckets && us >= (std::uint64_t{1} << bucket)) ++bucket;
  ++counts[bucket];
  ++count;
  sum_us += us;
  max_us = std::max(max_us, us);
}

void WaitHistogram::merge(const WaitHistogram& other) {
  for (std::size_t i = 0; i < kBuckets; ++i) counts[i] += other.counts[i];
  count += other.count;
  sum_us += other.sum_us;
  max_us = std::max(max_us, other.max_us);
}

std::chrono::microseconds WaitHistogram::percentile(double p) const {
  if (count == 0) return std::chrono::microseconds(0);
  p = std::clamp(p, 0.0, 1.0);
  auto rank = static_cast<std::uint64_t>(p * static_cast<double>(count));
  if (rank < 1) rank = 1;
  if (rank > count) rank = count;
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < kBuckets; ++i) {
    seen += counts[i];
    if (seen >= rank) {
      // Bucket i holds values < 2^i; report its bound, but never above max.
      const std::uint64_t bound = i == 0 ? 0 : (std::uint64_t{1} << i) - 1;
      return std::chrono::microseconds(std::min(bound, max_us));
    }
  }
  return std::chrono::microseconds(max_us);
}

double PoolStatistics::reuse_ratio() const {
  const std::uint64_t total = reused + created;
  return total == 0 ? 0.0 : static_cast<double>(reused) / static_cast<double>(total);
}

void PoolStatistics::merge(const PoolStatistics& o) {
  requests += o.requests;
  errors += o.errors;
  created += o.created;
  reused += o.reused;
  stale_retries += o.stale_retries;
  connect_failures += o.connect_failures;
  active += o.active;
  idle += o.idle;
  max_active += o.max_active;
  waiting += o.waiting;
  max_waiting += o.max_waiting;
  timeouts_connect += o.timeouts_connect;
  timeouts_request += o.timeouts_request;
  timeouts_acquire += o.timeouts_acquire;
  closed_idle += o.closed_idle;
  closed_remote += o.closed_remote;
  closed_error += o.closed_error;
  closed_surplus += o.closed_surplus;
  closed_local += o.closed_local;
  acquire_wait.merge(o.acquire_wait);
}

}  // namespace awsperf::http
