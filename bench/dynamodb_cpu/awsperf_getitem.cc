// awsperf's side of bench/dynamodb_cpu/run.sh: N GetItem calls, one after the
// other, with the process's CPU time (user + system, all threads) measured
// around the loop only, so start-up and connection set-up do not count.
//
//   awsperf-dynamodb-cpu-getitem ENDPOINT TABLE CALLS WARMUP [blocking|async]
//
// "blocking" uses BlockingClient (one call after the other from the main
// thread, as a synchronous program would); "async" awaits the calls in a
// coroutine on the caller's own io_context.
#include <sys/resource.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "awsperf/dynamodb/client.h"

namespace {

using awsperf::dynamodb::BlockingClient;
using awsperf::dynamodb::Client;
using awsperf::dynamodb::ClientOptions;
using awsperf::dynamodb::GetItemRequest;

double cpu_seconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  auto sec = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return sec(u.ru_utime) + sec(u.ru_stime);
}

GetItemRequest request_for(const std::string& table) {
  return GetItemRequest{.table_name = table, .key = {{"pk", "user#1"}}};
}

// Fails loudly: a benchmark that silently measured errors would be worthless.
[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "awsperf_getitem: %s\n", what.c_str());
  std::exit(1);
}

struct Measurement {
  double cpu = 0;
  double wall = 0;
};

Measurement run_blocking(const ClientOptions& options, const std::string& table, long calls,
                         long warmup) {
  auto client = BlockingClient::create(options);
  if (!client) die(client.error().to_string());
  auto once = [&] {
    auto r = (*client)->get_item(request_for(table));
    if (!r) die(r.error().to_string());
    if (!r->item) die("the item is missing");
  };
  for (long i = 0; i < warmup; ++i) once();
  auto wall0 = std::chrono::steady_clock::now();
  double cpu0 = cpu_seconds();
  for (long i = 0; i < calls; ++i) once();
  double cpu1 = cpu_seconds();
  auto wall1 = std::chrono::steady_clock::now();
  return {cpu1 - cpu0, std::chrono::duration<double>(wall1 - wall0).count()};
}

boost::asio::awaitable<void> loop(Client& client, std::string table, long calls, long warmup,
                                  Measurement& m) {
  auto wall0 = std::chrono::steady_clock::now();
  double cpu0 = 0;
  for (long i = 0; i < warmup + calls; ++i) {
    if (i == warmup) {
      wall0 = std::chrono::steady_clock::now();
      cpu0 = cpu_seconds();
    }
    GetItemRequest request = request_for(table);  // named: docs/gcc12-coroutines.md
    auto r = co_await client.get_item(std::move(request));
    if (!r) die(r.error().to_string());
    if (!r->item) die("the item is missing");
  }
  m.cpu = cpu_seconds() - cpu0;
  m.wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
}

Measurement run_async(const ClientOptions& options, const std::string& table, long calls,
                      long warmup) {
  boost::asio::io_context io(1);
  auto client = Client::create(io.get_executor(), options);
  if (!client) die(client.error().to_string());
  Measurement m;
  // Destroying the client when the loop is done closes its idle connection,
  // so run() returns now rather than after the keep-alive timeout.
  boost::asio::co_spawn(io, loop(**client, table, calls, warmup, m),
                        [&client](std::exception_ptr) { client->reset(); });
  io.run();
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: %s ENDPOINT TABLE CALLS WARMUP [blocking|async]\n", argv[0]);
    return 2;
  }
  const std::string endpoint = argv[1];
  const std::string table = argv[2];
  const long calls = std::atol(argv[3]);
  const long warmup = std::atol(argv[4]);
  const std::string mode = argc > 5 ? argv[5] : "blocking";
  if (calls <= 0 || warmup < 0 || (mode != "blocking" && mode != "async")) {
    std::fprintf(stderr, "bad arguments\n");
    return 2;
  }
  ClientOptions options{
      .endpoint_url = endpoint,
      .region = "us-east-1",
      .credentials = awsperf::aws::Credentials{
          .access_key_id = "AKIDEXAMPLE", .secret_access_key = "secret", .source = "bench"}};
  Measurement m = mode == "async" ? run_async(options, table, calls, warmup)
                                  : run_blocking(options, table, calls, warmup);
  std::printf(
      "{\"client\":\"awsperf-%s\",\"calls\":%ld,\"cpu_s\":%.6f,\"cpu_us_per_call\":%.3f,"
      "\"wall_s\":%.6f}\n",
      mode.c_str(), calls, m.cpu, m.cpu * 1e6 / static_cast<double>(calls), m.wall);
  return 0;
}
