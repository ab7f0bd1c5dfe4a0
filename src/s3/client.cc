#include "awsperf/s3/client.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <cerrno>
#include <cstring>
#include <functional>
#include <future>
#include <mutex>
#include <thread>

#include "awsperf/aws/client_config.h"
#include "awsperf/aws/crypto.h"
#include "awsperf/aws/encoding.h"
#include "awsperf/aws/endpoint.h"
#include "awsperf/aws/error.h"
#include "awsperf/aws/signer.h"
#include "awsperf/http/client.h"
#include "awsperf/monitor/monitor.h"
#include "s3/wire.h"

namespace awsperf::s3 {

namespace asio = boost::asio;

namespace {

enum class Op : std::uint8_t {
  kCreateBucket,
  kDeleteBucket,
  kPutObject,
  kGetObject,
  kHeadObject,
  kDeleteObject,
  kDeleteObjects,
  kListObjectsV2,
  kCreateMultipartUpload,
  kUploadPart,
  kCompleteMultipartUpload,
  kAbortMultipartUpload,
  kUploadFile,
  kDownloadFile,
  kCount,
};

constexpr std::array<std::string_view, static_cast<size_t>(Op::kCount)> kOpNames = {
    "CreateBucket",
    "DeleteBucket",
    "PutObject",
    "GetObject",
    "HeadObject",
    "DeleteObject",
    "DeleteObjects",
    "ListObjectsV2",
    "CreateMultipartUpload",
    "UploadPart",
    "CompleteMultipartUpload",
    "AbortMultipartUpload",
    "UploadFile",
    "DownloadFile"};

std::string_view op_name(Op op) { return kOpNames[static_cast<size_t>(op)]; }

Error io_error(std::string what, const std::string& path, int err) {
  Error e;
  e.code = err == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo;
  e.message = what + " " + path + ": " + std::strerror(err);
  return e;
}

// Owns a file descriptor.
class File {
 public:
  File() = default;
  explicit File(int fd) : fd_(fd) {}
  File(File&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  File& operator=(File&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  ~File() { reset(); }
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

// Reads exactly `size` bytes at `offset` (pread: workers share the fd).
Result<std::string> read_at(int fd, const std::string& path, std::uint64_t offset,
                            std::uint64_t size) {
  std::string out(size, '\0');
  std::uint64_t done = 0;
  while (done < size) {
    ssize_t n = ::pread(fd, out.data() + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return make_error(io_error("cannot read", path, errno));
    }
    if (n == 0) {
      return make_error(ErrorCode::kIo, "file " + path + " shrank while being uploaded");
    }
    done += static_cast<std::uint64_t>(n);
  }
  return out;
}

Status write_all(int fd, const std::string& path, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return make_error(io_error("cannot write", path, errno));
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

// Runs fn(0) .. fn(n-1) concurrently on `executor` and waits for all of them.
// The functions must not throw (they report through their own state); an
// exception is reported as kInternal through `on_exception`.
asio::awaitable<void> run_parallel(asio::any_io_executor executor, std::size_t n,
                                   std::function<asio::awaitable<void>(std::size_t)> fn,
                                   std::function<void(std::string)> on_exception) {
  using Channel = asio::experimental::concurrent_channel<void(boost::system::error_code)>;
  // Capacity n: every worker's completion fits, so try_send never fails.
  auto done = std::make_shared<Channel>(executor, n);
  for (std::size_t i = 0; i < n; ++i) {
    asio::co_spawn(executor, fn(i), [done, on_exception](std::exception_ptr ex) {
      if (ex) {
        try {
          std::rethrow_exception(ex);
        } catch (const std::exception& e) {
          on_exception(e.what());
        } catch (...) {
          on_exception("unknown exception");
        }
      }
      done->try_send(boost::system::error_code{});
    });
  }
  for (std::size_t i = 0; i < n; ++i) {
    co_await done->async_receive(asio::as_tuple(asio::use_awaitable));
  }
}

// The first error of a group of workers.
class FirstError {
 public:
  void set(Error e) {
    std::lock_guard lock(mu_);
    if (!error_) error_ = std::move(e);
    failed_.store(true, std::memory_order_release);
  }
  bool failed() const { return failed_.load(std::memory_order_acquire); }
  Error take() {
    std::lock_guard lock(mu_);
    return error_ ? std::move(*error_) : Error{.message = "no error"};
  }

 private:
  std::mutex mu_;
  std::optional<Error> error_;
  std::atomic<bool> failed_{false};
};

bool is_2xx(int status) { return status >= 200 && status < 300; }

void add_metadata(std::vector<std::pair<std::string, std::string>>& headers,
                  const Metadata& metadata) {
  for (const auto& [k, v] : metadata) headers.emplace_back("x-amz-meta-" + k, v);
}

}  // namespace

struct Client::Impl {
  // One S3 request, described before it is addressed and signed.
  struct Call {
    Op op = Op::kGetObject;
    std::string method = "GET";
    std::string bucket;
    std::string key;
    std::string query;  // encoded, without '?'
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    // Rebuilds the body for a retry. When set, the first attempt moves `body`
    // out instead of copying it (large parts are then read again from their
    // file rather than held twice).
    std::function<Result<std::string>()> reload_body;
  };

  asio::any_io_executor executor;
  aws::Endpoint endpoint;
  bool custom_endpoint = false;
  std::string region;
  aws::Credentials credentials;
  std::unique_ptr<aws::Signer> signer;
  std::unique_ptr<http::ConnectionPoolManager> pools;
  std::unique_ptr<aws::RetryPolicy> retry;
  monitor::PerformanceMonitor* monitor = nullptr;
  std::array<monitor::OperationRef, static_cast<size_t>(Op::kCount)> ops;
  std::array<std::string, static_cast<size_t>(Op::kCount)> http_names;
  Clock* clock = nullptr;
  ClientOptions options;

  std::atomic<std::uint64_t> calls{0}, attempts{0}, errors{0};
  std::atomic<std::uint64_t> bytes_sent{0}, bytes_received{0};

  bool virtual_host(std::string_view bucket) const {
    return detail::use_virtual_host(options.addressing, custom_endpoint, endpoint, bucket);
  }

  static Status validate(const Call& c) {
    if (auto ok = detail::validate_bucket(c.bucket); !ok) return ok;
    if (!c.key.empty()) return detail::validate_key(c.key);
    return {};
  }

  // One HTTP exchange: address, sign, send; non-2xx becomes the S3 error.
  asio::awaitable<Result<http::Response>> send_once(const Call& c, std::string body,
                                                    const std::string& payload_hash) {
    detail::Address address =
        detail::make_address(endpoint, virtual_host(c.bucket), c.bucket, c.key);
    std::vector<aws::HeaderView> views;
    views.reserve(c.headers.size() + 1);
    views.push_back({"host", address.host_header});
    for (const auto& [name, value] : c.headers) views.push_back({name, value});
    aws::RequestView view{.method = c.method,
                          .path = address.path,
                          .query = c.query,
                          .headers = views,
                          .payload_hash = std::string_view(payload_hash)};
    auto signature = signer->sign(view, credentials);
    if (!signature) co_return make_error(std::move(signature.error()));

    http::Request request;
    request.method = c.method;
    request.target = c.query.empty() ? address.path : address.path + "?" + c.query;
    request.operation = http_names[static_cast<size_t>(c.op)];
    for (const auto& [name, value] : c.headers) request.headers.set(name, value);
    for (auto& h : signature->headers) request.headers.set(h.name, h.value);
    bytes_sent.fetch_add(body.size(), std::memory_order_relaxed);
    request.body = std::move(body);
    attempts.fetch_add(1, std::memory_order_relaxed);

    auto pool = pools->pool(address.origin);
    if (!pool) co_return make_error(std::move(pool.error()));
    Result<http::Response> response = co_await pool->async_request(std::move(request));
    if (!response) co_return response;
    bytes_received.fetch_add(response->body.size(), std::memory_order_relaxed);
    if (!is_2xx(response->status)) {
      auto request_id = response->headers.get("x-amz-request-id").value_or("");
      co_return make_error(aws::parse_xml_error(
          {.http_status = response->status, .body = response->body, .request_id = request_id}));
    }
    co_return response;
  }

  // Sends with retries; the result is the 2xx response.
  asio::awaitable<Result<http::Response>> execute(Call& c) {
    if (auto ok = validate(c); !ok) co_return make_error(std::move(ok.error()));
    const std::string payload_hash =
        options.unsigned_payload
            ? std::string(aws::kUnsignedPayload)
            : (c.body.empty() ? std::string(aws::kEmptySha256Hex) : aws::sha256_hex(c.body));
    aws::RetryState state;
    for (int attempt = 1;; ++attempt) {
      std::string body;
      if (!c.reload_body) {
        body = c.body;
      } else if (attempt == 1) {
        body = std::move(c.body);
      } else {
        auto again = c.reload_body();
        if (!again) co_return make_error(std::move(again.error()));
        body = std::move(*again);
      }
      Result<http::Response> r = co_await send_once(c, std::move(body), payload_hash);
      if (r) {
        retry->on_success(state);
        co_return r;
      }
      auto delay = retry->should_retry(r.error(), state);
      if (!delay) co_return r;
      asio::steady_timer timer(executor, *delay);
      co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
  }

  // Records the outcome of one operation in the monitor and the counters.
  template <typename T>
  Result<T> finish(Op op, Clock::time_point start, std::string_view target, Result<T> r) {
    monitor::OperationRef& ref = ops[static_cast<size_t>(op)];
    if (r) {
      ref.record(clock->now() - start);
    } else {
      errors.fetch_add(1, std::memory_order_relaxed);
      ref.record(clock->now() - start, monitor::detail::error_label(r.error()));
      Error& e = r.error();
      e.message = std::string(op_name(op)) + " " + std::string(target) + ": " + e.message;
    }
    return r;
  }

  template <typename T, typename Decode>
  asio::awaitable<Result<T>> call(Call c, Decode decode) {
    calls.fetch_add(1, std::memory_order_relaxed);
    const Clock::time_point start = clock->now();
    const std::string target = c.key.empty() ? c.bucket : c.bucket + "/" + c.key;
    const Op op = c.op;
    Result<http::Response> response = co_await execute(c);
    if (!response) co_return finish<T>(op, start, target, make_error(std::move(response.error())));
    Result<T> decoded = decode(*response);
    if (!decoded && decoded.error().code == ErrorCode::kParse) {
      // A 2xx answer we cannot read: the server broke the protocol.
      decoded.error().code = ErrorCode::kProtocol;
    }
    co_return finish<T>(op, start, target, std::move(decoded));
  }

  // Adds the upload checksum headers; returns the Content-MD5 sent, if any.
  std::optional<std::string> add_checksum(Call& c, std::optional<ChecksumAlgorithm> requested,
                                          const std::optional<std::string>& md5_override,
                                          const std::optional<std::string>& crc_override) {
    ChecksumAlgorithm algorithm = requested.value_or(options.upload_checksum);
    std::optional<std::string> md5;
    if (md5_override) {
      md5 = *md5_override;
    } else if (algorithm == ChecksumAlgorithm::kContentMd5) {
      md5 = aws::content_md5(c.body);
    }
    if (md5) c.headers.emplace_back("content-md5", *md5);
    if (crc_override) {
      c.headers.emplace_back("x-amz-checksum-crc32", *crc_override);
    } else if (algorithm == ChecksumAlgorithm::kCrc32) {
      c.headers.emplace_back("x-amz-checksum-crc32", detail::checksum_crc32(c.body));
    }
    return md5;
  }

  Status check_etag(std::string_view etag, const std::optional<std::string>& md5) const {
    if (!options.verify_upload_etag || !md5) return {};
    return detail::verify_etag_md5(etag, *md5);
  }

  asio::awaitable<Result<UploadPartResponse>> upload_part(
      UploadPartRequest r, std::function<Result<std::string>()> reload = {}) {
    if (r.part_number < 1 || r.part_number > detail::kMaxParts) {
      co_return make_error(ErrorCode::kInvalidArgument,
                           "part_number " + std::to_string(r.part_number) + " outside 1..10000");
    }
    Call c{.op = Op::kUploadPart,
           .method = "PUT",
           .bucket = std::move(r.bucket),
           .key = std::move(r.key),
           .query = detail::encode_query(
               {{"partNumber", std::to_string(r.part_number)}, {"uploadId", r.upload_id}}),
           .body = std::move(r.body),
           .reload_body = std::move(reload)};
    auto md5 = add_checksum(c, r.checksum, std::nullopt, std::nullopt);
    co_return co_await call<UploadPartResponse>(
        std::move(c), [&](const http::Response& resp) -> Result<UploadPartResponse> {
          auto etag = resp.headers.get("ETag");
          if (!etag) return make_error(ErrorCode::kProtocol, "UploadPart response has no ETag");
          if (auto ok = check_etag(*etag, md5); !ok) return make_error(std::move(ok.error()));
          return UploadPartResponse{.etag = std::string(*etag)};
        });
  }

  asio::awaitable<Result<GetObjectResponse>> get_object(GetObjectRequest r) {
    Call c{.op = Op::kGetObject, .bucket = std::move(r.bucket), .key = std::move(r.key)};
    if (r.range) {
      auto range = detail::range_header(*r.range);
      if (!range) co_return make_error(std::move(range.error()));
      c.headers.emplace_back("range", std::move(*range));
    }
    if (r.if_match) c.headers.emplace_back("if-match", *r.if_match);
    co_return co_await call<GetObjectResponse>(
        std::move(c), [](http::Response& resp) -> Result<GetObjectResponse> {
          GetObjectResponse out;
          out.content_length = resp.body.size();
          out.object_size = out.content_length;
          if (auto cr = resp.headers.get("Content-Range")) {
            out.content_range = std::string(*cr);
            auto total = detail::content_range_total(*cr);
            if (!total) {
              return make_error(ErrorCode::kProtocol,
                                "malformed Content-Range '" + std::string(*cr) + "'");
            }
            out.object_size = *total;
          }
          if (auto v = resp.headers.get("ETag")) out.etag = std::string(*v);
          if (auto v = resp.headers.get("Content-Type")) out.content_type = std::string(*v);
          if (auto v = resp.headers.get("Last-Modified")) out.last_modified = std::string(*v);
          out.metadata = detail::metadata_from_headers(resp.headers);
          out.body = std::move(resp.body);
          return out;
        });
  }

  asio::awaitable<Result<HeadObjectResponse>> head_object(HeadObjectRequest r) {
    Call c{.op = Op::kHeadObject,
           .method = "HEAD",
           .bucket = std::move(r.bucket),
           .key = std::move(r.key)};
    co_return co_await call<HeadObjectResponse>(
        std::move(c), [](const http::Response& resp) -> Result<HeadObjectResponse> {
          HeadObjectResponse out;
          auto length = resp.headers.get("Content-Length");
          if (!length)
            return make_error(ErrorCode::kProtocol, "HEAD response has no Content-Length");
          try {
            out.content_length = std::stoull(std::string(*length));
          } catch (...) {
            return make_error(ErrorCode::kProtocol,
                              "bad Content-Length '" + std::string(*length) + "'");
          }
          if (auto v = resp.headers.get("ETag")) out.etag = std::string(*v);
          if (auto v = resp.headers.get("Content-Type")) out.content_type = std::string(*v);
          if (auto v = resp.headers.get("Last-Modified")) out.last_modified = std::string(*v);
          out.metadata = detail::metadata_from_headers(resp.headers);
          return out;
        });
  }

  asio::awaitable<Status> abort_multipart_upload(AbortMultipartUploadRequest r) {
    Call c{.op = Op::kAbortMultipartUpload,
           .method = "DELETE",
           .bucket = std::move(r.bucket),
           .key = std::move(r.key),
           .query = detail::encode_query({{"uploadId", r.upload_id}})};
    co_return co_await call<void>(std::move(c), [](const http::Response&) -> Status { return {}; });
  }

  // The multipart half of upload_file.
  asio::awaitable<Result<UploadFileResponse>> upload_multipart(const UploadFileRequest& r,
                                                               const File& file,
                                                               std::uint64_t size) {
    auto parts = detail::plan_upload_parts(size, r.part_size_bytes);
    if (!parts) co_return make_error(std::move(parts.error()));

    Call create{.op = Op::kCreateMultipartUpload,
                .method = "POST",
                .bucket = r.bucket,
                .key = r.key,
                .query = detail::encode_query({{.name = "uploads", .bare = true}})};
    if (r.content_type) create.headers.emplace_back("content-type", *r.content_type);
    add_metadata(create.headers, r.metadata);
    auto created = co_await call<CreateMultipartUploadResponse>(
        std::move(create),
        [](const http::Response& resp) { return detail::decode_create_multipart(resp.body); });
    if (!created) co_return make_error(std::move(created.error()));
    const std::string upload_id = created->upload_id;

    std::vector<CompletedPart> done(parts->size());
    std::atomic<std::size_t> next{0};
    FirstError failure;
    const int fd = file.get();
    auto worker = [&](std::size_t) -> asio::awaitable<void> {
      for (;;) {
        if (failure.failed()) co_return;
        const std::size_t i = next.fetch_add(1, std::memory_order_relaxed);
        if (i >= parts->size()) co_return;
        const detail::Part part = (*parts)[i];
        auto reload = [fd, path = r.path, part] {
          return read_at(fd, path, part.offset, part.size);
        };
        auto body = reload();
        if (!body) {
          failure.set(std::move(body.error()));
          co_return;
        }
        UploadPartRequest request{.bucket = r.bucket,
                                  .key = r.key,
                                  .upload_id = upload_id,
                                  .part_number = part.number,
                                  .body = std::move(*body)};
        auto uploaded = co_await upload_part(std::move(request), reload);
        if (!uploaded) {
          failure.set(std::move(uploaded.error()));
          co_return;
        }
        done[i] = {.part_number = part.number, .etag = std::move(uploaded->etag)};
      }
    };
    const std::size_t workers = std::min(r.max_concurrency, parts->size());
    std::function<void(std::string)> on_exception = [&](std::string what) {
      failure.set(Error{.code = ErrorCode::kInternal, .message = "upload worker threw: " + what});
    };
    co_await run_parallel(executor, workers, worker, on_exception);

    AbortMultipartUploadRequest abort{.bucket = r.bucket, .key = r.key, .upload_id = upload_id};
    if (failure.failed()) {
      Error e = failure.take();
      auto aborted = co_await abort_multipart_upload(abort);
      if (!aborted) {
        e.message += " (and AbortMultipartUpload failed too: " + aborted.error().message +
                     "; upload id " + upload_id + ")";
      }
      co_return make_error(std::move(e));
    }

    CompleteMultipartUploadRequest complete{
        .bucket = r.bucket, .key = r.key, .upload_id = upload_id, .parts = std::move(done)};
    Call c{.op = Op::kCompleteMultipartUpload,
           .method = "POST",
           .bucket = r.bucket,
           .key = r.key,
           .query = detail::encode_query({{"uploadId", upload_id}}),
           .body = detail::encode_complete_multipart(complete)};
    c.headers.emplace_back("content-type", "application/xml");
    auto completed = co_await call<CompleteMultipartUploadResponse>(
        std::move(c),
        [](const http::Response& resp) { return detail::decode_complete_multipart(resp.body); });
    if (!completed) {
      Error e = std::move(completed.error());
      auto aborted = co_await abort_multipart_upload(abort);
      if (!aborted) e.message += " (and AbortMultipartUpload failed too)";
      co_return make_error(std::move(e));
    }
    co_return UploadFileResponse{
        .etag = completed->etag, .bytes = size, .parts = static_cast<int>(parts->size())};
  }

  asio::awaitable<Result<UploadFileResponse>> upload_file(UploadFileRequest r);
  asio::awaitable<Result<DownloadFileResponse>> download_file(DownloadFileRequest r);
};

asio::awaitable<Result<UploadFileResponse>> Client::Impl::upload_file(UploadFileRequest r) {
  calls.fetch_add(1, std::memory_order_relaxed);
  const Clock::time_point start = clock->now();
  const std::string target = r.bucket + "/" + r.key;
  auto fail = [&](Error e) {
    return finish<UploadFileResponse>(Op::kUploadFile, start, target, make_error(std::move(e)));
  };
  if (r.max_concurrency < 1 || r.max_concurrency > 64) {
    co_return fail(
        {.code = ErrorCode::kInvalidArgument, .message = "max_concurrency outside 1..64"});
  }
  File file(::open(r.path.c_str(), O_RDONLY | O_CLOEXEC));
  if (file.get() < 0) co_return fail(io_error("cannot open", r.path, errno));
  struct stat st {};
  if (::fstat(file.get(), &st) != 0) co_return fail(io_error("cannot stat", r.path, errno));
  if (!S_ISREG(st.st_mode)) {
    co_return fail(
        {.code = ErrorCode::kInvalidArgument, .message = r.path + " is not a regular file"});
  }
  const auto size = static_cast<std::uint64_t>(st.st_size);

  if (size < std::min(r.multipart_threshold_bytes, detail::kMaxPutBytes)) {
    auto body = read_at(file.get(), r.path, 0, size);
    if (!body) co_return fail(std::move(body.error()));
    Call c{.op = Op::kPutObject, .method = "PUT", .bucket = r.bucket, .key = r.key};
    c.body = std::move(*body);
    if (r.content_type) c.headers.emplace_back("content-type", *r.content_type);
    add_metadata(c.headers, r.metadata);
    auto md5 = add_checksum(c, std::nullopt, std::nullopt, std::nullopt);
    auto put = co_await call<std::string>(std::move(c),
                                          [&](const http::Response& resp) -> Result<std::string> {
                                            std::string etag(resp.headers.get("ETag").value_or(""));
                                            if (auto ok = check_etag(etag, md5); !ok)
                                              return make_error(std::move(ok.error()));
                                            return etag;
                                          });
    if (!put) co_return fail(std::move(put.error()));
    co_return finish<UploadFileResponse>(
        Op::kUploadFile, start, target,
        UploadFileResponse{.etag = *put, .bytes = size, .parts = 0});
  }
  auto result = co_await upload_multipart(r, file, size);
  if (!result) co_return fail(std::move(result.error()));
  co_return finish<UploadFileResponse>(Op::kUploadFile, start, target, std::move(result));
}

asio::awaitable<Result<DownloadFileResponse>> Client::Impl::download_file(DownloadFileRequest r) {
  calls.fetch_add(1, std::memory_order_relaxed);
  const Clock::time_point start = clock->now();
  const std::string target = r.bucket + "/" + r.key;
  auto fail = [&](Error e) {
    return finish<DownloadFileResponse>(Op::kDownloadFile, start, target, make_error(std::move(e)));
  };
  if (r.max_concurrency < 1 || r.max_concurrency > 64) {
    co_return fail(
        {.code = ErrorCode::kInvalidArgument, .message = "max_concurrency outside 1..64"});
  }
  if (r.part_size_bytes < 1024 || r.part_size_bytes > (1ull << 30) ||
      r.part_size_bytes > options.pool.max_response_body_bytes) {
    co_return fail({.code = ErrorCode::kInvalidArgument,
                    .message = "part_size_bytes " + std::to_string(r.part_size_bytes) +
                               " outside 1 KiB .. min(1 GiB, pool max_response_body_bytes)"});
  }
  HeadObjectRequest head_request{.bucket = r.bucket, .key = r.key};
  auto head = co_await head_object(std::move(head_request));
  if (!head) co_return fail(std::move(head.error()));

  const std::string temp_path = r.path + ".awsperf-part";
  File out(::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (out.get() < 0) co_return fail(io_error("cannot create", temp_path, errno));
  auto discard = [&](Error e) {
    out.reset();
    ::unlink(temp_path.c_str());
    return fail(std::move(e));
  };

  const std::vector<detail::Part> parts =
      detail::plan_download_parts(head->content_length, r.part_size_bytes);
  // Batches of max_concurrency ranged GETs; a batch is written in order once
  // all of it arrived, so at most max_concurrency parts are held in memory.
  for (std::size_t first = 0; first < parts.size(); first += r.max_concurrency) {
    const std::size_t n = std::min(r.max_concurrency, parts.size() - first);
    std::vector<std::string> bodies(n);
    FirstError failure;
    auto worker = [&](std::size_t j) -> asio::awaitable<void> {
      const detail::Part& part = parts[first + j];
      GetObjectRequest get{.bucket = r.bucket,
                           .key = r.key,
                           .range = ByteRange{part.offset, part.offset + part.size - 1}};
      if (head->etag) get.if_match = *head->etag;
      auto got = co_await get_object(std::move(get));
      if (!got) {
        failure.set(std::move(got.error()));
        co_return;
      }
      if (got->body.size() != part.size || got->object_size != head->content_length) {
        failure.set({.code = ErrorCode::kProtocol,
                     .message = "part " + std::to_string(part.number) + " came back with " +
                                std::to_string(got->body.size()) + " bytes of an object of " +
                                std::to_string(got->object_size) + ", expected " +
                                std::to_string(part.size) + " of " +
                                std::to_string(head->content_length)});
        co_return;
      }
      bodies[j] = std::move(got->body);
    };
    std::function<void(std::string)> on_exception = [&](std::string what) {
      failure.set({.code = ErrorCode::kInternal, .message = "download worker threw: " + what});
    };
    co_await run_parallel(executor, n, worker, on_exception);
    if (failure.failed()) co_return discard(failure.take());
    for (auto& body : bodies) {
      if (auto ok = write_all(out.get(), temp_path, body); !ok) {
        co_return discard(std::move(ok.error()));
      }
      std::string().swap(body);
    }
  }
  if (::close(out.release()) != 0) {
    int err = errno;
    ::unlink(temp_path.c_str());
    co_return fail(io_error("cannot close", temp_path, err));
  }
  if (::rename(temp_path.c_str(), r.path.c_str()) != 0) {
    int err = errno;
    ::unlink(temp_path.c_str());
    co_return fail(io_error("cannot rename to", r.path, err));
  }
  co_return finish<DownloadFileResponse>(
      Op::kDownloadFile, start, target,
      DownloadFileResponse{.bytes = head->content_length,
                           .etag = head->etag,
                           .parts = static_cast<int>(parts.size())});
}

Client::Client(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Client::~Client() {
  if (impl_ && impl_->pools) impl_->pools->shutdown();
}

Result<std::unique_ptr<Client>> Client::create(asio::any_io_executor executor,
                                               ClientOptions options) {
  static const aws::Environment process_env = aws::Environment::process();
  const aws::Environment& env = options.environment ? *options.environment : process_env;

  auto impl = std::make_unique<Impl>();
  impl->executor = executor;
  impl->clock = options.clock ? options.clock : Clock::real();
  impl->monitor = options.monitor ? options.monitor : &monitor::global();

  auto config =
      aws::resolve_client_config({.service = "s3",
                                  .region = options.region,
                                  .endpoint_url = options.endpoint_url,
                                  .credentials = {.explicit_credentials = options.credentials,
                                                  .shared = options.shared_config}},
                                 env);
  if (!config) return make_error(std::move(config.error()));
  impl->region = config->region.region;
  impl->endpoint = config->endpoint.endpoint;
  impl->custom_endpoint = config->endpoint.source != "default";
  impl->credentials = std::move(config->credentials);
  config->signing.unsigned_payload = options.unsigned_payload;
  impl->signer = std::make_unique<aws::Signer>(std::move(config->signing), impl->clock);
  impl->retry = std::make_unique<aws::RetryPolicy>(options.retry.value_or(config->retry));

  http::PoolOptions pool_options = options.pool;
  if (!pool_options.monitor) pool_options.monitor = impl->monitor;
  if (!pool_options.clock) pool_options.clock = impl->clock;
  impl->pools = std::make_unique<http::ConnectionPoolManager>(executor, pool_options);
  // Fail now, not on the first request, when the pool options are bad.
  {
    detail::Address probe = detail::make_address(impl->endpoint, false, "", "");
    if (auto pool = impl->pools->pool(probe.origin); !pool) {
      return make_error(std::move(pool.error()));
    }
  }

  for (size_t i = 0; i < kOpNames.size(); ++i) {
    std::string name = "s3." + std::string(kOpNames[i]);
    impl->ops[i] = impl->monitor->operation(name);
    impl->http_names[i] = "http." + name;
  }
  impl->options = std::move(options);
  return std::unique_ptr<Client>(new Client(std::move(impl)));
}

Client::Async<void> Client::create_bucket(CreateBucketRequest r) {
  std::string constraint = r.location_constraint.value_or(impl_->region);
  // us-east-1 is the one region S3 refuses as an explicit constraint.
  if (constraint == "us-east-1") constraint.clear();
  Impl::Call c{.op = Op::kCreateBucket,
               .method = "PUT",
               .bucket = std::move(r.bucket),
               .body = detail::encode_create_bucket(constraint)};
  if (!c.body.empty()) c.headers.emplace_back("content-type", "application/xml");
  co_return co_await impl_->call<void>(std::move(c),
                                       [](const http::Response&) -> Status { return {}; });
}

Client::Async<void> Client::delete_bucket(DeleteBucketRequest r) {
  Impl::Call c{.op = Op::kDeleteBucket, .method = "DELETE", .bucket = std::move(r.bucket)};
  co_return co_await impl_->call<void>(std::move(c),
                                       [](const http::Response&) -> Status { return {}; });
}

Client::Async<PutObjectResponse> Client::put_object(PutObjectRequest r) {
  if (r.body.size() > detail::kMaxPutBytes) {
    co_return make_error(ErrorCode::kTooLarge,
                         "PutObject body of " + std::to_string(r.body.size()) +
                             " bytes exceeds 5 GiB; use upload_file (multipart)");
  }
  Impl::Call c{.op = Op::kPutObject,
               .method = "PUT",
               .bucket = std::move(r.bucket),
               .key = std::move(r.key),
               .body = std::move(r.body)};
  if (r.content_type) c.headers.emplace_back("content-type", *r.content_type);
  add_metadata(c.headers, r.metadata);
  auto md5 = impl_->add_checksum(c, r.checksum, r.content_md5, r.checksum_crc32);
  Impl& impl = *impl_;
  co_return co_await impl_->call<PutObjectResponse>(
      std::move(c), [&](const http::Response& resp) -> Result<PutObjectResponse> {
        PutObjectResponse out;
        out.etag = std::string(resp.headers.get("ETag").value_or(""));
        if (auto ok = impl.check_etag(out.etag, md5); !ok) return make_error(std::move(ok.error()));
        if (auto v = resp.headers.get("x-amz-version-id")) out.version_id = std::string(*v);
        if (auto v = resp.headers.get("x-amz-checksum-crc32")) out.checksum_crc32 = std::string(*v);
        return out;
      });
}

Client::Async<GetObjectResponse> Client::get_object(GetObjectRequest r) {
  co_return co_await impl_->get_object(std::move(r));
}

Client::Async<HeadObjectResponse> Client::head_object(HeadObjectRequest r) {
  co_return co_await impl_->head_object(std::move(r));
}

Client::Async<void> Client::delete_object(DeleteObjectRequest r) {
  Impl::Call c{.op = Op::kDeleteObject,
               .method = "DELETE",
               .bucket = std::move(r.bucket),
               .key = std::move(r.key)};
  co_return co_await impl_->call<void>(std::move(c),
                                       [](const http::Response&) -> Status { return {}; });
}

Client::Async<DeleteObjectsResponse> Client::delete_objects(DeleteObjectsRequest r) {
  auto body = detail::encode_delete_objects(r);
  if (!body) co_return make_error(std::move(body.error()));
  Impl::Call c{.op = Op::kDeleteObjects,
               .method = "POST",
               .bucket = std::move(r.bucket),
               .query = detail::encode_query({{.name = "delete", .bare = true}}),
               .body = std::move(*body)};
  c.headers.emplace_back("content-type", "application/xml");
  // S3 requires a checksum on DeleteObjects.
  c.headers.emplace_back("content-md5", aws::content_md5(c.body));
  co_return co_await impl_->call<DeleteObjectsResponse>(
      std::move(c),
      [](const http::Response& resp) { return detail::decode_delete_objects(resp.body); });
}

Client::Async<ListObjectsV2Response> Client::list_objects_v2(ListObjectsV2Request r) {
  if (r.max_keys && (*r.max_keys < 1 || *r.max_keys > 1000)) {
    co_return make_error(ErrorCode::kInvalidArgument, "max_keys outside 1..1000");
  }
  std::vector<detail::QueryParam> q;
  if (r.continuation_token) q.push_back({"continuation-token", *r.continuation_token});
  if (r.delimiter) q.push_back({"delimiter", *r.delimiter});
  q.push_back({"list-type", "2"});
  if (r.max_keys) q.push_back({"max-keys", std::to_string(*r.max_keys)});
  if (r.prefix) q.push_back({"prefix", *r.prefix});
  if (r.start_after) q.push_back({"start-after", *r.start_after});
  Impl::Call c{
      .op = Op::kListObjectsV2, .bucket = std::move(r.bucket), .query = detail::encode_query(q)};
  co_return co_await impl_->call<ListObjectsV2Response>(
      std::move(c),
      [](const http::Response& resp) { return detail::decode_list_objects_v2(resp.body); });
}

Client::Async<std::vector<ObjectSummary>> Client::list_all_objects(ListObjectsV2Request r,
                                                                   std::size_t max_objects) {
  std::vector<ObjectSummary> out;
  for (;;) {
    auto page = co_await list_objects_v2(r);
    if (!page) co_return make_error(std::move(page.error()));
    for (auto& s : page->contents) out.push_back(std::move(s));
    if (out.size() > max_objects) {
      co_return make_error(
          ErrorCode::kTooLarge,
          "listing of " + r.bucket + " exceeds max_objects " + std::to_string(max_objects));
    }
    if (!page->is_truncated) co_return out;
    if (page->next_continuation_token == r.continuation_token) {
      co_return make_error(ErrorCode::kProtocol,
                           "ListObjectsV2 returned the same continuation token twice");
    }
    r.continuation_token = page->next_continuation_token;
  }
}

Client::Async<CreateMultipartUploadResponse> Client::create_multipart_upload(
    CreateMultipartUploadRequest r) {
  Impl::Call c{.op = Op::kCreateMultipartUpload,
               .method = "POST",
               .bucket = std::move(r.bucket),
               .key = std::move(r.key),
               .query = detail::encode_query({{.name = "uploads", .bare = true}})};
  if (r.content_type) c.headers.emplace_back("content-type", *r.content_type);
  add_metadata(c.headers, r.metadata);
  co_return co_await impl_->call<CreateMultipartUploadResponse>(
      std::move(c),
      [](const http::Response& resp) { return detail::decode_create_multipart(resp.body); });
}

Client::Async<UploadPartResponse> Client::upload_part(UploadPartRequest r) {
  co_return co_await impl_->upload_part(std::move(r));
}

Client::Async<CompleteMultipartUploadResponse> Client::complete_multipart_upload(
    CompleteMultipartUploadRequest r) {
  if (r.parts.empty()) {
    co_return make_error(ErrorCode::kInvalidArgument, "CompleteMultipartUpload needs parts");
  }
  std::string body = detail::encode_complete_multipart(r);
  Impl::Call c{.op = Op::kCompleteMultipartUpload,
               .method = "POST",
               .bucket = std::move(r.bucket),
               .key = std::move(r.key),
               .query = detail::encode_query({{"uploadId", r.upload_id}}),
               .body = std::move(body)};
  c.headers.emplace_back("content-type", "application/xml");
  co_return co_await impl_->call<CompleteMultipartUploadResponse>(
      std::move(c),
      [](const http::Response& resp) { return detail::decode_complete_multipart(resp.body); });
}

Client::Async<void> Client::abort_multipart_upload(AbortMultipartUploadRequest r) {
  co_return co_await impl_->abort_multipart_upload(std::move(r));
}

Client::Async<UploadFileResponse> Client::upload_file(UploadFileRequest r) {
  co_return co_await impl_->upload_file(std::move(r));
}

Client::Async<DownloadFileResponse> Client::download_file(DownloadFileRequest r) {
  co_return co_await impl_->download_file(std::move(r));
}

ClientStatistics Client::statistics() const {
  return ClientStatistics{
      .calls = impl_->calls.load(std::memory_order_relaxed),
      .attempts = impl_->attempts.load(std::memory_order_relaxed),
      .errors = impl_->errors.load(std::memory_order_relaxed),
      .bytes_sent = impl_->bytes_sent.load(std::memory_order_relaxed),
      .bytes_received = impl_->bytes_received.load(std::memory_order_relaxed),
      .retry = impl_->retry->stats(),
      .pool = impl_->pools->statistics().total,
  };
}

std::string Client::endpoint() const { return impl_->endpoint.to_string(); }
std::string Client::region() const { return impl_->region; }
bool Client::virtual_hosted(std::string_view bucket) const { return impl_->virtual_host(bucket); }
asio::any_io_executor Client::executor() const { return impl_->executor; }

// ---- BlockingClient ------------------------------------------------------------

struct BlockingClient::State {
  asio::io_context io{1};
  asio::executor_work_guard<asio::io_context::executor_type> work{asio::make_work_guard(io)};
  std::unique_ptr<Client> client;
  std::thread thread;

  ~State() {
    client.reset();
    work.reset();
    io.stop();
    if (thread.joinable()) thread.join();
  }

  template <typename T>
  Result<T> wait(asio::awaitable<Result<T>> op) {
    auto future = asio::co_spawn(io, std::move(op), asio::use_future);
    try {
      return future.get();
    } catch (const std::exception& e) {
      return make_error(ErrorCode::kInternal, std::string("call failed: ") + e.what());
    }
  }
};

BlockingClient::BlockingClient(std::unique_ptr<State> state) : state_(std::move(state)) {}
BlockingClient::~BlockingClient() = default;

Result<std::unique_ptr<BlockingClient>> BlockingClient::create(ClientOptions options) {
  auto state = std::make_unique<State>();
  auto client = Client::create(state->io.get_executor(), std::move(options));
  if (!client) return make_error(std::move(client.error()));
  state->client = std::move(*client);
  State* raw = state.get();
  state->thread = std::thread([raw] { raw->io.run(); });
  return std::unique_ptr<BlockingClient>(new BlockingClient(std::move(state)));
}

#define AWSPERF_BLOCKING(Ret, name, Req)                           \
  Ret BlockingClient::name(Req request) {                          \
    return state_->wait(state_->client->name(std::move(request))); \
  }

AWSPERF_BLOCKING(Status, create_bucket, CreateBucketRequest)
AWSPERF_BLOCKING(Status, delete_bucket, DeleteBucketRequest)
AWSPERF_BLOCKING(Result<PutObjectResponse>, put_object, PutObjectRequest)
AWSPERF_BLOCKING(Result<GetObjectResponse>, get_object, GetObjectRequest)
AWSPERF_BLOCKING(Result<HeadObjectResponse>, head_object, HeadObjectRequest)
AWSPERF_BLOCKING(Status, delete_object, DeleteObjectRequest)
AWSPERF_BLOCKING(Result<DeleteObjectsResponse>, delete_objects, DeleteObjectsRequest)
AWSPERF_BLOCKING(Result<ListObjectsV2Response>, list_objects_v2, ListObjectsV2Request)
AWSPERF_BLOCKING(Result<CreateMultipartUploadResponse>, create_multipart_upload,
                 CreateMultipartUploadRequest)
AWSPERF_BLOCKING(Result<UploadPartResponse>, upload_part, UploadPartRequest)
AWSPERF_BLOCKING(Result<CompleteMultipartUploadResponse>, complete_multipart_upload,
                 CompleteMultipartUploadRequest)
AWSPERF_BLOCKING(Status, abort_multipart_upload, AbortMultipartUploadRequest)
AWSPERF_BLOCKING(Result<UploadFileResponse>, upload_file, UploadFileRequest)
AWSPERF_BLOCKING(Result<DownloadFileResponse>, download_file, DownloadFileRequest)
#undef AWSPERF_BLOCKING

Result<std::vector<ObjectSummary>> BlockingClient::list_all_objects(ListObjectsV2Request request,
                                                                    std::size_t max_objects) {
  return state_->wait(state_->client->list_all_objects(std::move(request), max_objects));
}

Client& BlockingClient::async_client() { return *state_->client; }
ClientStatistics BlockingClient::statistics() const { return state_->client->statistics(); }

}  // namespace awsperf::s3
