// PlanAnalyzer: what a DynamoDB request costs and how to make it cheaper.
//
// For each request (as a RequestSpec, or a JSON line in the DynamoDB wire
// shape) and the table's description it reports the operation and index
// used, the estimated RCU/WCU by DynamoDB's rules (1 RCU = one strongly
// consistent read of 4 KB, eventually consistent half; 1 WCU = 1 KB written;
// BatchGetItem rounds each item to 4 KB, Query rounds the total, Scan pays
// for every item evaluated, projections do not reduce RCU) and findings,
// each with a stable code and a suggested rewrite:
//
//   SCAN_ON_KEY         a Scan whose equality filter is on the partition key
//                       of the table or of an index: use Query
//   FILTER_ON_SORT_KEY  a Query filtering on the sort key: move it into the
//                       key condition
//   MISSING_PROJECTION  whole items read where few attributes are used
//   UNBOUNDED_SCAN      a Scan of a large table without Limit or segments
//   MISSING_INDEX       a frequent filter pattern that no index serves:
//                       a GSI (keys and projection type) is recommended
//   HOT_PARTITION       one partition key value takes most of the traffic
//
// A workload summary ranks the recommendations by estimated capacity saved.
//
// Thread-safety: PlanAnalyzer is immutable after construction; its const
// methods may be called concurrently.
#ifndef AWSPERF_QUERY_ANALYZER_H_
#define AWSPERF_QUERY_ANALYZER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "awsperf/core/result.h"
#include "awsperf/dynamodb/types.h"

namespace awsperf::query {

// One request of a workload. Field names follow the API.
struct RequestSpec {
  // Query, Scan, GetItem, BatchGetItem, PutItem, UpdateItem, DeleteItem.
  std::string operation;
  std::string table_name;
  std::optional<std::string> index_name;
  std::optional<std::string> key_condition_expression;
  std::optional<std::string> filter_expression;
  std::optional<std::string> projection_expression;
  dynamodb::ExpressionNames expression_attribute_names;
  dynamodb::ExpressionValues expression_attribute_values;
  std::optional<dynamodb::Key> key;    // GetItem, UpdateItem, DeleteItem
  std::optional<dynamodb::Item> item;  // PutItem
  std::vector<dynamodb::Key> keys;     // BatchGetItem (this table's keys)
  std::optional<bool> consistent_read;
  std::optional<int> limit;
  std::optional<int> segment;
  std::optional<int> total_segments;
  // The attributes the program reads from the answer, when known.
  std::vector<std::string> attributes_used;
  // Items a Query returns, when known (otherwise AnalyzerOptions).
  std::optional<std::int64_t> expected_items;
  // How many times the workload sends this request. Default 1.
  std::uint64_t count = 1;
};

// One JSON object: the DynamoDB request members ("TableName",
// "KeyConditionExpression", "ExpressionAttributeValues" in wire form, "Key",
// "Item", "Keys", "Limit", ...) plus "Operation" (required), and optionally
// "Count", "AttributesUsed" (array of names) and "ExpectedItems".
Result<RequestSpec> parse_request_json(std::string_view json);
// One object per non-empty line; errors name the line.
Result<std::vector<RequestSpec>> parse_requests_jsonl(std::string_view text);
// A DescribeTable response ({"Table": {...}}) or the table object itself.
Result<dynamodb::TableDescription> parse_table_description_json(std::string_view json);

struct Finding {
  std::string code;        // stable: SCAN_ON_KEY, FILTER_ON_SORT_KEY, ...
  std::string message;     // what is wrong, with the numbers
  std::string suggestion;  // the rewrite
  // Estimated capacity units saved per occurrence of the request.
  double capacity_saved = 0;
};

struct RequestAnalysis {
  std::string operation;
  std::string table;
  std::string index;  // empty: the table itself
  double estimated_rcu = 0;
  double estimated_wcu = 0;
  std::uint64_t count = 1;
  std::vector<Finding> findings;
};

struct Recommendation {
  std::string code;
  std::string suggestion;
  double capacity_saved = 0;   // summed over the workload (per-occurrence x count)
  std::uint64_t requests = 0;  // occurrences affected
};

struct WorkloadAnalysis {
  std::vector<RequestAnalysis> requests;  // in input order
  std::vector<Recommendation> summary;    // most capacity saved first
};

struct AnalyzerOptions {
  // Items a Query is assumed to return when the spec does not say. Default 10.
  double default_query_items = 10;
  // Item size assumed when the table reports no size. Default 1 KiB.
  std::int64_t default_item_bytes = 1024;
  // A table at least this large (bytes or items) is "large" for UNBOUNDED_SCAN.
  // Defaults 100 MiB and 100,000 items.
  std::int64_t large_table_bytes = 100ll << 20;
  std::int64_t large_table_items = 100'000;
  // HOT_PARTITION: one value with at least this share of a table's keyed
  // requests, among at least hot_partition_min_requests. Defaults 0.5, 10.
  double hot_partition_share = 0.5;
  std::uint64_t hot_partition_min_requests = 10;
  // MISSING_INDEX: a filter pattern seen at least this often. Default 2.
  std::uint64_t missing_index_min_requests = 2;
};

class PlanAnalyzer {
 public:
  explicit PlanAnalyzer(std::vector<dynamodb::TableDescription> tables,
                        AnalyzerOptions options = {});

  // Findings that need only this request (not MISSING_INDEX/HOT_PARTITION).
  RequestAnalysis analyze(const RequestSpec& request) const;
  // Every request, the workload findings, and the ranked summary.
  WorkloadAnalysis analyze_workload(const std::vector<RequestSpec>& requests) const;

 private:
  const dynamodb::TableDescription* table(const std::string& name) const;
  std::vector<dynamodb::TableDescription> tables_;
  AnalyzerOptions options_;
};

// {"requests": [{"operation", "table", "index", "estimated_rcu", "estimated_wcu",
//   "count", "findings": [{"code", "message", "suggestion", "capacity_saved"}]}],
//  "summary": [{"code", "suggestion", "estimated_capacity_saved", "requests"}]}
std::string to_json(const WorkloadAnalysis& analysis);
// A readable report.
std::string to_text(const WorkloadAnalysis& analysis);

}  // namespace awsperf::query

#endif  // AWSPERF_QUERY_ANALYZER_H_
