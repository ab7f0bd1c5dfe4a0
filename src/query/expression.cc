#include "awsperf/query/expression.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "query/key_text.h"

namespace awsperf::query {

namespace dd = awsperf::dynamodb;
using Kind = ConditionNode::Kind;

namespace {

std::shared_ptr<ConditionNode> make_node(Kind kind, std::string path = {}) {
  auto n = std::make_shared<ConditionNode>();
  n->kind = kind;
  n->path = std::move(path);
  return n;
}

bool is_identifier(std::string_view s) {
  if (s.empty()) return false;
  if (!(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

// The path's first segment: what key checks compare against.
std::string top_name(std::string_view path) {
  auto segs = parse_path(path);
  if (!segs || segs->empty()) return std::string(path);
  return (*segs)[0].name;
}

bool is_top_level(std::string_view path) {
  auto segs = parse_path(path);
  return segs && segs->size() == 1;
}

void flatten(const ConditionNode* n, Kind kind, std::vector<const ConditionNode*>& out) {
  if (n->kind == kind) {
    for (const auto& c : n->children) flatten(c.get(), kind, out);
  } else {
    out.push_back(n);
  }
}

void collect_paths(const ConditionNode* n, std::vector<std::string>& out) {
  if (n->kind == Kind::kAnd || n->kind == Kind::kOr || n->kind == Kind::kNot) {
    for (const auto& c : n->children) collect_paths(c.get(), out);
  } else {
    out.push_back(n->path);
  }
}

Status validate_tree(const ConditionNode* n) {
  switch (n->kind) {
    case Kind::kAnd:
    case Kind::kOr:
    case Kind::kNot:
      for (const auto& c : n->children) {
        if (!c) return make_error(ErrorCode::kInvalidArgument, "empty condition operand");
        if (auto s = validate_tree(c.get()); !s) return s;
      }
      return {};
    case Kind::kIn:
      if (n->values.empty()) {
        return make_error(ErrorCode::kInvalidArgument,
                          "IN on '" + n->path + "' has an empty value list");
      }
      if (n->values.size() > kMaxInOperands) {
        return make_error(ErrorCode::kInvalidArgument, "IN on '" + n->path + "' has " +
                                                           std::to_string(n->values.size()) +
                                                           " values; DynamoDB allows at most 100");
      }
      break;
    case Kind::kType: {
      static const std::set<std::string> kTypes = {"S",  "SS",   "N",    "NS", "B",
                                                   "BS", "BOOL", "NULL", "L",  "M"};
      const std::string* t = n->values.empty() ? nullptr : n->values[0].as_string();
      if (!t || !kTypes.contains(*t)) {
        return make_error(ErrorCode::kInvalidArgument,
                          "attribute_type on '" + n->path +
                              "' needs one of S, SS, N, NS, B, BS, BOOL, NULL, L, M");
      }
      break;
    }
    default:
      break;
  }
  if (auto p = parse_path(n->path); !p) return std::unexpected(p.error());
  return {};
}

}  // namespace

std::string_view compare_op_text(CompareOp op) {
  switch (op) {
    case CompareOp::kEq:
      return "=";
    case CompareOp::kNe:
      return "<>";
    case CompareOp::kLt:
      return "<";
    case CompareOp::kLe:
      return "<=";
    case CompareOp::kGt:
      return ">";
    case CompareOp::kGe:
      return ">=";
  }
  return "?";
}

// ---- Condition factories -----------------------------------------------------

Condition compare(std::string path, CompareOp op, dd::AttributeValue value) {
  auto n = make_node(Kind::kCompare, std::move(path));
  n->op = op;
  n->values.push_back(std::move(value));
  return Condition(std::move(n));
}
Condition eq(std::string p, dd::AttributeValue v) {
  return compare(std::move(p), CompareOp::kEq, std::move(v));
}
Condition ne(std::string p, dd::AttributeValue v) {
  return compare(std::move(p), CompareOp::kNe, std::move(v));
}
Condition lt(std::string p, dd::AttributeValue v) {
  return compare(std::move(p), CompareOp::kLt, std::move(v));
}
Condition le(std::string p, dd::AttributeValue v) {
  return compare(std::move(p), CompareOp::kLe, std::move(v));
}
Condition gt(std::string p, dd::AttributeValue v) {
  return compare(std::move(p), CompareOp::kGt, std::move(v));
}
Condition ge(std::string p, dd::AttributeValue v) {
  return compare(std::move(p), CompareOp::kGe, std::move(v));
}

Condition between(std::string path, dd::AttributeValue lo, dd::AttributeValue hi) {
  auto n = make_node(Kind::kBetween, std::move(path));
  n->values = {std::move(lo), std::move(hi)};
  return Condition(std::move(n));
}
Condition in(std::string path, std::vector<dd::AttributeValue> values) {
  auto n = make_node(Kind::kIn, std::move(path));
  n->values = std::move(values);
  return Condition(std::move(n));
}
Condition begins_with(std::string path, dd::AttributeValue prefix) {
  auto n = make_node(Kind::kBeginsWith, std::move(path));
  n->values.push_back(std::move(prefix));
  return Condition(std::move(n));
}
Condition contains(std::string path, dd::AttributeValue operand) {
  auto n = make_node(Kind::kContains, std::move(path));
  n->values.push_back(std::move(operand));
  return Condition(std::move(n));
}
Condition attribute_exists(std::string path) {
  return Condition(make_node(Kind::kExists, std::move(path)));
}
Condition attribute_not_exists(std::string path) {
  return Condition(make_node(Kind::kNotExists, std::move(path)));
}
Condition attribute_type(std::string path, std::string type) {
  auto n = make_node(Kind::kType, std::move(path));
  n->values.emplace_back(std::move(type));
  return Condition(std::move(n));
}
Condition size_compare(std::string path, CompareOp op, std::int64_t v) {
  auto n = make_node(Kind::kCompare, std::move(path));
  n->op = op;
  n->size_of = true;
  n->values.emplace_back(static_cast<long long>(v));
  return Condition(std::move(n));
}

namespace {
Condition combine(Kind kind, const Condition& a, const Condition& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  auto n = make_node(kind);
  n->children = {a.shared(), b.shared()};
  return Condition(std::move(n));
}
}  // namespace

Condition operator&&(const Condition& a, const Condition& b) { return combine(Kind::kAnd, a, b); }
Condition operator||(const Condition& a, const Condition& b) { return combine(Kind::kOr, a, b); }
Condition operator!(const Condition& a) {
  auto n = make_node(Kind::kNot);
  n->children = {a.shared()};
  return Condition(std::move(n));
}

// ---- Paths -------------------------------------------------------------------

Result<std::vector<PathSegment>> parse_path(std::string_view path) {
  auto bad = [&](std::string why) {
    return make_error(ErrorCode::kInvalidArgument,
                      "malformed attribute path '" + std::string(path) + "': " + why);
  };
  std::vector<PathSegment> out;
  std::size_t i = 0;
  bool expect_name = true;
  while (i < path.size()) {
    if (expect_name) {
      std::string name;
      if (path[i] == '`') {
        auto end = path.find('`', i + 1);
        if (end == std::string_view::npos) return bad("unclosed backquote");
        name = std::string(path.substr(i + 1, end - i - 1));
        i = end + 1;
      } else {
        auto end = path.find_first_of(".[", i);
        if (end == std::string_view::npos) end = path.size();
        name = std::string(path.substr(i, end - i));
        if (name.find_first_of("]`") != std::string::npos) return bad("stray ']' or '`'");
        i = end;
      }
      if (name.empty()) return bad("empty name segment");
      out.push_back({.name = std::move(name)});
      expect_name = false;
      continue;
    }
    if (path[i] == '.') {
      ++i;
      expect_name = true;
      if (i == path.size()) return bad("ends with '.'");
    } else if (path[i] == '[') {
      auto end = path.find(']', i);
      if (end == std::string_view::npos) return bad("unclosed '['");
      auto digits = path.substr(i + 1, end - i - 1);
      if (digits.empty() || digits.size() > 9 ||
          !std::all_of(digits.begin(), digits.end(),
                       [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
        return bad("list index must be a non-negative integer");
      }
      out.push_back({.index = std::stoul(std::string(digits))});
      i = end + 1;
    } else {
      return bad(std::string("unexpected '") + path[i] + "'");
    }
  }
  if (out.empty()) return bad("empty path");
  return out;
}

// ---- ExpressionContext -------------------------------------------------------

Result<std::string> ExpressionContext::path(std::string_view p) {
  auto segs = parse_path(p);
  if (!segs) return std::unexpected(segs.error());
  std::string out;
  for (const auto& s : *segs) {
    if (s.index) {
      out += "[" + std::to_string(*s.index) + "]";
      continue;
    }
    if (!out.empty()) out += '.';
    if (is_identifier(s.name) && !is_reserved_word(s.name)) {
      out += s.name;
      continue;
    }
    auto it = placeholder_of_name_.find(s.name);
    if (it == placeholder_of_name_.end()) {
      std::string ph = "#n" + std::to_string(placeholder_of_name_.size());
      it = placeholder_of_name_.emplace(s.name, ph).first;
      names_[ph] = s.name;
    }
    out += it->second;
  }
  return out;
}

std::string ExpressionContext::value(dd::AttributeValue v) {
  std::string ph = ":v" + std::to_string(next_value_++);
  values_[ph] = std::move(v);
  return ph;
}

Result<std::string> ExpressionContext::render(const Condition& condition) {
  const ConditionNode* n = condition.node();
  if (!n) return make_error(ErrorCode::kInvalidArgument, "empty condition");
  switch (n->kind) {
    case Kind::kAnd:
    case Kind::kOr: {
      std::string out;
      for (const auto& c : n->children) {
        auto r = render(Condition(c));
        if (!r) return r;
        if (!out.empty()) out += n->kind == Kind::kAnd ? " AND " : " OR ";
        bool compound = c->kind == Kind::kAnd || c->kind == Kind::kOr;
        out += compound ? "(" + *r + ")" : *r;
      }
      return out;
    }
    case Kind::kNot: {
      auto r = render(Condition(n->children.at(0)));
      if (!r) return r;
      return "NOT (" + *r + ")";
    }
    default:
      break;
  }
  if (auto s = validate_tree(n); !s) return std::unexpected(s.error());
  auto p = path(n->path);
  if (!p) return p;
  switch (n->kind) {
    case Kind::kCompare: {
      std::string lhs = n->size_of ? "size(" + *p + ")" : *p;
      return lhs + " " + std::string(compare_op_text(n->op)) + " " + value(n->values[0]);
    }
    case Kind::kBetween: {
      auto lo = value(n->values[0]);
      return *p + " BETWEEN " + lo + " AND " + value(n->values[1]);
    }
    case Kind::kIn: {
      std::string out = *p + " IN (";
      for (std::size_t i = 0; i < n->values.size(); ++i) {
        if (i) out += ", ";
        out += value(n->values[i]);
      }
      return out + ")";
    }
    case Kind::kBeginsWith:
      return "begins_with(" + *p + ", " + value(n->values[0]) + ")";
    case Kind::kContains:
      return "contains(" + *p + ", " + value(n->values[0]) + ")";
    case Kind::kExists:
      return "attribute_exists(" + *p + ")";
    case Kind::kNotExists:
      return "attribute_not_exists(" + *p + ")";
    case Kind::kType:
      return "attribute_type(" + *p + ", " + value(n->values[0]) + ")";
    default:
      break;
  }
  return make_error(ErrorCode::kInternal, "unknown condition kind");
}

Status check_expression_size(std::string_view what, std::string_view expression) {
  if (expression.size() > kMaxExpressionBytes) {
    return make_error(ErrorCode::kTooLarge, std::string(what) + " is " +
                                                std::to_string(expression.size()) +
                                                " bytes; DynamoDB allows at most 4096 (4 KB)");
  }
  return {};
}

// ---- QueryBuilder ------------------------------------------------------------

QueryBuilder::QueryBuilder(std::string table) : table_(std::move(table)) {}
QueryBuilder& QueryBuilder::index(std::string index_name) {
  index_ = std::move(index_name);
  return *this;
}
QueryBuilder& QueryBuilder::key_schema(std::string partition_key,
                                       std::optional<std::string> sort_key) {
  partition_key_ = std::move(partition_key);
  sort_key_ = std::move(sort_key);
  return *this;
}
QueryBuilder& QueryBuilder::schema(const dd::TableDescription& table) {
  if (auto names = table.key_names(index_.value_or(""))) {
    partition_key_ = names->first;
    sort_key_ = names->second;
  } else {
    // Remembered as an error for build(): the index does not exist.
    partition_key_ = std::string();
  }
  return *this;
}
QueryBuilder& QueryBuilder::key(Condition c) {
  key_ = key_ && c;
  return *this;
}
QueryBuilder& QueryBuilder::filter(Condition c) {
  filter_ = filter_ && c;
  return *this;
}
QueryBuilder& QueryBuilder::project(std::vector<std::string> paths) {
  for (auto& p : paths) projection_.push_back(std::move(p));
  return *this;
}
QueryBuilder& QueryBuilder::limit(int limit) {
  limit_ = limit;
  return *this;
}
QueryBuilder& QueryBuilder::ascending() {
  forward_ = true;
  return *this;
}
QueryBuilder& QueryBuilder::descending() {
  forward_ = false;
  return *this;
}
QueryBuilder& QueryBuilder::consistent(bool c) {
  consistent_ = c;
  return *this;
}
QueryBuilder& QueryBuilder::start_key(dd::Key key) {
  start_key_ = std::move(key);
  return *this;
}

Result<QueryBuilder::Common> QueryBuilder::build_common(ExpressionContext context) const {
  if (table_.empty()) return make_error(ErrorCode::kInvalidArgument, "no table name");
  if (partition_key_ && partition_key_->empty()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "table '" + table_ + "' has no index '" + index_.value_or("") + "'");
  }
  if (limit_ && *limit_ < 1) {
    return make_error(ErrorCode::kInvalidArgument,
                      "limit must be at least 1, got " + std::to_string(*limit_));
  }
  Common out{.context = std::move(context)};
  if (!filter_.empty()) {
    auto f = out.context.render(filter_);
    if (!f) return std::unexpected(f.error());
    if (auto s = check_expression_size("FilterExpression", *f); !s)
      return std::unexpected(s.error());
    out.filter = std::move(*f);
  }
  if (!projection_.empty()) {
    std::string p;
    for (const auto& path : projection_) {
      auto r = out.context.path(path);
      if (!r) return std::unexpected(r.error());
      if (!p.empty()) p += ", ";
      p += *r;
    }
    if (auto s = check_expression_size("ProjectionExpression", p); !s) {
      return std::unexpected(s.error());
    }
    out.projection = std::move(p);
  }
  return out;
}

Result<dd::QueryRequest> QueryBuilder::build() const {
  if (partition_key_ && partition_key_->empty()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "table '" + table_ + "' has no index '" + index_.value_or("") + "'");
  }
  if (key_.empty()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "a Query needs a key condition (an equality on the partition key)");
  }
  const std::string target =
      index_ ? "index '" + *index_ + "' of table '" + table_ + "'" : "table '" + table_ + "'";
  // The key condition: AND of at most two simple conditions on key attributes.
  std::vector<const ConditionNode*> terms;
  flatten(key_.node(), Kind::kAnd, terms);
  if (terms.size() > 2) {
    return make_error(ErrorCode::kInvalidArgument,
                      "a key condition has at most two parts (partition key = value AND one "
                      "sort key condition); got " +
                          std::to_string(terms.size()));
  }
  const ConditionNode* partition = nullptr;
  const ConditionNode* sort = nullptr;
  for (const ConditionNode* t : terms) {
    bool simple = (t->kind == Kind::kCompare && !t->size_of && t->op != CompareOp::kNe) ||
                  t->kind == Kind::kBetween || t->kind == Kind::kBeginsWith;
    if (!simple) {
      return make_error(ErrorCode::kInvalidArgument,
                        "key conditions support only =, <, <=, >, >=, BETWEEN and begins_with "
                        "joined by AND; the condition on '" +
                            t->path + "' is not one of them");
    }
    if (!is_top_level(t->path)) {
      return make_error(ErrorCode::kInvalidArgument, "key condition on nested path '" + t->path +
                                                         "': key attributes are top-level");
    }
    const std::string name = top_name(t->path);
    if (partition_key_) {
      if (name == *partition_key_) {
        if (t->kind != Kind::kCompare || t->op != CompareOp::kEq) {
          return make_error(ErrorCode::kInvalidArgument,
                            "the partition key '" + name + "' must be compared with =");
        }
        partition = t;
      } else if (sort_key_ && name == *sort_key_) {
        sort = t;
      } else {
        return make_error(ErrorCode::kInvalidArgument,
                          "'" + name + "' is not a key attribute of " + target +
                              " (partition key '" + *partition_key_ + "'" +
                              (sort_key_ ? ", sort key '" + *sort_key_ + "'" : std::string()) +
                              "); move it to the filter");
      }
    } else if (!partition && t->kind == Kind::kCompare && t->op == CompareOp::kEq) {
      partition = t;
    } else {
      sort = t;
    }
  }
  if (!partition) {
    return make_error(ErrorCode::kInvalidArgument,
                      "the key condition needs an equality on the partition key" +
                          (partition_key_ ? " '" + *partition_key_ + "'" : std::string()));
  }
  if (sort && top_name(sort->path) == top_name(partition->path)) {
    return make_error(ErrorCode::kInvalidArgument,
                      "the key condition uses '" + top_name(sort->path) + "' twice");
  }
  if (!filter_.empty() && partition_key_) {
    std::vector<std::string> paths;
    collect_paths(filter_.node(), paths);
    for (const auto& p : paths) {
      auto name = top_name(p);
      if (name == *partition_key_ || (sort_key_ && name == *sort_key_)) {
        return make_error(ErrorCode::kInvalidArgument,
                          "the filter uses key attribute '" + name + "' of " + target +
                              "; a Query filter cannot use key attributes: put the condition in "
                              "the key condition");
      }
    }
  }
  ExpressionContext ctx;
  Condition ordered = Condition(std::shared_ptr<const ConditionNode>(key_.shared(), partition));
  if (sort) {
    ordered = ordered && Condition(std::shared_ptr<const ConditionNode>(key_.shared(), sort));
  }
  auto k = ctx.render(ordered);
  if (!k) return std::unexpected(k.error());
  if (auto s = check_expression_size("KeyConditionExpression", *k); !s) {
    return std::unexpected(s.error());
  }
  auto common = build_common(std::move(ctx));
  if (!common) return std::unexpected(common.error());
  dd::QueryRequest req;
  req.table_name = table_;
  req.index_name = index_;
  req.key_condition_expression = std::move(*k);
  req.filter_expression = std::move(common->filter);
  req.projection_expression = std::move(common->projection);
  req.expression_attribute_names = std::move(common->context.names());
  req.expression_attribute_values = std::move(common->context.values());
  req.consistent_read = consistent_;
  req.limit = limit_;
  req.exclusive_start_key = start_key_;
  req.scan_index_forward = forward_;
  return req;
}

Result<dd::ScanRequest> QueryBuilder::build_scan() const {
  if (!key_.empty()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "a Scan has no key condition; use build() for a Query or filter()");
  }
  if (forward_) {
    return make_error(ErrorCode::kInvalidArgument, "a Scan has no direction");
  }
  auto common = build_common(ExpressionContext{});
  if (!common) return std::unexpected(common.error());
  dd::ScanRequest req;
  req.table_name = table_;
  req.index_name = index_;
  req.filter_expression = std::move(common->filter);
  req.projection_expression = std::move(common->projection);
  req.expression_attribute_names = std::move(common->context.names());
  req.expression_attribute_values = std::move(common->context.values());
  req.consistent_read = consistent_;
  req.limit = limit_;
  req.exclusive_start_key = start_key_;
  return req;
}

// ---- UpdateBuilder -----------------------------------------------------------

UpdateBuilder::UpdateBuilder(std::string table, dd::Key key)
    : table_(std::move(table)), key_(std::move(key)) {}
UpdateBuilder& UpdateBuilder::set(std::string p, dd::AttributeValue v) {
  steps_.push_back({Action::kSet, std::move(p), std::move(v)});
  return *this;
}
UpdateBuilder& UpdateBuilder::set_if_not_exists(std::string p, dd::AttributeValue v) {
  steps_.push_back({Action::kSetIfNotExists, std::move(p), std::move(v)});
  return *this;
}
UpdateBuilder& UpdateBuilder::increment(std::string p, dd::AttributeValue v) {
  steps_.push_back({Action::kIncrement, std::move(p), std::move(v)});
  return *this;
}
UpdateBuilder& UpdateBuilder::decrement(std::string p, dd::AttributeValue v) {
  steps_.push_back({Action::kDecrement, std::move(p), std::move(v)});
  return *this;
}
UpdateBuilder& UpdateBuilder::append(std::string p, dd::AttributeList values) {
  steps_.push_back({Action::kAppend, std::move(p), dd::AttributeValue(std::move(values))});
  return *this;
}
UpdateBuilder& UpdateBuilder::remove(std::string p) {
  steps_.push_back({Action::kRemove, std::move(p), {}});
  return *this;
}
UpdateBuilder& UpdateBuilder::add(std::string p, dd::AttributeValue v) {
  steps_.push_back({Action::kAdd, std::move(p), std::move(v)});
  return *this;
}
UpdateBuilder& UpdateBuilder::delete_from_set(std::string p, dd::AttributeValue v) {
  steps_.push_back({Action::kDelete, std::move(p), std::move(v)});
  return *this;
}
UpdateBuilder& UpdateBuilder::condition(Condition c) {
  condition_ = condition_ && c;
  return *this;
}
UpdateBuilder& UpdateBuilder::return_values(dd::ReturnValues rv) {
  return_values_ = rv;
  return *this;
}

Result<dd::UpdateItemRequest> UpdateBuilder::build() const {
  if (table_.empty()) return make_error(ErrorCode::kInvalidArgument, "no table name");
  if (key_.empty()) return make_error(ErrorCode::kInvalidArgument, "no key");
  if (steps_.empty()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "an update needs at least one SET, REMOVE, ADD or DELETE action");
  }
  ExpressionContext ctx;
  std::vector<std::string> sets, removes, adds, deletes;
  std::set<std::string> seen;
  for (const auto& s : steps_) {
    auto p = ctx.path(s.path);
    if (!p) return std::unexpected(p.error());
    if (!seen.insert(*p).second) {
      return make_error(ErrorCode::kInvalidArgument,
                        "'" + s.path +
                            "' appears in two update actions; DynamoDB rejects "
                            "overlapping paths in one update");
    }
    if (key_.contains(top_name(s.path)) && is_top_level(s.path)) {
      return make_error(ErrorCode::kInvalidArgument,
                        "'" + s.path + "' is part of the key and cannot be updated");
    }
    switch (s.action) {
      case Action::kSet:
        sets.push_back(*p + " = " + ctx.value(s.value));
        break;
      case Action::kSetIfNotExists:
        sets.push_back(*p + " = if_not_exists(" + *p + ", " + ctx.value(s.value) + ")");
        break;
      case Action::kIncrement:
        sets.push_back(*p + " = " + *p + " + " + ctx.value(s.value));
        break;
      case Action::kDecrement:
        sets.push_back(*p + " = " + *p + " - " + ctx.value(s.value));
        break;
      case Action::kAppend: {
        // Placeholders numbered in reading order.
        std::string empty = ctx.value(dd::AttributeList{});
        std::string tail = ctx.value(s.value);
        sets.push_back(*p + " = list_append(if_not_exists(" + *p + ", " + empty + "), " + tail +
                       ")");
      } break;
      case Action::kRemove:
        removes.push_back(*p);
        break;
      case Action::kAdd:
        adds.push_back(*p + " " + ctx.value(s.value));
        break;
      case Action::kDelete:
        deletes.push_back(*p + " " + ctx.value(s.value));
        break;
    }
  }
  std::string expr;
  auto clause = [&](std::string_view word, const std::vector<std::string>& parts) {
    if (parts.empty()) return;
    if (!expr.empty()) expr += ' ';
    expr += word;
    expr += ' ';
    for (std::size_t i = 0; i < parts.size(); ++i) {
      if (i) expr += ", ";
      expr += parts[i];
    }
  };
  clause("SET", sets);
  clause("REMOVE", removes);
  clause("ADD", adds);
  clause("DELETE", deletes);
  if (auto s = check_expression_size("UpdateExpression", expr); !s) {
    return std::unexpected(s.error());
  }
  dd::UpdateItemRequest req;
  req.table_name = table_;
  req.key = key_;
  req.update_expression = std::move(expr);
  if (!condition_.empty()) {
    auto c = ctx.render(condition_);
    if (!c) return std::unexpected(c.error());
    if (auto s = check_expression_size("ConditionExpression", *c); !s) {
      return std::unexpected(s.error());
    }
    req.condition_expression = std::move(*c);
  }
  req.expression_attribute_names = std::move(ctx.names());
  req.expression_attribute_values = std::move(ctx.values());
  req.return_values = return_values_;
  return req;
}

std::string key_string(const dd::Key& key) {
  std::string out;
  out.reserve(24 * key.size() + 2);
  out += '{';
  bool first = true;
  bool fast = true;
  for (const auto& [name, value] : key) {
    if (!detail::append_key_attribute(out, name, value, first)) {
      fast = false;
      break;
    }
    first = false;
  }
  if (fast) return out += '}';
  auto j = dd::to_json(key);
  return j ? *j : std::string("<unencodable key>");
}

}  // namespace awsperf::query
