#include "awsperf/dynamodb/client.h"

#include <array>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "awsperf/aws/client_config.h"
#include "awsperf/aws/crypto.h"
#include "awsperf/aws/endpoint.h"
#include "awsperf/aws/error.h"
#include "awsperf/aws/signer.h"
#include "awsperf/monitor/monitor.h"
#include "dynamodb/operations.h"

namespace awsperf::dynamodb {

namespace asio = boost::asio;

namespace {

// The operations, for per-operation monitor handles.
enum class Op : std::uint8_t {
  kCreateTable,
  kDescribeTable,
  kUpdateTable,
  kDeleteTable,
  kListTables,
  kGetItem,
  kPutItem,
  kUpdateItem,
  kDeleteItem,
  kQuery,
  kScan,
  kBatchGetItem,
  kBatchWriteItem,
  kTransactGetItems,
  kTransactWriteItems,
  kCount,
};

constexpr std::array<std::string_view, static_cast<size_t>(Op::kCount)> kOpNames = {
    "CreateTable", "DescribeTable", "UpdateTable",    "DeleteTable",      "ListTables",
    "GetItem",     "PutItem",       "UpdateItem",     "DeleteItem",       "Query",
    "Scan",        "BatchGetItem",  "BatchWriteItem", "TransactGetItems", "TransactWriteItems"};

// Operations that consume only read capacity, and only write capacity: a
// ConsumedCapacity without the read/write split counts as one or the other.
bool reads_only(Op op) {
  return op == Op::kGetItem || op == Op::kQuery || op == Op::kScan || op == Op::kBatchGetItem ||
         op == Op::kTransactGetItems;
}
bool writes_only(Op op) {
  return op == Op::kPutItem || op == Op::kUpdateItem || op == Op::kDeleteItem ||
         op == Op::kBatchWriteItem || op == Op::kTransactWriteItems;
}

// Atomic add for doubles (capacity units).
void add(std::atomic<double>& a, double v) {
  double cur = a.load(std::memory_order_relaxed);
  while (!a.compare_exchange_weak(cur, cur + v, std::memory_order_relaxed)) {
  }
}

void count_capacity(const ConsumedCapacity& c, std::atomic<double>& total,
                    std::atomic<double>& read, std::atomic<double>& write) {
  add(total, c.capacity_units);
  if (c.read_capacity_units) add(read, *c.read_capacity_units);
  if (c.write_capacity_units) add(write, *c.write_capacity_units);
}

}  // namespace

struct Client::Impl {
  asio::any_io_executor executor;
  aws::Endpoint endpoint;
  std::string endpoint_source;
  std::string region;
  aws::Credentials credentials;
  std::unique_ptr<aws::Signer> signer;
  std::optional<http::ConnectionPool> pool;
  std::unique_ptr<aws::RetryPolicy> retry;
  monitor::PerformanceMonitor* monitor = nullptr;
  std::array<monitor::OperationRef, static_cast<size_t>(Op::kCount)> ops;
  std::array<std::string, static_cast<size_t>(Op::kCount)> targets;
  std::array<std::string, static_cast<size_t>(Op::kCount)> http_names;
  // Monitor value counters of consumed capacity, per operation (see client.h).
  struct CapacityNames {
    std::string total, read, write;
  };
  std::array<CapacityNames, static_cast<size_t>(Op::kCount)> capacity_names;
  Clock* clock = nullptr;
  bool verify_crc32 = true;
  std::string target_path;
  std::string host_header;  // endpoint.host_header(), signed on every request

  std::atomic<std::uint64_t> calls{0}, attempts{0}, errors{0}, checksum_mismatches{0};
  std::atomic<std::uint64_t> bytes_sent{0}, bytes_received{0};
  std::atomic<double> capacity_total{0}, capacity_read{0}, capacity_write{0};

  // One HTTP exchange: sign, send, check status and checksum. The body of a
  // 2xx response comes back; anything else is an Error.
  asio::awaitable<Result<std::string>> send_once(Op op, const std::string& body) {
    const size_t i = static_cast<size_t>(op);
    const std::array<aws::HeaderView, 3> headers = {{
        {"host", host_header},
        {"content-type", "application/x-amz-json-1.0"},
        {"x-amz-target", targets[i]},
    }};
    aws::RequestView view{.method = "POST", .path = target_path, .headers = headers, .body = body};
    auto signature = signer->sign(view, credentials);
    if (!signature) co_return make_error(std::move(signature.error()));

    http::Request request;
    request.method = "POST";
    request.target = target_path;
    request.operation = http_names[i];
    // A fresh request: add, no need to replace (the signer's headers are
    // distinct from these two).
    request.headers.reserve(2 + signature->headers.size());
    request.headers.add("Content-Type", "application/x-amz-json-1.0");
    request.headers.add("X-Amz-Target", targets[i]);
    for (auto& h : signature->headers) request.headers.add(h.name, h.value);
    request.body = body;
    attempts.fetch_add(1, std::memory_order_relaxed);
    bytes_sent.fetch_add(body.size(), std::memory_order_relaxed);

    Result<http::Response> response = co_await pool->async_request(std::move(request));
    if (!response) co_return make_error(std::move(response.error()));
    bytes_received.fetch_add(response->body.size(), std::memory_order_relaxed);
    auto request_id = response->headers.get("x-amzn-RequestId").value_or("");

    if (response->status < 200 || response->status >= 300) {
      aws::ErrorResponse error_response{
          .http_status = response->status,
          .body = response->body,
          .request_id = request_id,
          .error_type_header = response->headers.get("x-amzn-ErrorType").value_or("")};
      // Some front ends (moto's IAM check, proxies) answer authentication
      // failures in the query protocol's XML even for JSON services.
      auto first = response->body.find_first_not_of(" \t\r\n");
      bool xml = first != std::string::npos && response->body[first] == '<';
      co_return make_error(xml ? aws::parse_xml_error(error_response)
                               : aws::parse_json_error(error_response));
    }
    if (verify_crc32) {
      if (auto crc = response->headers.get("x-amz-crc32")) {
        if (auto ok = aws::verify_crc32(*crc, response->body); !ok) {
          checksum_mismatches.fetch_add(1, std::memory_order_relaxed);
          Error e = ok.error();
          e.code = ErrorCode::kChecksumMismatch;
          e.http_status = response->status;
          e.request_id = std::string(request_id);
          e.retryable = true;
          co_return make_error(std::move(e));
        }
      }
    }
    co_return std::move(response->body);
  }

  // Adds one ConsumedCapacity to the client's totals and to the monitor's
  // value counters of the operation.
  void record_capacity(Op op, const ConsumedCapacity& c) {
    count_capacity(c, capacity_total, capacity_read, capacity_write);
    const CapacityNames& names = capacity_names[static_cast<size_t>(op)];
    monitor->add_value(names.total, c.capacity_units);
    std::optional<double> read = c.read_capacity_units;
    std::optional<double> write = c.write_capacity_units;
    if (!read && !write) {
      if (reads_only(op)) read = c.capacity_units;
      if (writes_only(op)) write = c.capacity_units;
    }
    if (read) monitor->add_value(names.read, *read);
    if (write) monitor->add_value(names.write, *write);
  }

  // Adds a response's ConsumedCapacity (one, a list, or none) to the totals.
  template <typename Response>
  void count_consumed(Op op, const Response& r) {
    if constexpr (requires { r.consumed_capacity.has_value(); }) {
      if (r.consumed_capacity) record_capacity(op, *r.consumed_capacity);
    } else if constexpr (requires { r.consumed_capacity.begin(); }) {
      for (const auto& c : r.consumed_capacity) record_capacity(op, c);
    }
  }

  // Encode, send with retries, decode; record the call in the monitor.
  template <typename Response, typename Request, typename Decode>
  asio::awaitable<Result<Response>> call(Op op, const Request& request, Decode decode) {
    calls.fetch_add(1, std::memory_order_relaxed);
    const Clock::time_point start = clock->now();
    auto finish = [&](Result<Response> r) {
      monitor::OperationRef& ref = ops[static_cast<size_t>(op)];
      if (r) {
        ref.record(clock->now() - start);
      } else {
        errors.fetch_add(1, std::memory_order_relaxed);
        ref.record(clock->now() - start, monitor::error_label(r.error()));
      }
      return r;
    };

    auto body = detail::encode(request);
    if (!body) co_return finish(make_error(std::move(body.error())));

    aws::RetryState state;
    for (;;) {
      Result<std::string> raw = co_await send_once(op, *body);
      if (raw) {
        auto decoded = decode(*raw);
        if (!decoded) {
          // A 2xx answer we cannot read: the server broke the protocol.
          Error e = std::move(decoded.error());
          e.message = "malformed " + std::string(kOpNames[static_cast<size_t>(op)]) +
                      " response: " + e.message;
          e.code = ErrorCode::kProtocol;
          co_return finish(make_error(std::move(e)));
        }
        retry->on_success(state);
        count_consumed(op, *decoded);
        co_return finish(std::move(decoded));
      }
      auto delay = retry->should_retry(raw.error(), state);
      if (!delay) co_return finish(make_error(std::move(raw.error())));
      asio::steady_timer timer(executor, *delay);
      co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    }
  }
};

Client::Client(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Client::~Client() {
  if (impl_ && impl_->pool) impl_->pool->shutdown();
}

Result<std::unique_ptr<Client>> Client::create(asio::any_io_executor executor,
                                               ClientOptions options) {
  static const aws::Environment process_env = aws::Environment::process();
  const aws::Environment& env = options.environment ? *options.environment : process_env;

  auto impl = std::make_unique<Impl>();
  impl->executor = executor;
  impl->clock = options.clock ? options.clock : Clock::real();
  impl->monitor = options.monitor ? options.monitor : &monitor::global();
  impl->verify_crc32 = options.verify_crc32;

  auto config =
      aws::resolve_client_config({.service = "dynamodb",
                                  .region = options.region,
                                  .endpoint_url = options.endpoint_url,
                                  .credentials = {.explicit_credentials = options.credentials,
                                                  .shared = options.shared_config}},
                                 env);
  if (!config) return make_error(std::move(config.error()));
  impl->region = config->region.region;
  impl->endpoint = config->endpoint.endpoint;
  impl->endpoint_source = config->endpoint.source;
  impl->host_header = impl->endpoint.host_header();
  impl->target_path = impl->endpoint.base_path.empty() ? "/" : impl->endpoint.base_path + "/";
  impl->credentials = std::move(config->credentials);
  impl->signer = std::make_unique<aws::Signer>(std::move(config->signing), impl->clock);
  impl->retry = std::make_unique<aws::RetryPolicy>(options.retry.value_or(config->retry));

  http::Origin origin{.scheme = impl->endpoint.tls() ? http::Scheme::kHttps : http::Scheme::kHttp,
                      .host = impl->endpoint.host,
                      .port = impl->endpoint.port};
  http::PoolOptions pool_options = options.pool;
  if (!pool_options.monitor) pool_options.monitor = impl->monitor;
  auto pool = http::ConnectionPool::create(executor, std::move(origin), std::move(pool_options));
  if (!pool) return make_error(std::move(pool.error()));
  impl->pool.emplace(std::move(*pool));

  for (size_t i = 0; i < kOpNames.size(); ++i) {
    std::string name = "dynamodb." + std::string(kOpNames[i]);
    impl->ops[i] = impl->monitor->operation(name);
    impl->targets[i] = "DynamoDB_20120810." + std::string(kOpNames[i]);
    impl->http_names[i] = "http." + name;
    impl->capacity_names[i] = {.total = name + ".consumed_capacity_units",
                               .read = name + ".consumed_read_units",
                               .write = name + ".consumed_write_units"};
  }
  return std::unique_ptr<Client>(new Client(std::move(impl)));
}

Client::Async<TableDescription> Client::create_table(CreateTableRequest r) {
  co_return co_await impl_->call<TableDescription>(Op::kCreateTable, r, [](std::string_view b) {
    return detail::decode_table_description(b, "TableDescription");
  });
}

Client::Async<TableDescription> Client::describe_table(DescribeTableRequest r) {
  co_return co_await impl_->call<TableDescription>(Op::kDescribeTable, r, [](std::string_view b) {
    return detail::decode_table_description(b, "Table");
  });
}

Client::Async<TableDescription> Client::update_table(UpdateTableRequest r) {
  co_return co_await impl_->call<TableDescription>(Op::kUpdateTable, r, [](std::string_view b) {
    return detail::decode_table_description(b, "TableDescription");
  });
}

Client::Async<TableDescription> Client::delete_table(DeleteTableRequest r) {
  co_return co_await impl_->call<TableDescription>(Op::kDeleteTable, r, [](std::string_view b) {
    return detail::decode_table_description(b, "TableDescription");
  });
}

Client::Async<ListTablesResponse> Client::list_tables(ListTablesRequest r) {
  co_return co_await impl_->call<ListTablesResponse>(Op::kListTables, r,
                                                     detail::decode_list_tables);
}

Client::Async<GetItemResponse> Client::get_item(GetItemRequest r) {
  co_return co_await impl_->call<GetItemResponse>(Op::kGetItem, r, detail::decode_get_item);
}

Client::Async<WriteItemResponse> Client::put_item(PutItemRequest r) {
  co_return co_await impl_->call<WriteItemResponse>(Op::kPutItem, r, detail::decode_write_item);
}

Client::Async<WriteItemResponse> Client::update_item(UpdateItemRequest r) {
  co_return co_await impl_->call<WriteItemResponse>(Op::kUpdateItem, r, detail::decode_write_item);
}

Client::Async<WriteItemResponse> Client::delete_item(DeleteItemRequest r) {
  co_return co_await impl_->call<WriteItemResponse>(Op::kDeleteItem, r, detail::decode_write_item);
}

Client::Async<ItemPage> Client::query(QueryRequest r) {
  co_return co_await impl_->call<ItemPage>(Op::kQuery, r, detail::decode_item_page);
}

Client::Async<ItemPage> Client::scan(ScanRequest r) {
  co_return co_await impl_->call<ItemPage>(Op::kScan, r, detail::decode_item_page);
}

Client::Async<BatchGetItemResponse> Client::batch_get_item(BatchGetItemRequest r) {
  co_return co_await impl_->call<BatchGetItemResponse>(Op::kBatchGetItem, r,
                                                       detail::decode_batch_get_item);
}

Client::Async<BatchWriteItemResponse> Client::batch_write_item(BatchWriteItemRequest r) {
  co_return co_await impl_->call<BatchWriteItemResponse>(Op::kBatchWriteItem, r,
                                                         detail::decode_batch_write_item);
}

Client::Async<TransactGetItemsResponse> Client::transact_get_items(TransactGetItemsRequest r) {
  co_return co_await impl_->call<TransactGetItemsResponse>(Op::kTransactGetItems, r,
                                                           detail::decode_transact_get_items);
}

Client::Async<TransactWriteItemsResponse> Client::transact_write_items(
    TransactWriteItemsRequest r) {
  co_return co_await impl_->call<TransactWriteItemsResponse>(Op::kTransactWriteItems, r,
                                                             detail::decode_transact_write_items);
}

Client::Async<TableDescription> Client::wait_until_active(std::string table_name,
                                                          std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::chrono::milliseconds pause{20};
  for (;;) {
    // A named request: GCC 12 frees a braced temporary argument of a
    // coroutine twice inside a co_await expression (docs/gcc12-coroutines.md).
    DescribeTableRequest request{.table_name = table_name};
    auto d = co_await describe_table(std::move(request));
    if (!d) co_return d;
    if (d->table_status == "ACTIVE") co_return d;
    if (std::chrono::steady_clock::now() + pause > deadline) {
      co_return make_error(ErrorCode::kTimeout, "table " + table_name + " still " +
                                                    d->table_status + " after " +
                                                    std::to_string(timeout.count()) + " ms");
    }
    asio::steady_timer timer(impl_->executor, pause);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    pause = std::min(pause * 2, std::chrono::milliseconds(500));
  }
}

ClientStatistics Client::statistics() const {
  return ClientStatistics{
      .calls = impl_->calls.load(std::memory_order_relaxed),
      .attempts = impl_->attempts.load(std::memory_order_relaxed),
      .errors = impl_->errors.load(std::memory_order_relaxed),
      .checksum_mismatches = impl_->checksum_mismatches.load(std::memory_order_relaxed),
      .consumed_read_units = impl_->capacity_read.load(std::memory_order_relaxed),
      .consumed_write_units = impl_->capacity_write.load(std::memory_order_relaxed),
      .consumed_capacity_units = impl_->capacity_total.load(std::memory_order_relaxed),
      .bytes_sent = impl_->bytes_sent.load(std::memory_order_relaxed),
      .bytes_received = impl_->bytes_received.load(std::memory_order_relaxed),
      .retry = impl_->retry->stats(),
      .pool = impl_->pool->statistics(),
  };
}

std::string Client::endpoint() const { return impl_->endpoint.to_string(); }
std::string Client::region() const { return impl_->region; }
asio::any_io_executor Client::executor() const { return impl_->executor; }

// ---- BlockingClient ------------------------------------------------------------

// The calling thread runs the io_context itself while it waits (no hand-off
// to another thread, no wake-ups: a blocking call costs what an awaited one
// does). Several callers at once: one drives the io_context (running the
// others' coroutines too) and the rest sleep until their call is done or the
// driver's own call is, when one of them takes over. async_client() starts a
// background thread that runs the io_context for coroutines spawned on the
// client's executor; from then on blocking calls wait for it instead.
struct BlockingClient::State {
  asio::io_context io{1};
  asio::executor_work_guard<asio::io_context::executor_type> work{asio::make_work_guard(io)};
  std::unique_ptr<Client> client;
  std::thread thread;  // started by start_background()

  std::mutex mu;
  std::condition_variable cv;  // a call finished, or the driver stepped down
  bool driving = false;        // a caller thread is running `io`
  bool background = false;     // `thread` runs (or is about to run) `io`

  ~State() {
    client.reset();
    work.reset();
    io.stop();
    if (thread.joinable()) thread.join();
  }

  void start_background() {
    std::unique_lock lock(mu);
    if (background) return;
    background = true;  // no caller starts driving from now on
    cv.wait(lock, [this] { return !driving; });
    thread = std::thread([this] { io.run(); });
  }

  template <typename T>
  Result<T> wait(asio::awaitable<Result<T>> op) {
    std::optional<Result<T>> result;
    std::atomic<bool> done{false};
    asio::co_spawn(io, std::move(op), [this, &result, &done](std::exception_ptr e, Result<T> r) {
      {
        std::lock_guard lock(mu);
        if (e) {
          result.emplace(make_error(ErrorCode::kInternal, "call failed: " + describe(e)));
        } else {
          result.emplace(std::move(r));
        }
        done.store(true, std::memory_order_release);
      }
      cv.notify_all();
    });
    std::unique_lock lock(mu);
    while (!done.load(std::memory_order_acquire)) {
      if (driving || background) {
        cv.wait(lock);
        continue;
      }
      driving = true;
      lock.unlock();
      // Each run_one() runs one handler (blocking in epoll when none is
      // ready); the work guard keeps it from returning early.
      while (!done.load(std::memory_order_acquire)) {
        try {
          io.run_one();
        } catch (const std::exception&) {
          // A handler threw (the request path does not); keep serving.
        }
      }
      lock.lock();
      driving = false;
      cv.notify_all();
    }
    return std::move(*result);
  }

  static std::string describe(const std::exception_ptr& e) {
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& x) {
      return x.what();
    } catch (...) {
      return "unknown exception";
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
  return std::unique_ptr<BlockingClient>(new BlockingClient(std::move(state)));
}

#define AWSPERF_BLOCKING(Ret, name, Req)                           \
  Result<Ret> BlockingClient::name(Req request) {                  \
    return state_->wait(state_->client->name(std::move(request))); \
  }

AWSPERF_BLOCKING(TableDescription, create_table, CreateTableRequest)
AWSPERF_BLOCKING(TableDescription, describe_table, DescribeTableRequest)
AWSPERF_BLOCKING(TableDescription, update_table, UpdateTableRequest)
AWSPERF_BLOCKING(TableDescription, delete_table, DeleteTableRequest)
AWSPERF_BLOCKING(ListTablesResponse, list_tables, ListTablesRequest)
AWSPERF_BLOCKING(GetItemResponse, get_item, GetItemRequest)
AWSPERF_BLOCKING(WriteItemResponse, put_item, PutItemRequest)
AWSPERF_BLOCKING(WriteItemResponse, update_item, UpdateItemRequest)
AWSPERF_BLOCKING(WriteItemResponse, delete_item, DeleteItemRequest)
AWSPERF_BLOCKING(ItemPage, query, QueryRequest)
AWSPERF_BLOCKING(ItemPage, scan, ScanRequest)
AWSPERF_BLOCKING(BatchGetItemResponse, batch_get_item, BatchGetItemRequest)
AWSPERF_BLOCKING(BatchWriteItemResponse, batch_write_item, BatchWriteItemRequest)
AWSPERF_BLOCKING(TransactGetItemsResponse, transact_get_items, TransactGetItemsRequest)
AWSPERF_BLOCKING(TransactWriteItemsResponse, transact_write_items, TransactWriteItemsRequest)
#undef AWSPERF_BLOCKING

Result<TableDescription> BlockingClient::wait_until_active(std::string table_name,
                                                           std::chrono::milliseconds timeout) {
  return state_->wait(state_->client->wait_until_active(std::move(table_name), timeout));
}

Client& BlockingClient::async_client() {
  state_->start_background();
  return *state_->client;
}
ClientStatistics BlockingClient::statistics() const { return state_->client->statistics(); }

}  // namespace awsperf::dynamodb
