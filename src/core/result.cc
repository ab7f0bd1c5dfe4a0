#include "awsperf/core/result.h"

namespace awsperf {

std::string_view error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return "invalid_argument";
    case ErrorCode::kNotFound:
      return "not_found";
    case ErrorCode::kAlreadyExists:
      return "already_exists";
    case ErrorCode::kTimeout:
      return "timeout";
    case ErrorCode::kConnectionFailed:
      return "connection_failed";
    case ErrorCode::kConnectionClosed:
      return "connection_closed";
    case ErrorCode::kTls:
      return "tls";
    case ErrorCode::kProtocol:
      return "protocol";
    case ErrorCode::kParse:
      return "parse";
    case ErrorCode::kTooLarge:
      return "too_large";
    case ErrorCode::kChecksumMismatch:
      return "checksum_mismatch";
    case ErrorCode::kService:
      return "service";
    case ErrorCode::kThrottled:
      return "throttled";
    case ErrorCode::kCredentials:
      return "credentials";
    case ErrorCode::kResourceExhausted:
      return "resource_exhausted";
    case ErrorCode::kCancelled:
      return "cancelled";
    case ErrorCode::kUnavailable:
      return "unavailable";
    case ErrorCode::kIo:
      return "io";
    case ErrorCode::kInternal:
      return "internal";
  }
  return "unknown";
}

std::string Error::to_string() const {
  std::string out(error_code_name(code));
  out += ": ";
  out += message;
  if (!aws_type.empty() || http_status != 0 || !request_id.empty()) {
    out += " [";
    bool first = true;
    auto sep = [&] {
      if (!first) out += ", ";
      first = false;
    };
    if (!aws_type.empty()) {
      sep();
      out += aws_type;
    }
    if (http_status != 0) {
      sep();
      out += "HTTP " + std::to_string(http_status);
    }
    if (!request_id.empty()) {
      sep();
      out += "request id " + request_id;
    }
    out += "]";
  }
  return out;
}

}  // namespace awsperf
