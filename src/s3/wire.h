// The pure parts of the S3 client: names and addressing, the XML bodies of
// the operations, checksums and the part plan of multipart transfers. No I/O,
// so all of it is unit-tested without a server.
#ifndef AWSPERF_SRC_S3_WIRE_H_
#define AWSPERF_SRC_S3_WIRE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "awsperf/aws/endpoint.h"
#include "awsperf/core/result.h"
#include "awsperf/http/message.h"
#include "awsperf/s3/types.h"

namespace awsperf::s3::detail {

// S3 limits.
inline constexpr std::size_t kMaxKeyBytes = 1024;
inline constexpr std::size_t kMaxDeleteObjectsKeys = 1000;
inline constexpr int kMaxParts = 10000;
inline constexpr std::uint64_t kMinPartBytes = 5ull << 20;
inline constexpr std::uint64_t kMaxPartBytes = 5ull << 30;
// A single PutObject is limited to 5 GiB as well.
inline constexpr std::uint64_t kMaxPutBytes = 5ull << 30;
inline constexpr std::uint64_t kMaxObjectBytes = 5ull << 40;

// Bucket names as S3 allows them today: 3..63 characters of [a-z0-9.-],
// starting and ending with a letter or digit, no "..", not an IPv4 address.
// kInvalidArgument naming the problem.
Status validate_bucket(std::string_view bucket);
// 1..1024 bytes.
Status validate_key(std::string_view key);

// Whether the bucket can be a DNS label under the endpoint: valid per
// validate_bucket, and without '.' when `tls` (a dotted name does not match
// the *.s3.amazonaws.com certificate).
bool dns_compatible(std::string_view bucket, bool tls);

// Whether requests for `bucket` go virtual-hosted under `style`;
// `custom_endpoint` is true when the endpoint was configured rather than the
// AWS default.
bool use_virtual_host(AddressingStyle style, bool custom_endpoint, const aws::Endpoint& endpoint,
                      std::string_view bucket);

// Where a request goes: the origin (and Host header) and the encoded path.
struct Address {
  http::Origin origin;
  std::string host_header;
  std::string path;  // percent-encoded, starts with '/'
};
Address make_address(const aws::Endpoint& endpoint, bool virtual_host, std::string_view bucket,
                     std::string_view key);

// "a=1&b=x%2Fy" from decoded pairs, in the given order; an empty value with
// `bare` keeps the name alone ("uploads").
struct QueryParam {
  std::string name;
  std::string value;
  bool bare = false;
};
std::string encode_query(const std::vector<QueryParam>& params);

// "bytes=0-99" / "bytes=100-"; kInvalidArgument when last < first.
Result<std::string> range_header(const ByteRange& range);
// The total of "bytes 0-99/1234"; nullopt for "*" or a malformed value.
std::optional<std::uint64_t> content_range_total(std::string_view content_range);

// Content-MD5 and x-amz-checksum-crc32 values of a body.
std::string checksum_crc32(std::string_view body);
// ETag without its quotes.
std::string_view unquote_etag(std::string_view etag);
// Compares an ETag with the hex MD5 of what was sent; a multipart ETag
// ("...-3") or an ETag that is not 32 hex digits is not compared.
Status verify_etag_md5(std::string_view etag, std::string_view content_md5_base64);

// XML bodies.
std::string encode_create_bucket(std::string_view location_constraint);
Result<std::string> encode_delete_objects(const DeleteObjectsRequest& request);
std::string encode_complete_multipart(const CompleteMultipartUploadRequest& request);

// A 200 response of CompleteMultipartUpload (and, rarely, of other calls) may
// carry an <Error> document: the decoders return it as the Error it is.
Result<ListObjectsV2Response> decode_list_objects_v2(std::string_view body);
Result<DeleteObjectsResponse> decode_delete_objects(std::string_view body);
Result<CreateMultipartUploadResponse> decode_create_multipart(std::string_view body);
Result<CompleteMultipartUploadResponse> decode_complete_multipart(std::string_view body);

// The parts of a transfer of `size` bytes.
struct Part {
  int number = 1;  // 1-based
  std::uint64_t offset = 0;
  std::uint64_t size = 0;
};
// Upload: part_size must be 5 MiB .. 5 GiB and is grown to keep at most 10000
// parts; an empty object is one empty part. Download: any part size >= 1.
Result<std::vector<Part>> plan_upload_parts(std::uint64_t size, std::uint64_t part_size);
std::vector<Part> plan_download_parts(std::uint64_t size, std::uint64_t part_size);

// x-amz-meta-* headers of a response.
Metadata metadata_from_headers(const http::Headers& headers);

}  // namespace awsperf::s3::detail

#endif  // AWSPERF_SRC_S3_WIRE_H_
