// SigV4 against a server that checks it: moto_server with IAM authentication
// on. The first requests (the IAM set-up in iam_setup.py) are let through
// unauthenticated by INITIAL_NO_AUTH_ACTION_COUNT; every later request must
// be signed with a key moto issued, and is authorised by the user's policy.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <map>
#include <memory>
#include <sstream>
#include <string>

#include "awsperf/dynamodb/client.h"
#include "process.h"

namespace awsperf {
namespace {

using dynamodb::BlockingClient;
using testutil::Peer;

// iam_setup.py makes exactly this many unauthenticated requests.
constexpr int kSetUpRequests = 6;

struct Keys {
  aws::Credentials full;
  aws::Credentials read_only;
};

// Runs `command` through the shell; stdout and stderr together.
std::pair<int, std::string> run(const std::string& command) {
  std::string output;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return {-1, "popen failed: " + command};
  char buffer[4096];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, n);
  int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

// Parses iam_setup.py's "NAME ACCESS_KEY_ID SECRET" lines.
std::map<std::string, aws::Credentials> parse_keys(const std::string& output) {
  std::map<std::string, aws::Credentials> keys;
  std::istringstream in(output);
  std::string name, id, secret;
  while (in >> name >> id >> secret) {
    keys[name] = {.access_key_id = id, .secret_access_key = secret, .source = "moto iam " + name};
  }
  return keys;
}

class SignerMotoTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto peer = testutil::start_peer(
        "moto_server", {"env", "INITIAL_NO_AUTH_ACTION_COUNT=" + std::to_string(kSetUpRequests),
                        "moto_server", "-H", "127.0.0.1", "-p", "{port}"});
    ASSERT_TRUE(peer.has_value()) << "moto_server is required: " << peer.error().to_string();
    peer_ = new Peer(std::move(*peer));

    auto [status, output] = run("python3 " + testutil::source_dir() +
                                "/tests/integration/aws/iam_setup.py " + peer_->endpoint());
    ASSERT_EQ(status, 0) << "IAM set-up with boto3 failed: " << output;
    auto keys = parse_keys(output);
    ASSERT_TRUE(keys.contains("full") && keys.contains("read_only"))
        << "iam_setup.py printed no keys: " << output;
    keys_ = new Keys{keys["full"], keys["read_only"]};
  }
  static void TearDownTestSuite() {
    delete keys_;
    keys_ = nullptr;
    delete peer_;
    peer_ = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(peer_, nullptr) << "moto_server did not start";
    ASSERT_NE(keys_, nullptr) << "IAM set-up failed";
  }

  static std::unique_ptr<BlockingClient> client_with(aws::Credentials credentials) {
    // Few attempts: an auth failure must not be retried, and a test that
    // expects one should not wait through ten backoffs if it were.
    aws::RetryOptions retry = aws::RetryOptions::dynamodb();
    retry.max_attempts = 2;
    auto c = BlockingClient::create({.endpoint_url = peer_->endpoint(),
                                     .region = "us-east-1",
                                     .credentials = std::move(credentials),
                                     .retry = retry});
    EXPECT_TRUE(c.has_value()) << c.error().to_string();
    return c.has_value() ? std::move(*c) : nullptr;
  }

  // A table with one item, made with the full-access key.
  static void ensure_table() {
    static bool created = false;
    if (created) return;
    auto client = client_with(keys_->full);
    ASSERT_NE(client, nullptr);
    auto t = client->create_table({.table_name = "signed",
                                   .attribute_definitions = {{"pk", dynamodb::ScalarType::kS}},
                                   .key_schema = {{"pk", dynamodb::KeyType::kHash}},
                                   .billing_mode = dynamodb::BillingMode::kPayPerRequest});
    ASSERT_TRUE(t.has_value()) << t.error().to_string();
    auto p = client->put_item({.table_name = "signed", .item = {{"pk", "a"}, {"v", 1}}});
    ASSERT_TRUE(p.has_value()) << p.error().to_string();
    created = true;
  }

  static Peer* peer_;
  static Keys* keys_;
};

Peer* SignerMotoTest::peer_ = nullptr;
Keys* SignerMotoTest::keys_ = nullptr;

TEST_F(SignerMotoTest, CorrectlySignedRequestsSucceed) {
  ensure_table();
  auto client = client_with(keys_->full);
  ASSERT_NE(client, nullptr);
  auto put = client->put_item(
      {.table_name = "signed", .item = {{"pk", "b"}, {"text", "h\u00e9llo \U0001f600"}}});
  ASSERT_TRUE(put.has_value()) << put.error().to_string();
  auto get = client->get_item({.table_name = "signed", .key = {{"pk", "b"}}});
  ASSERT_TRUE(get.has_value()) << get.error().to_string();
  ASSERT_TRUE(get->item.has_value());
  EXPECT_EQ(get->item->at("text"), dynamodb::AttributeValue("h\u00e9llo \U0001f600"));
  auto list = client->list_tables();
  ASSERT_TRUE(list.has_value()) << list.error().to_string();
  EXPECT_EQ(client->statistics().attempts, client->statistics().calls) << "nothing was retried";
}

TEST_F(SignerMotoTest, WrongSecretIsSignatureDoesNotMatchAndNotRetried) {
  ensure_table();
  aws::Credentials wrong = keys_->full;
  wrong.secret_access_key.back() = wrong.secret_access_key.back() == 'x' ? 'y' : 'x';
  auto client = client_with(wrong);
  ASSERT_NE(client, nullptr);
  auto get = client->get_item({.table_name = "signed", .key = {{"pk", "a"}}});
  ASSERT_FALSE(get.has_value()) << "moto accepted a request signed with the wrong secret";
  EXPECT_EQ(get.error().http_status, 403) << get.error().to_string();
  EXPECT_EQ(get.error().aws_type, "SignatureDoesNotMatch") << get.error().to_string();
  EXPECT_FALSE(get.error().retryable) << get.error().to_string();
  EXPECT_EQ(client->statistics().attempts, 1u) << "an authentication failure is not retried";
}

TEST_F(SignerMotoTest, UnknownAccessKeyIsRejected) {
  auto client = client_with({.access_key_id = "AKIAUNKNOWNKEY000000",
                             .secret_access_key = keys_->full.secret_access_key,
                             .source = "test"});
  ASSERT_NE(client, nullptr);
  auto list = client->list_tables();
  ASSERT_FALSE(list.has_value()) << "moto accepted an access key it never issued";
  EXPECT_EQ(list.error().http_status, 403) << list.error().to_string();
  EXPECT_EQ(list.error().aws_type, "InvalidClientTokenId") << list.error().to_string();
  EXPECT_FALSE(list.error().retryable);
}

TEST_F(SignerMotoTest, PolicyIsEnforcedForAValidSignature) {
  // The signature is right, so moto gets as far as the policy: GetItem is
  // allowed for the read-only user, PutItem is not.
  ensure_table();
  auto client = client_with(keys_->read_only);
  ASSERT_NE(client, nullptr);
  auto get = client->get_item({.table_name = "signed", .key = {{"pk", "a"}}});
  ASSERT_TRUE(get.has_value()) << get.error().to_string();
  ASSERT_TRUE(get->item.has_value());
  EXPECT_EQ(get->item->at("v"), dynamodb::AttributeValue(1));
  auto put = client->put_item({.table_name = "signed", .item = {{"pk", "c"}}});
  ASSERT_FALSE(put.has_value()) << "the read-only user could write";
  EXPECT_EQ(put.error().http_status, 403) << put.error().to_string();
  EXPECT_EQ(put.error().aws_type, "AccessDenied") << put.error().to_string();
  EXPECT_FALSE(put.error().retryable);
}

}  // namespace
}  // namespace awsperf
