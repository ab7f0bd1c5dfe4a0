// Request and response types of the DynamoDB operations awsperf supports.
// Plain structs with std::optional fields: an unset optional is not sent.
// Field names follow the API reference (snake_case).
//
// Thread-safety: value types.
#ifndef AWSPERF_DYNAMODB_TYPES_H_
#define AWSPERF_DYNAMODB_TYPES_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "awsperf/dynamodb/attribute_value.h"

namespace awsperf::dynamodb {

// Expression placeholders: "#n" -> "name" and ":v" -> value.
using ExpressionNames = std::map<std::string, std::string>;
using ExpressionValues = std::map<std::string, AttributeValue>;
// A primary key: the partition key and, for composite keys, the sort key.
using Key = Item;

enum class KeyType : std::uint8_t { kHash, kRange };
enum class ScalarType : std::uint8_t { kS, kN, kB };
enum class ProjectionType : std::uint8_t { kAll, kKeysOnly, kInclude };
enum class BillingMode : std::uint8_t { kProvisioned, kPayPerRequest };
enum class ReturnConsumedCapacity : std::uint8_t { kNone, kTotal, kIndexes };
enum class ReturnValues : std::uint8_t { kNone, kAllOld, kUpdatedOld, kAllNew, kUpdatedNew };
enum class Select : std::uint8_t {
  kAllAttributes,
  kAllProjectedAttributes,
  kSpecificAttributes,
  kCount
};

struct KeySchemaElement {
  std::string attribute_name;
  KeyType key_type = KeyType::kHash;
  friend bool operator==(const KeySchemaElement&, const KeySchemaElement&) = default;
};

struct AttributeDefinition {
  std::string attribute_name;
  ScalarType attribute_type = ScalarType::kS;
  friend bool operator==(const AttributeDefinition&, const AttributeDefinition&) = default;
};

struct Projection {
  ProjectionType projection_type = ProjectionType::kAll;
  std::vector<std::string> non_key_attributes;  // with kInclude
};

struct ProvisionedThroughput {
  std::int64_t read_capacity_units = 0;
  std::int64_t write_capacity_units = 0;
};

struct GlobalSecondaryIndex {
  std::string index_name;
  std::vector<KeySchemaElement> key_schema;
  Projection projection;
  std::optional<ProvisionedThroughput> provisioned_throughput;
};

struct LocalSecondaryIndex {
  std::string index_name;
  std::vector<KeySchemaElement> key_schema;
  Projection projection;
};

struct IndexDescription {
  std::string index_name;
  std::vector<KeySchemaElement> key_schema;
  Projection projection;
  std::optional<std::string> index_status;  // GSIs only
  std::optional<std::int64_t> item_count;
  std::optional<std::int64_t> index_size_bytes;
  std::optional<ProvisionedThroughput> provisioned_throughput;
};

struct TableDescription {
  std::string table_name;
  std::string table_status;  // CREATING, ACTIVE, UPDATING, DELETING
  std::optional<std::string> table_arn;
  std::vector<KeySchemaElement> key_schema;
  std::vector<AttributeDefinition> attribute_definitions;
  std::optional<std::int64_t> item_count;
  std::optional<std::int64_t> table_size_bytes;
  std::optional<BillingMode> billing_mode;
  std::optional<ProvisionedThroughput> provisioned_throughput;
  std::vector<IndexDescription> global_secondary_indexes;
  std::vector<IndexDescription> local_secondary_indexes;

  // The partition and sort key attribute names of the table or of an index
  // (empty index name: the table); nullopt when the index does not exist.
  std::optional<std::pair<std::string, std::optional<std::string>>> key_names(
      const std::string& index_name = {}) const;
};

struct ConsumedCapacity {
  std::string table_name;
  double capacity_units = 0;
  std::optional<double> read_capacity_units;
  std::optional<double> write_capacity_units;
};

// ---- Tables ----------------------------------------------------------------

struct CreateTableRequest {
  std::string table_name;
  std::vector<AttributeDefinition> attribute_definitions;
  std::vector<KeySchemaElement> key_schema;
  std::vector<GlobalSecondaryIndex> global_secondary_indexes;
  std::vector<LocalSecondaryIndex> local_secondary_indexes;
  std::optional<BillingMode> billing_mode;
  // Required by DynamoDB unless billing_mode is kPayPerRequest.
  std::optional<ProvisionedThroughput> provisioned_throughput;
};

struct DescribeTableRequest {
  std::string table_name;
};

struct GlobalSecondaryIndexUpdate {
  std::optional<GlobalSecondaryIndex> create;
  std::optional<std::string> delete_index_name;
};

struct UpdateTableRequest {
  std::string table_name;
  std::vector<AttributeDefinition> attribute_definitions;  // for new indexes
  std::optional<BillingMode> billing_mode;
  std::optional<ProvisionedThroughput> provisioned_throughput;
  std::vector<GlobalSecondaryIndexUpdate> global_secondary_index_updates;
};

struct DeleteTableRequest {
  std::string table_name;
};

struct ListTablesRequest {
  std::optional<std::string> exclusive_start_table_name;
  std::optional<int> limit;  // 1..100
};

struct ListTablesResponse {
  std::vector<std::string> table_names;
  std::optional<std::string> last_evaluated_table_name;
};

// ---- Items -----------------------------------------------------------------

struct GetItemRequest {
  std::string table_name;
  Key key;
  std::optional<bool> consistent_read;
  std::optional<std::string> projection_expression;
  ExpressionNames expression_attribute_names;
  std::optional<ReturnConsumedCapacity> return_consumed_capacity;
};

struct GetItemResponse {
  std::optional<Item> item;  // nullopt: no item with that key
  std::optional<ConsumedCapacity> consumed_capacity;
};

struct PutItemRequest {
  std::string table_name;
  Item item;
  std::optional<std::string> condition_expression;
  ExpressionNames expression_attribute_names;
  ExpressionValues expression_attribute_values;
  std::optional<ReturnValues> return_values;  // kNone or kAllOld
  std::optional<ReturnConsumedCapacity> return_consumed_capacity;
};

// PutItem, UpdateItem and DeleteItem answer alike.
struct WriteItemResponse {
  std::optional<Item> attributes;  // as asked by return_values
  std::optional<ConsumedCapacity> consumed_capacity;
};

struct UpdateItemRequest {
  std::string table_name;
  Key key;
  std::string update_expression;
  std::optional<std::string> condition_expression;
  ExpressionNames expression_attribute_names;
  ExpressionValues expression_attribute_values;
  std::optional<ReturnValues> return_values;
  std::optional<ReturnConsumedCapacity> return_consumed_capacity;
};

struct DeleteItemRequest {
  std::string table_name;
  Key key;
  std::optional<std::string> condition_expression;
  ExpressionNames expression_attribute_names;
  ExpressionValues expression_attribute_values;
  std::optional<ReturnValues> return_values;  // kNone or kAllOld
  std::optional<ReturnConsumedCapacity> return_consumed_capacity;
};

struct QueryRequest {
  std::string table_name;
  std::optional<std::string> index_name;
  std::string key_condition_expression;
  std::optional<std::string> filter_expression;
  std::optional<std::string> projection_expression;
  ExpressionNames expression_attribute_names;
  ExpressionValues expression_attribute_values;
  std::optional<bool> consistent_read;
  std::optional<Select> select;
  std::optional<int> limit;
  std::optional<Key> exclusive_start_key;
  std::optional<bool> scan_index_forward;
  std::optional<ReturnConsumedCapacity> return_consumed_capacity;
};

struct ScanRequest {
  std::string table_name;
  std::optional<std::string> index_name;
  std::optional<std::string> filter_expression;
  std::optional<std::string> projection_expression;
  ExpressionNames expression_attribute_names;
  ExpressionValues expression_attribute_values;
  std::optional<bool> consistent_read;
  std::optional<Select> select;
  std::optional<int> limit;
  std::optional<Key> exclusive_start_key;
  std::optional<int> segment;
  std::optional<int> total_segments;
  std::optional<ReturnConsumedCapacity> return_consumed_capacity;
};

// One page of a Query or Scan.
struct ItemPage {
  std::vector<Item> items;
  std::int64_t count = 0;                 // items returned (after the filter)
  std::int64_t scanned_count = 0;         // items evaluated (before the filter)
  std::optional<Key> last_evaluated_key;  // set: there are more pages
  std::optional<ConsumedCapacity> consumed_capacity;
};

// ---- Batches ---------------------------------------------------------------

struct KeysAndAttributes {
  std::vector<Key> keys;
  std::optional<std::string> projection_expression;
  ExpressionNames expression_attribute_names;
  std::optional<bool> consistent_read;
};

struct BatchGetItemRequest {
  std::map<std::string, KeysAndAttributes> request_items;  // by table; ≤ 100 keys in all
  std::optional<ReturnConsumedCapacity> return_consumed_capacity;
};

struct BatchGetItemResponse {
  std::map<std::string, std::vector<Item>> responses;
  std::map<std::string, KeysAndAttributes> unprocessed_keys;
  std::vector<ConsumedCapacity> consumed_capacity;
};

// Exactly one of put_item / delete_key is set.
struct WriteRequest {
  std::optional<Item> put_item;
  std::optional<Key> delete_key;
};

struct BatchWriteItemRequest {
  std::map<std::string, std::vector<WriteRequest>> request_items;  // ≤ 25 in all
  std::optional<ReturnConsumedCapacity> return_consumed_capacity;
};

struct BatchWriteItemResponse {
  std::map<std::string, std::vector<WriteRequest>> unprocessed_items;
  std::vector<ConsumedCapacity> consumed_capacity;
};

// ---- Transactions ------------------------------------------------------------

struct TransactGetItem {
  std::string table_name;
  Key key;
  std::optional<std::string> projection_expression;
  ExpressionNames expression_attribute_names;
};

struct TransactGetItemsRequest {
  std::vector<TransactGetItem> transact_items;  // ≤ 100
  std::optional<ReturnConsumedCapacity> return_consumed_capacity;
};

struct TransactGetItemsResponse {
  // In request order; nullopt where the item does not exist.
  std::vector<std::optional<Item>> responses;
  std::vector<ConsumedCapacity> consumed_capacity;
};

struct TransactWriteItem {
  enum class Kind : std::uint8_t { kPut, kUpdate, kDelete, kConditionCheck };
  Kind kind = Kind::kPut;
  std::string table_name;
  Item item;                                     // kPut: the item; otherwise: the key
  std::optional<std::string> update_expression;  // kUpdate
  std::optional<std::string> condition_expression;
  ExpressionNames expression_attribute_names;
  ExpressionValues expression_attribute_values;
};

struct TransactWriteItemsRequest {
  std::vector<TransactWriteItem> transact_items;  // ≤ 100
  std::optional<std::string> client_request_token;
  std::optional<ReturnConsumedCapacity> return_consumed_capacity;
};

struct TransactWriteItemsResponse {
  std::vector<ConsumedCapacity> consumed_capacity;
};

}  // namespace awsperf::dynamodb

#endif  // AWSPERF_DYNAMODB_TYPES_H_
