// Encodings the AWS wire protocols need: hex, base64, SigV4 URI encoding and
// the ISO-8601 timestamps of SigV4 and the service APIs.
//
// Thread-safety: free functions without shared state; safe from any thread.
#ifndef AWSPERF_AWS_ENCODING_H_
#define AWSPERF_AWS_ENCODING_H_

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "awsperf/core/result.h"

namespace awsperf::aws {

// Lower-case hex, two characters a byte (the form SigV4 uses).
std::string hex_encode(std::span<const std::uint8_t> bytes);
std::string hex_encode(std::string_view bytes);
// Accepts upper and lower case; an odd length or a non-hex character is
// kInvalidArgument.
Result<std::string> hex_decode(std::string_view hex);

// Standard base64 with padding and without line breaks (Content-MD5, S3
// checksums).
std::string base64_encode(std::string_view bytes);
// Strict: the length must be a multiple of 4, padding only at the end, no
// whitespace; anything else is kInvalidArgument.
Result<std::string> base64_decode(std::string_view text);

// Percent-encodes per the SigV4 rules: the unreserved characters
// A-Z a-z 0-9 - _ . ~ stay, every other byte becomes %XX (upper-case hex).
// With `keep_slash` '/' stays too, which is how paths are encoded.
std::string uri_encode(std::string_view text, bool keep_slash = false);
// Decodes %XX sequences; '+' stays '+' (SigV4 query strings are not
// form-encoded). A '%' not followed by two hex digits is kInvalidArgument.
Result<std::string> uri_decode(std::string_view text);

// "20150830T123600Z": the X-Amz-Date form (ISO-8601 basic, UTC, seconds).
std::string format_amz_date(std::chrono::system_clock::time_point t);
// "20150830": the date of a SigV4 credential scope.
std::string format_date_stamp(std::chrono::system_clock::time_point t);
// "2015-08-30T12:36:00Z": ISO-8601 extended, UTC, seconds.
std::string format_iso8601(std::chrono::system_clock::time_point t);
// Parses both ISO-8601 forms above, with optional fractional seconds
// ("2015-08-30T12:36:00.123Z") and a "Z" or "+00:00" zone. Other zones, bad
// dates (month 13, Feb 30) and trailing garbage are kInvalidArgument.
Result<std::chrono::system_clock::time_point> parse_iso8601(std::string_view text);

}  // namespace awsperf::aws

#endif  // AWSPERF_AWS_ENCODING_H_
