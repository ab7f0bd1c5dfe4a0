#include "awsperf/query/analyzer.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include "awsperf/query/expression.h"

namespace awsperf::query {

namespace dd = awsperf::dynamodb;
namespace json = boost::json;
using Kind = ConditionNode::Kind;

// ---- JSON input ----------------------------------------------------------------

namespace {

std::unexpected<Error> parse_error(std::string what) {
  return make_error(ErrorCode::kParse, std::move(what));
}

Result<json::value> parse(std::string_view text) {
  boost::system::error_code ec;
  json::parse_options opts;
  opts.max_depth = 64;
  json::value v = json::parse(text, ec, {}, opts);
  if (ec) return parse_error("invalid JSON: " + ec.message());
  return v;
}

Result<std::optional<std::string>> get_string(const json::object& o, std::string_view name) {
  auto* v = o.if_contains(name);
  if (!v || v->is_null()) return std::optional<std::string>();
  if (!v->is_string()) return parse_error("\"" + std::string(name) + "\" must be a string");
  return std::optional<std::string>(std::string(v->as_string()));
}

Result<std::optional<std::int64_t>> get_int(const json::object& o, std::string_view name) {
  auto* v = o.if_contains(name);
  if (!v || v->is_null()) return std::optional<std::int64_t>();
  if (v->is_int64()) return std::optional<std::int64_t>(v->as_int64());
  if (v->is_uint64() && v->as_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
    return std::optional<std::int64_t>(static_cast<std::int64_t>(v->as_uint64()));
  }
  return parse_error("\"" + std::string(name) + "\" must be an integer");
}

Result<dd::Item> get_item(const json::value& v, std::string_view name) {
  if (!v.is_object()) return parse_error("\"" + std::string(name) + "\" must be an object");
  auto item = dd::item_from_json(json::serialize(v));
  if (!item) return parse_error("\"" + std::string(name) + "\": " + item.error().message);
  return item;
}

Result<std::vector<dd::KeySchemaElement>> get_key_schema(const json::object& o) {
  std::vector<dd::KeySchemaElement> out;
  auto* ks = o.if_contains("KeySchema");
  if (!ks || !ks->is_array()) return parse_error("\"KeySchema\" must be an array");
  for (const auto& e : ks->as_array()) {
    if (!e.is_object()) return parse_error("a KeySchema element must be an object");
    auto name = get_string(e.as_object(), "AttributeName");
    auto type = get_string(e.as_object(), "KeyType");
    if (!name || !*name || !type || !*type) {
      return parse_error("a KeySchema element needs AttributeName and KeyType");
    }
    if (**type != "HASH" && **type != "RANGE") {
      return parse_error("KeyType must be HASH or RANGE, got " + **type);
    }
    out.push_back({**name, **type == "HASH" ? dd::KeyType::kHash : dd::KeyType::kRange});
  }
  if (out.empty() || out.size() > 2 || out[0].key_type != dd::KeyType::kHash) {
    return parse_error("KeySchema must be HASH, optionally followed by RANGE");
  }
  return out;
}

Result<dd::IndexDescription> get_index(const json::value& v) {
  if (!v.is_object()) return parse_error("an index description must be an object");
  const auto& o = v.as_object();
  dd::IndexDescription idx;
  auto name = get_string(o, "IndexName");
  if (!name || !*name) return parse_error("an index needs IndexName");
  idx.index_name = **name;
  auto ks = get_key_schema(o);
  if (!ks) return parse_error("index " + idx.index_name + ": " + ks.error().message);
  idx.key_schema = std::move(*ks);
  if (auto* p = o.if_contains("Projection"); p && p->is_object()) {
    auto t = get_string(p->as_object(), "ProjectionType");
    if (t && *t) {
      idx.projection.projection_type = **t == "KEYS_ONLY" ? dd::ProjectionType::kKeysOnly
                                       : **t == "INCLUDE" ? dd::ProjectionType::kInclude
                                                          : dd::ProjectionType::kAll;
    }
    if (auto* nk = p->as_object().if_contains("NonKeyAttributes"); nk && nk->is_array()) {
      for (const auto& a : nk->as_array()) {
        if (a.is_string()) idx.projection.non_key_attributes.emplace_back(a.as_string());
      }
    }
  }
  if (auto c = get_int(o, "ItemCount"); c && *c) idx.item_count = **c;
  if (auto s = get_int(o, "IndexSizeBytes"); s && *s) idx.index_size_bytes = **s;
  return idx;
}

}  // namespace

Result<dd::TableDescription> parse_table_description_json(std::string_view text) {
  auto v = parse(text);
  if (!v) return std::unexpected(v.error());
  if (!v->is_object()) return parse_error("a table description must be a JSON object");
  const json::object* o = &v->as_object();
  if (auto* t = o->if_contains("Table"); t && t->is_object()) o = &t->as_object();
  dd::TableDescription d;
  auto name = get_string(*o, "TableName");
  if (!name) return std::unexpected(name.error());
  if (!*name || (*name)->empty()) return parse_error("the table description has no TableName");
  d.table_name = **name;
  d.table_status = get_string(*o, "TableStatus").value_or(std::nullopt).value_or("ACTIVE");
  auto ks = get_key_schema(*o);
  if (!ks) return std::unexpected(ks.error());
  d.key_schema = std::move(*ks);
  if (auto c = get_int(*o, "ItemCount"); !c) {
    return std::unexpected(c.error());
  } else if (*c) {
    d.item_count = **c;
  }
  if (auto s = get_int(*o, "TableSizeBytes"); !s) {
    return std::unexpected(s.error());
  } else if (*s) {
    d.table_size_bytes = **s;
  }
  for (auto [member, out] : {std::pair{"GlobalSecondaryIndexes", &d.global_secondary_indexes},
                             std::pair{"LocalSecondaryIndexes", &d.local_secondary_indexes}}) {
    auto* arr = o->if_contains(member);
    if (!arr) continue;
    if (!arr->is_array()) return parse_error(std::string(member) + " must be an array");
    for (const auto& e : arr->as_array()) {
      auto idx = get_index(e);
      if (!idx) return std::unexpected(idx.error());
      out->push_back(std::move(*idx));
    }
  }
  return d;
}

Result<RequestSpec> parse_request_json(std::string_view text) {
  auto v = parse(text);
  if (!v) return std::unexpected(v.error());
  if (!v->is_object()) return parse_error("a request must be a JSON object");
  const auto& o = v->as_object();
  RequestSpec r;
  auto op = get_string(o, "Operation");
  if (!op) return std::unexpected(op.error());
  if (!*op) return parse_error("a request needs \"Operation\" (Query, Scan, GetItem, ...)");
  static const std::set<std::string> kOps = {"Query",   "Scan",       "GetItem",   "BatchGetItem",
                                             "PutItem", "UpdateItem", "DeleteItem"};
  if (!kOps.contains(**op)) return parse_error("unsupported Operation \"" + **op + "\"");
  r.operation = **op;
  auto table = get_string(o, "TableName");
  if (!table) return std::unexpected(table.error());
  if (!*table) return parse_error("a request needs \"TableName\"");
  r.table_name = **table;
  for (auto [member, out] : {std::pair{"IndexName", &r.index_name},
                             std::pair{"KeyConditionExpression", &r.key_condition_expression},
                             std::pair{"FilterExpression", &r.filter_expression},
                             std::pair{"ProjectionExpression", &r.projection_expression}}) {
    auto s = get_string(o, member);
    if (!s) return std::unexpected(s.error());
    *out = *s;
  }
  if (auto* n = o.if_contains("ExpressionAttributeNames")) {
    if (!n->is_object()) return parse_error("\"ExpressionAttributeNames\" must be an object");
    for (const auto& [k, val] : n->as_object()) {
      if (!val.is_string()) return parse_error("expression attribute names must be strings");
      r.expression_attribute_names[std::string(k)] = std::string(val.as_string());
    }
  }
  if (auto* n = o.if_contains("ExpressionAttributeValues")) {
    auto item = get_item(*n, "ExpressionAttributeValues");
    if (!item) return std::unexpected(item.error());
    for (auto& [k, val] : *item) r.expression_attribute_values[k] = std::move(val);
  }
  if (auto* k = o.if_contains("Key")) {
    auto item = get_item(*k, "Key");
    if (!item) return std::unexpected(item.error());
    r.key = std::move(*item);
  }
  if (auto* k = o.if_contains("Item")) {
    auto item = get_item(*k, "Item");
    if (!item) return std::unexpected(item.error());
    r.item = std::move(*item);
  }
  if (auto* ks = o.if_contains("Keys")) {
    if (!ks->is_array()) return parse_error("\"Keys\" must be an array");
    for (const auto& k : ks->as_array()) {
      auto item = get_item(k, "Keys");
      if (!item) return std::unexpected(item.error());
      r.keys.push_back(std::move(*item));
    }
  }
  if (auto* c = o.if_contains("ConsistentRead")) {
    if (!c->is_bool()) return parse_error("\"ConsistentRead\" must be a boolean");
    r.consistent_read = c->as_bool();
  }
  for (auto [member, out] : {std::pair{"Limit", &r.limit}, std::pair{"Segment", &r.segment},
                             std::pair{"TotalSegments", &r.total_segments}}) {
    auto i = get_int(o, member);
    if (!i) return std::unexpected(i.error());
    if (*i) {
      if (**i < 0 || **i > 1'000'000) return parse_error(std::string(member) + " out of range");
      *out = static_cast<int>(**i);
    }
  }
  if (auto e = get_int(o, "ExpectedItems"); !e) {
    return std::unexpected(e.error());
  } else if (*e) {
    r.expected_items = **e;
  }
  if (auto c = get_int(o, "Count"); !c) {
    return std::unexpected(c.error());
  } else if (*c) {
    if (**c < 1) return parse_error("\"Count\" must be at least 1");
    r.count = static_cast<std::uint64_t>(**c);
  }
  if (auto* a = o.if_contains("AttributesUsed")) {
    if (!a->is_array()) return parse_error("\"AttributesUsed\" must be an array of names");
    for (const auto& n : a->as_array()) {
      if (!n.is_string()) return parse_error("\"AttributesUsed\" must be an array of names");
      r.attributes_used.emplace_back(n.as_string());
    }
  }
  if ((r.operation == "GetItem" || r.operation == "UpdateItem" || r.operation == "DeleteItem") &&
      !r.key) {
    return parse_error(r.operation + " needs \"Key\"");
  }
  if (r.operation == "PutItem" && !r.item) return parse_error("PutItem needs \"Item\"");
  if (r.operation == "Query" && !r.key_condition_expression) {
    return parse_error("Query needs \"KeyConditionExpression\"");
  }
  return r;
}

Result<std::vector<RequestSpec>> parse_requests_jsonl(std::string_view text) {
  std::vector<RequestSpec> out;
  std::size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    auto r = parse_request_json(line);
    if (!r) {
      return make_error(r.error().code,
                        "line " + std::to_string(line_no) + ": " + r.error().message);
    }
    out.push_back(std::move(*r));
  }
  return out;
}

// ---- Analysis ----------------------------------------------------------------

namespace {

struct KeyNames {
  std::string index;  // empty: the table
  std::string partition;
  std::optional<std::string> sort;
  const dd::IndexDescription* description = nullptr;
};

std::vector<KeyNames> all_keys(const dd::TableDescription& t) {
  std::vector<KeyNames> out;
  auto add = [&](const std::string& index, const std::vector<dd::KeySchemaElement>& ks,
                 const dd::IndexDescription* d) {
    KeyNames k{.index = index, .description = d};
    for (const auto& e : ks) {
      if (e.key_type == dd::KeyType::kHash)
        k.partition = e.attribute_name;
      else
        k.sort = e.attribute_name;
    }
    out.push_back(std::move(k));
  };
  add("", t.key_schema, nullptr);
  for (const auto& i : t.global_secondary_indexes) add(i.index_name, i.key_schema, &i);
  for (const auto& i : t.local_secondary_indexes) add(i.index_name, i.key_schema, &i);
  return out;
}

std::optional<KeyNames> keys_of(const dd::TableDescription& t, const std::string& index) {
  for (auto& k : all_keys(t)) {
    if (k.index == index) return k;
  }
  return std::nullopt;
}

// The top-level AND terms of a condition.
std::vector<const ConditionNode*> conjuncts(const Condition& c) {
  std::vector<const ConditionNode*> out;
  if (c.empty()) return out;
  std::vector<const ConditionNode*> stack{c.node()};
  while (!stack.empty()) {
    auto* n = stack.back();
    stack.pop_back();
    if (n->kind == Kind::kAnd) {
      for (auto it = n->children.rbegin(); it != n->children.rend(); ++it)
        stack.push_back(it->get());
    } else {
      out.push_back(n);
    }
  }
  return out;
}

bool is_eq(const ConditionNode* n) {
  return n->kind == Kind::kCompare && !n->size_of && n->op == CompareOp::kEq;
}
bool is_range(const ConditionNode* n) {
  return (n->kind == Kind::kCompare && !n->size_of && n->op != CompareOp::kNe) ||
         n->kind == Kind::kBetween || n->kind == Kind::kBeginsWith;
}

void all_paths(const ConditionNode* n, std::vector<std::string>& out) {
  if (n->kind == Kind::kAnd || n->kind == Kind::kOr || n->kind == Kind::kNot) {
    for (const auto& c : n->children) all_paths(c.get(), out);
  } else {
    out.push_back(n->path);
  }
}

std::string fmt(double v) {
  std::ostringstream s;
  s.precision(v < 10 ? 3 : 6);
  s << v;
  return s.str();
}

std::string value_json(const dd::AttributeValue& v) {
  auto j = dd::to_json(v);
  return j ? *j : "?";
}

std::string node_text(const ConditionNode* n) {
  return canonical_text(
      Condition(std::shared_ptr<const ConditionNode>(std::shared_ptr<const ConditionNode>(), n)));
}

struct Sizes {
  double item_bytes;
  double items;
};

}  // namespace

PlanAnalyzer::PlanAnalyzer(std::vector<dd::TableDescription> tables, AnalyzerOptions options)
    : tables_(std::move(tables)), options_(options) {}

const dd::TableDescription* PlanAnalyzer::table(const std::string& name) const {
  for (const auto& t : tables_) {
    if (t.table_name == name) return &t;
  }
  return nullptr;
}

RequestAnalysis PlanAnalyzer::analyze(const RequestSpec& r) const {
  RequestAnalysis out{.operation = r.operation,
                      .table = r.table_name,
                      .index = r.index_name.value_or(""),
                      .count = r.count};
  const dd::TableDescription* t = table(r.table_name);
  if (!t) {
    out.findings.push_back({.code = "UNKNOWN_TABLE",
                            .message = "no description of table '" + r.table_name + "'",
                            .suggestion = "pass its description (--table-description) or check "
                                          "the name"});
    return out;
  }
  // Item size and count of what is read: the table, or the index when known.
  double items = t->item_count.value_or(0);
  double bytes = t->table_size_bytes.value_or(0);
  if (r.index_name) {
    for (const auto* list : {&t->global_secondary_indexes, &t->local_secondary_indexes}) {
      for (const auto& i : *list) {
        if (i.index_name == *r.index_name) {
          if (i.item_count) items = static_cast<double>(*i.item_count);
          if (i.index_size_bytes) bytes = static_cast<double>(*i.index_size_bytes);
        }
      }
    }
  }
  const double item_bytes =
      items > 0 && bytes > 0 ? bytes / items : static_cast<double>(options_.default_item_bytes);
  const double read_factor = r.consistent_read.value_or(false) ? 1.0 : 0.5;
  auto read_units_total = [&](double n_items) {  // Query/Scan: the total, rounded up
    return std::ceil(n_items * item_bytes / 4096.0) * read_factor;
  };
  auto read_units_each = [&](double n_items) {  // GetItem/BatchGetItem: each item rounded
    return n_items * std::ceil(item_bytes / 4096.0) * read_factor;
  };
  const double query_items =
      r.expected_items ? static_cast<double>(*r.expected_items) : options_.default_query_items;
  auto target = [&](const std::string& index) {
    return index.empty() ? "table '" + r.table_name + "'"
                         : "index '" + index + "' of table '" + r.table_name + "'";
  };

  Condition filter;
  if (r.filter_expression) {
    auto f = parse_condition(*r.filter_expression, r.expression_attribute_names,
                             r.expression_attribute_values);
    if (!f) {
      out.findings.push_back({.code = "INVALID_EXPRESSION",
                              .message = f.error().message,
                              .suggestion = "fix the FilterExpression"});
    } else {
      filter = *f;
    }
  }
  std::vector<std::string> projection;
  if (r.projection_expression) {
    if (auto p = parse_projection(*r.projection_expression, r.expression_attribute_names)) {
      projection = *p;
    } else {
      out.findings.push_back({.code = "INVALID_EXPRESSION",
                              .message = p.error().message,
                              .suggestion = "fix the ProjectionExpression"});
    }
  }

  if (r.operation == "GetItem") {
    out.estimated_rcu = read_units_each(1);
  } else if (r.operation == "BatchGetItem") {
    out.estimated_rcu =
        read_units_each(static_cast<double>(std::max<std::size_t>(r.keys.size(), 1)));
  } else if (r.operation == "Query") {
    double n = query_items;
    if (r.limit) n = std::min(n, static_cast<double>(*r.limit));
    out.estimated_rcu = read_units_total(n);
  } else if (r.operation == "Scan") {
    double n = items > 0 ? items : query_items;
    if (r.total_segments && *r.total_segments > 0) n /= *r.total_segments;
    if (r.limit) n = std::min(n, static_cast<double>(*r.limit));
    out.estimated_rcu = read_units_total(n);
  } else {
    double wbytes = r.item ? static_cast<double>(dd::item_size(*r.item)) : item_bytes;
    out.estimated_wcu = std::max(1.0, std::ceil(wbytes / 1024.0));
  }

  // SCAN_ON_KEY: an equality on a partition key (of the table first, then
  // the indexes) means a Query can read just that partition.
  if (r.operation == "Scan" && !filter.empty()) {
    auto terms = conjuncts(filter);
    for (const auto& k : all_keys(*t)) {
      const ConditionNode* pk = nullptr;
      const ConditionNode* sk = nullptr;
      for (const auto* term : terms) {
        if (is_eq(term) && term->path == k.partition) pk = term;
        if (k.sort && is_range(term) && term->path == *k.sort) sk = term;
      }
      if (!pk) continue;
      std::string key_cond = node_text(pk) + (sk ? " AND " + node_text(sk) : "");
      double query_rcu = read_units_total(query_items);
      out.findings.push_back(
          {.code = "SCAN_ON_KEY",
           .message = "Scan of " + target(r.index_name.value_or("")) + " filters on " +
                      k.partition + " = " + value_json(pk->values[0]) + ", the partition key of " +
                      target(k.index) + "; the Scan reads every item (~" + fmt(out.estimated_rcu) +
                      " RCU)",
           .suggestion = "Query " + target(k.index) + " with KeyConditionExpression " + key_cond +
                         " and keep the rest as the filter",
           .capacity_saved = std::max(0.0, out.estimated_rcu - query_rcu)});
      break;
    }
  }

  // FILTER_ON_SORT_KEY.
  if (r.operation == "Query" && !filter.empty()) {
    if (auto k = keys_of(*t, r.index_name.value_or("")); k && k->sort) {
      for (const auto* term : conjuncts(filter)) {
        if (term->path != *k->sort) continue;
        out.findings.push_back(
            {.code = "FILTER_ON_SORT_KEY",
             .message = "the filter tests the sort key " + *k->sort + " (" + node_text(term) +
                        "); items are read and paid for before the filter drops them",
             .suggestion = is_range(term)
                               ? "move " + node_text(term) + " into the KeyConditionExpression: " +
                                     r.key_condition_expression.value_or("") + " AND " +
                                     node_text(term)
                               : "express the sort key condition with =, <, <=, >, >=, BETWEEN "
                                 "or begins_with in the KeyConditionExpression",
             .capacity_saved = out.estimated_rcu / 2});
        break;
      }
    }
  }

  // MISSING_PROJECTION.
  bool reads = r.operation == "Query" || r.operation == "Scan" || r.operation == "GetItem" ||
               r.operation == "BatchGetItem";
  if (reads && projection.empty() && !r.attributes_used.empty()) {
    std::string list;
    for (const auto& a : r.attributes_used) list += (list.empty() ? "" : ", ") + a;
    out.findings.push_back(
        {.code = "MISSING_PROJECTION",
         .message = "whole items (~" + fmt(item_bytes) + " bytes each) are read but only " +
                    std::to_string(r.attributes_used.size()) + " attribute(s) are used",
         .suggestion = "add ProjectionExpression \"" + list +
                       "\" (QueryBuilder::project); it cuts bytes on the wire, not RCU",
         .capacity_saved = 0});
  }

  // UNBOUNDED_SCAN.
  if (r.operation == "Scan" && !r.limit && !r.total_segments) {
    bool large = (bytes >= static_cast<double>(options_.large_table_bytes)) ||
                 (items >= static_cast<double>(options_.large_table_items));
    if (large) {
      int segs =
          std::max(2, std::min(64, static_cast<int>(std::ceil(bytes / (256.0 * (1 << 20))))));
      out.findings.push_back(
          {.code = "UNBOUNDED_SCAN",
           .message = "an unbounded Scan of " + target(r.index_name.value_or("")) + " (" +
                      fmt(items) + " items, " + fmt(bytes / (1 << 20)) +
                      " MiB) reads it all in one sequential stream of 1 MB pages",
           .suggestion = "scan in " + std::to_string(segs) +
                         " parallel segments (QueryOptimizer::parallel_scan, TotalSegments=" +
                         std::to_string(segs) + ") or page with Limit",
           .capacity_saved = 0});
    }
  }
  return out;
}

WorkloadAnalysis PlanAnalyzer::analyze_workload(const std::vector<RequestSpec>& requests) const {
  WorkloadAnalysis out;
  for (const auto& r : requests) out.requests.push_back(analyze(r));

  // MISSING_INDEX: Scans (without SCAN_ON_KEY) filtering by equality on an
  // attribute no index has as partition key, grouped by (table, attribute).
  struct Pattern {
    std::uint64_t count = 0;
    std::vector<std::size_t> requests;
    std::map<std::string, std::uint64_t> range_attrs;
    std::set<std::string> projected;
    bool all_projected = true;
  };
  std::map<std::pair<std::string, std::string>, Pattern> patterns;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const auto& r = requests[i];
    const auto& a = out.requests[i];
    if (r.operation != "Scan" || !r.filter_expression) continue;
    if (std::any_of(a.findings.begin(), a.findings.end(),
                    [](const Finding& f) { return f.code == "SCAN_ON_KEY"; })) {
      continue;
    }
    const auto* t = table(r.table_name);
    if (!t) continue;
    auto f = parse_condition(*r.filter_expression, r.expression_attribute_names,
                             r.expression_attribute_values);
    if (!f) continue;
    auto terms = conjuncts(*f);
    for (const auto* term : terms) {
      if (!is_eq(term) || term->path.find_first_of(".[") != std::string::npos) continue;
      auto& p = patterns[{r.table_name, term->path}];
      p.count += r.count;
      p.requests.push_back(i);
      for (const auto* other : terms) {
        if (other != term && is_range(other) && !is_eq(other) &&
            other->path.find_first_of(".[") == std::string::npos) {
          p.range_attrs[other->path] += r.count;
        }
      }
      std::vector<std::string> proj;
      if (r.projection_expression) {
        if (auto pp = parse_projection(*r.projection_expression, r.expression_attribute_names)) {
          proj = *pp;
        }
      }
      if (proj.empty()) proj = r.attributes_used;
      if (proj.empty()) p.all_projected = false;
      for (auto& s : proj) p.projected.insert(s);
      break;  // one pattern per request: its first equality
    }
  }
  for (auto& [key, p] : patterns) {
    if (p.count < options_.missing_index_min_requests) continue;
    const auto* t = table(key.first);
    std::optional<std::string> sort;
    std::uint64_t best = 0;
    for (const auto& [attr, n] : p.range_attrs) {
      if (n > best) {
        best = n;
        sort = attr;
      }
    }
    std::set<std::string> key_attrs = {key.second};
    if (sort) key_attrs.insert(*sort);
    for (const auto& e : t->key_schema) key_attrs.insert(e.attribute_name);
    std::string projection_type = "ALL";
    std::string include;
    if (p.all_projected) {
      std::vector<std::string> non_key;
      for (const auto& a : p.projected) {
        if (!key_attrs.contains(a)) non_key.push_back(a);
      }
      if (non_key.empty()) {
        projection_type = "KEYS_ONLY";
      } else if (non_key.size() <= 20) {
        projection_type = "INCLUDE";
        for (const auto& a : non_key) include += (include.empty() ? "" : ", ") + a;
      }
    }
    std::string gsi_name = key.second + (sort ? "_" + *sort : "") + "_index";
    std::string suggestion =
        "create GSI " + gsi_name + " on table '" + key.first + "' with partition key " +
        key.second + (sort ? " and sort key " + *sort : std::string()) + ", projection " +
        projection_type + (include.empty() ? std::string() : " (" + include + ")") +
        ", and Query it instead of scanning";
    for (std::size_t i : p.requests) {
      double scan_rcu = out.requests[i].estimated_rcu;
      out.requests[i].findings.push_back(
          {.code = "MISSING_INDEX",
           .message = std::to_string(p.count) + " Scan(s) of table '" + key.first + "' filter on " +
                      key.second + " = <value>, and no index has " + key.second +
                      " as its partition key",
           .suggestion = suggestion,
           .capacity_saved = std::max(
               0.0, scan_rcu - std::ceil(options_.default_query_items * 1024 / 4096.0) * 0.5)});
    }
  }

  // HOT_PARTITION: keyed requests grouped by the table's partition key value.
  std::map<std::string, std::map<std::string, std::uint64_t>> by_value;  // table -> value -> n
  std::map<std::string, std::uint64_t> totals;
  std::vector<std::pair<std::string, std::string>> request_value(requests.size());
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const auto& r = requests[i];
    const auto* t = table(r.table_name);
    if (!t) continue;
    auto k = keys_of(*t, r.index_name.value_or(""));
    if (!k) continue;
    std::optional<std::string> value;
    const dd::Item* source = r.key ? &*r.key : r.item ? &*r.item : nullptr;
    if (source && !r.index_name) {
      if (auto it = source->find(k->partition); it != source->end()) value = value_json(it->second);
    } else if (r.operation == "Query" && r.key_condition_expression) {
      if (auto c = parse_condition(*r.key_condition_expression, r.expression_attribute_names,
                                   r.expression_attribute_values)) {
        for (const auto* term : conjuncts(*c)) {
          if (is_eq(term) && term->path == k->partition) value = value_json(term->values[0]);
        }
      }
    }
    if (!value) continue;
    std::string scope = r.table_name + (r.index_name ? "/" + *r.index_name : std::string());
    by_value[scope][*value] += r.count;
    totals[scope] += r.count;
    request_value[i] = {scope, *value};
  }
  for (const auto& [scope, values] : by_value) {
    std::uint64_t total = totals[scope];
    if (total < options_.hot_partition_min_requests) continue;
    for (const auto& [value, n] : values) {
      double share = static_cast<double>(n) / static_cast<double>(total);
      if (share < options_.hot_partition_share) continue;
      for (std::size_t i = 0; i < requests.size(); ++i) {
        if (request_value[i] != std::pair{scope, value}) continue;
        auto& a = out.requests[i];
        bool write = a.estimated_wcu > 0;
        a.findings.push_back(
            {.code = "HOT_PARTITION",
             .message = "partition key value " + value + " takes " +
                        std::to_string(static_cast<int>(std::lround(share * 100))) + "% (" +
                        std::to_string(n) + " of " + std::to_string(total) +
                        ") of the keyed "
                        "requests to " +
                        scope +
                        "; one partition serves at most 3,000 RCU / "
                        "1,000 WCU",
             .suggestion = write ? "shard the key: write to " + value +
                                       "#<0..N-1> (a random or computed suffix) and read the N "
                                       "shards in parallel (parallel_query)"
                                 : "cache the reads (QueryOptimizer::cached_query or the cache "
                                   "library) or shard the key with a suffix",
             // Reads of a hot key are what a cache saves; writes are spread, not saved.
             .capacity_saved = write ? 0.0 : a.estimated_rcu});
      }
    }
  }

  // The summary: findings grouped by (code, suggestion), most capacity first.
  std::map<std::pair<std::string, std::string>, Recommendation> grouped;
  for (const auto& a : out.requests) {
    for (const auto& f : a.findings) {
      auto& rec = grouped[{f.code, f.suggestion}];
      rec.code = f.code;
      rec.suggestion = f.suggestion;
      rec.capacity_saved += f.capacity_saved * static_cast<double>(a.count);
      rec.requests += a.count;
    }
  }
  for (auto& [k, rec] : grouped) out.summary.push_back(std::move(rec));
  std::stable_sort(out.summary.begin(), out.summary.end(),
                   [](const Recommendation& a, const Recommendation& b) {
                     if (a.capacity_saved != b.capacity_saved) {
                       return a.capacity_saved > b.capacity_saved;
                     }
                     return a.requests > b.requests;
                   });
  return out;
}

// ---- Output ------------------------------------------------------------------

std::string to_json(const WorkloadAnalysis& analysis) {
  json::object root;
  json::array reqs;
  for (const auto& a : analysis.requests) {
    json::object o;
    o["operation"] = a.operation;
    o["table"] = a.table;
    o["index"] = a.index.empty() ? json::value(nullptr) : json::value(a.index);
    o["estimated_rcu"] = a.estimated_rcu;
    o["estimated_wcu"] = a.estimated_wcu;
    o["count"] = a.count;
    json::array fs;
    for (const auto& f : a.findings) {
      fs.push_back(json::object{{"code", f.code},
                                {"message", f.message},
                                {"suggestion", f.suggestion},
                                {"capacity_saved", f.capacity_saved}});
    }
    o["findings"] = std::move(fs);
    reqs.push_back(std::move(o));
  }
  root["requests"] = std::move(reqs);
  json::array summary;
  for (const auto& r : analysis.summary) {
    summary.push_back(json::object{{"code", r.code},
                                   {"suggestion", r.suggestion},
                                   {"estimated_capacity_saved", r.capacity_saved},
                                   {"requests", r.requests}});
  }
  root["summary"] = std::move(summary);
  return json::serialize(root);
}

std::string to_text(const WorkloadAnalysis& analysis) {
  std::ostringstream s;
  for (std::size_t i = 0; i < analysis.requests.size(); ++i) {
    const auto& a = analysis.requests[i];
    s << "#" << i + 1 << " " << a.operation << " " << a.table
      << (a.index.empty() ? "" : " (index " + a.index + ")") << "  x" << a.count << "  est. RCU "
      << fmt(a.estimated_rcu) << "  WCU " << fmt(a.estimated_wcu) << "\n";
    for (const auto& f : a.findings) {
      s << "    [" << f.code << "] " << f.message << "\n        -> " << f.suggestion << "\n";
    }
  }
  s << "\nRecommendations (by capacity saved):\n";
  for (const auto& r : analysis.summary) {
    s << "  " << fmt(r.capacity_saved) << " units, " << r.requests << " request(s)  [" << r.code
      << "] " << r.suggestion << "\n";
  }
  return s.str();
}

}  // namespace awsperf::query
