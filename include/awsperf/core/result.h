// Result<T> and Error: the error model of every awsperf request path.
//
// Errors are data: a request path returns Result<T> (std::expected<T, Error>)
// and never throws. Error carries enough to decide what to do next (code,
// retryable) and enough to debug (AWS error type, HTTP status, request id).
//
// Thread-safety: value types; distinct objects may be used from any thread.
#ifndef AWSPERF_CORE_RESULT_H_
#define AWSPERF_CORE_RESULT_H_

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

namespace awsperf {

// Broad classes of failure. Stable: they appear in statistics and exports.
enum class ErrorCode : std::uint8_t {
  kInvalidArgument,    // the caller's input is malformed or out of range
  kNotFound,           // a named thing (table, key, file, profile) is absent
  kAlreadyExists,      // a named thing exists that must not
  kTimeout,            // connect, request or acquire deadline passed
  kConnectionFailed,   // could not connect (refused, unreachable, DNS)
  kConnectionClosed,   // the peer closed or reset the connection
  kTls,                // handshake or certificate verification failed
  kProtocol,           // the peer broke HTTP or the service's wire format
  kParse,              // a body or file could not be parsed
  kTooLarge,           // input or response exceeds a documented limit
  kChecksumMismatch,   // x-amz-crc32, Content-MD5 or a checksum disagrees
  kService,            // the service answered with an error (see aws_type)
  kThrottled,          // the service asked us to slow down
  kCredentials,        // no usable credentials were found
  kResourceExhausted,  // a local bound was hit (pool, queue, budget)
  kCancelled,          // the operation was cancelled or shut down
  kUnavailable,        // a dependency is down (for example Redis)
  kIo,                 // a local file or OS call failed
  kInternal,           // a bug: an invariant did not hold
};

// The stable snake_case name of a code, e.g. "connection_failed".
std::string_view error_code_name(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  // The AWS error name without its namespace, e.g.
  // "ConditionalCheckFailedException"; empty when not from a service.
  std::string aws_type;
  // The HTTP status of the response that carried the error; 0 when none.
  int http_status = 0;
  // True when the same request may succeed if sent again.
  bool retryable = false;
  // The x-amzn-RequestId / x-amz-request-id of the failed response, if any.
  std::string request_id;

  // "code_name: message [aws_type, HTTP 400, request id ...]".
  std::string to_string() const;
};

template <typename T>
using Result = std::expected<T, Error>;

// Result of an operation that returns nothing but can fail.
using Status = Result<void>;

// Convenience for `return make_error(...)` in functions returning Result<T>.
inline std::unexpected<Error> make_error(ErrorCode code, std::string message,
                                         bool retryable = false) {
  return std::unexpected<Error>(
      Error{.code = code, .message = std::move(message), .retryable = retryable});
}

inline std::unexpected<Error> make_error(Error error) {
  return std::unexpected<Error>(std::move(error));
}

}  // namespace awsperf

#endif  // AWSPERF_CORE_RESULT_H_
