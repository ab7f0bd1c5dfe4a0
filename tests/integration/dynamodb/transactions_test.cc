// TransactWriteItems and TransactGetItems against moto_server: dynalite has no
// transactions, moto implements them with all-or-nothing semantics.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "awsperf/dynamodb/client.h"
#include "awsperf/monitor/monitor.h"
#include "peer_suite.h"
#include "process.h"

namespace awsperf::dynamodb {
namespace {

using testutil::Peer;

class MotoTransactionsTest : public testutil::PeerSuite<testutil::start_moto> {
 protected:
  void SetUp() override {
    ASSERT_NE(peer_, nullptr) << "moto_server did not start";
    auto c = BlockingClient::create({.endpoint_url = peer_->endpoint(),
                                     .region = "us-east-1",
                                     .credentials = aws::Credentials{.access_key_id = "AKIDEXAMPLE",
                                                                     .secret_access_key = "secret",
                                                                     .source = "test"},
                                     .monitor = &monitor_});
    ASSERT_TRUE(c.has_value()) << c.error().to_string();
    client_ = std::move(*c);
  }

  // A table keyed by "pk" (S), unique per test so tests do not see each
  // other's items in the shared server.
  std::string create_table() {
    std::string name =
        std::string("tx_") + ::testing::UnitTest::GetInstance()->current_test_info()->name();
    auto t = client_->create_table({.table_name = name,
                                    .attribute_definitions = {{"pk", ScalarType::kS}},
                                    .key_schema = {{"pk", KeyType::kHash}},
                                    .billing_mode = BillingMode::kPayPerRequest});
    EXPECT_TRUE(t.has_value()) << t.error().to_string();
    auto active = client_->wait_until_active(name);
    EXPECT_TRUE(active.has_value()) << active.error().to_string();
    return name;
  }

  std::optional<Item> read(const std::string& table, const std::string& pk) {
    auto r = client_->get_item({.table_name = table, .key = {{"pk", pk}}, .consistent_read = true});
    EXPECT_TRUE(r.has_value()) << r.error().to_string();
    return r.has_value() ? r->item : std::nullopt;
  }

  void put(const std::string& table, Item item) {
    auto r = client_->put_item({.table_name = table, .item = std::move(item)});
    ASSERT_TRUE(r.has_value()) << r.error().to_string();
  }

  monitor::PerformanceMonitor monitor_;
  std::unique_ptr<BlockingClient> client_;
};

TEST_F(MotoTransactionsTest, WriteAllFourKindsThenReadBack) {
  std::string table = create_table();
  put(table, {{"pk", "counter"}, {"n", 10}});
  put(table, {{"pk", "doomed"}, {"v", "bye"}});
  put(table, {{"pk", "guard"}, {"state", "open"}});

  TransactWriteItemsRequest request;
  request.transact_items.push_back(
      {.kind = TransactWriteItem::Kind::kPut,
       .table_name = table,
       .item = {{"pk", "new"}, {"tags", AttributeValue::string_set({"a", "b"})}, {"x", 1.5}},
       .condition_expression = "attribute_not_exists(pk)"});
  request.transact_items.push_back({.kind = TransactWriteItem::Kind::kUpdate,
                                    .table_name = table,
                                    .item = {{"pk", "counter"}},
                                    .update_expression = "SET #n = #n + :d",
                                    .condition_expression = "#n = :old",
                                    .expression_attribute_names = {{"#n", "n"}},
                                    .expression_attribute_values = {{":d", 5}, {":old", 10}}});
  request.transact_items.push_back({.kind = TransactWriteItem::Kind::kDelete,
                                    .table_name = table,
                                    .item = {{"pk", "doomed"}},
                                    .condition_expression = "attribute_exists(pk)"});
  request.transact_items.push_back({.kind = TransactWriteItem::Kind::kConditionCheck,
                                    .table_name = table,
                                    .item = {{"pk", "guard"}},
                                    .condition_expression = "#s = :open",
                                    .expression_attribute_names = {{"#s", "state"}},
                                    .expression_attribute_values = {{":open", "open"}}});
  request.client_request_token = "token-write-all-four";
  auto w = client_->transact_write_items(std::move(request));
  ASSERT_TRUE(w.has_value()) << w.error().to_string();

  auto created = read(table, "new");
  ASSERT_TRUE(created.has_value());
  EXPECT_EQ(created->at("tags"), AttributeValue::string_set({"a", "b"}));
  EXPECT_EQ(created->at("x"), AttributeValue(Number{"1.5"}));
  auto counter = read(table, "counter");
  ASSERT_TRUE(counter.has_value());
  EXPECT_EQ(counter->at("n").to_int64().value_or(-1), 15);
  EXPECT_FALSE(read(table, "doomed").has_value());
  auto guard = read(table, "guard");
  ASSERT_TRUE(guard.has_value());
  EXPECT_EQ(guard->at("state"), AttributeValue("open"));

  auto stats = monitor_.stats("dynamodb.TransactWriteItems");
  ASSERT_TRUE(stats.has_value());
  EXPECT_EQ(stats->latency.count, 1u);
}

TEST_F(MotoTransactionsTest, FailingConditionCancelsEverything) {
  std::string table = create_table();
  put(table, {{"pk", "counter"}, {"n", 10}});
  put(table, {{"pk", "guard"}, {"state", "closed"}});

  TransactWriteItemsRequest request;
  request.transact_items.push_back({.kind = TransactWriteItem::Kind::kPut,
                                    .table_name = table,
                                    .item = {{"pk", "should_not_exist"}, {"v", 1}}});
  request.transact_items.push_back({.kind = TransactWriteItem::Kind::kUpdate,
                                    .table_name = table,
                                    .item = {{"pk", "counter"}},
                                    .update_expression = "SET n = n + :d",
                                    .expression_attribute_values = {{":d", 1}}});
  request.transact_items.push_back({.kind = TransactWriteItem::Kind::kConditionCheck,
                                    .table_name = table,
                                    .item = {{"pk", "guard"}},
                                    .condition_expression = "#s = :open",
                                    .expression_attribute_names = {{"#s", "state"}},
                                    .expression_attribute_values = {{":open", "open"}}});
  auto w = client_->transact_write_items(std::move(request));
  ASSERT_FALSE(w.has_value()) << "the condition check on 'guard' must fail";
  EXPECT_EQ(w.error().aws_type, "TransactionCanceledException") << w.error().to_string();
  EXPECT_EQ(w.error().http_status, 400);
  EXPECT_FALSE(w.error().retryable);
  EXPECT_NE(w.error().message.find("ConditionalCheckFailed"), std::string::npos)
      << "the cancellation reasons should be in the message: " << w.error().message;

  // Nothing from the transaction was applied.
  EXPECT_FALSE(read(table, "should_not_exist").has_value());
  auto counter = read(table, "counter");
  ASSERT_TRUE(counter.has_value());
  EXPECT_EQ(counter->at("n").to_int64().value_or(-1), 10);
}

TEST_F(MotoTransactionsTest, DeleteWithFailingConditionKeepsTheOtherPut) {
  // A failing condition on the Delete, not on a ConditionCheck, also cancels.
  std::string table = create_table();
  put(table, {{"pk", "keep"}, {"version", 2}});

  TransactWriteItemsRequest request;
  request.transact_items.push_back(
      {.kind = TransactWriteItem::Kind::kPut, .table_name = table, .item = {{"pk", "other"}}});
  request.transact_items.push_back({.kind = TransactWriteItem::Kind::kDelete,
                                    .table_name = table,
                                    .item = {{"pk", "keep"}},
                                    .condition_expression = "version = :v",
                                    .expression_attribute_values = {{":v", 1}}});
  auto w = client_->transact_write_items(std::move(request));
  ASSERT_FALSE(w.has_value());
  EXPECT_EQ(w.error().aws_type, "TransactionCanceledException") << w.error().to_string();
  EXPECT_TRUE(read(table, "keep").has_value());
  EXPECT_FALSE(read(table, "other").has_value());
}

TEST_F(MotoTransactionsTest, GetItemsInRequestOrderWithMissingOnes) {
  std::string table = create_table();
  put(table, {{"pk", "a"}, {"v", "first"}, {"extra", 1}});
  put(table, {{"pk", "c"}, {"v", "third"}, {"extra", 3}});

  TransactGetItemsRequest request;
  request.transact_items.push_back({.table_name = table, .key = {{"pk", "c"}}});
  request.transact_items.push_back({.table_name = table, .key = {{"pk", "missing"}}});
  request.transact_items.push_back({.table_name = table,
                                    .key = {{"pk", "a"}},
                                    .projection_expression = "#v",
                                    .expression_attribute_names = {{"#v", "v"}}});
  auto g = client_->transact_get_items(std::move(request));
  ASSERT_TRUE(g.has_value()) << g.error().to_string();
  ASSERT_EQ(g->responses.size(), 3u);
  ASSERT_TRUE(g->responses[0].has_value());
  EXPECT_EQ(*g->responses[0], (Item{{"pk", "c"}, {"v", "third"}, {"extra", 3}}));
  EXPECT_FALSE(g->responses[1].has_value());
  ASSERT_TRUE(g->responses[2].has_value());
  // awsperf sends the ProjectionExpression, but moto 5.2 ignores it in
  // TransactGetItems and returns the whole item; DynamoDB would return only
  // "v". Check what both agree on.
  EXPECT_EQ(g->responses[2]->at("v"), AttributeValue("first"));
  EXPECT_FALSE(g->responses[2]->contains("pk") && g->responses[2]->at("pk") != AttributeValue("a"));
  auto stats = monitor_.stats("dynamodb.TransactGetItems");
  ASSERT_TRUE(stats.has_value());
  EXPECT_EQ(stats->latency.count, 1u);
}

TEST_F(MotoTransactionsTest, MissingTableIsResourceNotFound) {
  TransactGetItemsRequest request;
  request.transact_items.push_back({.table_name = "no_such_table", .key = {{"pk", "a"}}});
  auto g = client_->transact_get_items(std::move(request));
  ASSERT_FALSE(g.has_value());
  EXPECT_EQ(g.error().aws_type, "ResourceNotFoundException") << g.error().to_string();
  EXPECT_FALSE(g.error().retryable);
}

TEST_F(MotoTransactionsTest, TooManyItemsIsRejectedBeforeSending) {
  TransactWriteItemsRequest request;
  for (int i = 0; i < 101; ++i) {
    request.transact_items.push_back({.kind = TransactWriteItem::Kind::kPut,
                                      .table_name = "t",
                                      .item = {{"pk", std::to_string(i)}}});
  }
  auto w = client_->transact_write_items(std::move(request));
  ASSERT_FALSE(w.has_value());
  EXPECT_EQ(w.error().code, ErrorCode::kInvalidArgument) << w.error().to_string();
}

}  // namespace
}  // namespace awsperf::dynamodb
