// The DynamoDB client against dynalite (a real DynamoDB API server), and
// against raw sockets for the failure modes dynalite cannot produce.
#include "awsperf/dynamodb/client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "awsperf/monitor/monitor.h"
#include "peer_suite.h"
#include "process.h"

namespace awsperf::dynamodb {
namespace {

using testutil::Peer;

aws::Credentials test_credentials() {
  return {.access_key_id = "AKIDEXAMPLE", .secret_access_key = "secret", .source = "test"};
}

class DynaliteTest : public testutil::PeerSuite<testutil::start_dynalite> {
 protected:
  void SetUp() override {
    ASSERT_NE(peer_, nullptr) << "dynalite did not start";
    auto c = BlockingClient::create({.endpoint_url = peer_->endpoint(),
                                     .region = "us-east-1",
                                     .credentials = test_credentials(),
                                     .monitor = &monitor_});
    ASSERT_TRUE(c.has_value()) << c.error().to_string();
    client_ = std::move(*c);
  }

  // A table with a composite key (pk S, sk N) and a GSI on "email".
  void create_table(const std::string& name) {
    auto t = client_->create_table({
        .table_name = name,
        .attribute_definitions = {{"pk", ScalarType::kS},
                                  {"sk", ScalarType::kN},
                                  {"email", ScalarType::kS}},
        .key_schema = {{"pk", KeyType::kHash}, {"sk", KeyType::kRange}},
        .global_secondary_indexes = {{.index_name = "by_email",
                                      .key_schema = {{"email", KeyType::kHash}},
                                      .projection = {.projection_type = ProjectionType::kAll},
                                      .provisioned_throughput = ProvisionedThroughput{5, 5}}},
        .provisioned_throughput = ProvisionedThroughput{5, 5},
    });
    ASSERT_TRUE(t.has_value()) << t.error().to_string();
    auto active = client_->wait_until_active(name);
    ASSERT_TRUE(active.has_value()) << active.error().to_string();
  }

  monitor::PerformanceMonitor monitor_;
  std::unique_ptr<BlockingClient> client_;
};

TEST_F(DynaliteTest, TableLifecycle) {
  create_table("lifecycle");
  auto d = client_->describe_table({.table_name = "lifecycle"});
  ASSERT_TRUE(d.has_value()) << d.error().to_string();
  EXPECT_EQ(d->table_status, "ACTIVE");
  EXPECT_EQ(d->key_names()->first, "pk");
  EXPECT_EQ(d->key_names()->second, "sk");
  ASSERT_EQ(d->global_secondary_indexes.size(), 1u);
  EXPECT_EQ(d->key_names("by_email")->first, "email");

  auto list = client_->list_tables();
  ASSERT_TRUE(list.has_value());
  EXPECT_NE(std::find(list->table_names.begin(), list->table_names.end(), "lifecycle"),
            list->table_names.end());

  auto u = client_->update_table(
      {.table_name = "lifecycle", .provisioned_throughput = ProvisionedThroughput{7, 8}});
  ASSERT_TRUE(u.has_value()) << u.error().to_string();
  ASSERT_TRUE(client_->wait_until_active("lifecycle").has_value());
  auto d2 = client_->describe_table({.table_name = "lifecycle"});
  ASSERT_TRUE(d2.has_value());
  EXPECT_EQ(d2->provisioned_throughput->read_capacity_units, 7);

  auto del = client_->delete_table({.table_name = "lifecycle"});
  ASSERT_TRUE(del.has_value()) << del.error().to_string();
  // Deletion is asynchronous; wait for the table to disappear.
  Result<TableDescription> gone = client_->describe_table({.table_name = "lifecycle"});
  for (int i = 0; i < 100 && gone.has_value(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    gone = client_->describe_table({.table_name = "lifecycle"});
  }
  ASSERT_FALSE(gone.has_value());
  EXPECT_EQ(gone.error().aws_type, "ResourceNotFoundException");
}

TEST_F(DynaliteTest, ItemOperationsAndErrors) {
  create_table("items");
  Item item{
      {"pk", "user#1"}, {"sk", 1}, {"name", "Ada"}, {"email", "ada@example.com"}, {"visits", 3}};
  auto put = client_->put_item({.table_name = "items", .item = item});
  ASSERT_TRUE(put.has_value()) << put.error().to_string();

  auto got = client_->get_item({.table_name = "items",
                                .key = {{"pk", "user#1"}, {"sk", 1}},
                                .consistent_read = true,
                                .return_consumed_capacity = ReturnConsumedCapacity::kTotal});
  ASSERT_TRUE(got.has_value()) << got.error().to_string();
  ASSERT_TRUE(got->item.has_value());
  EXPECT_EQ(*got->item, item);
  ASSERT_TRUE(got->consumed_capacity.has_value());
  EXPECT_GT(got->consumed_capacity->capacity_units, 0);

  // Projection with a reserved word through a name placeholder.
  auto projected = client_->get_item({.table_name = "items",
                                      .key = {{"pk", "user#1"}, {"sk", 1}},
                                      .projection_expression = "#n",
                                      .expression_attribute_names = {{"#n", "name"}}});
  ASSERT_TRUE(projected.has_value());
  EXPECT_EQ(*projected->item, (Item{{"name", "Ada"}}));

  auto updated = client_->update_item({.table_name = "items",
                                       .key = {{"pk", "user#1"}, {"sk", 1}},
                                       .update_expression = "SET visits = visits + :one",
                                       .expression_attribute_values = {{":one", 1}},
                                       .return_values = ReturnValues::kUpdatedNew});
  ASSERT_TRUE(updated.has_value()) << updated.error().to_string();
  EXPECT_EQ(updated->attributes->at("visits").to_int64().value(), 4);

  auto conditional = client_->put_item(
      {.table_name = "items", .item = item, .condition_expression = "attribute_not_exists(pk)"});
  ASSERT_FALSE(conditional.has_value());
  EXPECT_EQ(conditional.error().aws_type, "ConditionalCheckFailedException");
  EXPECT_EQ(conditional.error().http_status, 400);
  EXPECT_FALSE(conditional.error().retryable);

  auto deleted = client_->delete_item({.table_name = "items",
                                       .key = {{"pk", "user#1"}, {"sk", 1}},
                                       .return_values = ReturnValues::kAllOld});
  ASSERT_TRUE(deleted.has_value());
  EXPECT_EQ(deleted->attributes->at("visits").to_int64().value(), 4);
  auto absent = client_->get_item({.table_name = "items", .key = {{"pk", "user#1"}, {"sk", 1}}});
  ASSERT_TRUE(absent.has_value());
  EXPECT_FALSE(absent->item.has_value());

  auto missing = client_->get_item({.table_name = "no_such_table", .key = {{"pk", "x"}}});
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().aws_type, "ResourceNotFoundException");
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(missing.error().retryable);

  // Every call was recorded in the monitor under dynamodb.<Operation>.
  auto stats = monitor_.stats("dynamodb.GetItem");
  ASSERT_TRUE(stats.has_value());
  EXPECT_EQ(stats->latency.count, 4u);
  EXPECT_EQ(stats->errors, 1u);
  ASSERT_TRUE(monitor_.stats("dynamodb.PutItem").has_value());
  EXPECT_EQ(monitor_.stats("dynamodb.PutItem")->errors, 1u);
  auto client_stats = client_->statistics();
  EXPECT_EQ(client_stats.checksum_mismatches, 0u);
  EXPECT_GT(client_stats.pool.reused, 0u);  // keep-alive worked
  EXPECT_GT(client_stats.consumed_capacity_units, 0);
}

TEST_F(DynaliteTest, QueryScanAndPagination) {
  create_table("orders");
  for (int i = 0; i < 30; ++i) {
    auto p = client_->put_item({.table_name = "orders",
                                .item = {{"pk", i < 20 ? "c1" : "c2"},
                                         {"sk", i},
                                         {"email", "e" + std::to_string(i % 3)},
                                         {"amount", i * 10}}});
    ASSERT_TRUE(p.has_value()) << p.error().to_string();
  }
  auto q = client_->query(
      {.table_name = "orders",
       .key_condition_expression = "pk = :p AND sk BETWEEN :a AND :b",
       .filter_expression = "amount >= :min",
       .expression_attribute_values = {{":p", "c1"}, {":a", 5}, {":b", 14}, {":min", 100}},
       .scan_index_forward = false});
  ASSERT_TRUE(q.has_value()) << q.error().to_string();
  EXPECT_EQ(q->scanned_count, 10);  // 5..14 read
  EXPECT_EQ(q->count, 5);           // 10..14 kept
  ASSERT_EQ(q->items.size(), 5u);
  EXPECT_EQ(q->items.front().at("sk").to_int64().value(), 14);  // descending

  // Pagination: pages of 7 until LastEvaluatedKey disappears.
  std::optional<Key> start;
  int pages = 0, total = 0;
  do {
    auto page = client_->query({.table_name = "orders",
                                .key_condition_expression = "pk = :p",
                                .expression_attribute_values = {{":p", "c1"}},
                                .limit = 7,
                                .exclusive_start_key = start});
    ASSERT_TRUE(page.has_value()) << page.error().to_string();
    total += static_cast<int>(page->items.size());
    start = page->last_evaluated_key;
    ++pages;
  } while (start && pages < 10);
  EXPECT_EQ(total, 20);
  EXPECT_GE(pages, 3);

  auto by_index = client_->query({.table_name = "orders",
                                  .index_name = "by_email",
                                  .key_condition_expression = "email = :e",
                                  .expression_attribute_values = {{":e", "e0"}}});
  ASSERT_TRUE(by_index.has_value()) << by_index.error().to_string();
  EXPECT_EQ(by_index->count, 10);

  // A parallel scan's segments partition the table.
  int scanned = 0;
  for (int segment = 0; segment < 3; ++segment) {
    auto s = client_->scan({.table_name = "orders", .segment = segment, .total_segments = 3});
    ASSERT_TRUE(s.has_value()) << s.error().to_string();
    scanned += static_cast<int>(s->count);
  }
  EXPECT_EQ(scanned, 30);
  auto counted = client_->scan({.table_name = "orders", .select = Select::kCount});
  ASSERT_TRUE(counted.has_value());
  EXPECT_EQ(counted->count, 30);
  EXPECT_TRUE(counted->items.empty());
}

TEST_F(DynaliteTest, BatchWriteAndGet) {
  create_table("batch");
  BatchWriteItemRequest write;
  for (int i = 0; i < 25; ++i) {
    write.request_items["batch"].push_back(
        {.put_item = Item{{"pk", "k" + std::to_string(i)}, {"sk", 0}, {"v", i}}});
  }
  auto w = client_->batch_write_item(write);
  ASSERT_TRUE(w.has_value()) << w.error().to_string();
  EXPECT_TRUE(w->unprocessed_items.empty());

  BatchGetItemRequest get;
  for (int i = 0; i < 30; ++i) {  // 25 present, 5 absent
    get.request_items["batch"].keys.push_back({{"pk", "k" + std::to_string(i)}, {"sk", 0}});
  }
  auto g = client_->batch_get_item(get);
  ASSERT_TRUE(g.has_value()) << g.error().to_string();
  size_t returned = g->responses["batch"].size();
  size_t unprocessed =
      g->unprocessed_keys.contains("batch") ? g->unprocessed_keys["batch"].keys.size() : 0;
  EXPECT_EQ(returned + unprocessed, 25u + 0u) << "present keys come back or are unprocessed";

  // Deletes through the batch writer.
  BatchWriteItemRequest del;
  for (int i = 0; i < 5; ++i) {
    del.request_items["batch"].push_back(
        {.delete_key = Key{{"pk", "k" + std::to_string(i)}, {"sk", 0}}});
  }
  ASSERT_TRUE(client_->batch_write_item(del).has_value());
  auto after = client_->scan({.table_name = "batch", .select = Select::kCount});
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->count, 20);
}

TEST_F(DynaliteTest, NumbersAndBinaryRoundTrip) {
  create_table("types");
  Item item{{"pk", "t"},
            {"sk", 0},
            {"big", AttributeValue::number("12345678901234567890123456789012345678").value()},
            {"tiny", AttributeValue::number("-1.5E-100").value()},
            {"bin", AttributeValue::binary(std::string("\x00\x01\xfe\xff", 4))},
            {"ss", AttributeValue::string_set({"a", "ü"})},
            {"ns", AttributeValue::number_set({"1", "2.5"})},
            {"bs", AttributeValue::binary_set({std::string("\x00", 1), "z"})},
            {"nested", Item{{"l", AttributeList{true, nullptr, "x", Item{{"n", 1}}}}}}};
  ASSERT_TRUE(client_->put_item({.table_name = "types", .item = item}).has_value());
  auto got = client_->get_item({.table_name = "types", .key = {{"pk", "t"}, {"sk", 0}}});
  ASSERT_TRUE(got.has_value());
  ASSERT_TRUE(got->item.has_value());
  EXPECT_EQ(got->item->at("big").as_number()->text, "12345678901234567890123456789012345678");
  EXPECT_EQ(got->item->at("bin"), item.at("bin"));
  EXPECT_EQ(got->item->at("ss"), item.at("ss"));
  EXPECT_EQ(got->item->at("bs"), item.at("bs"));
  EXPECT_EQ(got->item->at("nested"), item.at("nested"));
}

TEST_F(DynaliteTest, ConsumedCapacityIsRecordedInTheMonitor) {
  create_table("capacity");
  auto put = client_->put_item({.table_name = "capacity",
                                .item = {{"pk", "c#1"}, {"sk", 1}, {"v", "x"}},
                                .return_consumed_capacity = ReturnConsumedCapacity::kTotal});
  ASSERT_TRUE(put.has_value()) << put.error().to_string();
  ASSERT_TRUE(put->consumed_capacity.has_value());
  // Without ReturnConsumedCapacity nothing is returned, so nothing is added.
  auto plain = client_->get_item({.table_name = "capacity", .key = {{"pk", "c#1"}, {"sk", 1}}});
  ASSERT_TRUE(plain.has_value()) << plain.error().to_string();
  EXPECT_FALSE(plain->consumed_capacity.has_value());
  EXPECT_FALSE(monitor_.value_stats("dynamodb.GetItem.consumed_capacity_units").has_value());

  double returned = 0;
  for (int i = 0; i < 3; ++i) {
    auto got = client_->get_item({.table_name = "capacity",
                                  .key = {{"pk", "c#1"}, {"sk", 1}},
                                  .consistent_read = true,
                                  .return_consumed_capacity = ReturnConsumedCapacity::kTotal});
    ASSERT_TRUE(got.has_value()) << got.error().to_string();
    ASSERT_TRUE(got->consumed_capacity.has_value());
    returned += got->consumed_capacity->capacity_units;
  }
  ASSERT_GT(returned, 0);

  const monitor::MonitorSnapshot snap = monitor_.snapshot();
  auto find = [&](std::string_view name) -> const monitor::ValueStats* {
    for (const auto& v : snap.values) {
      if (v.name == name) return &v;
    }
    return nullptr;
  };
  const monitor::ValueStats* total = find("dynamodb.GetItem.consumed_capacity_units");
  ASSERT_NE(total, nullptr) << "no GetItem capacity in the monitor snapshot";
  EXPECT_GT(total->sum, 0);
  EXPECT_DOUBLE_EQ(total->sum, returned);
  EXPECT_EQ(total->count, 3u);
  // A GetItem consumes read capacity only.
  const monitor::ValueStats* read = find("dynamodb.GetItem.consumed_read_units");
  ASSERT_NE(read, nullptr);
  EXPECT_DOUBLE_EQ(read->sum, returned);
  EXPECT_EQ(find("dynamodb.GetItem.consumed_write_units"), nullptr);
  const monitor::ValueStats* written = find("dynamodb.PutItem.consumed_write_units");
  ASSERT_NE(written, nullptr);
  EXPECT_DOUBLE_EQ(written->sum, put->consumed_capacity->capacity_units);
  // The operation itself is still recorded as an operation.
  auto op = monitor_.stats("dynamodb.GetItem");
  ASSERT_TRUE(op.has_value());
  EXPECT_EQ(op->latency.count, 4u);
  // The client's own totals agree.
  EXPECT_DOUBLE_EQ(client_->statistics().consumed_capacity_units,
                   returned + put->consumed_capacity->capacity_units);
}

TEST_F(DynaliteTest, BlockingCallsFromSeveralThreadsAtOnce) {
  create_table("threads");
  constexpr int kThreads = 4;
  constexpr int kPerThread = 40;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto put = client_->put_item(
            {.table_name = "threads", .item = {{"pk", "t" + std::to_string(t)}, {"sk", i}}});
        auto got = client_->get_item(
            {.table_name = "threads", .key = {{"pk", "t" + std::to_string(t)}, {"sk", i}}});
        if (!put || !got || !got->item) failures.fetch_add(1);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  auto stats = client_->statistics();
  EXPECT_GE(stats.calls, std::uint64_t{2 * kThreads * kPerThread});
  EXPECT_EQ(stats.errors, 0u);
  // Never more connections than callers at once.
  EXPECT_LE(stats.pool.created, std::uint64_t{kThreads});
}

TEST_F(DynaliteTest, AsyncClientAfterBlockingCallsRunsOnItsOwnThread) {
  create_table("mixed");
  ASSERT_TRUE(client_->put_item({.table_name = "mixed", .item = {{"pk", "m"}, {"sk", 1}}}));
  // Coroutines spawned on the client's executor need no caller to drive them.
  Client& async = client_->async_client();
  GetItemRequest request{.table_name = "mixed", .key = {{"pk", "m"}, {"sk", 1}}};
  auto fut = boost::asio::co_spawn(async.executor(), async.get_item(std::move(request)),
                                   boost::asio::use_future);
  ASSERT_EQ(fut.wait_for(std::chrono::seconds(30)), std::future_status::ready);
  auto got = fut.get();
  ASSERT_TRUE(got.has_value()) << got.error().to_string();
  EXPECT_TRUE(got->item.has_value());
  // Blocking calls keep working alongside.
  auto again = client_->get_item({.table_name = "mixed", .key = {{"pk", "m"}, {"sk", 1}}});
  ASSERT_TRUE(again.has_value()) << again.error().to_string();
  EXPECT_TRUE(again->item.has_value());
}

TEST_F(DynaliteTest, InvalidRequestsFailBeforeSending) {
  auto before = client_->statistics().attempts;
  auto r = client_->query({.table_name = "orders"});  // no key condition
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(client_->statistics().attempts, before);
}

// A one-shot raw HTTP server: answers every request on every connection with
// `response` (a complete HTTP/1.1 response).
class RawServer {
 public:
  explicit RawServer(std::string response) : response_(std::move(response)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    ::listen(fd_, 16);
    thread_ = std::thread([this] {
      for (;;) {
        int c = ::accept(fd_, nullptr, nullptr);
        if (c < 0) return;
        std::string request;
        char buf[4096];
        // Read one request: headers, then Content-Length bytes.
        for (;;) {
          ssize_t n = ::read(c, buf, sizeof buf);
          if (n <= 0) break;
          request.append(buf, static_cast<size_t>(n));
          auto end = request.find("\r\n\r\n");
          if (end == std::string::npos) continue;
          auto cl = request.find("Content-Length: ");
          size_t length = cl == std::string::npos ? 0 : std::stoul(request.substr(cl + 16));
          if (request.size() >= end + 4 + length) {
            // Counted before answering: the client may check served() as
            // soon as it has read the answer.
            ++served_;
            ::write(c, response_.data(), response_.size());
            request.erase(0, end + 4 + length);
          }
        }
        ::close(c);
      }
    });
  }
  ~RawServer() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int served() const { return served_.load(); }

 private:
  std::string response_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<int> served_{0};
  std::thread thread_;
};

std::unique_ptr<BlockingClient> client_for(const std::string& endpoint, int attempts,
                                           monitor::PerformanceMonitor* monitor) {
  auto retry = aws::RetryOptions::dynamodb();
  retry.max_attempts = attempts;
  retry.base_delay = std::chrono::milliseconds(1);
  auto c = BlockingClient::create({.endpoint_url = endpoint,
                                   .region = "us-east-1",
                                   .credentials = test_credentials(),
                                   .pool = {.connect_timeout = std::chrono::seconds(2),
                                            .request_timeout = std::chrono::seconds(2)},
                                   .retry = retry,
                                   .monitor = monitor});
  EXPECT_TRUE(c.has_value());
  return c ? std::move(*c) : nullptr;
}

TEST(DynamoDbWireErrorsTest, MalformedBodyIsAClearError) {
  RawServer server(
      "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: 9\r\n\r\n"
      "{\"Item\": ");
  monitor::PerformanceMonitor monitor;
  auto client = client_for(server.endpoint(), 3, &monitor);
  ASSERT_NE(client, nullptr);
  auto r = client->get_item({.table_name = "users", .key = {{"id", "1"}}});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kProtocol);
  EXPECT_NE(r.error().message.find("malformed GetItem response"), std::string::npos)
      << r.error().message;
}

TEST(DynamoDbWireErrorsTest, Crc32MismatchIsAnErrorAndRetried) {
  RawServer server(
      "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.0\r\nx-amz-crc32: 12345\r\n"
      "Content-Length: 2\r\n\r\n{}");
  monitor::PerformanceMonitor monitor;
  auto client = client_for(server.endpoint(), 3, &monitor);
  ASSERT_NE(client, nullptr);
  auto r = client->get_item({.table_name = "users", .key = {{"id", "1"}}});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kChecksumMismatch);
  EXPECT_EQ(client->statistics().checksum_mismatches, 3u);
  EXPECT_EQ(server.served(), 3);
}

// DynamoDB's answer when a table's throughput is exceeded.
std::string throttled_response() {
  std::string body =
      R"({"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"slow down"})";
  return "HTTP/1.1 400 Bad Request\r\nContent-Type: application/x-amz-json-1.0\r\n"
         "Content-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + body;
}

TEST(DynamoDbWireErrorsTest, ThrottlingIsRetried) {
  RawServer server(throttled_response());
  monitor::PerformanceMonitor monitor;
  auto client = client_for(server.endpoint(), 4, &monitor);
  ASSERT_NE(client, nullptr);
  auto r = client->get_item({.table_name = "users", .key = {{"id", "1"}}});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().aws_type, "ProvisionedThroughputExceededException");
  EXPECT_EQ(r.error().code, ErrorCode::kThrottled);
  EXPECT_TRUE(r.error().retryable);
  EXPECT_EQ(server.served(), 4);  // every attempt was made
  EXPECT_EQ(client->statistics().retry.retries_throttling, 3u);
  EXPECT_EQ(monitor.stats("dynamodb.GetItem")->errors_by_code.front().first,
            "ProvisionedThroughputExceededException");
}

// Without a retry option the client takes max_attempts the way the SDKs do:
// here from AWS_MAX_ATTEMPTS.
TEST(DynamoDbWireErrorsTest, MaxAttemptsComesFromTheEnvironment) {
  RawServer server(throttled_response());
  aws::Environment env = aws::Environment::from_map({{"AWS_MAX_ATTEMPTS", "2"}});
  auto client = BlockingClient::create({.endpoint_url = server.endpoint(),
                                        .region = "us-east-1",
                                        .credentials = test_credentials(),
                                        .environment = &env});
  ASSERT_TRUE(client.has_value()) << client.error().to_string();
  auto r = (*client)->get_item({.table_name = "users", .key = {{"id", "1"}}});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kThrottled);
  EXPECT_EQ(server.served(), 2);
}

TEST(DynamoDbWireErrorsTest, ConnectionRefusedIsAClearErrorWithoutHanging) {
  int port = testutil::free_port();  // nothing listens there
  monitor::PerformanceMonitor monitor;
  auto client = client_for("http://127.0.0.1:" + std::to_string(port), 2, &monitor);
  ASSERT_NE(client, nullptr);
  auto r = client->list_tables();
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kConnectionFailed) << r.error().to_string();
}

TEST(DynamoDbClientConfigTest, MissingCredentialsNameWhatWasTried) {
  aws::Environment empty = aws::Environment::from_map({});
  auto c = BlockingClient::create({.endpoint_url = "http://127.0.0.1:1",
                                   .region = "us-east-1",
                                   .shared_config = {.credentials_file = "/nonexistent/creds",
                                                     .config_file = "/nonexistent/config"},
                                   .environment = &empty});
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(c.error().code, ErrorCode::kCredentials);
  EXPECT_NE(c.error().message.find("AWS_ACCESS_KEY_ID"), std::string::npos) << c.error().message;
}

}  // namespace
}  // namespace awsperf::dynamodb
