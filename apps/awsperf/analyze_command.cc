#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "awsperf/dynamodb/client.h"
#include "awsperf/query/analyzer.h"
#include "commands.h"

namespace awsperf::cli {

namespace {

struct AnalyzeArgs {
  std::string endpoint;
  std::string region = "us-east-1";
  std::vector<std::string> tables;
  std::vector<std::string> table_descriptions;
  std::string requests;
  bool json = false;
};

[[noreturn]] void fail(const std::string& message) {
  std::cerr << "awsperf analyze: " << message << "\n";
  throw CLI::RuntimeError(1);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("cannot open " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void run(const AnalyzeArgs& a) {
  if (a.table_descriptions.empty() && a.tables.empty()) {
    fail("give --table (with --endpoint, for a live DescribeTable) or --table-description FILE");
  }
  std::vector<dynamodb::TableDescription> tables;
  for (const auto& path : a.table_descriptions) {
    auto t = query::parse_table_description_json(read_file(path));
    if (!t) fail(path + ": " + t.error().to_string());
    tables.push_back(std::move(*t));
  }
  if (!a.tables.empty()) {
    dynamodb::ClientOptions o;
    if (!a.endpoint.empty()) o.endpoint_url = a.endpoint;
    o.region = a.region;
    auto client = dynamodb::BlockingClient::create(o);
    if (!client) fail(client.error().to_string());
    for (const auto& name : a.tables) {
      auto t = (*client)->describe_table({.table_name = name});
      if (!t) fail("DescribeTable " + name + ": " + t.error().to_string());
      tables.push_back(std::move(*t));
    }
  }
  auto specs = query::parse_requests_jsonl(read_file(a.requests));
  if (!specs) fail(a.requests + ": " + specs.error().message);
  query::PlanAnalyzer analyzer(std::move(tables));
  auto result = analyzer.analyze_workload(*specs);
  std::cout << (a.json ? query::to_json(result) + "\n" : query::to_text(result));
}

}  // namespace

void add_analyze_command(CLI::App& app) {
  auto args = std::make_shared<AnalyzeArgs>();
  auto* sub = app.add_subcommand(
      "analyze", "analyze DynamoDB requests: capacity cost, findings and index recommendations");
  sub->add_option("--endpoint", args->endpoint,
                  "DynamoDB endpoint for DescribeTable (default: the usual AWS resolution)");
  sub->add_option("--region", args->region, "region for DescribeTable")->capture_default_str();
  sub->add_option("--table", args->tables, "table to describe live (repeatable)");
  sub->add_option("--table-description", args->table_descriptions,
                  "DescribeTable JSON file instead of a live call (repeatable)")
      ->check(CLI::ExistingFile);
  sub->add_option("--requests", args->requests,
                  "JSON lines, one request each (DynamoDB request members plus \"Operation\", "
                  "optional \"Count\", \"AttributesUsed\", \"ExpectedItems\")")
      ->required()
      ->check(CLI::ExistingFile);
  sub->add_flag("--json", args->json, "print JSON instead of text");
  sub->callback([args] { run(*args); });
}

}  // namespace awsperf::cli
