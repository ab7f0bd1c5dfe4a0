// Interop with a third-party client: items written by boto3 are read back
// equal by awsperf, and items written by awsperf are read back equal by boto3,
// through dynalite. boto3 runs as a user would run it, in a Python script
// (interop_boto3.py, which holds the same item; keep the two in step).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <memory>
#include <string>

#include "awsperf/dynamodb/client.h"
#include "peer_suite.h"
#include "process.h"

namespace awsperf::dynamodb {
namespace {

using namespace std::string_literals;
using testutil::Peer;

constexpr const char* kTable = "interop";

struct ScriptResult {
  int exit_status = -1;
  std::string output;  // stdout and stderr
};

// Runs interop_boto3.py with `args`; the arguments are plain words (no quoting needed).
ScriptResult run_boto3(const std::string& args) {
  std::string command = "python3 " + testutil::source_dir() +
                        "/tests/integration/dynamodb/interop_boto3.py " + args + " 2>&1";
  ScriptResult result;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) {
    result.output = "popen failed for: " + command;
    return result;
  }
  char buffer[4096];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, n);
  int status = ::pclose(pipe);
  result.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

AttributeValue num(const char* text) {
  auto n = AttributeValue::number(text);
  EXPECT_TRUE(n.has_value()) << text << ": " << n.error().to_string();
  return n.value_or(AttributeValue{});
}

// The item of interop_boto3.py. With `stored`, numbers are in the form
// dynalite (like DynamoDB) stores and returns them, otherwise as written.
Item everything(const std::string& pk, bool stored) {
  auto pick = [stored](const char* written, std::string as_stored) {
    return stored ? AttributeValue(Number{std::move(as_stored)}) : num(written);
  };
  return {
      {"pk", pk},
      {"s", "hello"},
      {"s_empty", ""},
      {"unicode", "h\u00e9llo w\u00f6rld \u2713 \u2014 \u65e5\u672c\u8a9e \U0001d11e \U0001f600"},
      {"n_int", num("42")},
      {"n_neg", num("-17.25")},
      {"n_big", num("12345678901234567890123456789012345678")},
      {"n_neg_max", pick("-9.9999999999999999999999999999999999999E+125",
                         "-" + std::string(38, '9') + std::string(88, '0'))},
      {"n_tiny", pick("1E-130", "0." + std::string(129, '0') + "1")},
      {"n_exp", pick("1.5E+10", "15000000000")},
      {"n_frac38", pick("12345678901234567890123456789012345678E-20",
                        "123456789012345678.90123456789012345678")},
      {"n_zero", num("0")},
      {"b", AttributeValue::binary("\x00\x01\x02\x00\xff\xfe"s)},
      {"b_nul", AttributeValue::binary("\x00"s)},
      {"bool_t", true},
      {"bool_f", false},
      {"null", nullptr},
      {"ss", AttributeValue::string_set({"a", "b", "\u00fc", "\U0001f600"})},
      {"ns", AttributeValue::number_set({"1", "-2.5", stored ? "1000" : "1E+3",
                                         "12345678901234567890123456789012345678"})},
      {"bs", AttributeValue::binary_set({"\x00"s, "\x01\x02"s, "\xff"s})},
      {"m",
       Item{{"nested", Item{{"list", AttributeList{num("1"), "x", Item{}, AttributeList{}, nullptr,
                                                   false, AttributeValue::binary("\x00\x00"s)}},
                            {"deep", Item{{"deeper", Item{{"deepest", "bottom"}}}}}}},
            {"\U0001f600key", "unicode key"},
            {"with space", num("-0.000001")}}},
      {"l",
       AttributeList{"a", num("2"), AttributeList{AttributeValue(AttributeList{"nested"})},
                     Item{{"k", AttributeValue::string_set({"x"})}},
                     AttributeValue::number_set({"3"}), AttributeValue::binary_set({"\x00"s})}},
      {"m_empty", Item{}},
      {"l_empty", AttributeList{}},
  };
}

// Names the attributes that differ, so a failure says where.
std::string describe_differences(const Item& got, const Item& want) {
  std::string out;
  for (const auto& [name, value] : want) {
    auto it = got.find(name);
    if (it == got.end()) {
      out += "missing '" + name + "'; ";
    } else if (!(it->second == value)) {
      out += "'" + name + "' differs: got " + to_json(it->second).value_or("?") + " want " +
             to_json(value).value_or("?") + "; ";
    }
  }
  for (const auto& [name, value] : got) {
    if (!want.contains(name)) out += "unexpected '" + name + "'; ";
  }
  return out;
}

class Boto3InteropTest : public testutil::PeerSuite<testutil::start_dynalite> {
 protected:
  void SetUp() override {
    ASSERT_NE(peer_, nullptr) << "dynalite did not start";
    auto c = BlockingClient::create(
        {.endpoint_url = peer_->endpoint(),
         .region = "us-east-1",
         .credentials = aws::Credentials{
             .access_key_id = "AKIDEXAMPLE", .secret_access_key = "secret", .source = "test"}});
    ASSERT_TRUE(c.has_value()) << c.error().to_string();
    client_ = std::move(*c);
    if (!table_created_) {
      auto t = client_->create_table({.table_name = kTable,
                                      .attribute_definitions = {{"pk", ScalarType::kS}},
                                      .key_schema = {{"pk", KeyType::kHash}},
                                      .billing_mode = BillingMode::kPayPerRequest});
      ASSERT_TRUE(t.has_value()) << t.error().to_string();
      auto active = client_->wait_until_active(kTable);
      ASSERT_TRUE(active.has_value()) << active.error().to_string();
      table_created_ = true;
    }
  }

  std::string boto3_args(const std::string& mode, const std::string& pk) const {
    return mode + " " + peer_->endpoint() + " " + kTable + " " + pk;
  }

  static bool table_created_;
  std::unique_ptr<BlockingClient> client_;
};

bool Boto3InteropTest::table_created_ = false;

TEST_F(Boto3InteropTest, ItemWrittenByBoto3ReadsBackEqual) {
  auto written = run_boto3(boto3_args("write", "from_boto3"));
  ASSERT_EQ(written.exit_status, 0) << "boto3 could not write: " << written.output;

  auto got = client_->get_item(
      {.table_name = kTable, .key = {{"pk", "from_boto3"}}, .consistent_read = true});
  ASSERT_TRUE(got.has_value()) << got.error().to_string();
  ASSERT_TRUE(got->item.has_value()) << "awsperf found no item written by boto3";
  Item want = everything("from_boto3", /*stored=*/true);
  EXPECT_EQ(*got->item, want) << describe_differences(*got->item, want);

  // The same item through the paged decoder (Query) as well.
  auto page = client_->query({.table_name = kTable,
                              .key_condition_expression = "pk = :pk",
                              .expression_attribute_values = {{":pk", "from_boto3"}}});
  ASSERT_TRUE(page.has_value()) << page.error().to_string();
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0], want) << describe_differences(page->items[0], want);
}

TEST_F(Boto3InteropTest, ItemWrittenByAwsperfReadsBackEqualInBoto3) {
  auto put = client_->put_item(
      {.table_name = kTable, .item = everything("from_awsperf", /*stored=*/false)});
  ASSERT_TRUE(put.has_value()) << put.error().to_string();

  auto read = run_boto3(boto3_args("read", "from_awsperf"));
  EXPECT_EQ(read.exit_status, 0) << "boto3 read a different item: " << read.output;
  // The script printed what it read: a spot check that it read this item.
  EXPECT_NE(read.output.find("\"AAECAP/+\""), std::string::npos) << read.output;
}

TEST_F(Boto3InteropTest, Boto3NoticesADifferentItem) {
  // The comparison in the script can fail: an item missing one attribute and
  // with one changed value is reported, naming both.
  Item item = everything("altered", /*stored=*/false);
  item.erase("bs");
  item["s"] = "hellO";
  auto put = client_->put_item({.table_name = kTable, .item = std::move(item)});
  ASSERT_TRUE(put.has_value()) << put.error().to_string();

  auto read = run_boto3(boto3_args("read", "altered"));
  EXPECT_EQ(read.exit_status, 1) << read.output;
  EXPECT_NE(read.output.find("missing attribute 'bs'"), std::string::npos) << read.output;
  EXPECT_NE(read.output.find("attribute 's'"), std::string::npos) << read.output;
}

}  // namespace
}  // namespace awsperf::dynamodb
