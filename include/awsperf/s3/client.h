// The S3 client: every call goes through a connection pool (one per origin;
// virtual-hosted addressing gives each bucket its own host), is signed
// (SigV4, x-amz-content-sha256), retried by the standard retry policy
// (3 attempts, 100 ms base, full jitter, retry token bucket), and recorded in
// the PerformanceMonitor as "s3.<Operation>" (s3.PutObject, s3.UploadPart,
// ..., and s3.UploadFile / s3.DownloadFile for the streaming helpers).
//
//   boost::asio::io_context io;
//   auto client = awsperf::s3::Client::create(io.get_executor(),
//       {.endpoint_url = "http://127.0.0.1:9000", .region = "us-east-1"});
//   auto put = co_await (*client)->put_object({.bucket = "b", .key = "k", .body = "hi"});
//
// Errors are Result<T>, never exceptions. Service errors come from S3's XML
// error bodies: Error::aws_type is "NoSuchBucket", "NoSuchKey", ... (a HEAD
// of a missing key, which has no body, gives "NotFound"), code kNotFound for
// those, kService otherwise.
//
// Thread-safety: a Client may be used from many coroutines and threads at
// once. BlockingClient's methods may be called concurrently from any thread.
#ifndef AWSPERF_S3_CLIENT_H_
#define AWSPERF_S3_CLIENT_H_

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "awsperf/aws/credentials.h"
#include "awsperf/aws/environment.h"
#include "awsperf/aws/retry.h"
#include "awsperf/core/clock.h"
#include "awsperf/core/result.h"
#include "awsperf/http/connection_pool.h"
#include "awsperf/s3/types.h"

namespace awsperf::monitor {
class PerformanceMonitor;
}

namespace awsperf::s3 {

struct ClientOptions {
  // The endpoint, e.g. "http://127.0.0.1:9000". Unset: AWS_ENDPOINT_URL_S3,
  // AWS_ENDPOINT_URL, else https://s3.<region>.amazonaws.com.
  std::optional<std::string> endpoint_url;
  // Unset: AWS_REGION, AWS_DEFAULT_REGION, the profile's region.
  std::optional<std::string> region;
  // Unset: the credentials chain (environment, shared files).
  std::optional<aws::Credentials> credentials;
  aws::SharedConfigOptions shared_config;
  // kAuto: virtual-hosted on the default AWS endpoint, path-style on any
  // endpoint that was configured (option or variable).
  AddressingStyle addressing = AddressingStyle::kAuto;
  // Options of every pool (one per origin). The default response limit (64
  // MiB) bounds GetObject; download_file() stays under it with ranged GETs.
  http::PoolOptions pool;
  // Unset: aws::RetryOptions::standard() (3 attempts, 100 ms base), with
  // max_attempts from AWS_MAX_ATTEMPTS or the profile's max_attempts when set.
  // Set: used as given.
  std::optional<aws::RetryOptions> retry;
  // The checksum PutObject and UploadPart send unless the request says
  // otherwise. Default Content-MD5 (every S3 implementation knows it).
  ChecksumAlgorithm upload_checksum = ChecksumAlgorithm::kContentMd5;
  // After an upload with Content-MD5, compare the returned ETag with the MD5
  // the client computed (kChecksumMismatch when it differs). Default off:
  // ETags of SSE-KMS/SSE-C objects on AWS are not MD5s. Useful against
  // servers that do not check Content-MD5 themselves (moto, s3rver).
  bool verify_upload_etag = false;
  // Sign "UNSIGNED-PAYLOAD" instead of hashing bodies (saves a SHA-256 pass
  // per upload; only sensible over TLS). Default off.
  bool unsigned_payload = false;
  // Where operations are recorded; null: monitor::global().
  monitor::PerformanceMonitor* monitor = nullptr;
  // Environment variables; null: the process environment.
  const aws::Environment* environment = nullptr;
  // Signing time and latency measurement; null: Clock::real().
  Clock* clock = nullptr;
};

// Totals since the client was created.
struct ClientStatistics {
  std::uint64_t calls = 0;     // operations called (each counted once, retries aside)
  std::uint64_t attempts = 0;  // HTTP requests sent, retries included
  std::uint64_t errors = 0;    // operations that returned an error
  std::uint64_t bytes_sent = 0;
  std::uint64_t bytes_received = 0;
  aws::RetryStats retry;
  http::PoolStatistics pool;  // summed over the origins
};

class Client {
 public:
  // Resolves region, endpoint and credentials; kInvalidArgument, kNotFound or
  // kCredentials (naming what was tried) when they cannot be.
  static Result<std::unique_ptr<Client>> create(boost::asio::any_io_executor executor,
                                                ClientOptions options = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  template <typename T>
  using Async = boost::asio::awaitable<Result<T>>;

  Async<void> create_bucket(CreateBucketRequest request);
  Async<void> delete_bucket(DeleteBucketRequest request);
  Async<PutObjectResponse> put_object(PutObjectRequest request);
  Async<GetObjectResponse> get_object(GetObjectRequest request);
  Async<HeadObjectResponse> head_object(HeadObjectRequest request);
  Async<void> delete_object(DeleteObjectRequest request);
  Async<DeleteObjectsResponse> delete_objects(DeleteObjectsRequest request);
  // One page; see list_all_objects() for every page.
  Async<ListObjectsV2Response> list_objects_v2(ListObjectsV2Request request);
  // Follows continuation tokens until the listing ends; `max_objects` bounds
  // the result (kTooLarge beyond it, rather than unbounded memory).
  Async<std::vector<ObjectSummary>> list_all_objects(ListObjectsV2Request request,
                                                     std::size_t max_objects = 1'000'000);

  Async<CreateMultipartUploadResponse> create_multipart_upload(
      CreateMultipartUploadRequest request);
  Async<UploadPartResponse> upload_part(UploadPartRequest request);
  Async<CompleteMultipartUploadResponse> complete_multipart_upload(
      CompleteMultipartUploadRequest request);
  Async<void> abort_multipart_upload(AbortMultipartUploadRequest request);

  // See UploadFileRequest / DownloadFileRequest.
  Async<UploadFileResponse> upload_file(UploadFileRequest request);
  Async<DownloadFileResponse> download_file(DownloadFileRequest request);

  ClientStatistics statistics() const;
  // "http://127.0.0.1:9000".
  std::string endpoint() const;
  std::string region() const;
  // Whether `bucket` is addressed virtual-hosted style by this client.
  bool virtual_hosted(std::string_view bucket) const;
  boost::asio::any_io_executor executor() const;

  struct Impl;

 private:
  explicit Client(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The same operations for programs without coroutines: runs an io_context
// on a background thread and blocks the caller until the call completes.
class BlockingClient {
 public:
  static Result<std::unique_ptr<BlockingClient>> create(ClientOptions options = {});
  ~BlockingClient();
  BlockingClient(const BlockingClient&) = delete;
  BlockingClient& operator=(const BlockingClient&) = delete;

  Status create_bucket(CreateBucketRequest request);
  Status delete_bucket(DeleteBucketRequest request);
  Result<PutObjectResponse> put_object(PutObjectRequest request);
  Result<GetObjectResponse> get_object(GetObjectRequest request);
  Result<HeadObjectResponse> head_object(HeadObjectRequest request);
  Status delete_object(DeleteObjectRequest request);
  Result<DeleteObjectsResponse> delete_objects(DeleteObjectsRequest request);
  Result<ListObjectsV2Response> list_objects_v2(ListObjectsV2Request request);
  Result<std::vector<ObjectSummary>> list_all_objects(ListObjectsV2Request request,
                                                      std::size_t max_objects = 1'000'000);
  Result<CreateMultipartUploadResponse> create_multipart_upload(
      CreateMultipartUploadRequest request);
  Result<UploadPartResponse> upload_part(UploadPartRequest request);
  Result<CompleteMultipartUploadResponse> complete_multipart_upload(
      CompleteMultipartUploadRequest request);
  Status abort_multipart_upload(AbortMultipartUploadRequest request);
  Result<UploadFileResponse> upload_file(UploadFileRequest request);
  Result<DownloadFileResponse> download_file(DownloadFileRequest request);

  // The asynchronous client underneath.
  Client& async_client();
  ClientStatistics statistics() const;

 private:
  struct State;
  explicit BlockingClient(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace awsperf::s3

#endif  // AWSPERF_S3_CLIENT_H_
