// The DynamoDB client: every call goes through the connection pool, is signed
// (SigV4), retried by the DynamoDB retry policy (10 attempts, 25 ms base,
// full jitter, retry token bucket), checked against x-amz-crc32 and recorded
// in the PerformanceMonitor as "dynamodb.<Operation>" — without the caller
// doing anything.
//
// Consumed capacity, when a response carries it (ReturnConsumedCapacity
// TOTAL or INDEXES), goes to the monitor's value counters (units summed, and
// the number of ConsumedCapacity entries counted):
//   dynamodb.<Operation>.consumed_capacity_units  CapacityUnits
//   dynamodb.<Operation>.consumed_read_units      ReadCapacityUnits
//   dynamodb.<Operation>.consumed_write_units     WriteCapacityUnits
// When the response gives only CapacityUnits, reads (GetItem, Query, Scan,
// BatchGetItem, TransactGetItems) count them as read units and writes
// (PutItem, UpdateItem, DeleteItem, BatchWriteItem, TransactWriteItems) as
// write units. Exported as awsperf_value_total{name="..."} in Prometheus.
//
//   boost::asio::io_context io;
//   auto client = awsperf::dynamodb::Client::create(io.get_executor(),
//       {.endpoint_url = "http://127.0.0.1:8000", .region = "us-east-1"});
//   GetItemRequest request{.table_name = "users", .key = {{"id", "u1"}}};
//   auto item = co_await (*client)->get_item(std::move(request));  // see docs/gcc12-coroutines.md
//
// Errors are Result<T>, never exceptions: the AWS error name is in
// Error::aws_type (ConditionalCheckFailedException, ResourceNotFoundException,
// ...), Error::retryable says whether sending again may help.
//
// Thread-safety: a Client may be used from many coroutines and threads at
// once. BlockingClient's methods may be called concurrently from any thread.
#ifndef AWSPERF_DYNAMODB_CLIENT_H_
#define AWSPERF_DYNAMODB_CLIENT_H_

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
#include "awsperf/dynamodb/types.h"
#include "awsperf/http/connection_pool.h"

namespace awsperf::monitor {
class PerformanceMonitor;
}

namespace awsperf::dynamodb {

struct ClientOptions {
  // The endpoint, e.g. "http://127.0.0.1:8000". Unset: AWS_ENDPOINT_URL_DYNAMODB,
  // AWS_ENDPOINT_URL, else https://dynamodb.<region>.amazonaws.com.
  std::optional<std::string> endpoint_url;
  // Unset: AWS_REGION, AWS_DEFAULT_REGION, the profile's region.
  std::optional<std::string> region;
  // Unset: the credentials chain (environment, shared files).
  std::optional<aws::Credentials> credentials;
  // Profile and file locations for the chain and the region.
  aws::SharedConfigOptions shared_config;
  // Connection pool of the endpoint (max_sockets 50, keep-alive 60 s, ...).
  http::PoolOptions pool;
  // Unset: aws::RetryOptions::dynamodb() (10 attempts, 25 ms base), with
  // max_attempts from AWS_MAX_ATTEMPTS or the profile's max_attempts when set
  // (as the AWS SDKs do). Set: used as given.
  std::optional<aws::RetryOptions> retry;
  // Check the x-amz-crc32 header of every response (a mismatch is a
  // retryable kChecksumMismatch error). Default on.
  bool verify_crc32 = true;
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
  std::uint64_t checksum_mismatches = 0;
  double consumed_read_units = 0;  // from ConsumedCapacity, when returned
  double consumed_write_units = 0;
  double consumed_capacity_units = 0;
  std::uint64_t bytes_sent = 0;      // request bodies
  std::uint64_t bytes_received = 0;  // response bodies
  aws::RetryStats retry;
  http::PoolStatistics pool;
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

  Async<TableDescription> create_table(CreateTableRequest request);
  Async<TableDescription> describe_table(DescribeTableRequest request);
  Async<TableDescription> update_table(UpdateTableRequest request);
  Async<TableDescription> delete_table(DeleteTableRequest request);
  Async<ListTablesResponse> list_tables(ListTablesRequest request = {});
  Async<GetItemResponse> get_item(GetItemRequest request);
  Async<WriteItemResponse> put_item(PutItemRequest request);
  Async<WriteItemResponse> update_item(UpdateItemRequest request);
  Async<WriteItemResponse> delete_item(DeleteItemRequest request);
  Async<ItemPage> query(QueryRequest request);
  Async<ItemPage> scan(ScanRequest request);
  Async<BatchGetItemResponse> batch_get_item(BatchGetItemRequest request);
  Async<BatchWriteItemResponse> batch_write_item(BatchWriteItemRequest request);
  Async<TransactGetItemsResponse> transact_get_items(TransactGetItemsRequest request);
  Async<TransactWriteItemsResponse> transact_write_items(TransactWriteItemsRequest request);

  // Polls DescribeTable until the table is ACTIVE (dynalite and AWS create
  // tables asynchronously); kTimeout after `timeout`.
  Async<TableDescription> wait_until_active(
      std::string table_name, std::chrono::milliseconds timeout = std::chrono::seconds(60));

  ClientStatistics statistics() const;
  // "http://127.0.0.1:8000" and where it came from ("option", "AWS_ENDPOINT_URL", ...).
  std::string endpoint() const;
  std::string region() const;
  boost::asio::any_io_executor executor() const;

  struct Impl;

 private:
  explicit Client(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The same operations for programs without coroutines: each call blocks the
// caller until it completes, the calling thread running the client's
// io_context meanwhile (no hand-off to another thread). Concurrent callers
// share that work: one runs the io_context for all, the others sleep until
// their call is done. async_client() starts a background thread that runs the
// io_context from then on, for coroutines spawned on the client's executor;
// later blocking calls wait for that thread. Idle connections are evicted on
// the next call (no background sweeper runs between calls).
class BlockingClient {
 public:
  static Result<std::unique_ptr<BlockingClient>> create(ClientOptions options = {});
  ~BlockingClient();
  BlockingClient(const BlockingClient&) = delete;
  BlockingClient& operator=(const BlockingClient&) = delete;

  Result<TableDescription> create_table(CreateTableRequest request);
  Result<TableDescription> describe_table(DescribeTableRequest request);
  Result<TableDescription> update_table(UpdateTableRequest request);
  Result<TableDescription> delete_table(DeleteTableRequest request);
  Result<ListTablesResponse> list_tables(ListTablesRequest request = {});
  Result<GetItemResponse> get_item(GetItemRequest request);
  Result<WriteItemResponse> put_item(PutItemRequest request);
  Result<WriteItemResponse> update_item(UpdateItemRequest request);
  Result<WriteItemResponse> delete_item(DeleteItemRequest request);
  Result<ItemPage> query(QueryRequest request);
  Result<ItemPage> scan(ScanRequest request);
  Result<BatchGetItemResponse> batch_get_item(BatchGetItemRequest request);
  Result<BatchWriteItemResponse> batch_write_item(BatchWriteItemRequest request);
  Result<TransactGetItemsResponse> transact_get_items(TransactGetItemsRequest request);
  Result<TransactWriteItemsResponse> transact_write_items(TransactWriteItemsRequest request);
  Result<TableDescription> wait_until_active(
      std::string table_name, std::chrono::milliseconds timeout = std::chrono::seconds(60));

  // The asynchronous client underneath; its executor is run by a background
  // thread from the first call of this method on (see above).
  Client& async_client();
  ClientStatistics statistics() const;

 private:
  struct State;
  explicit BlockingClient(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace awsperf::dynamodb

#endif  // AWSPERF_DYNAMODB_CLIENT_H_
