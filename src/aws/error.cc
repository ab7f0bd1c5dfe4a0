#include "awsperf/aws/error.h"

#include <array>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <pugixml.hpp>

#include "awsperf/aws/retry.h"

namespace awsperf::aws {
namespace {

// Bodies of error responses are small; a huge one is a broken peer, and is not
// parsed (nor copied into a message).
constexpr std::size_t kMaxErrorBodyBytes = 64 * 1024;
constexpr std::size_t kMaxMessageBytes = 1024;

std::string_view status_name(int status) {
  switch (status) {
    case 301:
      return "MovedPermanently";
    case 304:
      return "NotModified";
    case 400:
      return "BadRequest";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "NotFound";
    case 405:
      return "MethodNotAllowed";
    case 409:
      return "Conflict";
    case 412:
      return "PreconditionFailed";
    case 413:
      return "RequestEntityTooLarge";
    case 416:
      return "InvalidRange";
    case 429:
      return "TooManyRequests";
    case 500:
      return "InternalServerError";
    case 502:
      return "BadGateway";
    case 503:
      return "ServiceUnavailable";
    case 504:
      return "GatewayTimeout";
    default:
      return {};
  }
}

std::string clip(std::string_view s) {
  if (s.size() <= kMaxMessageBytes) return std::string(s);
  return std::string(s.substr(0, kMaxMessageBytes)) + "...";
}

// An error for a body we could not understand. Retryable per the status: a 503
// from a proxy with an HTML body should still be retried.
Error malformed(const ErrorResponse& r, std::string_view format, std::string_view why) {
  Error e;
  e.code = ErrorCode::kProtocol;
  e.message = "HTTP " + std::to_string(r.http_status) + " response with a malformed " +
              std::string(format) + " error body (" + std::string(why) + ", " +
              std::to_string(r.body.size()) + " bytes)";
  e.http_status = r.http_status;
  e.request_id = std::string(r.request_id);
  e.aws_type = std::string(strip_error_type(r.error_type_header));
  e.retryable = classify_retry(e) != RetryClass::kNone;
  return e;
}

Error empty_body(const ErrorResponse& r) {
  Error e;
  e.code = ErrorCode::kService;
  std::string_view header_type = strip_error_type(r.error_type_header);
  e.aws_type =
      !header_type.empty() ? std::string(header_type) : std::string(status_name(r.http_status));
  if (e.aws_type.empty()) e.aws_type = "Http" + std::to_string(r.http_status);
  e.message = "HTTP " + std::to_string(r.http_status) + " with an empty body";
  e.http_status = r.http_status;
  e.request_id = std::string(r.request_id);
  finish_service_error(e);
  return e;
}

bool is_not_found(std::string_view type) {
  static constexpr std::array<std::string_view, 6> kTypes = {"ResourceNotFoundException",
                                                             "NoSuchKey",
                                                             "NoSuchBucket",
                                                             "NoSuchUpload",
                                                             "NotFound",
                                                             "NoSuchVersion"};
  for (auto t : kTypes) {
    if (t == type) return true;
  }
  return false;
}

bool only_whitespace(std::string_view s) {
  return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

}  // namespace

std::string_view strip_error_type(std::string_view type) {
  if (std::size_t colon = type.find(':'); colon != std::string_view::npos) {
    type = type.substr(0, colon);
  }
  if (std::size_t hash = type.rfind('#'); hash != std::string_view::npos) {
    type = type.substr(hash + 1);
  }
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  return type;
}

void finish_service_error(Error& error) {
  if (error.code == ErrorCode::kService || error.code == ErrorCode::kNotFound ||
      error.code == ErrorCode::kThrottled) {
    if (is_throttling_error(error.aws_type) || error.http_status == 429) {
      error.code = ErrorCode::kThrottled;
    } else if (is_not_found(error.aws_type)) {
      error.code = ErrorCode::kNotFound;
    } else {
      error.code = ErrorCode::kService;
    }
  }
  error.retryable = classify_retry(error) != RetryClass::kNone;
}

Error parse_json_error(const ErrorResponse& r) {
  if (only_whitespace(r.body)) return empty_body(r);
  if (r.body.size() > kMaxErrorBodyBytes) return malformed(r, "JSON", "too large");
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(r.body, ec);
  if (ec) return malformed(r, "JSON", ec.message());
  if (!v.is_object()) return malformed(r, "JSON", "not an object");
  const auto& o = v.as_object();
  auto field = [&](std::initializer_list<std::string_view> keys) -> std::string_view {
    for (auto k : keys) {
      if (const auto* p = o.if_contains(k); p && p->is_string()) return p->as_string();
    }
    return {};
  };
  Error e;
  e.code = ErrorCode::kService;
  e.http_status = r.http_status;
  e.aws_type = std::string(strip_error_type(field({"__type", "code", "Code"})));
  if (e.aws_type.empty()) e.aws_type = std::string(strip_error_type(r.error_type_header));
  if (e.aws_type.empty()) return malformed(r, "JSON", "no __type");
  e.message = clip(field({"message", "Message", "errorMessage"}));
  if (e.message.empty()) e.message = e.aws_type;
  e.request_id = std::string(r.request_id);
  finish_service_error(e);
  return e;
}

Error parse_xml_error(const ErrorResponse& r) {
  if (only_whitespace(r.body)) return empty_body(r);
  if (r.body.size() > kMaxErrorBodyBytes) return malformed(r, "XML", "too large");
  pugi::xml_document doc;
  pugi::xml_parse_result parsed =
      doc.load_buffer(r.body.data(), r.body.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!parsed) return malformed(r, "XML", parsed.description());
  // S3 answers <Error>; the query-protocol services wrap it in
  // <ErrorResponse> (moto does so for DynamoDB signature errors too), EC2 in
  // <Response><Errors>.
  pugi::xml_node error = doc.child("Error");
  if (!error) error = doc.child("ErrorResponse").child("Error");
  if (!error) error = doc.child("ErrorResponse").child("Errors").child("Error");
  if (!error) error = doc.child("Response").child("Errors").child("Error");
  if (!error) return malformed(r, "XML", "no <Error> element");
  Error e;
  e.code = ErrorCode::kService;
  e.http_status = r.http_status;
  e.aws_type = std::string(strip_error_type(error.child_value("Code")));
  if (e.aws_type.empty()) e.aws_type = std::string(strip_error_type(r.error_type_header));
  if (e.aws_type.empty()) return malformed(r, "XML", "no <Code>");
  e.message = clip(error.child_value("Message"));
  if (e.message.empty()) e.message = e.aws_type;
  std::string_view body_request_id = error.child_value("RequestId");
  if (body_request_id.empty()) {
    body_request_id = doc.child("ErrorResponse").child_value("RequestId");
  }
  if (body_request_id.empty()) body_request_id = doc.child("Response").child_value("RequestID");
  e.request_id = std::string(!body_request_id.empty() ? body_request_id : r.request_id);
  finish_service_error(e);
  return e;
}

}  // namespace awsperf::aws
