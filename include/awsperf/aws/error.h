// The AWS error model: turns an error response (status, headers, body) into
// an awsperf::Error with the AWS error name (aws_type), message, HTTP status,
// request id and `retryable` as the retry policy classifies it.
//
// DynamoDB (JSON 1.0): {"__type": "com.amazonaws.dynamodb.v20120810#Name",
// "message": "..."} (some services write "Message").
// S3 (XML): <Error><Code>..</Code><Message>..</Message><RequestId>..</RequestId></Error>.
//
// The code is kThrottled for throttling errors, kNotFound for the "does not
// exist" family (ResourceNotFoundException, NoSuchKey, NoSuchBucket,
// NoSuchUpload, NotFound), kService otherwise. A body that cannot be parsed
// gives kProtocol, naming the HTTP status, never a crash; an empty body (HEAD
// responses) gives a kService error named after the status ("NotFound").
//
// Thread-safety: stateless functions; safe from any thread.
#ifndef AWSPERF_AWS_ERROR_H_
#define AWSPERF_AWS_ERROR_H_

#include <string_view>

#include "awsperf/core/result.h"

namespace awsperf::aws {

// What the HTTP layer hands over about a failed response.
struct ErrorResponse {
  int http_status = 0;
  std::string_view body;
  // x-amzn-RequestId (DynamoDB) or x-amz-request-id (S3), if present.
  std::string_view request_id;
  // x-amzn-ErrorType, if present ("Name:http://..." — the part before ':'
  // is used when the body has no type).
  std::string_view error_type_header;
};

// The error name with any namespace removed: "ns#Name" -> "Name",
// "Name:http://..." -> "Name".
std::string_view strip_error_type(std::string_view type);

Error parse_json_error(const ErrorResponse& response);
Error parse_xml_error(const ErrorResponse& response);

// Completes an Error from its fields: code from aws_type (throttling,
// not-found, service) and `retryable` from classify_retry(). Used by the two
// parsers; exposed for errors built elsewhere.
void finish_service_error(Error& error);

}  // namespace awsperf::aws

#endif  // AWSPERF_AWS_ERROR_H_
