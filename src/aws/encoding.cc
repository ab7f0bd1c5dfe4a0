#include "awsperf/aws/encoding.h"

#include <openssl/evp.h>

#include <charconv>
#include <cstdio>

namespace awsperf::aws {
namespace {

constexpr char kHexLower[] = "0123456789abcdef";
constexpr char kHexUpper[] = "0123456789ABCDEF";

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

bool is_base64_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

struct CivilTime {
  int year, month, day, hour, minute, second;
};

CivilTime to_civil(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  auto secs = floor<seconds>(t);
  auto days = floor<std::chrono::days>(secs);
  year_month_day ymd{days};
  hh_mm_ss hms{secs - days};
  return {static_cast<int>(ymd.year()),
          static_cast<int>(unsigned(ymd.month())),
          static_cast<int>(unsigned(ymd.day())),
          static_cast<int>(hms.hours().count()),
          static_cast<int>(hms.minutes().count()),
          static_cast<int>(hms.seconds().count())};
}

// Reads exactly `n` digits at `pos`; -1 when they are not all digits.
int read_digits(std::string_view s, std::size_t& pos, std::size_t n) {
  if (pos + n > s.size()) return -1;
  int v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  pos += n;
  return v;
}

}  // namespace

std::string hex_encode(std::span<const std::uint8_t> bytes) {
  std::string out(bytes.size() * 2, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    out[2 * i] = kHexLower[bytes[i] >> 4];
    out[2 * i + 1] = kHexLower[bytes[i] & 0x0f];
  }
  return out;
}

std::string hex_encode(std::string_view bytes) {
  return hex_encode(std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
}

Result<std::string> hex_decode(std::string_view hex) {
  if (hex.size() % 2 != 0) {
    return make_error(ErrorCode::kInvalidArgument,
                      "hex string has odd length " + std::to_string(hex.size()));
  }
  std::string out(hex.size() / 2, '\0');
  for (std::size_t i = 0; i < out.size(); ++i) {
    int hi = hex_value(hex[2 * i]);
    int lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      return make_error(
          ErrorCode::kInvalidArgument,
          "non-hex character at offset " + std::to_string(hi < 0 ? 2 * i : 2 * i + 1));
    }
    out[i] = static_cast<char>(hi << 4 | lo);
  }
  return out;
}

std::string base64_encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  if (bytes.empty()) return out;
  // EVP_EncodeBlock takes an int length; bodies beyond that are encoded in
  // chunks that are a multiple of 3 bytes so the pieces concatenate cleanly.
  constexpr std::size_t kChunk = 3 * (1u << 28);
  std::size_t in_pos = 0, out_pos = 0;
  while (in_pos < bytes.size()) {
    std::size_t n = std::min(kChunk, bytes.size() - in_pos);
    int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data() + out_pos),
                                  reinterpret_cast<const unsigned char*>(bytes.data() + in_pos),
                                  static_cast<int>(n));
    in_pos += n;
    out_pos += static_cast<std::size_t>(written);
  }
  out.resize(out_pos);
  return out;
}

Result<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) {
    return make_error(ErrorCode::kInvalidArgument,
                      "base64 length " + std::to_string(text.size()) + " is not a multiple of 4");
  }
  std::size_t padding = 0;
  if (!text.empty() && text.back() == '=') ++padding;
  if (text.size() >= 2 && text[text.size() - 2] == '=') ++padding;
  for (std::size_t i = 0; i < text.size() - padding; ++i) {
    if (!is_base64_char(text[i])) {
      return make_error(ErrorCode::kInvalidArgument,
                        "invalid base64 character at offset " + std::to_string(i));
    }
  }
  if (text.empty()) return std::string();
  if (text.size() > (std::size_t{1} << 30)) {
    return make_error(ErrorCode::kTooLarge, "base64 text longer than 1 GiB");
  }
  std::string out(text.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0) return make_error(ErrorCode::kInvalidArgument, "invalid base64");
  // EVP_DecodeBlock counts the padding as zero bytes.
  out.resize(static_cast<std::size_t>(n) - padding);
  return out;
}

std::string uri_encode(std::string_view text, bool keep_slash) {
  std::string out;
  out.reserve(text.size() + text.size() / 2);
  for (unsigned char c : text) {
    if (is_unreserved(c) || (keep_slash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHexUpper[c >> 4]);
      out.push_back(kHexUpper[c & 0x0f]);
    }
  }
  return out;
}

Result<std::string> uri_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    int hi = i + 1 < text.size() ? hex_value(text[i + 1]) : -1;
    int lo = i + 2 < text.size() ? hex_value(text[i + 2]) : -1;
    if (hi < 0 || lo < 0) {
      return make_error(ErrorCode::kInvalidArgument,
                        "bad percent-encoding at offset " + std::to_string(i));
    }
    out.push_back(static_cast<char>(hi << 4 | lo));
    i += 2;
  }
  return out;
}

namespace {

// Appends v as exactly `width` decimal digits (v in range).
void put_digits(std::string& out, int v, int width) {
  char d[4];
  for (int i = width - 1; i >= 0; --i) {
    d[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  out.append(d, static_cast<std::size_t>(width));
}

// The SigV4 forms: YYYYMMDD, then THHMMSSZ when `with_time`. Signed on every
// request: digits by hand rather than snprintf, except for years outside
// 0..9999.
std::string format_compact(std::chrono::system_clock::time_point t, bool with_time) {
  CivilTime c = to_civil(t);
  if (c.year < 0 || c.year > 9999) {
    char buf[32];
    if (with_time) {
      std::snprintf(buf, sizeof buf, "%04d%02d%02dT%02d%02d%02dZ", c.year, c.month, c.day, c.hour,
                    c.minute, c.second);
    } else {
      std::snprintf(buf, sizeof buf, "%04d%02d%02d", c.year, c.month, c.day);
    }
    return buf;
  }
  std::string out;
  out.reserve(16);
  put_digits(out, c.year, 4);
  put_digits(out, c.month, 2);
  put_digits(out, c.day, 2);
  if (with_time) {
    out += 'T';
    put_digits(out, c.hour, 2);
    put_digits(out, c.minute, 2);
    put_digits(out, c.second, 2);
    out += 'Z';
  }
  return out;
}

}  // namespace

std::string format_amz_date(std::chrono::system_clock::time_point t) {
  return format_compact(t, true);
}

std::string format_date_stamp(std::chrono::system_clock::time_point t) {
  return format_compact(t, false);
}

std::string format_iso8601(std::chrono::system_clock::time_point t) {
  CivilTime c = to_civil(t);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", c.year, c.month, c.day, c.hour,
                c.minute, c.second);
  return buf;
}

Result<std::chrono::system_clock::time_point> parse_iso8601(std::string_view s) {
  auto bad = [&](std::string_view why) {
    return make_error(ErrorCode::kInvalidArgument, "not an ISO-8601 UTC timestamp (" +
                                                       std::string(why) + "): '" +
                                                       std::string(s.substr(0, 64)) + "'");
  };
  std::size_t pos = 0;
  int year = read_digits(s, pos, 4);
  bool extended = pos < s.size() && s[pos] == '-';
  auto sep = [&](char c) {
    if (!extended) return true;
    if (pos < s.size() && s[pos] == c) {
      ++pos;
      return true;
    }
    return false;
  };
  if (year < 0 || !sep('-')) return bad("date");
  int month = read_digits(s, pos, 2);
  if (month < 0 || !sep('-')) return bad("date");
  int day = read_digits(s, pos, 2);
  if (day < 0 || pos >= s.size() || (s[pos] != 'T' && s[pos] != 't')) return bad("date");
  ++pos;
  int hour = read_digits(s, pos, 2);
  if (hour < 0 || !sep(':')) return bad("time");
  int minute = read_digits(s, pos, 2);
  if (minute < 0 || !sep(':')) return bad("time");
  int second = read_digits(s, pos, 2);
  if (second < 0) return bad("time");
  std::chrono::nanoseconds fraction{0};
  if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
    ++pos;
    std::int64_t scale = 100'000'000;
    std::size_t digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      fraction += std::chrono::nanoseconds((s[pos] - '0') * scale);
      scale /= 10;
      ++pos;
      ++digits;
    }
    if (digits == 0) return bad("fraction");
  }
  std::string_view zone = s.substr(pos);
  if (zone != "Z" && zone != "z" && zone != "+00:00" && zone != "+0000") return bad("zone");

  using namespace std::chrono;
  year_month_day ymd{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                     std::chrono::day{static_cast<unsigned>(day)}};
  if (!ymd.ok()) return bad("no such date");
  // system_clock counts nanoseconds in 64 bits: about 1678..2262. Stay well
  // inside so the arithmetic below cannot overflow.
  if (year < 1900 || year > 2200) return bad("year outside 1900..2200");
  if (hour > 23 || minute > 59 || second > 60) return bad("time out of range");
  auto tp = sys_days{ymd} + hours{hour} + minutes{minute} + seconds{second} + fraction;
  return time_point_cast<system_clock::duration>(tp);
}

}  // namespace awsperf::aws
