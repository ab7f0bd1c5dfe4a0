// Typed DynamoDB expressions: conditions (key conditions, filters, update
// conditions), the fluent QueryBuilder and UpdateBuilder that turn them into
// request structs, and the canonical form of a request used as a cache key.
//
//   using namespace awsperf::query;
//   auto req = QueryBuilder("orders")
//                  .key_schema("customer", "created")
//                  .key(eq("customer", "c#42") && between("created", 100, 200))
//                  .filter(ne("status", "CANCELLED") && size_gt("items", 0))
//                  .project({"status", "total", "lines[0].sku"})
//                  .descending()
//                  .build();   // Result<dynamodb::QueryRequest>
//
// Placeholders are generated: every value becomes ":vN"; a name segment that
// is a DynamoDB reserved word (case-insensitive) or is not a plain
// identifier becomes "#nN". Paths use "." for map members and "[i]" for list
// elements ("a.b[2].c"); a segment that itself contains a dot or a bracket
// is written in backquotes ("`my.attr`.x").
//
// Mistakes are rejected by build() with kInvalidArgument (or kTooLarge for an
// expression over 4 KB) and a message naming the problem: a key attribute in
// a Query filter, a non-key attribute or an unsupported operator in a key
// condition, an empty IN list, a malformed path.
//
// Thread-safety: value types; distinct objects may be used from any thread.
#ifndef AWSPERF_QUERY_EXPRESSION_H_
#define AWSPERF_QUERY_EXPRESSION_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "awsperf/core/result.h"
#include "awsperf/dynamodb/types.h"

namespace awsperf::query {

// DynamoDB's limit on each expression string.
inline constexpr std::size_t kMaxExpressionBytes = 4096;
// DynamoDB's limit on the operands of IN.
inline constexpr std::size_t kMaxInOperands = 100;

// True if `word` is one of DynamoDB's 573 reserved words, in any case.
bool is_reserved_word(std::string_view word);
// The reserved words, upper case, sorted.
const std::vector<std::string_view>& reserved_words();

enum class CompareOp : std::uint8_t { kEq, kNe, kLt, kLe, kGt, kGe };
std::string_view compare_op_text(CompareOp op);  // "=", "<>", "<", ...

// One condition tree node. Build with the free functions below.
struct ConditionNode {
  enum class Kind : std::uint8_t {
    kCompare,     // path op value (or size(path) op value when size_of)
    kBetween,     // path BETWEEN lo AND hi
    kIn,          // path IN (values...)
    kBeginsWith,  // begins_with(path, value)
    kContains,    // contains(path, value)
    kExists,      // attribute_exists(path)
    kNotExists,   // attribute_not_exists(path)
    kType,        // attribute_type(path, type)
    kAnd,
    kOr,
    kNot,
  };
  Kind kind = Kind::kCompare;
  CompareOp op = CompareOp::kEq;
  bool size_of = false;  // kCompare: compares size(path)
  std::string path;
  std::vector<dynamodb::AttributeValue> values;                // 1 (2 for BETWEEN, n for IN)
  std::vector<std::shared_ptr<const ConditionNode>> children;  // kAnd/kOr/kNot
};

// An immutable condition; cheap to copy.
class Condition {
 public:
  Condition() = default;
  explicit Condition(std::shared_ptr<const ConditionNode> node) : node_(std::move(node)) {}
  const ConditionNode* node() const { return node_.get(); }
  bool empty() const { return node_ == nullptr; }
  const std::shared_ptr<const ConditionNode>& shared() const { return node_; }

 private:
  std::shared_ptr<const ConditionNode> node_;
};

Condition compare(std::string path, CompareOp op, dynamodb::AttributeValue value);
Condition eq(std::string path, dynamodb::AttributeValue value);
Condition ne(std::string path, dynamodb::AttributeValue value);
Condition lt(std::string path, dynamodb::AttributeValue value);
Condition le(std::string path, dynamodb::AttributeValue value);
Condition gt(std::string path, dynamodb::AttributeValue value);
Condition ge(std::string path, dynamodb::AttributeValue value);
Condition between(std::string path, dynamodb::AttributeValue lo, dynamodb::AttributeValue hi);
Condition in(std::string path, std::vector<dynamodb::AttributeValue> values);
Condition begins_with(std::string path, dynamodb::AttributeValue prefix);
Condition contains(std::string path, dynamodb::AttributeValue operand);
Condition attribute_exists(std::string path);
Condition attribute_not_exists(std::string path);
// `type` is a wire type name: S, SS, N, NS, B, BS, BOOL, NULL, L, M.
Condition attribute_type(std::string path, std::string type);
// size(path) <op> n
Condition size_compare(std::string path, CompareOp op, std::int64_t n);
inline Condition size_gt(std::string path, std::int64_t n) {
  return size_compare(std::move(path), CompareOp::kGt, n);
}
Condition operator&&(const Condition& a, const Condition& b);
Condition operator||(const Condition& a, const Condition& b);
Condition operator!(const Condition& a);

// One segment of a document path: a name or a list index.
struct PathSegment {
  std::string name;  // empty for an index
  std::optional<std::size_t> index;
};
// Parses "a.b[2].c" (and backquoted segments); kInvalidArgument when malformed.
Result<std::vector<PathSegment>> parse_path(std::string_view path);

// Collects placeholders while expressions are rendered; shared by all the
// expressions of one request so that a name used twice gets one placeholder.
class ExpressionContext {
 public:
  // The expression text of a path, with "#nN" for names that need one.
  Result<std::string> path(std::string_view path);
  // A fresh ":vN" placeholder bound to `value`.
  std::string value(dynamodb::AttributeValue value);
  Result<std::string> render(const Condition& condition);

  dynamodb::ExpressionNames& names() { return names_; }
  dynamodb::ExpressionValues& values() { return values_; }

 private:
  dynamodb::ExpressionNames names_;
  dynamodb::ExpressionValues values_;
  std::map<std::string, std::string> placeholder_of_name_;
  std::size_t next_value_ = 0;
};

// kTooLarge when `expression` is over kMaxExpressionBytes; `what` names it.
Status check_expression_size(std::string_view what, std::string_view expression);

class QueryBuilder {
 public:
  explicit QueryBuilder(std::string table);

  QueryBuilder& index(std::string index_name);
  // Key attribute names of the table or index queried; enables the key checks.
  QueryBuilder& key_schema(std::string partition_key, std::optional<std::string> sort_key = {});
  // Takes the key names of the table, or of index() if set before this call.
  QueryBuilder& schema(const dynamodb::TableDescription& table);
  // Conditions are ANDed with any given before.
  QueryBuilder& key(Condition condition);
  QueryBuilder& filter(Condition condition);
  QueryBuilder& project(std::vector<std::string> paths);
  QueryBuilder& limit(int limit);
  QueryBuilder& ascending();
  QueryBuilder& descending();
  QueryBuilder& consistent(bool consistent_read = true);
  QueryBuilder& start_key(dynamodb::Key key);

  // A Query: needs key(); the key condition must be an equality on the
  // partition key, optionally ANDed with one condition (=, <, <=, >, >=,
  // BETWEEN, begins_with) on the sort key.
  Result<dynamodb::QueryRequest> build() const;
  // A Scan of the same table/index with the filter and projection; key() must
  // not be set.
  Result<dynamodb::ScanRequest> build_scan() const;

 private:
  struct Common {
    std::optional<std::string> filter;
    std::optional<std::string> projection;
    ExpressionContext context;
  };
  Result<Common> build_common(ExpressionContext context) const;

  std::string table_;
  std::optional<std::string> index_;
  std::optional<std::string> partition_key_;
  std::optional<std::string> sort_key_;
  Condition key_;
  Condition filter_;
  std::vector<std::string> projection_;
  std::optional<int> limit_;
  std::optional<bool> forward_;
  std::optional<bool> consistent_;
  std::optional<dynamodb::Key> start_key_;
};

class UpdateBuilder {
 public:
  UpdateBuilder(std::string table, dynamodb::Key key);

  // SET path = value
  UpdateBuilder& set(std::string path, dynamodb::AttributeValue value);
  // SET path = if_not_exists(path, value)
  UpdateBuilder& set_if_not_exists(std::string path, dynamodb::AttributeValue value);
  // SET path = path + n / path - n
  UpdateBuilder& increment(std::string path, dynamodb::AttributeValue n);
  UpdateBuilder& decrement(std::string path, dynamodb::AttributeValue n);
  // SET path = list_append(path, list)
  UpdateBuilder& append(std::string path, dynamodb::AttributeList values);
  // REMOVE path
  UpdateBuilder& remove(std::string path);
  // ADD path value (numbers, sets)
  UpdateBuilder& add(std::string path, dynamodb::AttributeValue value);
  // DELETE path subset (sets)
  UpdateBuilder& delete_from_set(std::string path, dynamodb::AttributeValue subset);
  // ANDed with any condition given before.
  UpdateBuilder& condition(Condition condition);
  UpdateBuilder& return_values(dynamodb::ReturnValues rv);

  // kInvalidArgument with no action, the same path in two actions, or a
  // malformed path; kTooLarge for an expression over 4 KB.
  Result<dynamodb::UpdateItemRequest> build() const;

 private:
  enum class Action : std::uint8_t {
    kSet,
    kSetIfNotExists,
    kIncrement,
    kDecrement,
    kAppend,
    kRemove,
    kAdd,
    kDelete
  };
  struct Step {
    Action action;
    std::string path;
    dynamodb::AttributeValue value;
  };
  std::string table_;
  dynamodb::Key key_;
  std::vector<Step> steps_;
  Condition condition_;
  std::optional<dynamodb::ReturnValues> return_values_;
};

// ---- Parsing and canonical form --------------------------------------------

// Parses a condition or key-condition expression as DynamoDB writes it,
// resolving "#name" and ":value" placeholders through `names`/`values`.
// kInvalidArgument (with the offset) on syntax errors or unknown placeholders.
Result<Condition> parse_condition(std::string_view expression,
                                  const dynamodb::ExpressionNames& names,
                                  const dynamodb::ExpressionValues& values);
// Parses a projection expression into resolved paths.
Result<std::vector<std::string>> parse_projection(std::string_view expression,
                                                  const dynamodb::ExpressionNames& names);

// The placeholder-free text of a condition with AND/OR operands sorted, so
// conditions that differ only in placeholder names, spacing, keyword case or
// operand order print the same.
std::string canonical_text(const Condition& condition);

// The canonical form of a request: equal for requests that ask the same
// thing however they are written. kInvalidArgument if an expression cannot
// be parsed.
Result<std::string> canonical_key(const dynamodb::QueryRequest& request);
Result<std::string> canonical_key(const dynamodb::ScanRequest& request);
Result<std::string> canonical_key(const dynamodb::GetItemRequest& request);

// Deterministic text of a primary key (attributes sorted), for maps and sets
// of keys.
std::string key_string(const dynamodb::Key& key);

}  // namespace awsperf::query

#endif  // AWSPERF_QUERY_EXPRESSION_H_
