// The S3 client against two real S3 API servers: moto_server and s3rver.
// Every behavioural test runs against both (parameterized); the error paths
// that need no server (connection refused) run once.
#include "awsperf/s3/client.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>

#include "awsperf/aws/crypto.h"
#include "awsperf/aws/encoding.h"
#include "awsperf/monitor/monitor.h"
#include "process.h"
#include "s3_peers.h"

namespace awsperf::s3 {
namespace {

namespace fs = std::filesystem;
using testing::start_s3rver_with_des;
using testing::test_credentials;
using testutil::Peer;

std::string scratch_dir(const std::string& name) {
  fs::path dir =
      fs::temp_directory_path() / ("awsperf-s3-" + name + "-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir.string();
}

// A file of `size` pseudo-random bytes, written 1 MiB at a time.
void write_random_file(const std::string& path, std::uint64_t size, std::uint32_t seed) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  std::mt19937_64 rng(seed);
  std::string block(1 << 20, '\0');
  for (std::uint64_t done = 0; done < size;) {
    for (std::size_t i = 0; i + 8 <= block.size(); i += 8) {
      std::uint64_t v = rng();
      std::memcpy(block.data() + i, &v, 8);
    }
    std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(block.size(), size - done));
    out.write(block.data(), static_cast<std::streamsize>(n));
    done += n;
  }
}

std::string file_sha256(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  aws::Sha256 hash;
  std::string block(1 << 20, '\0');
  while (in) {
    in.read(block.data(), static_cast<std::streamsize>(block.size()));
    hash.update(std::string_view(block.data(), static_cast<std::size_t>(in.gcount())));
  }
  auto digest = hash.finish();
  return std::string(reinterpret_cast<const char*>(digest.data()), digest.size());
}

enum class PeerKind { kMoto, kS3rver };

std::string peer_name(PeerKind k) { return k == PeerKind::kMoto ? "moto" : "s3rver"; }

Result<Peer> start(PeerKind kind, const std::string& dir) {
  return kind == PeerKind::kMoto ? testutil::start_moto() : start_s3rver_with_des(dir);
}

class S3Test : public ::testing::TestWithParam<PeerKind> {
 protected:
  void SetUp() override {
    dir_ = scratch_dir(peer_name(GetParam()));
    auto peer = start(GetParam(), dir_ + "/server");
    ASSERT_TRUE(peer.has_value()) << peer_name(GetParam())
                                  << " is required: " << peer.error().to_string();
    peer_ = std::make_unique<Peer>(std::move(*peer));
    client_ = make_client({});
    ASSERT_NE(client_, nullptr);
  }
  void TearDown() override {
    client_.reset();
    peer_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::unique_ptr<BlockingClient> make_client(ClientOptions options) {
    options.endpoint_url = peer_->endpoint();
    options.region = "us-east-1";
    options.credentials = test_credentials();
    options.monitor = &monitor_;
    auto c = BlockingClient::create(std::move(options));
    EXPECT_TRUE(c.has_value()) << c.error().to_string();
    return c ? std::move(*c) : nullptr;
  }

  std::uint64_t count(const std::string& op) {
    auto s = monitor_.stats(op);
    return s ? s->latency.count : 0;
  }
  std::uint64_t errors(const std::string& op) {
    auto s = monitor_.stats(op);
    return s ? s->errors : 0;
  }

  std::string dir_;
  std::unique_ptr<Peer> peer_;
  monitor::PerformanceMonitor monitor_;
  std::unique_ptr<BlockingClient> client_;
};

TEST_P(S3Test, ObjectLifecycleWithMetadataRangeAndHead) {
  ASSERT_TRUE(client_->create_bucket({.bucket = "life"}));
  const std::string body = "0123456789abcdefghij";
  auto put = client_->put_object({.bucket = "life",
                                  .key = "dir/some key+é.txt",
                                  .body = body,
                                  .content_type = "text/plain",
                                  .metadata = {{"owner", "alice"}}});
  ASSERT_TRUE(put) << put.error().to_string();
  EXPECT_EQ(put->etag, "\"" + aws::hex_encode(aws::md5(body)) + "\"");

  auto got = client_->get_object({.bucket = "life", .key = "dir/some key+é.txt"});
  ASSERT_TRUE(got) << got.error().to_string();
  EXPECT_EQ(got->body, body);
  EXPECT_EQ(got->object_size, body.size());
  EXPECT_EQ(got->content_type, "text/plain");
  EXPECT_EQ(got->etag, put->etag);
  ASSERT_EQ(got->metadata.size(), 1u);
  EXPECT_EQ(got->metadata[0], (std::pair<std::string, std::string>("owner", "alice")));

  auto ranged = client_->get_object(
      {.bucket = "life", .key = "dir/some key+é.txt", .range = ByteRange{.first = 5, .last = 9}});
  ASSERT_TRUE(ranged) << ranged.error().to_string();
  EXPECT_EQ(ranged->body, "56789");
  EXPECT_EQ(ranged->object_size, body.size());
  EXPECT_TRUE(ranged->content_range.has_value());

  auto head = client_->head_object({.bucket = "life", .key = "dir/some key+é.txt"});
  ASSERT_TRUE(head) << head.error().to_string();
  EXPECT_EQ(head->content_length, body.size());
  EXPECT_EQ(head->etag, put->etag);

  ASSERT_TRUE(client_->delete_object({.bucket = "life", .key = "dir/some key+é.txt"}));
  auto gone = client_->head_object({.bucket = "life", .key = "dir/some key+é.txt"});
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(gone.error().http_status, 404);
  ASSERT_TRUE(client_->delete_bucket({.bucket = "life"}));

  EXPECT_EQ(count("s3.PutObject"), 1u);
  EXPECT_EQ(count("s3.GetObject"), 2u);
  EXPECT_EQ(count("s3.HeadObject"), 2u);
  EXPECT_EQ(errors("s3.HeadObject"), 1u);
  EXPECT_EQ(count("s3.CreateBucket"), 1u);
  EXPECT_EQ(count("s3.DeleteBucket"), 1u);
  EXPECT_EQ(count("s3.DeleteObject"), 1u);
}

TEST_P(S3Test, EmptyAndBinaryObjects) {
  ASSERT_TRUE(client_->create_bucket({.bucket = "bin"}));
  std::string binary;
  for (int i = 0; i < 4096; ++i) binary.push_back(static_cast<char>(i % 256));
  ASSERT_TRUE(client_->put_object({.bucket = "bin", .key = "b", .body = binary}));
  ASSERT_TRUE(client_->put_object({.bucket = "bin", .key = "empty", .body = ""}));
  auto b = client_->get_object({.bucket = "bin", .key = "b"});
  ASSERT_TRUE(b) << b.error().to_string();
  EXPECT_EQ(b->body, binary);
  auto e = client_->get_object({.bucket = "bin", .key = "empty"});
  ASSERT_TRUE(e) << e.error().to_string();
  EXPECT_EQ(e->body, "");
}

TEST_P(S3Test, ListObjectsV2PaginatesWithContinuationTokens) {
  ASSERT_TRUE(client_->create_bucket({.bucket = "list"}));
  for (int i = 0; i < 7; ++i) {
    ASSERT_TRUE(client_->put_object(
        {.bucket = "list", .key = "p/k" + std::to_string(i), .body = std::to_string(i)}));
  }
  ASSERT_TRUE(client_->put_object({.bucket = "list", .key = "q/other", .body = "x"}));

  std::vector<std::string> keys;
  std::vector<std::size_t> page_sizes;
  ListObjectsV2Request request{.bucket = "list", .prefix = "p/", .max_keys = 3};
  for (int pages = 0; pages < 10; ++pages) {
    auto page = client_->list_objects_v2(request);
    ASSERT_TRUE(page) << page.error().to_string();
    page_sizes.push_back(page->contents.size());
    for (const auto& o : page->contents) keys.push_back(o.key);
    if (!page->is_truncated) break;
    ASSERT_TRUE(page->next_continuation_token.has_value());
    request.continuation_token = page->next_continuation_token;
  }
  EXPECT_EQ(page_sizes, (std::vector<std::size_t>{3, 3, 1}));
  EXPECT_EQ(keys,
            (std::vector<std::string>{"p/k0", "p/k1", "p/k2", "p/k3", "p/k4", "p/k5", "p/k6"}));

  auto all = client_->list_all_objects({.bucket = "list", .max_keys = 2});
  ASSERT_TRUE(all) << all.error().to_string();
  EXPECT_EQ(all->size(), 8u);
  EXPECT_EQ(all->front().size, 1u);

  auto bounded = client_->list_all_objects({.bucket = "list", .max_keys = 2}, 3);
  ASSERT_FALSE(bounded);
  EXPECT_EQ(bounded.error().code, ErrorCode::kTooLarge);

  auto grouped = client_->list_objects_v2({.bucket = "list", .delimiter = "/"});
  ASSERT_TRUE(grouped) << grouped.error().to_string();
  EXPECT_TRUE(grouped->contents.empty());
  EXPECT_EQ(grouped->common_prefixes, (std::vector<std::string>{"p/", "q/"}));
}

TEST_P(S3Test, DeleteObjectsRemovesMany) {
  ASSERT_TRUE(client_->create_bucket({.bucket = "multi-delete"}));
  std::vector<std::string> keys;
  for (int i = 0; i < 25; ++i) {
    keys.push_back("key&" + std::to_string(i));
    ASSERT_TRUE(client_->put_object({.bucket = "multi-delete", .key = keys.back(), .body = "v"}));
  }
  auto r = client_->delete_objects({.bucket = "multi-delete", .keys = keys});
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->deleted.size(), keys.size());
  EXPECT_TRUE(r->errors.empty());
  auto left = client_->list_objects_v2({.bucket = "multi-delete"});
  ASSERT_TRUE(left);
  EXPECT_TRUE(left->contents.empty());
  EXPECT_EQ(count("s3.DeleteObjects"), 1u);
}

TEST_P(S3Test, UploadChecksumsAreAcceptedAndAWrongMd5IsRejected) {
  ASSERT_TRUE(client_->create_bucket({.bucket = "sums"}));
  auto md5 = client_->put_object({.bucket = "sums",
                                  .key = "md5",
                                  .body = "checked",
                                  .checksum = ChecksumAlgorithm::kContentMd5});
  ASSERT_TRUE(md5) << md5.error().to_string();
  auto crc = client_->put_object(
      {.bucket = "sums", .key = "crc", .body = "checked", .checksum = ChecksumAlgorithm::kCrc32});
  ASSERT_TRUE(crc) << crc.error().to_string();
  auto back = client_->get_object({.bucket = "sums", .key = "crc"});
  ASSERT_TRUE(back);
  EXPECT_EQ(back->body, "checked");

  // A Content-MD5 that is not the body's. AWS answers BadDigest; moto and
  // s3rver store the object without checking, and verify_upload_etag catches
  // that the stored object's MD5 (its ETag) is not what was claimed. Either
  // way the caller gets an error.
  auto strict = make_client({.verify_upload_etag = true});
  auto wrong = strict->put_object({.bucket = "sums",
                                   .key = "wrong",
                                   .body = "checked",
                                   .content_md5 = aws::content_md5("something else")});
  ASSERT_FALSE(wrong);
  EXPECT_TRUE(wrong.error().code == ErrorCode::kChecksumMismatch ||
              wrong.error().aws_type == "BadDigest")
      << wrong.error().to_string();
  auto right = strict->put_object({.bucket = "sums", .key = "right", .body = "checked"});
  EXPECT_TRUE(right) << right.error().to_string();
}

TEST_P(S3Test, MissingBucketAndKeyAreNotFound) {
  auto no_bucket = client_->get_object({.bucket = "does-not-exist", .key = "k"});
  ASSERT_FALSE(no_bucket);
  EXPECT_EQ(no_bucket.error().aws_type, "NoSuchBucket") << no_bucket.error().to_string();
  EXPECT_EQ(no_bucket.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(no_bucket.error().http_status, 404);
  EXPECT_FALSE(no_bucket.error().retryable);

  ASSERT_TRUE(client_->create_bucket({.bucket = "present"}));
  auto no_key = client_->get_object({.bucket = "present", .key = "missing"});
  ASSERT_FALSE(no_key);
  EXPECT_EQ(no_key.error().aws_type, "NoSuchKey") << no_key.error().to_string();
  EXPECT_EQ(no_key.error().code, ErrorCode::kNotFound);
  EXPECT_NE(no_key.error().message.find("present/missing"), std::string::npos);

  auto head = client_->head_object({.bucket = "present", .key = "missing"});
  ASSERT_FALSE(head);
  EXPECT_EQ(head.error().http_status, 404);
  EXPECT_EQ(head.error().code, ErrorCode::kNotFound);

  auto bad_name = client_->create_bucket({.bucket = "Bad_Name"});
  ASSERT_FALSE(bad_name);
  EXPECT_EQ(bad_name.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(errors("s3.GetObject"), 2u);
  EXPECT_EQ(client_->statistics().retry.retries, 0u);
}

TEST_P(S3Test, MultipartUploadAndRangedDownloadOfAFile) {
  ASSERT_TRUE(client_->create_bucket({.bucket = "mpu"}));
  const std::string src = dir_ + "/src.bin";
  const std::string dst = dir_ + "/dst.bin";
  const std::uint64_t size = (12ull << 20) + 12345;
  write_random_file(src, size, 7);
  auto up = client_->upload_file({.bucket = "mpu",
                                  .key = "big/file",
                                  .path = src,
                                  .part_size_bytes = 5ull << 20,
                                  .multipart_threshold_bytes = 5ull << 20,
                                  .max_concurrency = 3});
  ASSERT_TRUE(up) << up.error().to_string();
  EXPECT_EQ(up->parts, 3);
  EXPECT_EQ(up->bytes, size);
  EXPECT_FALSE(up->etag.empty());
  EXPECT_EQ(count("s3.CreateMultipartUpload"), 1u);
  EXPECT_EQ(count("s3.UploadPart"), 3u);
  EXPECT_EQ(count("s3.CompleteMultipartUpload"), 1u);
  EXPECT_EQ(count("s3.AbortMultipartUpload"), 0u);

  auto down = client_->download_file({.bucket = "mpu",
                                      .key = "big/file",
                                      .path = dst,
                                      .part_size_bytes = 1ull << 20,
                                      .max_concurrency = 4});
  ASSERT_TRUE(down) << down.error().to_string();
  EXPECT_EQ(down->bytes, size);
  EXPECT_EQ(down->parts, 13);
  EXPECT_EQ(fs::file_size(dst), size);
  EXPECT_EQ(file_sha256(src), file_sha256(dst));
  EXPECT_FALSE(fs::exists(dst + ".awsperf-part"));
  EXPECT_EQ(count("s3.UploadFile"), 1u);
  EXPECT_EQ(count("s3.DownloadFile"), 1u);

  // Below the threshold: one PutObject.
  const std::string small = dir_ + "/small.bin";
  write_random_file(small, 1000, 8);
  auto one = client_->upload_file({.bucket = "mpu", .key = "small", .path = small});
  ASSERT_TRUE(one) << one.error().to_string();
  EXPECT_EQ(one->parts, 0);
  EXPECT_EQ(count("s3.PutObject"), 1u);
}

// s3rver 3.7 has no AbortMultipartUpload (it answers 405 MethodNotAllowed),
// so the tests that abort run against moto only.
class S3AbortTest : public S3Test {};

TEST_P(S3Test, LowLevelMultipart) {
  ASSERT_TRUE(client_->create_bucket({.bucket = "low"}));
  auto created = client_->create_multipart_upload({.bucket = "low", .key = "k"});
  ASSERT_TRUE(created) << created.error().to_string();
  auto part = client_->upload_part({.bucket = "low",
                                    .key = "k",
                                    .upload_id = created->upload_id,
                                    .part_number = 1,
                                    .body = "last part may be small"});
  ASSERT_TRUE(part) << part.error().to_string();
  auto done =
      client_->complete_multipart_upload({.bucket = "low",
                                          .key = "k",
                                          .upload_id = created->upload_id,
                                          .parts = {{.part_number = 1, .etag = part->etag}}});
  ASSERT_TRUE(done) << done.error().to_string();
  auto got = client_->get_object({.bucket = "low", .key = "k"});
  ASSERT_TRUE(got);
  EXPECT_EQ(got->body, "last part may be small");
  auto bad_part = client_->upload_part(
      {.bucket = "low", .key = "k", .upload_id = "x", .part_number = 10001, .body = "x"});
  ASSERT_FALSE(bad_part);
  EXPECT_EQ(bad_part.error().code, ErrorCode::kInvalidArgument);
}

TEST_P(S3AbortTest, LowLevelMultipartAndAbort) {
  ASSERT_TRUE(client_->create_bucket({.bucket = "low"}));
  auto created = client_->create_multipart_upload({.bucket = "low", .key = "k"});
  ASSERT_TRUE(created) << created.error().to_string();
  auto part = client_->upload_part({.bucket = "low",
                                    .key = "k",
                                    .upload_id = created->upload_id,
                                    .part_number = 1,
                                    .body = "last part may be small"});
  ASSERT_TRUE(part) << part.error().to_string();
  auto done =
      client_->complete_multipart_upload({.bucket = "low",
                                          .key = "k",
                                          .upload_id = created->upload_id,
                                          .parts = {{.part_number = 1, .etag = part->etag}}});
  ASSERT_TRUE(done) << done.error().to_string();
  auto got = client_->get_object({.bucket = "low", .key = "k"});
  ASSERT_TRUE(got);
  EXPECT_EQ(got->body, "last part may be small");

  auto second = client_->create_multipart_upload({.bucket = "low", .key = "aborted"});
  ASSERT_TRUE(second);
  ASSERT_TRUE(client_->abort_multipart_upload(
      {.bucket = "low", .key = "aborted", .upload_id = second->upload_id}));
  auto after = client_->upload_part({.bucket = "low",
                                     .key = "aborted",
                                     .upload_id = second->upload_id,
                                     .part_number = 1,
                                     .body = "x"});
  // AWS answers NoSuchUpload; moto 5.2 answers a 500 with an HTML body. Both
  // are errors, and no object appears.
  ASSERT_FALSE(after);
  auto head = client_->head_object({.bucket = "low", .key = "aborted"});
  ASSERT_FALSE(head);
  EXPECT_EQ(head.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(count("s3.AbortMultipartUpload"), 1u);
  EXPECT_EQ(errors("s3.AbortMultipartUpload"), 0u);
}

// A part that cannot be read (the file shrank after the upload started) fails
// the upload, which is then aborted.
TEST_P(S3AbortTest, FailedPartAbortsTheUpload) {
  ASSERT_TRUE(client_->create_bucket({.bucket = "abort"}));
  const std::string src = dir_ + "/shrinking.bin";
  write_random_file(src, 15ull << 20, 9);

  boost::asio::io_context io;
  auto client = Client::create(io.get_executor(), {.endpoint_url = peer_->endpoint(),
                                                   .region = "us-east-1",
                                                   .credentials = test_credentials(),
                                                   .monitor = &monitor_});
  ASSERT_TRUE(client) << client.error().to_string();
  std::optional<Result<UploadFileResponse>> result;
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        // A named request: g++ 12 destroys a braced temporary inside a
        // co_await expression twice.
        UploadFileRequest request{.bucket = "abort",
                                  .key = "k",
                                  .path = src,
                                  .part_size_bytes = 5ull << 20,
                                  .multipart_threshold_bytes = 5ull << 20,
                                  .max_concurrency = 1};
        result = co_await (*client)->upload_file(std::move(request));
      },
      boost::asio::detached);
  // Run until the upload exists, then cut the file to 6 MiB: part 1 still
  // reads, part 2 cannot.
  while (count("s3.CreateMultipartUpload") == 0 && io.run_one() > 0) {
  }
  ASSERT_EQ(count("s3.CreateMultipartUpload"), 1u);
  ASSERT_EQ(::truncate(src.c_str(), 6ll << 20), 0);
  io.run();
  ASSERT_TRUE(result.has_value());
  ASSERT_FALSE(*result);
  EXPECT_NE(result->error().message.find("shrank"), std::string::npos)
      << result->error().to_string();
  EXPECT_EQ(count("s3.AbortMultipartUpload"), 1u);
  EXPECT_EQ(errors("s3.AbortMultipartUpload"), 0u);
  EXPECT_EQ(count("s3.CompleteMultipartUpload"), 0u);
  auto head = client_->head_object({.bucket = "abort", .key = "k"});
  ASSERT_FALSE(head);
  EXPECT_EQ(head.error().code, ErrorCode::kNotFound);
}

TEST_P(S3Test, DownloadOfAMissingKeyLeavesNoFile) {
  ASSERT_TRUE(client_->create_bucket({.bucket = "dl-bucket"}));
  const std::string dst = dir_ + "/never.bin";
  auto r = client_->download_file({.bucket = "dl-bucket", .key = "nope", .path = dst});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(fs::exists(dst));
  EXPECT_FALSE(fs::exists(dst + ".awsperf-part"));
  auto missing_file =
      client_->upload_file({.bucket = "dl-bucket", .key = "k", .path = dir_ + "/none"});
  ASSERT_FALSE(missing_file);
  EXPECT_EQ(missing_file.error().code, ErrorCode::kNotFound);
}

TEST_P(S3Test, ResponsesLargerThanThePoolLimitAreErrorsNotTruncation) {
  ASSERT_TRUE(client_->create_bucket({.bucket = "limit"}));
  ASSERT_TRUE(client_->put_object({.bucket = "limit", .key = "k", .body = std::string(4096, 'x')}));
  auto small = make_client({.pool = {.max_response_body_bytes = 1024}});
  auto r = small->get_object({.bucket = "limit", .key = "k"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kTooLarge) << r.error().to_string();
  // The streamed download stays under the limit with small ranges.
  const std::string dst = dir_ + "/limit.bin";
  auto d =
      small->download_file({.bucket = "limit", .key = "k", .path = dst, .part_size_bytes = 1024});
  ASSERT_TRUE(d) << d.error().to_string();
  EXPECT_EQ(fs::file_size(dst), 4096u);
}

INSTANTIATE_TEST_SUITE_P(Peers, S3Test, ::testing::Values(PeerKind::kMoto, PeerKind::kS3rver),
                         [](const auto& info) { return peer_name(info.param); });
INSTANTIATE_TEST_SUITE_P(Peers, S3AbortTest, ::testing::Values(PeerKind::kMoto),
                         [](const auto& info) { return peer_name(info.param); });

TEST(S3Errors, ConnectionRefusedIsAClearErrorWithoutHanging) {
  const int port = testutil::free_port();
  monitor::PerformanceMonitor monitor;
  auto client = BlockingClient::create({.endpoint_url = "http://127.0.0.1:" + std::to_string(port),
                                        .region = "us-east-1",
                                        .credentials = test_credentials(),
                                        .pool = {.connect_timeout = std::chrono::seconds(2)},
                                        .monitor = &monitor});
  ASSERT_TRUE(client) << client.error().to_string();
  const auto start = std::chrono::steady_clock::now();
  auto r = (*client)->get_object({.bucket = "any-bucket", .key = "k"});
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kConnectionFailed) << r.error().to_string();
  EXPECT_NE(r.error().message.find("GetObject any-bucket/k"), std::string::npos);
  // Three attempts with at most 100 + 200 ms of backoff.
  EXPECT_LT(took, std::chrono::seconds(5));
  EXPECT_EQ((*client)->statistics().attempts, 3u);
  auto stats = monitor.stats("s3.GetObject");
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->errors, 1u);
}

TEST(S3Errors, VirtualHostedAddressingOnAwsEndpoints) {
  auto env = aws::Environment::from_map({});
  boost::asio::io_context io;
  auto client = Client::create(
      io.get_executor(),
      {.region = "eu-west-1", .credentials = test_credentials(), .environment = &env});
  ASSERT_TRUE(client) << client.error().to_string();
  EXPECT_EQ((*client)->endpoint(), "https://s3.eu-west-1.amazonaws.com");
  EXPECT_TRUE((*client)->virtual_hosted("my-bucket"));
  EXPECT_FALSE((*client)->virtual_hosted("dotted.bucket"));
  auto custom = Client::create(io.get_executor(), {.endpoint_url = "http://127.0.0.1:1",
                                                   .region = "eu-west-1",
                                                   .credentials = test_credentials(),
                                                   .environment = &env});
  ASSERT_TRUE(custom);
  EXPECT_FALSE((*custom)->virtual_hosted("my-bucket"));
}

}  // namespace
}  // namespace awsperf::s3
