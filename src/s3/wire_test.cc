#include "s3/wire.h"

#include <gtest/gtest.h>

#include "awsperf/aws/crypto.h"

namespace awsperf::s3::detail {
namespace {

aws::Endpoint endpoint(std::string scheme, std::string host, std::uint16_t port,
                       std::string base = "") {
  return {.scheme = std::move(scheme), .host = std::move(host), .port = port, .base_path = base};
}

TEST(BucketNames, ValidAndInvalid) {
  EXPECT_TRUE(validate_bucket("my-bucket.data1"));
  EXPECT_TRUE(validate_bucket("abc"));
  EXPECT_FALSE(validate_bucket("ab"));
  EXPECT_FALSE(validate_bucket(std::string(64, 'a')));
  EXPECT_FALSE(validate_bucket("My-Bucket"));
  EXPECT_FALSE(validate_bucket("-bucket"));
  EXPECT_FALSE(validate_bucket("bucket-"));
  EXPECT_FALSE(validate_bucket("a..b"));
  EXPECT_FALSE(validate_bucket("192.168.1.1"));
  EXPECT_FALSE(validate_bucket("under_score"));
  auto e = validate_bucket("ab");
  EXPECT_EQ(e.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(e.error().message.find("3 to 63"), std::string::npos);
}

TEST(Keys, Limits) {
  EXPECT_FALSE(validate_key(""));
  EXPECT_TRUE(validate_key(std::string(1024, 'k')));
  EXPECT_FALSE(validate_key(std::string(1025, 'k')));
}

TEST(Addressing, AutoIsVirtualHostedOnAwsAndPathOnCustomEndpoints) {
  auto aws = endpoint("https", "s3.eu-west-1.amazonaws.com", 443);
  EXPECT_TRUE(use_virtual_host(AddressingStyle::kAuto, false, aws, "my-bucket"));
  // A dotted name does not match the wildcard certificate over TLS.
  EXPECT_FALSE(use_virtual_host(AddressingStyle::kAuto, false, aws, "my.bucket"));
  EXPECT_FALSE(use_virtual_host(AddressingStyle::kAuto, true, aws, "my-bucket"));
  auto local = endpoint("http", "127.0.0.1", 9000);
  EXPECT_FALSE(use_virtual_host(AddressingStyle::kAuto, false, local, "my-bucket"));
  EXPECT_TRUE(use_virtual_host(AddressingStyle::kVirtualHosted, true, local, "my-bucket"));
  EXPECT_FALSE(use_virtual_host(AddressingStyle::kPath, false, aws, "my-bucket"));
}

TEST(Addressing, PathStyleEncodesBucketAndKey) {
  auto a = make_address(endpoint("http", "127.0.0.1", 9000), false, "bkt", "dir/a b+c~é.txt");
  EXPECT_EQ(a.origin.host, "127.0.0.1");
  EXPECT_EQ(a.origin.port, 9000);
  EXPECT_EQ(a.host_header, "127.0.0.1:9000");
  EXPECT_EQ(a.path, "/bkt/dir/a%20b%2Bc~%C3%A9.txt");
}

TEST(Addressing, VirtualHostedPutsBucketInHost) {
  auto a = make_address(endpoint("https", "s3.us-west-2.amazonaws.com", 443), true, "bkt", "k");
  EXPECT_EQ(a.origin.host, "bkt.s3.us-west-2.amazonaws.com");
  EXPECT_EQ(a.origin.scheme, http::Scheme::kHttps);
  EXPECT_EQ(a.host_header, "bkt.s3.us-west-2.amazonaws.com");
  EXPECT_EQ(a.path, "/k");
  // Bucket-level calls address "/".
  EXPECT_EQ(make_address(endpoint("https", "s3.amazonaws.com", 443), true, "bkt", "").path, "/");
}

TEST(Addressing, BasePathIsKept) {
  auto a = make_address(endpoint("http", "proxy", 80, "/s3"), false, "bkt", "k");
  EXPECT_EQ(a.path, "/s3/bkt/k");
  EXPECT_EQ(a.host_header, "proxy");
}

TEST(Query, EncodesAndKeepsBareNames) {
  EXPECT_EQ(encode_query({{.name = "uploads", .bare = true}}), "uploads");
  EXPECT_EQ(encode_query({{"list-type", "2"}, {"prefix", "a/b c"}}),
            "list-type=2&prefix=a%2Fb%20c");
  EXPECT_EQ(encode_query({{"uploadId", "x+y/z="}}), "uploadId=x%2By%2Fz%3D");
}

TEST(Range, HeaderAndContentRange) {
  EXPECT_EQ(*range_header({.first = 0, .last = 99}), "bytes=0-99");
  EXPECT_EQ(*range_header({.first = 100}), "bytes=100-");
  EXPECT_EQ(range_header({.first = 10, .last = 9}).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(content_range_total("bytes 0-99/1234"), 1234u);
  EXPECT_EQ(content_range_total("bytes */1234"), 1234u);
  EXPECT_FALSE(content_range_total("bytes 0-99/*"));
  EXPECT_FALSE(content_range_total("garbage"));
}

TEST(Checksums, Crc32IsBase64BigEndian) {
  // CRC-32 of "hello world" is 0x0d4a1185.
  EXPECT_EQ(checksum_crc32("hello world"), "DUoRhQ==");
  EXPECT_EQ(checksum_crc32(""), "AAAAAA==");
}

TEST(Checksums, EtagMd5Verification) {
  const std::string md5 = aws::content_md5("hello world");
  EXPECT_TRUE(verify_etag_md5("\"5eb63bbbe01eeed093cb22bb8f5acdc3\"", md5));
  auto bad = verify_etag_md5("\"00000000000000000000000000000000\"", md5);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kChecksumMismatch);
  // Multipart and non-MD5 ETags are not compared.
  EXPECT_TRUE(verify_etag_md5("\"5eb63bbbe01eeed093cb22bb8f5acdc3-2\"", md5));
  EXPECT_TRUE(verify_etag_md5("opaque", md5));
  EXPECT_EQ(unquote_etag("\"abc\""), "abc");
  EXPECT_EQ(unquote_etag("abc"), "abc");
}

TEST(Xml, CreateBucket) {
  EXPECT_EQ(encode_create_bucket(""), "");
  EXPECT_NE(encode_create_bucket("eu-west-1").find("<LocationConstraint>eu-west-1<"),
            std::string::npos);
}

TEST(Xml, DeleteObjectsEscapesKeysAndChecksLimits) {
  auto body = encode_delete_objects({.bucket = "b", .keys = {"a&b", "<c>"}, .quiet = true});
  ASSERT_TRUE(body);
  EXPECT_NE(body->find("<Quiet>true</Quiet>"), std::string::npos);
  EXPECT_NE(body->find("<Key>a&amp;b</Key>"), std::string::npos);
  EXPECT_NE(body->find("<Key>&lt;c&gt;</Key>"), std::string::npos);
  EXPECT_EQ(encode_delete_objects({.bucket = "b"}).error().code, ErrorCode::kInvalidArgument);
  DeleteObjectsRequest many{.bucket = "b", .keys = std::vector<std::string>(1001, "k")};
  EXPECT_EQ(encode_delete_objects(many).error().code, ErrorCode::kInvalidArgument);
}

TEST(Xml, CompleteMultipart) {
  auto body = encode_complete_multipart(
      {.parts = {{.part_number = 1, .etag = "\"e1\""}, {.part_number = 2, .etag = "\"e2\""}}});
  EXPECT_NE(body.find("<Part><PartNumber>1</PartNumber><ETag>&quot;e1&quot;</ETag></Part>"),
            std::string::npos);
  EXPECT_NE(body.find("<PartNumber>2</PartNumber>"), std::string::npos);
}

TEST(Xml, ListObjectsV2) {
  auto r = decode_list_objects_v2(R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>b</Name><Prefix></Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys>
  <IsTruncated>true</IsTruncated><NextContinuationToken>tok/1=</NextContinuationToken>
  <Contents><Key>a&amp;1</Key><LastModified>2024-01-01T00:00:00.000Z</LastModified>
    <ETag>"abc"</ETag><Size>12345678901</Size><StorageClass>STANDARD</StorageClass></Contents>
  <Contents><Key>b</Key><Size>0</Size></Contents>
  <CommonPrefixes><Prefix>dir/</Prefix></CommonPrefixes>
</ListBucketResult>)");
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_TRUE(r->is_truncated);
  EXPECT_EQ(r->next_continuation_token, "tok/1=");
  EXPECT_EQ(r->key_count, 2);
  ASSERT_EQ(r->contents.size(), 2u);
  EXPECT_EQ(r->contents[0].key, "a&1");
  EXPECT_EQ(r->contents[0].size, 12345678901u);
  EXPECT_EQ(r->contents[0].etag, "\"abc\"");
  EXPECT_EQ(r->contents[0].storage_class, "STANDARD");
  EXPECT_FALSE(r->contents[1].etag);
  ASSERT_EQ(r->common_prefixes.size(), 1u);
  EXPECT_EQ(r->common_prefixes[0], "dir/");
}

TEST(Xml, MalformedBodiesAreParseErrors) {
  EXPECT_EQ(decode_list_objects_v2("<ListBucketResult><Contents><Size>x</Size>").error().code,
            ErrorCode::kParse);
  EXPECT_EQ(decode_list_objects_v2("not xml").error().code, ErrorCode::kParse);
  EXPECT_EQ(decode_list_objects_v2("<Other/>").error().code, ErrorCode::kParse);
  EXPECT_EQ(
      decode_list_objects_v2("<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>")
          .error()
          .code,
      ErrorCode::kParse);
  EXPECT_EQ(decode_create_multipart("<InitiateMultipartUploadResult/>").error().code,
            ErrorCode::kParse);
}

TEST(Xml, ErrorDocumentInA200IsTheServiceError) {
  auto r = decode_complete_multipart(
      "<Error><Code>InternalError</Code><Message>try again</Message></Error>");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().aws_type, "InternalError");
  EXPECT_EQ(r.error().code, ErrorCode::kService);
  EXPECT_TRUE(r.error().retryable);
}

TEST(Xml, DeleteObjectsResult) {
  auto r = decode_delete_objects(
      "<DeleteResult><Deleted><Key>a</Key></Deleted><Error><Key>b</Key><Code>AccessDenied</Code>"
      "<Message>no</Message></Error></DeleteResult>");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->deleted.size(), 1u);
  EXPECT_EQ(r->deleted[0], "a");
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_EQ(r->errors[0].key, "b");
  EXPECT_EQ(r->errors[0].code, "AccessDenied");
}

TEST(Xml, InitiateAndComplete) {
  auto c = decode_create_multipart(
      "<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><UploadId>u-1</UploadId>"
      "</InitiateMultipartUploadResult>");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->upload_id, "u-1");
  auto d = decode_complete_multipart(
      "<CompleteMultipartUploadResult><Location>http://x/b/k</Location><ETag>\"e-2\"</ETag>"
      "</CompleteMultipartUploadResult>");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->etag, "\"e-2\"");
  EXPECT_EQ(d->location, "http://x/b/k");
  auto moto = decode_complete_multipart(
      "<CompleteMultipartUploadResponse xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
      "<ETag>\"e-1\"</ETag></CompleteMultipartUploadResponse>");
  ASSERT_TRUE(moto);
  EXPECT_EQ(moto->etag, "\"e-1\"");
}

TEST(Plan, UploadPartsCoverTheFileExactly) {
  constexpr std::uint64_t kMiB = 1 << 20;
  auto parts = plan_upload_parts(256 * kMiB + 5, 8 * kMiB);
  ASSERT_TRUE(parts);
  ASSERT_EQ(parts->size(), 33u);
  std::uint64_t next = 0;
  for (std::size_t i = 0; i < parts->size(); ++i) {
    EXPECT_EQ((*parts)[i].number, static_cast<int>(i + 1));
    EXPECT_EQ((*parts)[i].offset, next);
    next += (*parts)[i].size;
  }
  EXPECT_EQ(next, 256 * kMiB + 5);
  EXPECT_EQ(parts->back().size, 5u);
}

TEST(Plan, UploadPartSizeLimitsAndGrowth) {
  constexpr std::uint64_t kMiB = 1 << 20;
  EXPECT_EQ(plan_upload_parts(100, 4 * kMiB).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(plan_upload_parts(100, 6ull << 30).error().code, ErrorCode::kInvalidArgument);
  // 100 GiB in 5 MiB parts would be 20480 parts: the part size grows.
  auto parts = plan_upload_parts(100ull << 30, 5 * kMiB);
  ASSERT_TRUE(parts);
  EXPECT_LE(parts->size(), 10000u);
  EXPECT_EQ(plan_upload_parts(6ull << 40, 5ull << 30).error().code, ErrorCode::kTooLarge);
  auto empty = plan_upload_parts(0, 5 * kMiB);
  ASSERT_TRUE(empty);
  ASSERT_EQ(empty->size(), 1u);
  EXPECT_EQ((*empty)[0].size, 0u);
}

TEST(Plan, DownloadParts) {
  auto parts = plan_download_parts(10, 4);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[2].offset, 8u);
  EXPECT_EQ(parts[2].size, 2u);
  EXPECT_TRUE(plan_download_parts(0, 4).empty());
}

TEST(Metadata, FromHeaders) {
  http::Headers h;
  h.add("X-Amz-Meta-Owner", "alice");
  h.add("x-amz-meta-", "ignored");
  h.add("Content-Type", "text/plain");
  auto m = metadata_from_headers(h);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].first, "owner");
  EXPECT_EQ(m[0].second, "alice");
}

}  // namespace
}  // namespace awsperf::s3::detail
