#include "awsperf/query/analyzer.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace awsperf::query {
namespace {

namespace dd = awsperf::dynamodb;

// orders: pk customer, sk created; GSI by_status (status, created); 1M items of 2 KB.
dd::TableDescription orders_table() {
  auto t = parse_table_description_json(R"({"Table": {
    "TableName": "orders", "TableStatus": "ACTIVE",
    "KeySchema": [{"AttributeName": "customer", "KeyType": "HASH"},
                  {"AttributeName": "created", "KeyType": "RANGE"}],
    "ItemCount": 1000000, "TableSizeBytes": 2048000000,
    "GlobalSecondaryIndexes": [{"IndexName": "by_status",
      "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"},
                    {"AttributeName": "created", "KeyType": "RANGE"}],
      "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["total"]},
      "ItemCount": 1000000, "IndexSizeBytes": 100000000}]}})");
  EXPECT_TRUE(t.has_value()) << t.error().to_string();
  return *t;
}

// small: pk id only, 1,000 items of 1 KB.
dd::TableDescription small_table() {
  return *parse_table_description_json(R"({"TableName": "small",
    "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
    "ItemCount": 1000, "TableSizeBytes": 1024000})");
}

RequestSpec spec(const std::string& line) {
  auto r = parse_request_json(line);
  EXPECT_TRUE(r.has_value()) << line << ": " << r.error().to_string();
  return r.value_or(RequestSpec{});
}

bool has(const RequestAnalysis& a, const std::string& code) {
  return std::any_of(a.findings.begin(), a.findings.end(),
                     [&](const Finding& f) { return f.code == code; });
}
const Finding& get(const RequestAnalysis& a, const std::string& code) {
  for (const auto& f : a.findings) {
    if (f.code == code) return f;
  }
  static Finding none;
  ADD_FAILURE() << "no finding " << code;
  return none;
}

TEST(TableDescriptionJson, ParsesAndRejects) {
  auto t = orders_table();
  EXPECT_EQ(t.table_name, "orders");
  EXPECT_EQ(t.key_names()->first, "customer");
  EXPECT_EQ(*t.key_names()->second, "created");
  ASSERT_EQ(t.global_secondary_indexes.size(), 1u);
  EXPECT_EQ(t.global_secondary_indexes[0].projection.projection_type, dd::ProjectionType::kInclude);
  EXPECT_EQ(*t.item_count, 1000000);
  for (auto bad :
       {"", "[]", R"({"TableName": "x"})",
        R"({"TableName": "x", "KeySchema": [{"AttributeName": "a", "KeyType": "RANGE"}]})",
        R"({"KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}]})",
        R"({"TableName": "x", "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}],
                      "ItemCount": "many"})"}) {
    auto r = parse_table_description_json(bad);
    EXPECT_FALSE(r.has_value()) << bad;
    if (!r) {
      EXPECT_EQ(r.error().code, ErrorCode::kParse);
    }
  }
}

TEST(RequestJson, ParsesWireShapeAndRejects) {
  auto r = spec(R"({"Operation": "Query", "TableName": "orders",
    "KeyConditionExpression": "customer = :c", "ExpressionAttributeValues": {":c": {"S": "c1"}},
    "Limit": 5, "ConsistentRead": true, "Count": 7, "AttributesUsed": ["total"],
    "ExpectedItems": 3})");
  EXPECT_EQ(r.operation, "Query");
  EXPECT_EQ(r.expression_attribute_values.at(":c"), dd::AttributeValue("c1"));
  EXPECT_EQ(r.limit, 5);
  EXPECT_EQ(r.count, 7u);
  EXPECT_EQ(r.expected_items, 3);
  EXPECT_EQ(r.attributes_used, std::vector<std::string>{"total"});
  for (auto bad :
       {R"({"TableName": "t"})", R"({"Operation": "Drop", "TableName": "t"})",
        R"({"Operation": "GetItem", "TableName": "t"})",
        R"({"Operation": "Query", "TableName": "t"})",
        R"({"Operation": "Scan", "TableName": "t", "Limit": "x"})",
        R"({"Operation": "Scan", "TableName": "t", "Count": 0})",
        R"({"Operation": "Scan", "TableName": "t", "ExpressionAttributeValues": {":a": {"Q": 1}}})",
        "not json"}) {
    EXPECT_FALSE(parse_request_json(bad).has_value()) << bad;
  }
  auto lines = parse_requests_jsonl(
      "{\"Operation\": \"Scan\", \"TableName\": \"t\"}\n\n{\"Operation\": \"Nope\"}\n");
  ASSERT_FALSE(lines.has_value());
  EXPECT_NE(lines.error().message.find("line 3"), std::string::npos) << lines.error().message;
}

TEST(Capacity, EstimatesFollowTheRules) {
  PlanAnalyzer a({orders_table(), small_table()});
  // 2 KB items: GetItem rounds to 4 KB -> 1 RCU strongly consistent, 0.5 eventually.
  auto get = a.analyze(spec(
      R"({"Operation": "GetItem", "TableName": "orders", "Key": {"customer": {"S": "a"}, "created": {"N": "1"}}, "ConsistentRead": true})"));
  EXPECT_DOUBLE_EQ(get.estimated_rcu, 1.0);
  auto get_ev = a.analyze(spec(
      R"({"Operation": "GetItem", "TableName": "orders", "Key": {"customer": {"S": "a"}, "created": {"N": "1"}}})"));
  EXPECT_DOUBLE_EQ(get_ev.estimated_rcu, 0.5);
  // BatchGetItem rounds each item: 10 x 4 KB.
  auto batch =
      a.analyze(spec(R"({"Operation": "BatchGetItem", "TableName": "orders", "ConsistentRead": true,
    "Keys": [{"customer": {"S": "a"}, "created": {"N": "1"}}, {"customer": {"S": "b"}, "created": {"N": "1"}}]})"));
  EXPECT_DOUBLE_EQ(batch.estimated_rcu, 2.0);
  // Query rounds the total: 10 items x 2 KB = 20 KB -> 5 RCU, eventually 2.5.
  auto q = a.analyze(spec(R"({"Operation": "Query", "TableName": "orders", "ExpectedItems": 10,
    "KeyConditionExpression": "customer = :c", "ExpressionAttributeValues": {":c": {"S": "a"}}})"));
  EXPECT_DOUBLE_EQ(q.estimated_rcu, 2.5);
  // Scan pays for every item: 1,000 x 1 KB = 250 x 4 KB -> 125 eventually consistent.
  auto s = a.analyze(spec(R"({"Operation": "Scan", "TableName": "small"})"));
  EXPECT_DOUBLE_EQ(s.estimated_rcu, 125.0);
  auto seg = a.analyze(
      spec(R"({"Operation": "Scan", "TableName": "small", "Segment": 0, "TotalSegments": 4})"));
  EXPECT_DOUBLE_EQ(seg.estimated_rcu, 31.5);
  // Writes: 1 WCU per KB, rounded up.
  auto put = a.analyze(spec(R"({"Operation": "PutItem", "TableName": "small",
    "Item": {"id": {"S": "x"}, "blob": {"S": ")" +
                            std::string(1500, 'a') + R"("}}})"));
  EXPECT_DOUBLE_EQ(put.estimated_wcu, 2.0);
  EXPECT_TRUE(put.findings.empty());
}

TEST(Findings, ScanOnTableKey) {
  PlanAnalyzer a({orders_table()});
  auto r = a.analyze(spec(R"({"Operation": "Scan", "TableName": "orders", "Limit": 100,
    "FilterExpression": "customer = :c AND #t > :t", "ExpressionAttributeNames": {"#t": "total"},
    "ExpressionAttributeValues": {":c": {"S": "c9"}, ":t": {"N": "5"}}})"));
  ASSERT_TRUE(has(r, "SCAN_ON_KEY"));
  const auto& f = get(r, "SCAN_ON_KEY");
  EXPECT_NE(f.suggestion.find(
                "Query table 'orders' with KeyConditionExpression customer = {\"S\":\"c9\"}"),
            std::string::npos)
      << f.suggestion;
  EXPECT_GE(f.capacity_saved, 0);
  EXPECT_FALSE(has(r, "UNBOUNDED_SCAN"));  // it has a Limit
}

TEST(Findings, ScanOnIndexKeyIncludesSortKeyCondition) {
  PlanAnalyzer a({orders_table()});
  auto r = a.analyze(spec(R"({"Operation": "Scan", "TableName": "orders",
    "FilterExpression": "#s = :s AND created > :d", "ExpressionAttributeNames": {"#s": "status"},
    "ExpressionAttributeValues": {":s": {"S": "OPEN"}, ":d": {"N": "100"}}})"));
  const auto& f = get(r, "SCAN_ON_KEY");
  EXPECT_NE(f.suggestion.find("index 'by_status'"), std::string::npos) << f.suggestion;
  EXPECT_NE(f.suggestion.find("AND created > {\"N\":\"100\"}"), std::string::npos) << f.suggestion;
  // 1M items x 2 KB scanned vs 10 items queried.
  EXPECT_GT(f.capacity_saved, 200000);
  EXPECT_TRUE(has(r, "UNBOUNDED_SCAN"));
  EXPECT_NE(get(r, "UNBOUNDED_SCAN").suggestion.find("parallel_scan"), std::string::npos);
}

TEST(Findings, FilterOnSortKey) {
  PlanAnalyzer a({orders_table()});
  auto r = a.analyze(spec(R"({"Operation": "Query", "TableName": "orders",
    "KeyConditionExpression": "customer = :c", "FilterExpression": "created BETWEEN :a AND :b",
    "ExpressionAttributeValues": {":c": {"S": "x"}, ":a": {"N": "1"}, ":b": {"N": "2"}}})"));
  ASSERT_TRUE(has(r, "FILTER_ON_SORT_KEY"));
  EXPECT_NE(get(r, "FILTER_ON_SORT_KEY").suggestion.find("customer = :c AND created BETWEEN"),
            std::string::npos);
  // A filter on a non-key attribute is fine.
  auto ok = a.analyze(spec(R"({"Operation": "Query", "TableName": "orders",
    "KeyConditionExpression": "customer = :c", "FilterExpression": "total > :a",
    "ExpressionAttributeValues": {":c": {"S": "x"}, ":a": {"N": "1"}}})"));
  EXPECT_FALSE(has(ok, "FILTER_ON_SORT_KEY"));
}

TEST(Findings, MissingProjection) {
  PlanAnalyzer a({orders_table()});
  auto r = a.analyze(spec(R"({"Operation": "GetItem", "TableName": "orders",
    "Key": {"customer": {"S": "a"}, "created": {"N": "1"}}, "AttributesUsed": ["total", "status"]})"));
  ASSERT_TRUE(has(r, "MISSING_PROJECTION"));
  EXPECT_NE(get(r, "MISSING_PROJECTION").suggestion.find("\"total, status\""), std::string::npos);
  auto ok = a.analyze(spec(R"({"Operation": "GetItem", "TableName": "orders",
    "Key": {"customer": {"S": "a"}, "created": {"N": "1"}}, "ProjectionExpression": "#t",
    "ExpressionAttributeNames": {"#t": "total"}, "AttributesUsed": ["total"]})"));
  EXPECT_FALSE(has(ok, "MISSING_PROJECTION"));
  // A reserved word used bare is what DynamoDB would reject too.
  auto bad = a.analyze(spec(R"({"Operation": "GetItem", "TableName": "orders",
    "Key": {"customer": {"S": "a"}, "created": {"N": "1"}}, "ProjectionExpression": "total"})"));
  EXPECT_TRUE(has(bad, "INVALID_EXPRESSION"));
}

TEST(Findings, UnboundedScanOnlyOnLargeTables) {
  PlanAnalyzer a({orders_table(), small_table()});
  EXPECT_TRUE(
      has(a.analyze(spec(R"({"Operation": "Scan", "TableName": "orders"})")), "UNBOUNDED_SCAN"));
  EXPECT_FALSE(
      has(a.analyze(spec(R"({"Operation": "Scan", "TableName": "small"})")), "UNBOUNDED_SCAN"));
  EXPECT_FALSE(
      has(a.analyze(spec(
              R"({"Operation": "Scan", "TableName": "orders", "Segment": 1, "TotalSegments": 8})")),
          "UNBOUNDED_SCAN"));
}

TEST(Findings, MissingIndexRecommendsGsi) {
  PlanAnalyzer a({orders_table()});
  std::vector<RequestSpec> w = {
      spec(R"({"Operation": "Scan", "TableName": "orders", "Count": 40,
        "FilterExpression": "email = :e AND created > :d", "ProjectionExpression": "#t",
        "ExpressionAttributeNames": {"#t": "total"},
        "ExpressionAttributeValues": {":e": {"S": "a@x"}, ":d": {"N": "1"}}})"),
      spec(R"({"Operation": "Scan", "TableName": "orders", "Count": 10,
        "FilterExpression": "email = :e", "AttributesUsed": ["total", "note"],
        "ExpressionAttributeValues": {":e": {"S": "b@x"}}})"),
      // Seen once only: below the threshold of 2.
      spec(R"({"Operation": "Scan", "TableName": "orders", "Limit": 10,
        "FilterExpression": "color = :c", "ExpressionAttributeValues": {":c": {"S": "red"}}})"),
  };
  auto res = a.analyze_workload(w);
  ASSERT_TRUE(has(res.requests[0], "MISSING_INDEX"));
  const auto& f = get(res.requests[0], "MISSING_INDEX");
  EXPECT_NE(f.suggestion.find("partition key email and sort key created"), std::string::npos)
      << f.suggestion;
  EXPECT_NE(f.suggestion.find("projection INCLUDE (note, total)"), std::string::npos)
      << f.suggestion;
  EXPECT_TRUE(has(res.requests[1], "MISSING_INDEX"));
  EXPECT_FALSE(has(res.requests[2], "MISSING_INDEX"));
  ASSERT_FALSE(res.summary.empty());
  EXPECT_EQ(res.summary[0].code, "MISSING_INDEX");
  EXPECT_EQ(res.summary[0].requests, 50u);
}

TEST(Findings, HotPartition) {
  PlanAnalyzer a({small_table()});
  std::vector<RequestSpec> w = {
      spec(
          R"({"Operation": "GetItem", "TableName": "small", "Key": {"id": {"S": "celebrity"}}, "Count": 90})"),
      spec(
          R"({"Operation": "GetItem", "TableName": "small", "Key": {"id": {"S": "someone"}}, "Count": 10})"),
      spec(
          R"({"Operation": "UpdateItem", "TableName": "small", "Key": {"id": {"S": "celebrity"}}, "Count": 5})"),
  };
  auto res = a.analyze_workload(w);
  ASSERT_TRUE(has(res.requests[0], "HOT_PARTITION"));
  EXPECT_NE(get(res.requests[0], "HOT_PARTITION").message.find("90%"), std::string::npos)
      << get(res.requests[0], "HOT_PARTITION").message;
  EXPECT_NE(get(res.requests[0], "HOT_PARTITION").suggestion.find("cached_query"),
            std::string::npos);
  EXPECT_FALSE(has(res.requests[1], "HOT_PARTITION"));
  ASSERT_TRUE(has(res.requests[2], "HOT_PARTITION"));
  EXPECT_NE(get(res.requests[2], "HOT_PARTITION").suggestion.find("shard"), std::string::npos);
  // Spread traffic: no finding.
  std::vector<RequestSpec> even;
  for (int i = 0; i < 20; ++i) {
    even.push_back(spec(R"({"Operation": "GetItem", "TableName": "small", "Key": {"id": {"S": "k)" +
                        std::to_string(i) + R"("}}})"));
  }
  auto flat = a.analyze_workload(even);
  for (const auto& r : flat.requests) EXPECT_FALSE(has(r, "HOT_PARTITION"));
}

TEST(Summary, RankedByCapacitySavedAndJsonShape) {
  PlanAnalyzer a({orders_table(), small_table()});
  std::vector<RequestSpec> w = {
      spec(
          R"({"Operation": "Query", "TableName": "orders", "KeyConditionExpression": "customer = :c",
        "FilterExpression": "created > :d", "ExpressionAttributeValues": {":c": {"S": "x"}, ":d": {"N": "1"}}})"),
      spec(R"({"Operation": "Scan", "TableName": "orders", "FilterExpression": "customer = :c",
        "ExpressionAttributeValues": {":c": {"S": "x"}}, "Count": 3})"),
  };
  auto res = a.analyze_workload(w);
  ASSERT_GE(res.summary.size(), 2u);
  for (std::size_t i = 1; i < res.summary.size(); ++i) {
    EXPECT_GE(res.summary[i - 1].capacity_saved, res.summary[i].capacity_saved);
  }
  EXPECT_EQ(res.summary[0].code, "SCAN_ON_KEY");
  auto doc = boost::json::parse(to_json(res)).as_object();
  const auto& reqs = doc.at("requests").as_array();
  ASSERT_EQ(reqs.size(), 2u);
  const auto& first = reqs[0].as_object();
  EXPECT_EQ(first.at("operation").as_string(), "Query");
  EXPECT_TRUE(first.at("index").is_null());
  EXPECT_TRUE(first.contains("estimated_rcu"));
  const auto& f = first.at("findings").as_array()[0].as_object();
  EXPECT_EQ(f.at("code").as_string(), "FILTER_ON_SORT_KEY");
  EXPECT_TRUE(f.contains("message"));
  EXPECT_TRUE(f.contains("suggestion"));
  EXPECT_FALSE(doc.at("summary").as_array().empty());
  EXPECT_NE(to_text(res).find("SCAN_ON_KEY"), std::string::npos);
}

TEST(Findings, UnknownTableIsReported) {
  PlanAnalyzer a({});
  auto r = a.analyze(spec(R"({"Operation": "Scan", "TableName": "ghost"})"));
  EXPECT_TRUE(has(r, "UNKNOWN_TABLE"));
}

}  // namespace
}  // namespace awsperf::query
