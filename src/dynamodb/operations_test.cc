#include "dynamodb/operations.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace awsperf::dynamodb::detail {
namespace {

boost::json::value J(std::string_view s) { return boost::json::parse(s); }

TEST(OperationsEncodeTest, GetItemCarriesEveryField) {
  GetItemRequest r{.table_name = "users",
                   .key = {{"id", "u1"}},
                   .consistent_read = true,
                   .projection_expression = "#n, age",
                   .expression_attribute_names = {{"#n", "name"}},
                   .return_consumed_capacity = ReturnConsumedCapacity::kTotal};
  auto body = encode(r);
  ASSERT_TRUE(body.has_value()) << body.error().to_string();
  EXPECT_EQ(J(*body), J(R"({"TableName":"users","Key":{"id":{"S":"u1"}},"ConsistentRead":true,
      "ProjectionExpression":"#n, age","ExpressionAttributeNames":{"#n":"name"},
      "ReturnConsumedCapacity":"TOTAL"})"));
}

TEST(OperationsEncodeTest, QueryAndScanFields) {
  QueryRequest q{.table_name = "orders",
                 .index_name = "by_date",
                 .key_condition_expression = "pk = :p AND sk > :s",
                 .filter_expression = "amount > :a",
                 .expression_attribute_values = {{":p", "c1"}, {":s", 5}, {":a", 10}},
                 .select = Select::kCount,
                 .limit = 10,
                 .exclusive_start_key = Key{{"pk", "c1"}, {"sk", 4}},
                 .scan_index_forward = false};
  auto body = encode(q);
  ASSERT_TRUE(body.has_value()) << body.error().to_string();
  auto v = J(*body).as_object();
  EXPECT_EQ(v["IndexName"], "by_date");
  EXPECT_EQ(v["KeyConditionExpression"], "pk = :p AND sk > :s");
  EXPECT_EQ(v["ScanIndexForward"], false);
  EXPECT_EQ(v["Select"], "COUNT");
  EXPECT_EQ(v["Limit"], 10);
  EXPECT_EQ(v["ExclusiveStartKey"], J(R"({"pk":{"S":"c1"},"sk":{"N":"4"}})"));
  EXPECT_EQ(v["ExpressionAttributeValues"].as_object()[":a"], J(R"({"N":"10"})"));

  ScanRequest s{.table_name = "orders", .segment = 2, .total_segments = 4};
  auto sb = encode(s);
  ASSERT_TRUE(sb.has_value());
  EXPECT_EQ(J(*sb), J(R"({"TableName":"orders","Segment":2,"TotalSegments":4})"));
}

TEST(OperationsEncodeTest, RejectsMistakesBeforeSending) {
  EXPECT_EQ(encode(GetItemRequest{.table_name = "x", .key = {{"id", 1}}}).error().code,
            ErrorCode::kInvalidArgument);  // name too short
  EXPECT_FALSE(encode(GetItemRequest{.table_name = "bad name", .key = {{"id", 1}}}).has_value());
  EXPECT_FALSE(encode(GetItemRequest{.table_name = "users"}).has_value());  // no key
  EXPECT_FALSE(encode(QueryRequest{.table_name = "users"}).has_value());    // no condition
  EXPECT_FALSE(encode(ScanRequest{.table_name = "users", .segment = 1}).has_value());
  EXPECT_FALSE(
      encode(ScanRequest{.table_name = "users", .segment = 4, .total_segments = 4}).has_value());
  EXPECT_FALSE(encode(ListTablesRequest{.limit = 0}).has_value());
  std::string long_expr(4097, 'a');
  auto r = encode(QueryRequest{.table_name = "users", .key_condition_expression = long_expr});
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("4096"), std::string::npos);
  Item big{{"id", "x"}, {"blob", AttributeValue::binary(std::string(410 * 1024, 'x'))}};
  EXPECT_EQ(encode(PutItemRequest{.table_name = "users", .item = big}).error().code,
            ErrorCode::kTooLarge);
}

TEST(OperationsEncodeTest, BatchLimits) {
  BatchGetItemRequest get;
  for (int i = 0; i < 101; ++i) get.request_items["users"].keys.push_back({{"id", i}});
  auto g = encode(get);
  ASSERT_FALSE(g.has_value());
  EXPECT_NE(g.error().message.find("at most 100"), std::string::npos);
  get.request_items["users"].keys.pop_back();
  EXPECT_TRUE(encode(get).has_value());

  BatchWriteItemRequest write;
  for (int i = 0; i < 26; ++i)
    write.request_items["users"].push_back({.put_item = Item{{"id", i}}});
  EXPECT_FALSE(encode(write).has_value());
  write.request_items["users"].pop_back();
  auto w = encode(write);
  ASSERT_TRUE(w.has_value());
  EXPECT_EQ(J(*w).at("RequestItems").at("users").as_array().size(), 25u);
  // Exactly one of put / delete.
  BatchWriteItemRequest both;
  both.request_items["users"].push_back(
      {.put_item = Item{{"id", 1}}, .delete_key = Key{{"id", 1}}});
  EXPECT_FALSE(encode(both).has_value());
}

TEST(OperationsEncodeTest, TransactWriteKinds) {
  TransactWriteItemsRequest r{
      .transact_items = {
          {.kind = TransactWriteItem::Kind::kPut, .table_name = "acct", .item = {{"id", "a"}}},
          {.kind = TransactWriteItem::Kind::kUpdate,
           .table_name = "acct",
           .item = {{"id", "b"}},
           .update_expression = "SET bal = bal - :x",
           .condition_expression = "bal >= :x",
           .expression_attribute_values = {{":x", 5}}},
          {.kind = TransactWriteItem::Kind::kDelete, .table_name = "acct", .item = {{"id", "c"}}},
          {.kind = TransactWriteItem::Kind::kConditionCheck,
           .table_name = "acct",
           .item = {{"id", "d"}},
           .condition_expression = "attribute_exists(id)"}}};
  auto body = encode(r);
  ASSERT_TRUE(body.has_value()) << body.error().to_string();
  auto items = J(*body).at("TransactItems").as_array();
  ASSERT_EQ(items.size(), 4u);
  EXPECT_TRUE(items[0].as_object().contains("Put"));
  EXPECT_EQ(items[1].at("Update").at("UpdateExpression"), "SET bal = bal - :x");
  EXPECT_TRUE(items[2].as_object().contains("Delete"));
  EXPECT_TRUE(items[3].as_object().contains("ConditionCheck"));
  r.transact_items[1].update_expression.reset();
  EXPECT_FALSE(encode(r).has_value());
}

TEST(OperationsDecodeTest, TableDescription) {
  auto d = decode_table_description(R"({"Table":{"TableName":"users","TableStatus":"ACTIVE",
      "KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],
      "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"N"}],
      "ItemCount":12,"TableSizeBytes":3400,
      "ProvisionedThroughput":{"ReadCapacityUnits":5,"WriteCapacityUnits":6},
      "GlobalSecondaryIndexes":[{"IndexName":"by_email","KeySchema":[{"AttributeName":"email","KeyType":"HASH"}],
        "Projection":{"ProjectionType":"INCLUDE","NonKeyAttributes":["name"]},"IndexStatus":"ACTIVE"}]}})",
                                    "Table");
  ASSERT_TRUE(d.has_value()) << d.error().to_string();
  EXPECT_EQ(d->table_name, "users");
  EXPECT_EQ(d->item_count, 12);
  EXPECT_EQ(d->provisioned_throughput->write_capacity_units, 6);
  ASSERT_EQ(d->global_secondary_indexes.size(), 1u);
  EXPECT_EQ(d->global_secondary_indexes[0].projection.projection_type, ProjectionType::kInclude);
  auto keys = d->key_names();
  ASSERT_TRUE(keys.has_value());
  EXPECT_EQ(keys->first, "pk");
  EXPECT_EQ(keys->second, "sk");
  EXPECT_EQ(d->key_names("by_email")->first, "email");
  EXPECT_FALSE(d->key_names("nope").has_value());
  EXPECT_EQ(d->attribute_definitions[1].attribute_type, ScalarType::kN);
}

TEST(OperationsDecodeTest, PagesBatchesAndTransactions) {
  auto page = decode_item_page(R"({"Items":[{"id":{"S":"a"}},{"id":{"S":"b"}}],"Count":2,
      "ScannedCount":5,"LastEvaluatedKey":{"id":{"S":"b"}},
      "ConsumedCapacity":{"TableName":"t","CapacityUnits":1.5}})");
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(page->items.size(), 2u);
  EXPECT_EQ(page->scanned_count, 5);
  EXPECT_EQ(page->last_evaluated_key->at("id"), AttributeValue("b"));
  EXPECT_DOUBLE_EQ(page->consumed_capacity->capacity_units, 1.5);

  auto get = decode_batch_get_item(R"({"Responses":{"t":[{"id":{"S":"a"}}]},
      "UnprocessedKeys":{"t":{"Keys":[{"id":{"S":"b"}}],"ConsistentRead":true}},
      "ConsumedCapacity":[{"TableName":"t","CapacityUnits":1}]})");
  ASSERT_TRUE(get.has_value()) << get.error().to_string();
  EXPECT_EQ(get->responses["t"].size(), 1u);
  EXPECT_EQ(get->unprocessed_keys["t"].keys.size(), 1u);
  EXPECT_EQ(get->unprocessed_keys["t"].consistent_read, true);
  EXPECT_EQ(get->consumed_capacity.size(), 1u);

  auto write = decode_batch_write_item(R"({"UnprocessedItems":{"t":[
      {"PutRequest":{"Item":{"id":{"S":"x"}}}},{"DeleteRequest":{"Key":{"id":{"S":"y"}}}}]}})");
  ASSERT_TRUE(write.has_value());
  ASSERT_EQ(write->unprocessed_items["t"].size(), 2u);
  EXPECT_TRUE(write->unprocessed_items["t"][0].put_item.has_value());
  EXPECT_TRUE(write->unprocessed_items["t"][1].delete_key.has_value());

  auto tg = decode_transact_get_items(R"({"Responses":[{"Item":{"id":{"S":"a"}}},{}]})");
  ASSERT_TRUE(tg.has_value());
  ASSERT_EQ(tg->responses.size(), 2u);
  EXPECT_TRUE(tg->responses[0].has_value());
  EXPECT_FALSE(tg->responses[1].has_value());

  auto missing = decode_get_item("{}");
  ASSERT_TRUE(missing.has_value());
  EXPECT_FALSE(missing->item.has_value());
}

TEST(OperationsDecodeTest, MalformedBodiesAreParseErrors) {
  for (const char* body : {"", "not json", "[]", R"({"Items":[{"id":{"Q":"a"}}]})",
                           R"({"Item":{"id":{"N":"abc"}}})"}) {
    auto page = decode_item_page(body);
    auto get = decode_get_item(body);
    EXPECT_FALSE(page.has_value() && get.has_value()) << body;
  }
  EXPECT_EQ(decode_get_item("{\"Item\": 5").error().code, ErrorCode::kParse);
  EXPECT_FALSE(decode_list_tables("{}").has_value());
  EXPECT_FALSE(decode_table_description("{}", "Table").has_value());
}

}  // namespace
}  // namespace awsperf::dynamodb::detail
