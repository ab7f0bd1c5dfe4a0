#include "awsperf/query/expression.h"

#include <gtest/gtest.h>

namespace awsperf::query {
namespace {

namespace dd = awsperf::dynamodb;

// Replaces placeholders in `expr` by their names and values, so tests can
// assert on readable text whatever placeholder numbering was chosen.
std::string resolved(std::string expr, const dd::ExpressionNames& names,
                     const dd::ExpressionValues& values) {
  // Longest placeholders first so ":v10" is not replaced as ":v1" + "0".
  std::vector<std::pair<std::string, std::string>> subs;
  for (const auto& [k, v] : names) subs.emplace_back(k, v);
  for (const auto& [k, v] : values) subs.emplace_back(k, *dd::to_json(v));
  std::sort(subs.begin(), subs.end(),
            [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
  for (const auto& [from, to] : subs) {
    for (auto pos = expr.find(from); pos != std::string::npos;
         pos = expr.find(from, pos + to.size())) {
      expr.replace(pos, from.size(), to);
    }
  }
  return expr;
}

TEST(ReservedWords, FullListCaseInsensitive) {
  EXPECT_EQ(reserved_words().size(), 573u);
  EXPECT_TRUE(std::is_sorted(reserved_words().begin(), reserved_words().end()));
  for (auto w : {"name", "NAME", "Status", "data", "timestamp", "year", "ZONE", "abort", "ttl",
                 "size", "count", "user", "key", "value", "date", "comment", "hash", "range"}) {
    EXPECT_TRUE(is_reserved_word(w)) << w;
  }
  for (auto w : {"email", "pk", "sk", "customer", "total2", "", "names_", "statusx"}) {
    EXPECT_FALSE(is_reserved_word(w)) << w;
  }
}

TEST(Paths, ParseNestedAndIndexes) {
  auto p = parse_path("a.b[2].c[10][3]");
  ASSERT_TRUE(p.has_value()) << p.error().to_string();
  ASSERT_EQ(p->size(), 6u);
  EXPECT_EQ((*p)[0].name, "a");
  EXPECT_EQ((*p)[1].name, "b");
  EXPECT_EQ((*p)[2].index, 2u);
  EXPECT_EQ((*p)[3].name, "c");
  EXPECT_EQ((*p)[4].index, 10u);
  EXPECT_EQ((*p)[5].index, 3u);
  auto q = parse_path("`my.attr`.x");
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ((*q)[0].name, "my.attr");
  for (auto bad : {"", "a.", ".a", "a..b", "a[", "a[x]", "a[-1]", "`a", "a]b"}) {
    auto r = parse_path(bad);
    EXPECT_FALSE(r.has_value()) << bad;
    if (!r) {
      EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    }
  }
}

TEST(ExpressionContext, EscapesReservedWordsAndOddNamesOnce) {
  ExpressionContext ctx;
  EXPECT_EQ(ctx.path("email").value(), "email");
  EXPECT_EQ(ctx.path("Name").value(), "#n0");
  EXPECT_EQ(ctx.path("Name.given").value(), "#n0.given");
  EXPECT_EQ(ctx.path("orders[3].status").value(), "orders[3].#n1");
  EXPECT_EQ(ctx.path("my-attr").value(), "#n2");
  EXPECT_EQ(ctx.path("`a.b`").value(), "#n3");
  EXPECT_EQ(ctx.names().at("#n0"), "Name");
  EXPECT_EQ(ctx.names().at("#n1"), "status");
  EXPECT_EQ(ctx.names().at("#n2"), "my-attr");
  EXPECT_EQ(ctx.names().at("#n3"), "a.b");
  EXPECT_EQ(ctx.names().size(), 4u);
}

TEST(ExpressionContext, RendersEveryConditionForm) {
  struct Case {
    Condition c;
    std::string want;
  };
  std::vector<Case> cases = {
      {eq("a", 1), "a = 1"},  // values are shown as their JSON below
      {ne("a", "x"), "a <> x"},
      {lt("a", 1), "a < 1"},
      {le("a", 1), "a <= 1"},
      {gt("a", 1), "a > 1"},
      {ge("a", 1), "a >= 1"},
      {between("a", 1, 5), "a BETWEEN 1 AND 5"},
      {in("a", {1, 2, 3}), "a IN (1, 2, 3)"},
      {begins_with("a", "pre"), "begins_with(a, pre)"},
      {contains("tags", "red"), "contains(tags, red)"},
      {attribute_exists("a.b"), "attribute_exists(a.b)"},
      {attribute_not_exists("a[1]"), "attribute_not_exists(a[1])"},
      {attribute_type("a", "SS"), "attribute_type(a, SS)"},
      {size_gt("items", 0), "size(items) > 0"},
      {size_compare("items", CompareOp::kLe, 9), "size(items) <= 9"},
      {eq("a", 1) && eq("b", 2), "a = 1 AND b = 2"},
      {eq("a", 1) || eq("b", 2), "a = 1 OR b = 2"},
      {!attribute_exists("a"), "NOT (attribute_exists(a))"},
      {(eq("a", 1) || eq("b", 2)) && !eq("c", 3), "(a = 1 OR b = 2) AND NOT (c = 3)"},
  };
  for (auto& c : cases) {
    ExpressionContext ctx;
    auto r = ctx.render(c.c);
    ASSERT_TRUE(r.has_value()) << c.want << ": " << r.error().to_string();
    // Values show as wire JSON; strip it back to the bare value for the check.
    std::string got = resolved(*r, ctx.names(), ctx.values());
    for (const std::string tag : {"{\"N\":\"", "{\"S\":\""}) {
      for (auto pos = got.find(tag); pos != std::string::npos; pos = got.find(tag)) {
        auto end = got.find("\"}", pos);
        got = got.substr(0, pos) + got.substr(pos + tag.size(), end - pos - tag.size()) +
              got.substr(end + 2);
      }
    }
    EXPECT_EQ(got, c.want);
  }
}

TEST(ExpressionContext, ValidationErrors) {
  ExpressionContext ctx;
  auto empty_in = ctx.render(in("a", {}));
  ASSERT_FALSE(empty_in.has_value());
  EXPECT_EQ(empty_in.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(empty_in.error().message.find("empty value list"), std::string::npos);

  std::vector<dd::AttributeValue> many(101, dd::AttributeValue(1));
  auto too_many = ctx.render(in("a", many));
  ASSERT_FALSE(too_many.has_value());
  EXPECT_NE(too_many.error().message.find("at most 100"), std::string::npos);

  auto bad_type = ctx.render(attribute_type("a", "STRING"));
  ASSERT_FALSE(bad_type.has_value());
  EXPECT_NE(bad_type.error().message.find("attribute_type"), std::string::npos);

  auto bad_path = ctx.render(eq("a..b", 1));
  ASSERT_FALSE(bad_path.has_value());
  EXPECT_NE(bad_path.error().message.find("malformed attribute path"), std::string::npos);
}

TEST(QueryBuilder, BuildsAFullQuery) {
  auto r = QueryBuilder("orders")
               .key_schema("customer", "created")
               .key(eq("customer", "c#42") && between("created", 100, 200))
               .filter(ne("status", "CANCELLED") && size_gt("entries", 0))
               .project({"status", "amount", "entries[0].sku"})
               .limit(50)
               .descending()
               .consistent()
               .start_key({{"customer", "c#42"}, {"created", 150}})
               .build();
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(r->table_name, "orders");
  EXPECT_FALSE(r->index_name.has_value());
  EXPECT_EQ(r->key_condition_expression, "customer = :v0 AND created BETWEEN :v1 AND :v2");
  EXPECT_EQ(*r->filter_expression, "#n0 <> :v3 AND size(entries) > :v4");
  EXPECT_EQ(*r->projection_expression, "#n0, amount, entries[0].sku");
  EXPECT_EQ(r->expression_attribute_names, (dd::ExpressionNames{{"#n0", "status"}}));
  EXPECT_EQ(r->expression_attribute_values.at(":v0"), dd::AttributeValue("c#42"));
  EXPECT_EQ(r->expression_attribute_values.at(":v2"), dd::AttributeValue(200));
  EXPECT_EQ(r->limit, 50);
  EXPECT_EQ(r->scan_index_forward, false);
  EXPECT_EQ(r->consistent_read, true);
  EXPECT_TRUE(r->exclusive_start_key.has_value());
}

TEST(QueryBuilder, KeyConditionFormsAndOrdering) {
  // The sort-key part may come first; the partition equality is emitted first.
  for (auto sk : {eq("sk", 1), lt("sk", 1), le("sk", 1), gt("sk", 1), ge("sk", 1),
                  between("sk", 1, 2), begins_with("sk", "x")}) {
    auto r = QueryBuilder("t").key_schema("pk", "sk").key(sk).key(eq("pk", "p")).build();
    ASSERT_TRUE(r.has_value()) << r.error().to_string();
    EXPECT_EQ(r->key_condition_expression.rfind("pk = :v0 AND ", 0), 0u)
        << r->key_condition_expression;
  }
  // Reserved key names are escaped in the key condition too.
  auto r =
      QueryBuilder("t").key_schema("user", "date").key(eq("user", "u") && gt("date", 5)).build();
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(r->key_condition_expression, "#n0 = :v0 AND #n1 > :v1");
}

TEST(QueryBuilder, SchemaFromTableDescriptionAndIndex) {
  dd::TableDescription t;
  t.table_name = "users";
  t.key_schema = {{"id", dd::KeyType::kHash}};
  t.global_secondary_indexes.push_back(
      {.index_name = "by_email", .key_schema = {{"email", dd::KeyType::kHash}}});
  auto ok = QueryBuilder("users").index("by_email").schema(t).key(eq("email", "a@b")).build();
  ASSERT_TRUE(ok.has_value()) << ok.error().to_string();
  EXPECT_EQ(ok->index_name, "by_email");
  auto wrong = QueryBuilder("users").index("by_email").schema(t).key(eq("id", "1")).build();
  ASSERT_FALSE(wrong.has_value());
  EXPECT_NE(wrong.error().message.find("'id' is not a key attribute of index 'by_email'"),
            std::string::npos)
      << wrong.error().message;
  auto missing = QueryBuilder("users").index("nope").schema(t).key(eq("id", "1")).build();
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().message.find("no index 'nope'"), std::string::npos);
}

TEST(QueryBuilder, ValidationErrors) {
  auto base = [] { return QueryBuilder("t").key_schema("pk", "sk"); };
  struct Case {
    Result<dd::QueryRequest> r;
    std::string fragment;
  };
  std::vector<Case> cases;
  cases.push_back({QueryBuilder("t").build(), "needs a key condition"});
  cases.push_back(
      {base().key(eq("pk", 1) && eq("color", "red")).build(), "'color' is not a key attribute"});
  cases.push_back(
      {base().key(eq("pk", 1)).filter(gt("sk", 3)).build(), "the filter uses key attribute 'sk'"});
  cases.push_back({base().key(eq("pk", 1)).filter(eq("x", 1) || eq("pk", 2)).build(),
                   "the filter uses key attribute 'pk'"});
  cases.push_back({base().key(gt("pk", 1)).build(), "must be compared with ="});
  cases.push_back({base().key(gt("sk", 1)).build(), "needs an equality on the partition key"});
  cases.push_back({base().key(eq("pk", 1) || eq("sk", 1)).build(), "support only"});
  cases.push_back({base().key(eq("pk", 1) && ne("sk", 1)).build(), "support only"});
  cases.push_back({base().key(eq("pk", 1) && in("sk", {1})).build(), "support only"});
  cases.push_back({base().key(eq("pk", 1) && size_gt("sk", 1)).build(), "support only"});
  cases.push_back({base().key(eq("pk", 1) && gt("sk", 1) && lt("sk", 5)).build(), "at most two"});
  cases.push_back({base().key(eq("pk.x", 1)).build(), "nested path"});
  cases.push_back({base().key(eq("pk", 1)).filter(in("color", {})).build(), "empty value list"});
  cases.push_back({base().key(eq("pk", 1)).limit(0).build(), "limit must be at least 1"});
  cases.push_back({QueryBuilder("t").key(eq("a", 1) && gt("a", 2)).build(), "uses 'a' twice"});
  cases.push_back({QueryBuilder("").key(eq("a", 1)).build(), "no table name"});
  for (auto& c : cases) {
    ASSERT_FALSE(c.r.has_value()) << c.fragment;
    EXPECT_EQ(c.r.error().code, ErrorCode::kInvalidArgument) << c.fragment;
    EXPECT_NE(c.r.error().message.find(c.fragment), std::string::npos)
        << "want '" << c.fragment << "' in: " << c.r.error().message;
  }
}

TEST(QueryBuilder, ExpressionOver4KbIsTooLarge) {
  std::vector<std::string> paths;
  for (int i = 0; i < 500; ++i) paths.push_back("attribute_number_" + std::to_string(i));
  auto r = QueryBuilder("t").key(eq("pk", 1)).project(paths).build();
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kTooLarge);
  EXPECT_NE(r.error().message.find("ProjectionExpression"), std::string::npos);

  Condition big;
  for (int i = 0; i < 300; ++i) big = big && eq("some_attribute_" + std::to_string(i), i);
  auto f = QueryBuilder("t").key(eq("pk", 1)).filter(big).build();
  ASSERT_FALSE(f.has_value());
  EXPECT_EQ(f.error().code, ErrorCode::kTooLarge);
  EXPECT_NE(f.error().message.find("FilterExpression"), std::string::npos);
}

TEST(QueryBuilder, BuildScan) {
  auto s =
      QueryBuilder("t").index("gsi").filter(eq("name", "x")).project({"a"}).limit(5).build_scan();
  ASSERT_TRUE(s.has_value()) << s.error().to_string();
  EXPECT_EQ(s->index_name, "gsi");
  EXPECT_EQ(*s->filter_expression, "#n0 = :v0");
  EXPECT_EQ(s->limit, 5);
  auto bad = QueryBuilder("t").key(eq("pk", 1)).build_scan();
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message.find("no key condition"), std::string::npos);
}

TEST(UpdateBuilder, AllActionsAndCondition) {
  auto r = UpdateBuilder("t", {{"pk", "a"}})
               .set("name", "Ada")
               .set_if_not_exists("created", 5)
               .increment("visits", 1)
               .decrement("stock", 2)
               .append("history", {"x"})
               .remove("obsolete.field")
               .add("tags", dd::AttributeValue::string_set({"new"}))
               .delete_from_set("colors", dd::AttributeValue::string_set({"red"}))
               .condition(attribute_exists("pk") && lt("version", 3))
               .return_values(dd::ReturnValues::kAllNew)
               .build();
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(r->update_expression,
            "SET #n0 = :v0, created = if_not_exists(created, :v1), visits = visits + :v2, "
            "stock = stock - :v3, history = list_append(if_not_exists(history, :v4), :v5) "
            "REMOVE obsolete.field ADD tags :v6 DELETE colors :v7");
  EXPECT_EQ(*r->condition_expression, "attribute_exists(pk) AND version < :v8");
  EXPECT_EQ(r->expression_attribute_names.at("#n0"), "name");
  EXPECT_EQ(r->return_values, dd::ReturnValues::kAllNew);
}

TEST(UpdateBuilder, ValidationErrors) {
  auto none = UpdateBuilder("t", {{"pk", "a"}}).build();
  ASSERT_FALSE(none.has_value());
  EXPECT_NE(none.error().message.find("at least one"), std::string::npos);
  auto twice = UpdateBuilder("t", {{"pk", "a"}}).set("a", 1).remove("a").build();
  ASSERT_FALSE(twice.has_value());
  EXPECT_NE(twice.error().message.find("two update actions"), std::string::npos);
  auto key = UpdateBuilder("t", {{"pk", "a"}}).set("pk", 1).build();
  ASSERT_FALSE(key.has_value());
  EXPECT_NE(key.error().message.find("part of the key"), std::string::npos);
  auto nokey = UpdateBuilder("t", {}).set("a", 1).build();
  ASSERT_FALSE(nokey.has_value());
  std::string huge(5000, 'x');
  auto big = UpdateBuilder("t", {{"pk", "a"}}).set(huge, 1).build();
  ASSERT_FALSE(big.has_value());
  EXPECT_EQ(big.error().code, ErrorCode::kTooLarge);
}

TEST(Parse, RoundTripsRenderedConditions) {
  Condition c = (eq("a", 1) || (between("b", 1, 2) && begins_with("Name.given", "A"))) &&
                !attribute_exists("x[2]") && in("c", {1, 2}) && size_gt("d", 3) &&
                contains("tags", "t") && attribute_type("e", "N") && attribute_not_exists("f");
  ExpressionContext ctx;
  auto text = ctx.render(c);
  ASSERT_TRUE(text.has_value());
  auto parsed = parse_condition(*text, ctx.names(), ctx.values());
  ASSERT_TRUE(parsed.has_value()) << parsed.error().to_string();
  EXPECT_EQ(canonical_text(*parsed), canonical_text(c));
}

TEST(Parse, Errors) {
  dd::ExpressionNames names{{"#a", "a"}};
  dd::ExpressionValues values{{":v", 1}};
  for (auto bad : {"a = ", "#b = :v", "a = :w", "a = :v AND", "(a = :v", "a ! :v", "foo(a)",
                   "a BETWEEN :v", "a IN ()", "name = :v", "a = b"}) {
    auto r = parse_condition(bad, names, values);
    EXPECT_FALSE(r.has_value()) << bad;
  }
  auto ok = parse_condition(":v < #a", names, values);
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->node()->op, CompareOp::kGt);
}

TEST(CanonicalKey, SameQueryWrittenTwoWaysIsEqual) {
  dd::QueryRequest a;
  a.table_name = "t";
  a.key_condition_expression = "pk = :p AND sk > :s";
  a.filter_expression = "#st = :x AND size(entries) > :z";
  a.projection_expression = "b, a";
  a.expression_attribute_names = {{"#st", "status"}};
  a.expression_attribute_values = {{":p", "u1"}, {":s", 5}, {":x", "open"}, {":z", 0}};

  dd::QueryRequest b;
  b.table_name = "t";
  b.key_condition_expression = "#k1   >  :one and #k0 = :zero";
  b.filter_expression = "(size(#l) > :q) AND #s = :w";
  b.projection_expression = "#a,b";
  b.expression_attribute_names = {
      {"#k0", "pk"}, {"#k1", "sk"}, {"#s", "status"}, {"#l", "entries"}, {"#a", "a"}};
  b.expression_attribute_values = {{":zero", "u1"}, {":one", 5}, {":w", "open"}, {":q", 0}};
  b.scan_index_forward = true;  // the default written out
  b.consistent_read = false;

  auto ka = canonical_key(a);
  auto kb = canonical_key(b);
  ASSERT_TRUE(ka.has_value()) << ka.error().to_string();
  ASSERT_TRUE(kb.has_value()) << kb.error().to_string();
  EXPECT_EQ(*ka, *kb);

  // Anything that changes the answer changes the key.
  auto c = b;
  c.expression_attribute_values[":one"] = 6;
  EXPECT_NE(*canonical_key(c), *ka);
  auto d = b;
  d.scan_index_forward = false;
  EXPECT_NE(*canonical_key(d), *ka);
  auto e = b;
  e.index_name = "gsi";
  EXPECT_NE(*canonical_key(e), *ka);
  auto f = b;
  f.limit = 3;
  EXPECT_NE(*canonical_key(f), *ka);
  auto g = b;
  g.key_condition_expression = "#k1 >= :one and #k0 = :zero";
  EXPECT_NE(*canonical_key(g), *ka);

  dd::QueryRequest bad = a;
  bad.key_condition_expression = "pk = :missing";
  EXPECT_FALSE(canonical_key(bad).has_value());
}

TEST(CanonicalKey, ScanAndGetItem) {
  dd::ScanRequest s1{.table_name = "t",
                     .filter_expression = "a = :x OR b = :y",
                     .expression_attribute_values = {{":x", 1}, {":y", 2}}};
  dd::ScanRequest s2{.table_name = "t",
                     .filter_expression = "b = :p OR a = :q",
                     .expression_attribute_values = {{":p", 2}, {":q", 1}}};
  EXPECT_EQ(*canonical_key(s1), *canonical_key(s2));
  s2.segment = 0;
  s2.total_segments = 4;
  EXPECT_NE(*canonical_key(s1), *canonical_key(s2));
  dd::GetItemRequest g1{.table_name = "t", .key = {{"pk", "a"}, {"sk", 1}}};
  dd::GetItemRequest g2{
      .table_name = "t", .key = {{"sk", 1}, {"pk", "a"}}, .consistent_read = false};
  EXPECT_EQ(*canonical_key(g1), *canonical_key(g2));
}

}  // namespace
}  // namespace awsperf::query
