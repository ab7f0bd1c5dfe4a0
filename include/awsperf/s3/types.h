// Request and response types of the S3 client: plain structs, optional
// fields as std::optional. Sizes are bytes; ETags are kept exactly as S3
// sends them (with their quotes), because CompleteMultipartUpload wants them
// back verbatim.
//
// Thread-safety: value types; distinct objects may be used from any thread.
#ifndef AWSPERF_S3_TYPES_H_
#define AWSPERF_S3_TYPES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace awsperf::s3 {

// How a bucket appears in the URL.
enum class AddressingStyle : std::uint8_t {
  // Virtual-hosted for AWS endpoints when the bucket name is a valid DNS label
  // (and has no '.' over TLS, which would break the wildcard certificate);
  // path-style for custom endpoints (moto, s3rver, MinIO) and other names.
  kAuto,
  kPath,           // http://endpoint/bucket/key
  kVirtualHosted,  // http://bucket.endpoint/key
};

// The integrity checksum an upload carries, checked by S3 against the body.
enum class ChecksumAlgorithm : std::uint8_t {
  kNone,
  kContentMd5,  // Content-MD5: base64 of the MD5
  kCrc32,       // x-amz-checksum-crc32: base64 of the big-endian CRC-32
};

// User metadata, sent and received as x-amz-meta-<name> headers.
using Metadata = std::vector<std::pair<std::string, std::string>>;

// An inclusive byte range, as in the HTTP Range header.
struct ByteRange {
  std::uint64_t first = 0;
  // Inclusive; unset: to the end of the object.
  std::optional<std::uint64_t> last;
};

struct CreateBucketRequest {
  std::string bucket;
  // Unset: the client's region (omitted for us-east-1, as S3 requires).
  std::optional<std::string> location_constraint;
};

struct DeleteBucketRequest {
  std::string bucket;
};

struct PutObjectRequest {
  std::string bucket;
  std::string key;
  std::string body;
  std::optional<std::string> content_type;
  Metadata metadata;
  // Unset: ClientOptions::upload_checksum.
  std::optional<ChecksumAlgorithm> checksum;
  // Sent as they are instead of computed values (to check that a server
  // rejects a wrong checksum, or when the caller already has them).
  std::optional<std::string> content_md5;
  std::optional<std::string> checksum_crc32;
};

struct PutObjectResponse {
  std::string etag;
  std::optional<std::string> version_id;
  // Echoed by S3 when the upload carried x-amz-checksum-crc32.
  std::optional<std::string> checksum_crc32;
};

struct GetObjectRequest {
  std::string bucket;
  std::string key;
  std::optional<ByteRange> range;
  // Fails with PreconditionFailed (412) when the ETag differs.
  std::optional<std::string> if_match;
};

struct GetObjectResponse {
  std::string body;
  std::uint64_t content_length = 0;
  // "bytes 0-9/100" for a ranged GET.
  std::optional<std::string> content_range;
  // The whole object's size: from Content-Range, else content_length.
  std::uint64_t object_size = 0;
  std::optional<std::string> etag;
  std::optional<std::string> content_type;
  std::optional<std::string> last_modified;
  Metadata metadata;
};

struct HeadObjectRequest {
  std::string bucket;
  std::string key;
};

struct HeadObjectResponse {
  std::uint64_t content_length = 0;
  std::optional<std::string> etag;
  std::optional<std::string> content_type;
  std::optional<std::string> last_modified;
  Metadata metadata;
};

struct DeleteObjectRequest {
  std::string bucket;
  std::string key;
};

struct DeleteObjectsRequest {
  std::string bucket;
  // At most 1000 (the S3 limit); more is kInvalidArgument before sending.
  std::vector<std::string> keys;
  // Quiet mode: the response lists only the failures.
  bool quiet = false;
};

struct DeleteObjectError {
  std::string key;
  std::string code;
  std::string message;
};

struct DeleteObjectsResponse {
  std::vector<std::string> deleted;
  std::vector<DeleteObjectError> errors;
};

struct ListObjectsV2Request {
  std::string bucket;
  std::optional<std::string> prefix;
  std::optional<std::string> delimiter;
  // NextContinuationToken of the previous page.
  std::optional<std::string> continuation_token;
  std::optional<std::string> start_after;
  // 1..1000; unset: the server's default (1000).
  std::optional<int> max_keys;
};

struct ObjectSummary {
  std::string key;
  std::uint64_t size = 0;
  std::optional<std::string> etag;
  std::optional<std::string> last_modified;
  std::optional<std::string> storage_class;
};

struct ListObjectsV2Response {
  std::vector<ObjectSummary> contents;
  std::vector<std::string> common_prefixes;
  bool is_truncated = false;
  // Set while is_truncated: pass it as continuation_token for the next page.
  std::optional<std::string> next_continuation_token;
  std::optional<int> key_count;
};

struct CreateMultipartUploadRequest {
  std::string bucket;
  std::string key;
  std::optional<std::string> content_type;
  Metadata metadata;
};

struct CreateMultipartUploadResponse {
  std::string upload_id;
};

struct UploadPartRequest {
  std::string bucket;
  std::string key;
  std::string upload_id;
  int part_number = 1;  // 1..10000
  std::string body;
  // Unset: ClientOptions::upload_checksum.
  std::optional<ChecksumAlgorithm> checksum;
};

struct UploadPartResponse {
  std::string etag;
};

struct CompletedPart {
  int part_number = 0;
  std::string etag;
};

struct CompleteMultipartUploadRequest {
  std::string bucket;
  std::string key;
  std::string upload_id;
  // In increasing part_number order.
  std::vector<CompletedPart> parts;
};

struct CompleteMultipartUploadResponse {
  std::string etag;
  std::optional<std::string> location;
};

struct AbortMultipartUploadRequest {
  std::string bucket;
  std::string key;
  std::string upload_id;
};

// Streams a local file to S3: one PutObject below multipart_threshold_bytes,
// else a multipart upload whose parts are read from the file one at a time
// per worker, so memory stays near max_concurrency × part_size_bytes. A failed
// part aborts the upload (no orphaned parts are left behind).
struct UploadFileRequest {
  std::string bucket;
  std::string key;
  std::string path;
  std::optional<std::string> content_type;
  Metadata metadata;
  // Size of each part but the last; 5 MiB .. 5 GiB (S3 limits). Grown when the
  // file would need more than 10000 parts.
  std::uint64_t part_size_bytes = 8ull << 20;
  // Files at least this large go multipart.
  std::uint64_t multipart_threshold_bytes = 16ull << 20;
  // Parts in flight at once; 1..64.
  std::size_t max_concurrency = 4;
};

struct UploadFileResponse {
  std::string etag;
  std::uint64_t bytes = 0;
  // 0 for a single PutObject.
  int parts = 0;
};

// Streams an object to a local file with ranged GETs of part_size_bytes,
// max_concurrency at a time, written in order to "<path>.awsperf-part" and
// renamed to `path` when complete (a failed download leaves no partial file).
// Parts after the first carry If-Match with the object's ETag, so an object
// replaced mid-download fails (PreconditionFailed) instead of mixing versions.
struct DownloadFileRequest {
  std::string bucket;
  std::string key;
  std::string path;
  // 1 KiB .. 1 GiB; must stay below the pool's max_response_body_bytes.
  std::uint64_t part_size_bytes = 8ull << 20;
  // 1..64.
  std::size_t max_concurrency = 4;
};

struct DownloadFileResponse {
  std::uint64_t bytes = 0;
  std::optional<std::string> etag;
  int parts = 0;
};

}  // namespace awsperf::s3

#endif  // AWSPERF_S3_TYPES_H_
