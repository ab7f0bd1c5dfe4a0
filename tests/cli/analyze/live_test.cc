// `awsperf analyze --endpoint URL --table T` against a real dynalite: the
// table descriptions come from a live DescribeTable (the GSI included), and a
// table that does not exist is a clear error with a non-zero exit.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "awsperf/dynamodb/client.h"
#include "process.h"

namespace {

namespace dd = awsperf::dynamodb;

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// Runs the awsperf binary with `args`; stdout and stderr captured apart.
CliRun run_cli(const std::vector<std::string>& args) {
  auto err_path = std::filesystem::temp_directory_path() /
                  ("awsperf-analyze-live-" + std::to_string(::getpid()) + ".err");
  std::string cmd = quote(AWSPERF_CLI_PATH);
  for (const auto& a : args) cmd += " " + quote(a);
  cmd += " 2>" + quote(err_path.string());
  CliRun r;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) {
    r.err = "popen failed for " + cmd;
    return r;
  }
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream in(err_path);
  std::ostringstream s;
  s << in.rdbuf();
  r.err = s.str();
  std::filesystem::remove(err_path);
  return r;
}

class AnalyzeLive : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto peer = awsperf::testutil::start_dynalite();
    ASSERT_TRUE(peer.has_value()) << "dynalite is required: " << peer.error().to_string();
    peer_ = new awsperf::testutil::Peer(std::move(*peer));
    // The CLI resolves credentials by the usual chain: the environment.
    ::setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE", 1);
    ::setenv("AWS_SECRET_ACCESS_KEY", "secret", 1);
    ::unsetenv("AWS_SESSION_TOKEN");
    ::unsetenv("AWS_PROFILE");

    auto c = dd::BlockingClient::create(
        {.endpoint_url = peer_->endpoint(),
         .region = "us-east-1",
         .credentials = awsperf::aws::Credentials{
             .access_key_id = "AKIDEXAMPLE", .secret_access_key = "secret", .source = "test"}});
    ASSERT_TRUE(c.has_value()) << c.error().to_string();
    dd::CreateTableRequest req{
        .table_name = "orders",
        .attribute_definitions = {{"customer", dd::ScalarType::kS},
                                  {"created", dd::ScalarType::kN},
                                  {"status", dd::ScalarType::kS}},
        .key_schema = {{"customer", dd::KeyType::kHash}, {"created", dd::KeyType::kRange}},
        .billing_mode = dd::BillingMode::kPayPerRequest};
    req.global_secondary_indexes.push_back(
        {.index_name = "by_status",
         .key_schema = {{"status", dd::KeyType::kHash}, {"created", dd::KeyType::kRange}},
         .projection = {.projection_type = dd::ProjectionType::kInclude,
                        .non_key_attributes = {"total"}}});
    auto t = (*c)->create_table(req);
    ASSERT_TRUE(t.has_value()) << t.error().to_string();
    auto active = (*c)->wait_until_active("orders");
    ASSERT_TRUE(active.has_value()) << active.error().to_string();
    for (int i = 0; i < 20; ++i) {
      auto put = (*c)->put_item({.table_name = "orders",
                                 .item = {{"customer", "c" + std::to_string(i % 4)},
                                          {"created", i},
                                          {"status", i % 2 ? "OPEN" : "DONE"},
                                          {"total", i * 10}}});
      ASSERT_TRUE(put.has_value()) << put.error().to_string();
    }
  }
  static void TearDownTestSuite() {
    delete peer_;
    peer_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(peer_, nullptr) << "dynalite did not start"; }

  static awsperf::testutil::Peer* peer_;
};

awsperf::testutil::Peer* AnalyzeLive::peer_ = nullptr;

std::set<std::string> codes(const boost::json::object& request) {
  std::set<std::string> out;
  for (const auto& f : request.at("findings").as_array()) {
    out.emplace(f.as_object().at("code").as_string());
  }
  return out;
}

TEST_F(AnalyzeLive, DescribesTheTableLiveAndReportsFindings) {
  auto r = run_cli({"analyze", "--endpoint", peer_->endpoint(), "--table", "orders", "--requests",
                    std::string(AWSPERF_CLI_TESTDATA_DIR) + "/live_workload.jsonl", "--json"});
  ASSERT_EQ(r.exit_code, 0) << "stderr: " << r.err << "\nstdout: " << r.out;
  boost::system::error_code ec;
  auto doc = boost::json::parse(r.out, ec);
  ASSERT_FALSE(ec) << "not JSON: " << r.out;
  const auto& reqs = doc.as_object().at("requests").as_array();
  ASSERT_EQ(reqs.size(), 4u) << r.out;

  // The Scan filters on the GSI's partition key: only a live description
  // with the index can suggest querying it.
  const auto& scan = reqs[0].as_object();
  EXPECT_EQ(codes(scan), std::set<std::string>{"SCAN_ON_KEY"}) << r.out;
  const auto& f = scan.at("findings").as_array()[0].as_object();
  EXPECT_NE(std::string(f.at("suggestion").as_string()).find("index 'by_status'"),
            std::string::npos)
      << f.at("suggestion");

  EXPECT_EQ(codes(reqs[1].as_object()), std::set<std::string>{"FILTER_ON_SORT_KEY"}) << r.out;
  EXPECT_EQ(codes(reqs[2].as_object()), std::set<std::string>{"MISSING_PROJECTION"}) << r.out;
  // A well-formed Query of the index: no finding, and the index is known.
  const auto& by_index = reqs[3].as_object();
  EXPECT_TRUE(codes(by_index).empty()) << r.out;
  ASSERT_TRUE(by_index.at("index").is_string()) << r.out;
  EXPECT_EQ(by_index.at("index").as_string(), "by_status");
}

TEST_F(AnalyzeLive, TextOutputNamesTheFindings) {
  auto r = run_cli({"analyze", "--endpoint", peer_->endpoint(), "--table", "orders", "--requests",
                    std::string(AWSPERF_CLI_TESTDATA_DIR) + "/live_workload.jsonl"});
  ASSERT_EQ(r.exit_code, 0) << "stderr: " << r.err;
  for (const char* code : {"SCAN_ON_KEY", "FILTER_ON_SORT_KEY", "MISSING_PROJECTION"}) {
    EXPECT_NE(r.out.find(code), std::string::npos) << code << " not in:\n" << r.out;
  }
}

TEST_F(AnalyzeLive, MissingTableIsAClearError) {
  auto r = run_cli({"analyze", "--endpoint", peer_->endpoint(), "--table", "ghost", "--requests",
                    std::string(AWSPERF_CLI_TESTDATA_DIR) + "/live_workload.jsonl", "--json"});
  EXPECT_NE(r.exit_code, 0) << r.out;
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_NE(r.err.find("awsperf analyze: DescribeTable ghost: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("ResourceNotFound"), std::string::npos) << r.err;
}

}  // namespace
