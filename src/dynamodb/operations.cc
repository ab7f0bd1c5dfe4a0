#include "dynamodb/operations.h"

#include <algorithm>
#include <boost/json.hpp>
#include <memory>
#include <set>

#include "dynamodb/json_codec.h"

namespace awsperf::dynamodb::detail {

namespace json = boost::json;

namespace {

Error invalid(std::string message) {
  return Error{.code = ErrorCode::kInvalidArgument, .message = std::move(message)};
}
Error parse_error(std::string message) {
  return Error{.code = ErrorCode::kParse, .message = std::move(message)};
}

// ---- encoding helpers -------------------------------------------------------

Status check_table_name(const std::string& name) {
  if (name.size() < 3 || name.size() > 255) {
    return make_error(
        invalid("table name '" + name.substr(0, 64) + "' must be 3 to 255 characters long"));
  }
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.';
    if (!ok) {
      return make_error(invalid("table name '" + name.substr(0, 64) +
                                "' may hold only letters, digits, '_', '-' and '.'"));
    }
  }
  return {};
}

Status check_expression(const std::optional<std::string>& e, std::string_view what) {
  if (e && e->size() > kMaxExpressionBytes) {
    return make_error(invalid(std::string(what) + " is " + std::to_string(e->size()) +
                              " bytes; DynamoDB allows at most 4096"));
  }
  return {};
}

Status check_item_size(const Item& item) {
  std::size_t size = item_size(item);
  if (size > kMaxItemBytes) {
    return make_error(Error{
        .code = ErrorCode::kTooLarge,
        .message = "item is " + std::to_string(size) + " bytes; DynamoDB allows at most 409600"});
  }
  return {};
}

const char* name_of(KeyType t) { return t == KeyType::kHash ? "HASH" : "RANGE"; }
const char* name_of(ScalarType t) {
  switch (t) {
    case ScalarType::kS:
      return "S";
    case ScalarType::kN:
      return "N";
    case ScalarType::kB:
      return "B";
  }
  return "S";
}
const char* name_of(ProjectionType t) {
  switch (t) {
    case ProjectionType::kAll:
      return "ALL";
    case ProjectionType::kKeysOnly:
      return "KEYS_ONLY";
    case ProjectionType::kInclude:
      return "INCLUDE";
  }
  return "ALL";
}
const char* name_of(BillingMode m) {
  return m == BillingMode::kProvisioned ? "PROVISIONED" : "PAY_PER_REQUEST";
}
const char* name_of(ReturnConsumedCapacity r) {
  switch (r) {
    case ReturnConsumedCapacity::kNone:
      return "NONE";
    case ReturnConsumedCapacity::kTotal:
      return "TOTAL";
    case ReturnConsumedCapacity::kIndexes:
      return "INDEXES";
  }
  return "NONE";
}
const char* name_of(ReturnValues r) {
  switch (r) {
    case ReturnValues::kNone:
      return "NONE";
    case ReturnValues::kAllOld:
      return "ALL_OLD";
    case ReturnValues::kUpdatedOld:
      return "UPDATED_OLD";
    case ReturnValues::kAllNew:
      return "ALL_NEW";
    case ReturnValues::kUpdatedNew:
      return "UPDATED_NEW";
  }
  return "NONE";
}
const char* name_of(Select s) {
  switch (s) {
    case Select::kAllAttributes:
      return "ALL_ATTRIBUTES";
    case Select::kAllProjectedAttributes:
      return "ALL_PROJECTED_ATTRIBUTES";
    case Select::kSpecificAttributes:
      return "SPECIFIC_ATTRIBUTES";
    case Select::kCount:
      return "COUNT";
  }
  return "ALL_ATTRIBUTES";
}

json::array key_schema_json(const std::vector<KeySchemaElement>& schema) {
  json::array a;
  for (const auto& k : schema) {
    a.push_back(
        json::object{{"AttributeName", k.attribute_name}, {"KeyType", name_of(k.key_type)}});
  }
  return a;
}

json::object projection_json(const Projection& p) {
  json::object o{{"ProjectionType", name_of(p.projection_type)}};
  if (!p.non_key_attributes.empty()) {
    json::array a;
    for (const auto& n : p.non_key_attributes) a.push_back(json::string(n));
    o["NonKeyAttributes"] = std::move(a);
  }
  return o;
}

json::object throughput_json(const ProvisionedThroughput& t) {
  return json::object{{"ReadCapacityUnits", t.read_capacity_units},
                      {"WriteCapacityUnits", t.write_capacity_units}};
}

json::array attribute_definitions_json(const std::vector<AttributeDefinition>& defs) {
  json::array a;
  for (const auto& d : defs) {
    a.push_back(json::object{{"AttributeName", d.attribute_name},
                             {"AttributeType", name_of(d.attribute_type)}});
  }
  return a;
}

Status put_item_field(json::object& o, std::string_view field, const Item& item) {
  auto v = encode_item(item);
  if (!v) return make_error(v.error());
  o[field] = std::move(*v);
  return {};
}

void put_names(json::object& o, const ExpressionNames& names) {
  if (names.empty()) return;
  json::object n;
  for (const auto& [k, v] : names) n[k] = v;
  o["ExpressionAttributeNames"] = std::move(n);
}

Status put_values(json::object& o, const ExpressionValues& values) {
  if (values.empty()) return {};
  json::object n;
  for (const auto& [k, v] : values) {
    auto e = encode(v);
    if (!e) {
      Error err = e.error();
      err.message = "expression value " + k + ": " + err.message;
      return make_error(std::move(err));
    }
    n[k] = std::move(*e);
  }
  o["ExpressionAttributeValues"] = std::move(n);
  return {};
}

template <typename T>
void put_optional(json::object& o, std::string_view field, const std::optional<T>& v) {
  if (v) o[field] = *v;
}

void put_rcc(json::object& o, const std::optional<ReturnConsumedCapacity>& r) {
  if (r) o["ReturnConsumedCapacity"] = name_of(*r);
}

#define AWSPERF_TRY(expr)                                     \
  do {                                                        \
    if (auto _s = (expr); !_s) return make_error(_s.error()); \
  } while (0)

// ---- decoding helpers -------------------------------------------------------

std::optional<std::string> get_string(const json::object& o, std::string_view field) {
  auto it = o.find(field);
  if (it == o.end() || !it->value().is_string()) return std::nullopt;
  return std::string(it->value().get_string());
}

std::optional<std::int64_t> get_int(const json::object& o, std::string_view field) {
  auto it = o.find(field);
  if (it == o.end()) return std::nullopt;
  if (it->value().is_int64()) return it->value().get_int64();
  if (it->value().is_uint64()) return static_cast<std::int64_t>(it->value().get_uint64());
  if (it->value().is_double()) return static_cast<std::int64_t>(it->value().get_double());
  return std::nullopt;
}

std::optional<double> get_double(const json::object& o, std::string_view field) {
  auto it = o.find(field);
  if (it == o.end()) return std::nullopt;
  if (it->value().is_number()) return it->value().to_number<double>();
  return std::nullopt;
}

const json::object* get_object(const json::object& o, std::string_view field) {
  auto it = o.find(field);
  if (it == o.end()) return nullptr;
  return it->value().if_object();
}

const json::array* get_array(const json::object& o, std::string_view field) {
  auto it = o.find(field);
  if (it == o.end()) return nullptr;
  return it->value().if_array();
}

// A response body's JSON object and the arena its values live in. The
// values are not destroyed one by one: the object (declared after the arena,
// so destroyed first) sees a non-shared arena and leaves it all to the
// arena's own release.
struct JsonDocument {
  std::unique_ptr<json::monotonic_resource> arena;
  json::object object;
};

Result<JsonDocument> parse_object(std::string_view body) {
  auto arena =
      std::make_unique<json::monotonic_resource>(std::max<std::size_t>(1024, 2 * body.size()));
  auto v = parse_json(body, json::storage_ptr(arena.get()));
  if (!v) return make_error(v.error());
  if (!v->is_object()) return make_error(parse_error("response body is not a JSON object"));
  return JsonDocument{std::move(arena), json::object(std::move(v->get_object()))};
}

std::vector<KeySchemaElement> decode_key_schema(const json::array* a) {
  std::vector<KeySchemaElement> out;
  if (a == nullptr) return out;
  for (const auto& e : *a) {
    if (!e.is_object()) continue;
    const auto& o = e.get_object();
    out.push_back(
        {get_string(o, "AttributeName").value_or(""),
         get_string(o, "KeyType").value_or("HASH") == "RANGE" ? KeyType::kRange : KeyType::kHash});
  }
  return out;
}

Projection decode_projection(const json::object* o) {
  Projection p;
  if (o == nullptr) return p;
  auto t = get_string(*o, "ProjectionType").value_or("ALL");
  p.projection_type = t == "KEYS_ONLY" ? ProjectionType::kKeysOnly
                      : t == "INCLUDE" ? ProjectionType::kInclude
                                       : ProjectionType::kAll;
  if (const auto* a = get_array(*o, "NonKeyAttributes")) {
    for (const auto& n : *a) {
      if (n.is_string()) p.non_key_attributes.emplace_back(n.get_string());
    }
  }
  return p;
}

std::optional<ProvisionedThroughput> decode_throughput(const json::object* o) {
  if (o == nullptr) return std::nullopt;
  return ProvisionedThroughput{get_int(*o, "ReadCapacityUnits").value_or(0),
                               get_int(*o, "WriteCapacityUnits").value_or(0)};
}

std::vector<IndexDescription> decode_indexes(const json::array* a) {
  std::vector<IndexDescription> out;
  if (a == nullptr) return out;
  for (const auto& e : *a) {
    if (!e.is_object()) continue;
    const auto& o = e.get_object();
    IndexDescription d;
    d.index_name = get_string(o, "IndexName").value_or("");
    d.key_schema = decode_key_schema(get_array(o, "KeySchema"));
    d.projection = decode_projection(get_object(o, "Projection"));
    d.index_status = get_string(o, "IndexStatus");
    d.item_count = get_int(o, "ItemCount");
    d.index_size_bytes = get_int(o, "IndexSizeBytes");
    d.provisioned_throughput = decode_throughput(get_object(o, "ProvisionedThroughput"));
    out.push_back(std::move(d));
  }
  return out;
}

std::optional<ConsumedCapacity> decode_consumed(const json::value* v) {
  if (v == nullptr || !v->is_object()) return std::nullopt;
  const auto& o = v->get_object();
  ConsumedCapacity c;
  c.table_name = get_string(o, "TableName").value_or("");
  c.capacity_units = get_double(o, "CapacityUnits").value_or(0);
  c.read_capacity_units = get_double(o, "ReadCapacityUnits");
  c.write_capacity_units = get_double(o, "WriteCapacityUnits");
  return c;
}

std::vector<ConsumedCapacity> decode_consumed_list(const json::object& o) {
  std::vector<ConsumedCapacity> out;
  auto it = o.find("ConsumedCapacity");
  if (it == o.end()) return out;
  if (it->value().is_array()) {
    for (const auto& e : it->value().get_array()) {
      if (auto c = decode_consumed(&e)) out.push_back(std::move(*c));
    }
  } else if (auto c = decode_consumed(&it->value())) {
    out.push_back(std::move(*c));
  }
  return out;
}

std::optional<ConsumedCapacity> decode_consumed_single(const json::object& o) {
  auto it = o.find("ConsumedCapacity");
  return it == o.end() ? std::nullopt : decode_consumed(&it->value());
}

Result<std::optional<Item>> decode_optional_item(const json::object& o, std::string_view field) {
  auto it = o.find(field);
  if (it == o.end() || it->value().is_null()) return std::optional<Item>{};
  auto item = decode_item(it->value());
  if (!item) return make_error(item.error());
  return std::optional<Item>(std::move(*item));
}

Result<std::vector<WriteRequest>> decode_write_requests(const json::value& v) {
  if (!v.is_array()) return make_error(parse_error("write requests must be an array"));
  std::vector<WriteRequest> out;
  for (const auto& e : v.get_array()) {
    if (!e.is_object()) return make_error(parse_error("a write request must be an object"));
    const auto& o = e.get_object();
    WriteRequest w;
    if (const auto* put = get_object(o, "PutRequest")) {
      auto item = decode_optional_item(*put, "Item");
      if (!item) return make_error(item.error());
      w.put_item = std::move(*item);
    } else if (const auto* del = get_object(o, "DeleteRequest")) {
      auto key = decode_optional_item(*del, "Key");
      if (!key) return make_error(key.error());
      w.delete_key = std::move(*key);
    }
    if (!w.put_item && !w.delete_key) {
      return make_error(parse_error("a write request has neither PutRequest nor DeleteRequest"));
    }
    out.push_back(std::move(w));
  }
  return out;
}

Result<KeysAndAttributes> decode_keys_and_attributes(const json::value& v) {
  if (!v.is_object()) return make_error(parse_error("KeysAndAttributes must be an object"));
  const auto& o = v.get_object();
  KeysAndAttributes k;
  if (const auto* keys = get_array(o, "Keys")) {
    for (const auto& e : *keys) {
      auto key = decode_item(e);
      if (!key) return make_error(key.error());
      k.keys.push_back(std::move(*key));
    }
  }
  k.projection_expression = get_string(o, "ProjectionExpression");
  if (const auto* names = get_object(o, "ExpressionAttributeNames")) {
    for (const auto& [n, val] : *names) {
      if (val.is_string()) k.expression_attribute_names[std::string(n)] = val.get_string();
    }
  }
  if (auto it = o.find("ConsistentRead"); it != o.end() && it->value().is_bool()) {
    k.consistent_read = it->value().get_bool();
  }
  return k;
}

Result<json::object> keys_and_attributes_json(const KeysAndAttributes& k) {
  json::object o;
  json::array keys;
  for (const auto& key : k.keys) {
    auto e = encode_item(key);
    if (!e) return make_error(e.error());
    keys.push_back(std::move(*e));
  }
  o["Keys"] = std::move(keys);
  put_optional(o, "ProjectionExpression", k.projection_expression);
  put_names(o, k.expression_attribute_names);
  put_optional(o, "ConsistentRead", k.consistent_read);
  return o;
}

Result<json::object> write_request_json(const WriteRequest& w) {
  if (w.put_item.has_value() == w.delete_key.has_value()) {
    return make_error(invalid("a write request needs exactly one of put_item and delete_key"));
  }
  json::object o;
  if (w.put_item) {
    AWSPERF_TRY(check_item_size(*w.put_item));
    json::object put;
    AWSPERF_TRY(put_item_field(put, "Item", *w.put_item));
    o["PutRequest"] = std::move(put);
  } else {
    json::object del;
    AWSPERF_TRY(put_item_field(del, "Key", *w.delete_key));
    o["DeleteRequest"] = std::move(del);
  }
  return o;
}

std::string to_body(const json::object& o) { return json::serialize(o); }

}  // namespace

// ---- encoders ----------------------------------------------------------------

Result<std::string> encode(const CreateTableRequest& r) {
  AWSPERF_TRY(check_table_name(r.table_name));
  if (r.key_schema.empty()) return make_error(invalid("CreateTable needs a key schema"));
  json::object o{{"TableName", r.table_name},
                 {"AttributeDefinitions", attribute_definitions_json(r.attribute_definitions)},
                 {"KeySchema", key_schema_json(r.key_schema)}};
  if (r.billing_mode) o["BillingMode"] = name_of(*r.billing_mode);
  if (r.provisioned_throughput)
    o["ProvisionedThroughput"] = throughput_json(*r.provisioned_throughput);
  if (!r.global_secondary_indexes.empty()) {
    json::array a;
    for (const auto& g : r.global_secondary_indexes) {
      json::object gi{{"IndexName", g.index_name},
                      {"KeySchema", key_schema_json(g.key_schema)},
                      {"Projection", projection_json(g.projection)}};
      if (g.provisioned_throughput)
        gi["ProvisionedThroughput"] = throughput_json(*g.provisioned_throughput);
      a.push_back(std::move(gi));
    }
    o["GlobalSecondaryIndexes"] = std::move(a);
  }
  if (!r.local_secondary_indexes.empty()) {
    json::array a;
    for (const auto& l : r.local_secondary_indexes) {
      a.push_back(json::object{{"IndexName", l.index_name},
                               {"KeySchema", key_schema_json(l.key_schema)},
                               {"Projection", projection_json(l.projection)}});
    }
    o["LocalSecondaryIndexes"] = std::move(a);
  }
  return to_body(o);
}

Result<std::string> encode(const DescribeTableRequest& r) {
  AWSPERF_TRY(check_table_name(r.table_name));
  return to_body(json::object{{"TableName", r.table_name}});
}

Result<std::string> encode(const UpdateTableRequest& r) {
  AWSPERF_TRY(check_table_name(r.table_name));
  json::object o{{"TableName", r.table_name}};
  if (!r.attribute_definitions.empty()) {
    o["AttributeDefinitions"] = attribute_definitions_json(r.attribute_definitions);
  }
  if (r.billing_mode) o["BillingMode"] = name_of(*r.billing_mode);
  if (r.provisioned_throughput)
    o["ProvisionedThroughput"] = throughput_json(*r.provisioned_throughput);
  if (!r.global_secondary_index_updates.empty()) {
    json::array a;
    for (const auto& u : r.global_secondary_index_updates) {
      if (u.create.has_value() == u.delete_index_name.has_value()) {
        return make_error(invalid("an index update needs exactly one of create and delete"));
      }
      if (u.create) {
        json::object c{{"IndexName", u.create->index_name},
                       {"KeySchema", key_schema_json(u.create->key_schema)},
                       {"Projection", projection_json(u.create->projection)}};
        if (u.create->provisioned_throughput) {
          c["ProvisionedThroughput"] = throughput_json(*u.create->provisioned_throughput);
        }
        a.push_back(json::object{{"Create", std::move(c)}});
      } else {
        a.push_back(json::object{{"Delete", json::object{{"IndexName", *u.delete_index_name}}}});
      }
    }
    o["GlobalSecondaryIndexUpdates"] = std::move(a);
  }
  return to_body(o);
}

Result<std::string> encode(const DeleteTableRequest& r) {
  AWSPERF_TRY(check_table_name(r.table_name));
  return to_body(json::object{{"TableName", r.table_name}});
}

Result<std::string> encode(const ListTablesRequest& r) {
  if (r.limit && (*r.limit < 1 || *r.limit > 100)) {
    return make_error(invalid("ListTables limit must be 1 to 100"));
  }
  json::object o;
  put_optional(o, "ExclusiveStartTableName", r.exclusive_start_table_name);
  put_optional(o, "Limit", r.limit);
  return to_body(o);
}

Result<std::string> encode(const GetItemRequest& r) {
  AWSPERF_TRY(check_table_name(r.table_name));
  AWSPERF_TRY(check_expression(r.projection_expression, "ProjectionExpression"));
  if (r.key.empty()) return make_error(invalid("GetItem needs a key"));
  json::object o{{"TableName", r.table_name}};
  AWSPERF_TRY(put_item_field(o, "Key", r.key));
  put_optional(o, "ConsistentRead", r.consistent_read);
  put_optional(o, "ProjectionExpression", r.projection_expression);
  put_names(o, r.expression_attribute_names);
  put_rcc(o, r.return_consumed_capacity);
  return to_body(o);
}

Result<std::string> encode(const PutItemRequest& r) {
  AWSPERF_TRY(check_table_name(r.table_name));
  AWSPERF_TRY(check_expression(r.condition_expression, "ConditionExpression"));
  AWSPERF_TRY(check_item_size(r.item));
  json::object o{{"TableName", r.table_name}};
  AWSPERF_TRY(put_item_field(o, "Item", r.item));
  put_optional(o, "ConditionExpression", r.condition_expression);
  put_names(o, r.expression_attribute_names);
  AWSPERF_TRY(put_values(o, r.expression_attribute_values));
  if (r.return_values) o["ReturnValues"] = name_of(*r.return_values);
  put_rcc(o, r.return_consumed_capacity);
  return to_body(o);
}

Result<std::string> encode(const UpdateItemRequest& r) {
  AWSPERF_TRY(check_table_name(r.table_name));
  AWSPERF_TRY(check_expression(std::optional(r.update_expression), "UpdateExpression"));
  AWSPERF_TRY(check_expression(r.condition_expression, "ConditionExpression"));
  if (r.key.empty()) return make_error(invalid("UpdateItem needs a key"));
  json::object o{{"TableName", r.table_name}};
  AWSPERF_TRY(put_item_field(o, "Key", r.key));
  if (!r.update_expression.empty()) o["UpdateExpression"] = r.update_expression;
  put_optional(o, "ConditionExpression", r.condition_expression);
  put_names(o, r.expression_attribute_names);
  AWSPERF_TRY(put_values(o, r.expression_attribute_values));
  if (r.return_values) o["ReturnValues"] = name_of(*r.return_values);
  put_rcc(o, r.return_consumed_capacity);
  return to_body(o);
}

Result<std::string> encode(const DeleteItemRequest& r) {
  AWSPERF_TRY(check_table_name(r.table_name));
  AWSPERF_TRY(check_expression(r.condition_expression, "ConditionExpression"));
  if (r.key.empty()) return make_error(invalid("DeleteItem needs a key"));
  json::object o{{"TableName", r.table_name}};
  AWSPERF_TRY(put_item_field(o, "Key", r.key));
  put_optional(o, "ConditionExpression", r.condition_expression);
  put_names(o, r.expression_attribute_names);
  AWSPERF_TRY(put_values(o, r.expression_attribute_values));
  if (r.return_values) o["ReturnValues"] = name_of(*r.return_values);
  put_rcc(o, r.return_consumed_capacity);
  return to_body(o);
}

namespace {

// The fields Query and Scan share.
template <typename R>
Result<json::object> read_request_common(const R& r) {
  AWSPERF_TRY(check_table_name(r.table_name));
  AWSPERF_TRY(check_expression(r.filter_expression, "FilterExpression"));
  AWSPERF_TRY(check_expression(r.projection_expression, "ProjectionExpression"));
  if (r.limit && *r.limit < 1) return make_error(invalid("Limit must be at least 1"));
  json::object o{{"TableName", r.table_name}};
  put_optional(o, "IndexName", r.index_name);
  put_optional(o, "FilterExpression", r.filter_expression);
  put_optional(o, "ProjectionExpression", r.projection_expression);
  put_names(o, r.expression_attribute_names);
  AWSPERF_TRY(put_values(o, r.expression_attribute_values));
  put_optional(o, "ConsistentRead", r.consistent_read);
  if (r.select) o["Select"] = name_of(*r.select);
  put_optional(o, "Limit", r.limit);
  if (r.exclusive_start_key)
    AWSPERF_TRY(put_item_field(o, "ExclusiveStartKey", *r.exclusive_start_key));
  put_rcc(o, r.return_consumed_capacity);
  return o;
}

}  // namespace

Result<std::string> encode(const QueryRequest& r) {
  if (r.key_condition_expression.empty()) {
    return make_error(invalid("Query needs a key condition expression"));
  }
  AWSPERF_TRY(
      check_expression(std::optional(r.key_condition_expression), "KeyConditionExpression"));
  auto o = read_request_common(r);
  if (!o) return make_error(o.error());
  (*o)["KeyConditionExpression"] = r.key_condition_expression;
  put_optional(*o, "ScanIndexForward", r.scan_index_forward);
  return to_body(*o);
}

Result<std::string> encode(const ScanRequest& r) {
  if (r.segment.has_value() != r.total_segments.has_value()) {
    return make_error(invalid("Scan needs both segment and total_segments, or neither"));
  }
  if (r.total_segments && (*r.total_segments < 1 || *r.total_segments > 1000000 || *r.segment < 0 ||
                           *r.segment >= *r.total_segments)) {
    return make_error(
        invalid("Scan segment must be in [0, total_segments) and total_segments in "
                "[1, 1000000]"));
  }
  auto o = read_request_common(r);
  if (!o) return make_error(o.error());
  put_optional(*o, "Segment", r.segment);
  put_optional(*o, "TotalSegments", r.total_segments);
  return to_body(*o);
}

Result<std::string> encode(const BatchGetItemRequest& r) {
  std::size_t keys = 0;
  json::object items;
  for (const auto& [table, ka] : r.request_items) {
    AWSPERF_TRY(check_table_name(table));
    AWSPERF_TRY(check_expression(ka.projection_expression, "ProjectionExpression"));
    if (ka.keys.empty()) return make_error(invalid("BatchGetItem: no keys for table " + table));
    keys += ka.keys.size();
    auto o = keys_and_attributes_json(ka);
    if (!o) return make_error(o.error());
    items[table] = std::move(*o);
  }
  if (keys == 0) return make_error(invalid("BatchGetItem needs at least one key"));
  if (keys > kMaxBatchGetKeys) {
    return make_error(invalid("BatchGetItem takes at most 100 keys; got " + std::to_string(keys) +
                              " (use query::BatchOptimizer to chunk)"));
  }
  json::object o{{"RequestItems", std::move(items)}};
  put_rcc(o, r.return_consumed_capacity);
  return to_body(o);
}

Result<std::string> encode(const BatchWriteItemRequest& r) {
  std::size_t count = 0;
  json::object items;
  for (const auto& [table, writes] : r.request_items) {
    AWSPERF_TRY(check_table_name(table));
    if (writes.empty()) return make_error(invalid("BatchWriteItem: no writes for table " + table));
    json::array a;
    for (const auto& w : writes) {
      auto o = write_request_json(w);
      if (!o) return make_error(o.error());
      a.push_back(std::move(*o));
    }
    count += writes.size();
    items[table] = std::move(a);
  }
  if (count == 0) return make_error(invalid("BatchWriteItem needs at least one write"));
  if (count > kMaxBatchWriteRequests) {
    return make_error(invalid("BatchWriteItem takes at most 25 writes; got " +
                              std::to_string(count) + " (use query::BatchOptimizer to chunk)"));
  }
  json::object o{{"RequestItems", std::move(items)}};
  put_rcc(o, r.return_consumed_capacity);
  return to_body(o);
}

Result<std::string> encode(const TransactGetItemsRequest& r) {
  if (r.transact_items.empty() || r.transact_items.size() > kMaxTransactItems) {
    return make_error(invalid("TransactGetItems takes 1 to 100 items"));
  }
  json::array a;
  for (const auto& t : r.transact_items) {
    AWSPERF_TRY(check_table_name(t.table_name));
    json::object get{{"TableName", t.table_name}};
    AWSPERF_TRY(put_item_field(get, "Key", t.key));
    put_optional(get, "ProjectionExpression", t.projection_expression);
    put_names(get, t.expression_attribute_names);
    a.push_back(json::object{{"Get", std::move(get)}});
  }
  json::object o{{"TransactItems", std::move(a)}};
  put_rcc(o, r.return_consumed_capacity);
  return to_body(o);
}

Result<std::string> encode(const TransactWriteItemsRequest& r) {
  if (r.transact_items.empty() || r.transact_items.size() > kMaxTransactItems) {
    return make_error(invalid("TransactWriteItems takes 1 to 100 items"));
  }
  json::array a;
  for (const auto& t : r.transact_items) {
    AWSPERF_TRY(check_table_name(t.table_name));
    AWSPERF_TRY(check_expression(t.condition_expression, "ConditionExpression"));
    AWSPERF_TRY(check_expression(t.update_expression, "UpdateExpression"));
    json::object op{{"TableName", t.table_name}};
    const char* kind = "Put";
    switch (t.kind) {
      case TransactWriteItem::Kind::kPut:
        AWSPERF_TRY(check_item_size(t.item));
        AWSPERF_TRY(put_item_field(op, "Item", t.item));
        break;
      case TransactWriteItem::Kind::kUpdate:
        if (!t.update_expression)
          return make_error(invalid("a transactional update needs an update expression"));
        kind = "Update";
        AWSPERF_TRY(put_item_field(op, "Key", t.item));
        op["UpdateExpression"] = *t.update_expression;
        break;
      case TransactWriteItem::Kind::kDelete:
        kind = "Delete";
        AWSPERF_TRY(put_item_field(op, "Key", t.item));
        break;
      case TransactWriteItem::Kind::kConditionCheck:
        if (!t.condition_expression)
          return make_error(invalid("a condition check needs a condition expression"));
        kind = "ConditionCheck";
        AWSPERF_TRY(put_item_field(op, "Key", t.item));
        break;
    }
    put_optional(op, "ConditionExpression", t.condition_expression);
    put_names(op, t.expression_attribute_names);
    AWSPERF_TRY(put_values(op, t.expression_attribute_values));
    a.push_back(json::object{{kind, std::move(op)}});
  }
  json::object o{{"TransactItems", std::move(a)}};
  put_optional(o, "ClientRequestToken", r.client_request_token);
  put_rcc(o, r.return_consumed_capacity);
  return to_body(o);
}

// ---- decoders ----------------------------------------------------------------

Result<TableDescription> decode_table_description(std::string_view body, std::string_view member) {
  auto root = parse_object(body);
  if (!root) return make_error(root.error());
  const auto* t = get_object(root->object, member);
  if (t == nullptr) {
    return make_error(parse_error("response has no " + std::string(member) + " object"));
  }
  TableDescription d;
  d.table_name = get_string(*t, "TableName").value_or("");
  d.table_status = get_string(*t, "TableStatus").value_or("");
  d.table_arn = get_string(*t, "TableArn");
  d.key_schema = decode_key_schema(get_array(*t, "KeySchema"));
  if (const auto* defs = get_array(*t, "AttributeDefinitions")) {
    for (const auto& e : *defs) {
      if (!e.is_object()) continue;
      auto type = get_string(e.get_object(), "AttributeType").value_or("S");
      d.attribute_definitions.push_back({get_string(e.get_object(), "AttributeName").value_or(""),
                                         type == "N"   ? ScalarType::kN
                                         : type == "B" ? ScalarType::kB
                                                       : ScalarType::kS});
    }
  }
  d.item_count = get_int(*t, "ItemCount");
  d.table_size_bytes = get_int(*t, "TableSizeBytes");
  if (const auto* b = get_object(*t, "BillingModeSummary")) {
    auto mode = get_string(*b, "BillingMode");
    if (mode)
      d.billing_mode =
          *mode == "PAY_PER_REQUEST" ? BillingMode::kPayPerRequest : BillingMode::kProvisioned;
  }
  d.provisioned_throughput = decode_throughput(get_object(*t, "ProvisionedThroughput"));
  d.global_secondary_indexes = decode_indexes(get_array(*t, "GlobalSecondaryIndexes"));
  d.local_secondary_indexes = decode_indexes(get_array(*t, "LocalSecondaryIndexes"));
  if (d.table_name.empty()) return make_error(parse_error("table description has no TableName"));
  return d;
}

Result<ListTablesResponse> decode_list_tables(std::string_view body) {
  auto root = parse_object(body);
  if (!root) return make_error(root.error());
  ListTablesResponse r;
  const auto* names = get_array(root->object, "TableNames");
  if (names == nullptr) return make_error(parse_error("ListTables response has no TableNames"));
  for (const auto& n : *names) {
    if (n.is_string()) r.table_names.emplace_back(n.get_string());
  }
  r.last_evaluated_table_name = get_string(root->object, "LastEvaluatedTableName");
  return r;
}

Result<GetItemResponse> decode_get_item(std::string_view body) {
  auto root = parse_object(body);
  if (!root) return make_error(root.error());
  auto item = decode_optional_item(root->object, "Item");
  if (!item) return make_error(item.error());
  return GetItemResponse{std::move(*item), decode_consumed_single(root->object)};
}

Result<WriteItemResponse> decode_write_item(std::string_view body) {
  auto root = parse_object(body);
  if (!root) return make_error(root.error());
  auto attrs = decode_optional_item(root->object, "Attributes");
  if (!attrs) return make_error(attrs.error());
  return WriteItemResponse{std::move(*attrs), decode_consumed_single(root->object)};
}

Result<ItemPage> decode_item_page(std::string_view body) {
  auto root = parse_object(body);
  if (!root) return make_error(root.error());
  ItemPage page;
  if (const auto* items = get_array(root->object, "Items")) {
    page.items.reserve(items->size());
    for (const auto& e : *items) {
      auto item = decode_item(e);
      if (!item) return make_error(item.error());
      page.items.push_back(std::move(*item));
    }
  }
  page.count =
      get_int(root->object, "Count").value_or(static_cast<std::int64_t>(page.items.size()));
  page.scanned_count = get_int(root->object, "ScannedCount").value_or(page.count);
  auto lek = decode_optional_item(root->object, "LastEvaluatedKey");
  if (!lek) return make_error(lek.error());
  page.last_evaluated_key = std::move(*lek);
  page.consumed_capacity = decode_consumed_single(root->object);
  return page;
}

Result<BatchGetItemResponse> decode_batch_get_item(std::string_view body) {
  auto root = parse_object(body);
  if (!root) return make_error(root.error());
  BatchGetItemResponse r;
  if (const auto* responses = get_object(root->object, "Responses")) {
    for (const auto& [table, items] : *responses) {
      if (!items.is_array()) return make_error(parse_error("Responses entries must be arrays"));
      auto& out = r.responses[std::string(table)];
      for (const auto& e : items.get_array()) {
        auto item = decode_item(e);
        if (!item) return make_error(item.error());
        out.push_back(std::move(*item));
      }
    }
  }
  if (const auto* unprocessed = get_object(root->object, "UnprocessedKeys")) {
    for (const auto& [table, ka] : *unprocessed) {
      auto k = decode_keys_and_attributes(ka);
      if (!k) return make_error(k.error());
      if (!k->keys.empty()) r.unprocessed_keys[std::string(table)] = std::move(*k);
    }
  }
  r.consumed_capacity = decode_consumed_list(root->object);
  return r;
}

Result<BatchWriteItemResponse> decode_batch_write_item(std::string_view body) {
  auto root = parse_object(body);
  if (!root) return make_error(root.error());
  BatchWriteItemResponse r;
  if (const auto* unprocessed = get_object(root->object, "UnprocessedItems")) {
    for (const auto& [table, writes] : *unprocessed) {
      auto w = decode_write_requests(writes);
      if (!w) return make_error(w.error());
      if (!w->empty()) r.unprocessed_items[std::string(table)] = std::move(*w);
    }
  }
  r.consumed_capacity = decode_consumed_list(root->object);
  return r;
}

Result<TransactGetItemsResponse> decode_transact_get_items(std::string_view body) {
  auto root = parse_object(body);
  if (!root) return make_error(root.error());
  TransactGetItemsResponse r;
  if (const auto* responses = get_array(root->object, "Responses")) {
    for (const auto& e : *responses) {
      if (!e.is_object()) return make_error(parse_error("Responses entries must be objects"));
      auto item = decode_optional_item(e.get_object(), "Item");
      if (!item) return make_error(item.error());
      r.responses.push_back(std::move(*item));
    }
  }
  r.consumed_capacity = decode_consumed_list(root->object);
  return r;
}

Result<TransactWriteItemsResponse> decode_transact_write_items(std::string_view body) {
  auto root = parse_object(body);
  if (!root) return make_error(root.error());
  return TransactWriteItemsResponse{decode_consumed_list(root->object)};
}

}  // namespace awsperf::dynamodb::detail
