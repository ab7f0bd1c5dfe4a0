#include "s3/wire.h"

#include <algorithm>
#include <charconv>
#include <pugixml.hpp>
#include <sstream>

#include "awsperf/aws/crypto.h"
#include "awsperf/aws/encoding.h"
#include "awsperf/aws/error.h"

namespace awsperf::s3::detail {
namespace {

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

bool looks_like_ipv4(std::string_view s) {
  int dots = 0;
  for (char c : s) {
    if (c == '.') {
      ++dots;
    } else if (c < '0' || c > '9') {
      return false;
    }
  }
  return dots == 3;
}

std::unexpected<Error> bad_xml(std::string_view what, std::string_view why) {
  return make_error(ErrorCode::kParse,
                    "malformed " + std::string(what) + " XML: " + std::string(why));
}

// Parses a body; an <Error> root becomes the service error it describes.
// `alternative_root` is a second accepted root name (moto answers
// CompleteMultipartUpload with <CompleteMultipartUploadResponse>).
Result<pugi::xml_node> load(pugi::xml_document& doc, std::string_view body, std::string_view what,
                            std::string_view root, std::string_view alternative_root = {}) {
  pugi::xml_parse_result parsed =
      doc.load_buffer(body.data(), body.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!parsed) return bad_xml(what, parsed.description());
  if (doc.child("Error")) {
    return make_error(aws::parse_xml_error({.http_status = 200, .body = body}));
  }
  pugi::xml_node node = doc.child(std::string(root).c_str());
  if (!node && !alternative_root.empty()) node = doc.child(std::string(alternative_root).c_str());
  if (!node) return bad_xml(what, "no <" + std::string(root) + "> element");
  return node;
}

Result<std::uint64_t> parse_u64(std::string_view text, std::string_view what) {
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || text.empty()) {
    return make_error(ErrorCode::kParse, std::string(what) + " is not a number: '" +
                                             std::string(text.substr(0, 40)) + "'");
  }
  return v;
}

std::optional<std::string> optional_child(pugi::xml_node node, const char* name) {
  pugi::xml_node child = node.child(name);
  if (!child) return std::nullopt;
  return std::string(child.child_value());
}

void append_escaped(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '\r':
        // A raw CR would be normalized away by the XML parser on the server.
        out += "&#13;";
        break;
      case '\n':
        out += "&#10;";
        break;
      default:
        out += c;
    }
  }
}

}  // namespace

Status validate_bucket(std::string_view b) {
  auto bad = [&](std::string why) {
    return make_error(ErrorCode::kInvalidArgument,
                      "invalid bucket name '" + std::string(b.substr(0, 80)) + "': " + why);
  };
  if (b.size() < 3 || b.size() > 63) return bad("must be 3 to 63 characters");
  for (char c : b) {
    if (!is_lower_alnum(c) && c != '.' && c != '-') {
      return bad("only lower-case letters, digits, '.' and '-' are allowed");
    }
  }
  if (!is_lower_alnum(b.front()) || !is_lower_alnum(b.back())) {
    return bad("must start and end with a letter or digit");
  }
  if (b.find("..") != std::string_view::npos) return bad("must not contain '..'");
  if (looks_like_ipv4(b)) return bad("must not look like an IP address");
  return {};
}

Status validate_key(std::string_view key) {
  if (key.empty()) return make_error(ErrorCode::kInvalidArgument, "object key is empty");
  if (key.size() > kMaxKeyBytes) {
    return make_error(ErrorCode::kInvalidArgument,
                      "object key is " + std::to_string(key.size()) + " bytes, more than 1024");
  }
  return {};
}

bool dns_compatible(std::string_view bucket, bool tls) {
  if (!validate_bucket(bucket)) return false;
  if (tls && bucket.find('.') != std::string_view::npos) return false;
  return true;
}

bool use_virtual_host(AddressingStyle style, bool custom_endpoint, const aws::Endpoint& endpoint,
                      std::string_view bucket) {
  switch (style) {
    case AddressingStyle::kPath:
      return false;
    case AddressingStyle::kVirtualHosted:
      return true;
    case AddressingStyle::kAuto:
      break;
  }
  if (custom_endpoint) return false;
  // An IP literal cannot take a bucket label in front of it.
  if (endpoint.host.find(':') != std::string::npos || looks_like_ipv4(endpoint.host)) return false;
  return dns_compatible(bucket, endpoint.tls());
}

Address make_address(const aws::Endpoint& endpoint, bool virtual_host, std::string_view bucket,
                     std::string_view key) {
  Address a;
  a.origin = http::Origin{
      .scheme = endpoint.tls() ? http::Scheme::kHttps : http::Scheme::kHttp,
      .host = endpoint.host,
      .port = endpoint.port,
  };
  a.path = endpoint.base_path;
  if (!bucket.empty()) {
    if (virtual_host) {
      a.origin.host = std::string(bucket) + "." + endpoint.host;
    } else {
      a.path += "/";
      a.path += aws::uri_encode(bucket);
    }
  }
  a.path += "/";
  // S3 takes the key as sent: '/' stays a separator, everything else that is
  // not unreserved is percent-encoded once.
  a.path += aws::uri_encode(key, /*keep_slash=*/true);
  a.host_header = a.origin.host_header();
  return a;
}

std::string encode_query(const std::vector<QueryParam>& params) {
  std::string out;
  for (const auto& p : params) {
    if (!out.empty()) out += '&';
    out += aws::uri_encode(p.name);
    if (!p.bare || !p.value.empty()) {
      out += '=';
      out += aws::uri_encode(p.value);
    }
  }
  return out;
}

Result<std::string> range_header(const ByteRange& range) {
  if (range.last && *range.last < range.first) {
    return make_error(ErrorCode::kInvalidArgument,
                      "byte range ends (" + std::to_string(*range.last) + ") before it starts (" +
                          std::to_string(range.first) + ")");
  }
  std::string out = "bytes=" + std::to_string(range.first) + "-";
  if (range.last) out += std::to_string(*range.last);
  return out;
}

std::optional<std::uint64_t> content_range_total(std::string_view v) {
  std::size_t slash = v.rfind('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto total = parse_u64(v.substr(slash + 1), "Content-Range total");
  if (!total) return std::nullopt;
  return *total;
}

std::string checksum_crc32(std::string_view body) {
  std::uint32_t crc = aws::crc32(body);
  char be[4] = {static_cast<char>(crc >> 24), static_cast<char>(crc >> 16),
                static_cast<char>(crc >> 8), static_cast<char>(crc)};
  return aws::base64_encode(std::string_view(be, 4));
}

std::string_view unquote_etag(std::string_view etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
    etag = etag.substr(1, etag.size() - 2);
  }
  return etag;
}

Status verify_etag_md5(std::string_view etag, std::string_view content_md5_base64) {
  std::string_view plain = unquote_etag(etag);
  if (plain.size() != 32) return {};
  auto decoded = aws::hex_decode(plain);
  if (!decoded) return {};
  auto sent = aws::base64_decode(content_md5_base64);
  if (!sent) return make_error(ErrorCode::kInternal, "Content-MD5 we sent is not base64");
  if (*decoded != *sent) {
    Error e;
    e.code = ErrorCode::kChecksumMismatch;
    e.message = "ETag " + std::string(plain) + " is not the MD5 of the body sent (" +
                aws::hex_encode(*sent) + "): the object was stored with different content";
    e.retryable = true;
    return make_error(std::move(e));
  }
  return {};
}

std::string encode_create_bucket(std::string_view location_constraint) {
  if (location_constraint.empty()) return {};
  std::string out =
      "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
      "<LocationConstraint>";
  append_escaped(out, location_constraint);
  out += "</LocationConstraint></CreateBucketConfiguration>";
  return out;
}

Result<std::string> encode_delete_objects(const DeleteObjectsRequest& r) {
  if (r.keys.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "DeleteObjects needs at least one key");
  }
  if (r.keys.size() > kMaxDeleteObjectsKeys) {
    return make_error(ErrorCode::kInvalidArgument, "DeleteObjects takes at most 1000 keys, got " +
                                                       std::to_string(r.keys.size()));
  }
  std::string out = "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";
  if (r.quiet) out += "<Quiet>true</Quiet>";
  for (const auto& key : r.keys) {
    if (auto ok = validate_key(key); !ok) return make_error(std::move(ok.error()));
    out += "<Object><Key>";
    append_escaped(out, key);
    out += "</Key></Object>";
  }
  out += "</Delete>";
  return out;
}

std::string encode_complete_multipart(const CompleteMultipartUploadRequest& r) {
  std::string out = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";
  for (const auto& p : r.parts) {
    out += "<Part><PartNumber>" + std::to_string(p.part_number) + "</PartNumber><ETag>";
    append_escaped(out, p.etag);
    out += "</ETag></Part>";
  }
  out += "</CompleteMultipartUpload>";
  return out;
}

Result<ListObjectsV2Response> decode_list_objects_v2(std::string_view body) {
  pugi::xml_document doc;
  auto root = load(doc, body, "ListObjectsV2", "ListBucketResult");
  if (!root) return make_error(std::move(root.error()));
  ListObjectsV2Response out;
  out.is_truncated = std::string_view(root->child_value("IsTruncated")) == "true";
  out.next_continuation_token = optional_child(*root, "NextContinuationToken");
  if (auto kc = optional_child(*root, "KeyCount")) {
    auto n = parse_u64(*kc, "KeyCount");
    if (!n) return make_error(std::move(n.error()));
    out.key_count = static_cast<int>(*n);
  }
  for (pugi::xml_node c : root->children("Contents")) {
    ObjectSummary s;
    s.key = c.child_value("Key");
    auto size = parse_u64(c.child_value("Size"), "Size");
    if (!size) return make_error(std::move(size.error()));
    s.size = *size;
    s.etag = optional_child(c, "ETag");
    s.last_modified = optional_child(c, "LastModified");
    s.storage_class = optional_child(c, "StorageClass");
    out.contents.push_back(std::move(s));
  }
  for (pugi::xml_node p : root->children("CommonPrefixes")) {
    out.common_prefixes.emplace_back(p.child_value("Prefix"));
  }
  if (out.is_truncated && (!out.next_continuation_token || out.next_continuation_token->empty())) {
    return bad_xml("ListObjectsV2", "IsTruncated without NextContinuationToken");
  }
  return out;
}

Result<DeleteObjectsResponse> decode_delete_objects(std::string_view body) {
  pugi::xml_document doc;
  auto root = load(doc, body, "DeleteObjects", "DeleteResult");
  if (!root) return make_error(std::move(root.error()));
  DeleteObjectsResponse out;
  for (pugi::xml_node d : root->children("Deleted")) out.deleted.emplace_back(d.child_value("Key"));
  for (pugi::xml_node e : root->children("Error")) {
    out.errors.push_back({.key = e.child_value("Key"),
                          .code = e.child_value("Code"),
                          .message = e.child_value("Message")});
  }
  return out;
}

Result<CreateMultipartUploadResponse> decode_create_multipart(std::string_view body) {
  pugi::xml_document doc;
  auto root = load(doc, body, "CreateMultipartUpload", "InitiateMultipartUploadResult");
  if (!root) return make_error(std::move(root.error()));
  CreateMultipartUploadResponse out{.upload_id = root->child_value("UploadId")};
  if (out.upload_id.empty()) return bad_xml("CreateMultipartUpload", "no UploadId");
  return out;
}

Result<CompleteMultipartUploadResponse> decode_complete_multipart(std::string_view body) {
  pugi::xml_document doc;
  auto root = load(doc, body, "CompleteMultipartUpload", "CompleteMultipartUploadResult",
                   "CompleteMultipartUploadResponse");
  if (!root) return make_error(std::move(root.error()));
  CompleteMultipartUploadResponse out;
  out.etag = root->child_value("ETag");
  out.location = optional_child(*root, "Location");
  return out;
}

Result<std::vector<Part>> plan_upload_parts(std::uint64_t size, std::uint64_t part_size) {
  if (part_size < kMinPartBytes || part_size > kMaxPartBytes) {
    return make_error(ErrorCode::kInvalidArgument, "part_size_bytes " + std::to_string(part_size) +
                                                       " is outside S3's limits of 5 MiB to 5 GiB");
  }
  if (size > kMaxObjectBytes) {
    return make_error(ErrorCode::kTooLarge,
                      "object of " + std::to_string(size) + " bytes exceeds S3's limit of 5 TiB");
  }
  const std::uint64_t min_for_count = (size + kMaxParts - 1) / kMaxParts;
  part_size = std::max(part_size, min_for_count);
  std::vector<Part> parts;
  if (size == 0) {
    parts.push_back({.number = 1, .offset = 0, .size = 0});
    return parts;
  }
  parts.reserve(static_cast<std::size_t>((size + part_size - 1) / part_size));
  for (std::uint64_t off = 0; off < size; off += part_size) {
    parts.push_back({.number = static_cast<int>(parts.size() + 1),
                     .offset = off,
                     .size = std::min(part_size, size - off)});
  }
  return parts;
}

std::vector<Part> plan_download_parts(std::uint64_t size, std::uint64_t part_size) {
  std::vector<Part> parts;
  if (part_size == 0) part_size = 1;
  for (std::uint64_t off = 0; off < size; off += part_size) {
    parts.push_back({.number = static_cast<int>(parts.size() + 1),
                     .offset = off,
                     .size = std::min(part_size, size - off)});
  }
  return parts;
}

Metadata metadata_from_headers(const http::Headers& headers) {
  constexpr std::string_view kPrefix = "x-amz-meta-";
  Metadata out;
  for (const auto& f : headers) {
    if (f.name.size() <= kPrefix.size()) continue;
    bool match = std::equal(kPrefix.begin(), kPrefix.end(), f.name.begin(), [](char a, char b) {
      return a == std::tolower(static_cast<unsigned char>(b));
    });
    if (!match) continue;
    std::string name = f.name.substr(kPrefix.size());
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    out.emplace_back(std::move(name), f.value);
  }
  return out;
}

}  // namespace awsperf::s3::detail
