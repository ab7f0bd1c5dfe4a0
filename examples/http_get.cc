// Fetches a URL through the pooled HTTP client, twice, and prints the status,
// the body size and the pool statistics (the second request reuses the
// connection).
//
//   example_http_get https://example.com/ [extra-ca.pem]
#include <cstdio>
#include <string>

#include "awsperf/http/client.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s URL [CA_FILE]\n", argv[0]);
    return 2;
  }
  awsperf::http::PoolOptions options;
  if (argc > 2) options.tls.ca_file = argv[2];
  awsperf::http::BlockingClient client(options);
  for (int i = 0; i < 2; ++i) {
    awsperf::http::Request request;
    request.operation = "example.get";
    awsperf::Result<awsperf::http::Response> response = client.request(argv[1], request);
    if (!response) {
      std::fprintf(stderr, "error: %s\n", response.error().to_string().c_str());
      return 1;
    }
    std::printf("HTTP %d, %zu body bytes, reused connection: %s\n", response->status,
                response->body.size(), response->reused_connection ? "yes" : "no");
  }
  const awsperf::http::PoolStatistics total = client.pools().statistics().total;
  std::printf("connections created %llu, reused %llu\n",
              static_cast<unsigned long long>(total.created),
              static_cast<unsigned long long>(total.reused));
  return 0;
}
