// Uploads a local file to S3 (multipart above 16 MiB, parts in parallel),
// lists the bucket, downloads the object back with ranged GETs, and prints
// what the monitor recorded.
//
//   example_s3_upload_download <endpoint-url> <bucket> <file>
//   e.g. example_s3_upload_download http://127.0.0.1:9000 my-bucket ./data.bin
//
// Credentials and region come from the usual chain (AWS_ACCESS_KEY_ID, ...,
// AWS_REGION); us-east-1 when no region is configured.
#include <cstdlib>
#include <iostream>

#include "awsperf/monitor/monitor.h"
#include "awsperf/s3/client.h"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: " << argv[0] << " <endpoint-url> <bucket> <file>\n";
    return 2;
  }
  const std::string bucket = argv[2];
  const std::string path = argv[3];
  awsperf::s3::ClientOptions options{.endpoint_url = argv[1]};
  if (!std::getenv("AWS_REGION") && !std::getenv("AWS_DEFAULT_REGION"))
    options.region = "us-east-1";
  auto client = awsperf::s3::BlockingClient::create(options);
  if (!client) {
    std::cerr << client.error().to_string() << "\n";
    return 1;
  }
  if (auto made = (*client)->create_bucket({.bucket = bucket}); !made) {
    // Already there is fine for an example.
    std::cerr << "create_bucket: " << made.error().to_string() << "\n";
  }
  auto up = (*client)->upload_file({.bucket = bucket, .key = "example/object", .path = path});
  if (!up) {
    std::cerr << up.error().to_string() << "\n";
    return 1;
  }
  std::cout << "uploaded " << up->bytes << " bytes in " << up->parts << " parts, ETag " << up->etag
            << "\n";
  auto listed = (*client)->list_all_objects({.bucket = bucket, .prefix = "example/"});
  if (listed) {
    for (const auto& o : *listed) std::cout << "  " << o.key << " " << o.size << "\n";
  }
  auto down = (*client)->download_file(
      {.bucket = bucket, .key = "example/object", .path = path + ".downloaded"});
  if (!down) {
    std::cerr << down.error().to_string() << "\n";
    return 1;
  }
  std::cout << "downloaded " << down->bytes << " bytes to " << path << ".downloaded\n";
  for (const auto& op : awsperf::monitor::global().all_stats()) {
    std::cout << op.name << ": " << op.latency.count << " calls, p50 "
              << op.latency.p50.count() / 1000 << " us, p99 " << op.latency.p99.count() / 1000
              << " us, errors " << op.errors << "\n";
  }
  return 0;
}
