// Builds a Query and an update with awsperf::query's builders and prints what
// DynamoDB would receive: placeholders for reserved words and values, and a
// clear error for a mistake caught before sending. Needs no server.
#include <cstdio>

#include "awsperf/query/analyzer.h"
#include "awsperf/query/expression.h"

int main() {
  using namespace awsperf::query;
  auto q = QueryBuilder("orders")
               .key_schema("customer", "created")
               .key(eq("customer", "c#42") && between("created", 100, 200))
               .filter(ne("status", "CANCELLED") && size_gt("items", 0))
               .project({"status", "amount", "items[0].sku"})
               .descending()
               .build();
  if (!q) {
    std::fprintf(stderr, "%s\n", q.error().to_string().c_str());
    return 1;
  }
  std::printf("KeyConditionExpression: %s\n", q->key_condition_expression.c_str());
  std::printf("FilterExpression:       %s\n", q->filter_expression->c_str());
  std::printf("ProjectionExpression:   %s\n", q->projection_expression->c_str());
  for (const auto& [k, v] : q->expression_attribute_names) {
    std::printf("  %s -> %s\n", k.c_str(), v.c_str());
  }

  auto u = UpdateBuilder("orders", {{"customer", "c#42"}, {"created", 150}})
               .set("status", "SHIPPED")
               .increment("version", 1)
               .condition(eq("version", 3))
               .build();
  if (u) std::printf("UpdateExpression:       %s\n", u->update_expression.c_str());

  // A key attribute in a Query filter is caught before sending.
  auto bad = QueryBuilder("orders")
                 .key_schema("customer", "created")
                 .key(eq("customer", "c#42"))
                 .filter(gt("created", 100))
                 .build();
  std::printf("mistake caught:         %s\n", bad ? "(none)" : bad.error().message.c_str());
  return bad ? 1 : 0;
}
