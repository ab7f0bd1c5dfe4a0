#include "awsperf/aws/credentials.h"

#include <gtest/gtest.h>

#include <sstream>

#include "test_files.h"

namespace awsperf::aws {
namespace {

constexpr std::string_view kSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY";
constexpr std::string_view kToken = "FwoGZXIvYXdzSESSIONTOKEN";

void expect_no_secret(std::string_view text) {
  EXPECT_EQ(text.find(kSecret), std::string_view::npos) << text;
  EXPECT_EQ(text.find(kToken), std::string_view::npos) << text;
  EXPECT_EQ(text.find("SECRET"), std::string_view::npos) << text;
}

TEST(CredentialsTest, ExplicitWins) {
  CredentialsOptions o;
  o.explicit_credentials =
      Credentials{.access_key_id = "AKIDEXPLICIT", .secret_access_key = std::string(kSecret)};
  auto env = Environment::from_map(
      {{"AWS_ACCESS_KEY_ID", "AKIDENV"}, {"AWS_SECRET_ACCESS_KEY", "envsecret"}});
  auto c = resolve_credentials(o, env);
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->access_key_id, "AKIDEXPLICIT");
  EXPECT_EQ(c->source, "explicit");

  o.explicit_credentials->secret_access_key.clear();
  auto bad = resolve_credentials(o, env);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kCredentials);
}

TEST(CredentialsTest, EnvironmentBeforeFiles) {
  testing::TempDir dir;
  dir.write(".aws/credentials", "[default]\naws_access_key_id=AKIDFILE\naws_secret_access_key=f\n");
  auto env = Environment::from_map({{"HOME", dir.path().string()},
                                    {"AWS_ACCESS_KEY_ID", "AKIDENV"},
                                    {"AWS_SECRET_ACCESS_KEY", std::string(kSecret)},
                                    {"AWS_SESSION_TOKEN", std::string(kToken)}});
  auto c = resolve_credentials({}, env);
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->access_key_id, "AKIDENV");
  EXPECT_EQ(c->secret_access_key, kSecret);
  EXPECT_EQ(c->session_token, kToken);
  EXPECT_EQ(c->source, "environment");
}

TEST(CredentialsTest, HalfConfiguredEnvironmentIsAnError) {
  auto env = Environment::from_map({{"AWS_ACCESS_KEY_ID", "AKIDENV"}});
  auto c = resolve_credentials({}, env);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, ErrorCode::kCredentials);
  EXPECT_NE(c.error().message.find("AWS_SECRET_ACCESS_KEY"), std::string::npos);
  // An empty variable counts as unset, as in the SDKs.
  auto empty = Environment::from_map({{"AWS_ACCESS_KEY_ID", ""}, {"AWS_SECRET_ACCESS_KEY", ""}});
  auto none = resolve_credentials({}, empty);
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message.find("environment (AWS_ACCESS_KEY_ID not set)"),
            std::string::npos);
}

TEST(CredentialsTest, SharedCredentialsFileWithProfile) {
  testing::TempDir dir;
  dir.write(".aws/credentials",
            "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = d\n"
            "[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = " +
                std::string(kSecret) + "\naws_session_token = " + std::string(kToken) + "\n");
  auto env = Environment::from_map({{"HOME", dir.path().string()}, {"AWS_PROFILE", "dev"}});
  auto c = resolve_credentials({}, env);
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->access_key_id, "AKIDDEV");
  EXPECT_EQ(c->session_token, kToken);
  EXPECT_NE(c->source.find("profile 'dev'"), std::string::npos);

  // The option beats AWS_PROFILE.
  CredentialsOptions o;
  o.shared.profile = "default";
  auto d = resolve_credentials(o, env);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->access_key_id, "AKIDDEFAULT");
}

TEST(CredentialsTest, ConfigFileProfileSectionsAndVariables) {
  testing::TempDir dir;
  auto creds_path =
      dir.write("elsewhere/creds", "[other]\naws_access_key_id=X\naws_secret_access_key=Y\n");
  auto config_path = dir.write("elsewhere/config",
                               "[default]\nregion=us-east-1\n"
                               "[profile team]\naws_access_key_id=AKIDTEAM\n"
                               "aws_secret_access_key=teamsecret\n");
  auto env = Environment::from_map({{"AWS_SHARED_CREDENTIALS_FILE", creds_path},
                                    {"AWS_CONFIG_FILE", config_path},
                                    {"AWS_PROFILE", "team"}});
  auto c = resolve_credentials({}, env);
  ASSERT_TRUE(c) << c.error().to_string();
  EXPECT_EQ(c->access_key_id, "AKIDTEAM");
  EXPECT_NE(c->source.find("shared config file " + config_path), std::string::npos);
}

TEST(CredentialsTest, CredentialsFileBeatsConfigFile) {
  testing::TempDir dir;
  dir.write(".aws/credentials",
            "[default]\naws_access_key_id=FROMCREDS\naws_secret_access_key=a\n");
  dir.write(".aws/config", "[default]\naws_access_key_id=FROMCONFIG\naws_secret_access_key=b\n");
  auto c = resolve_credentials({}, Environment::from_map({{"HOME", dir.path().string()}}));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->access_key_id, "FROMCREDS");
}

TEST(CredentialsTest, NothingFoundNamesEverythingTried) {
  testing::TempDir dir;
  dir.write(".aws/config", "[profile x]\nregion=us-east-1\n");
  auto env = Environment::from_map({{"HOME", dir.path().string()}});
  auto c = resolve_credentials({}, env);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, ErrorCode::kCredentials);
  const std::string& m = c.error().message;
  EXPECT_NE(m.find("explicit (none given)"), std::string::npos) << m;
  EXPECT_NE(m.find("environment (AWS_ACCESS_KEY_ID not set)"), std::string::npos) << m;
  EXPECT_NE(m.find("shared credentials file " + (dir.path() / ".aws/credentials").string() +
                   " (not found)"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("(no profile 'default')"), std::string::npos) << m;

  auto no_home = resolve_credentials({}, Environment::from_map({}));
  ASSERT_FALSE(no_home);
  EXPECT_NE(no_home.error().message.find("HOME not set"), std::string::npos);
}

TEST(CredentialsTest, MalformedFileIsASpecificErrorWithoutSecrets) {
  testing::TempDir dir;
  auto path = dir.write(".aws/credentials",
                        "[default]\naws_access_key_id = AKID\n"
                        "aws_secret_access_key " +
                            std::string(kSecret) + "\n");
  auto c = resolve_credentials({}, Environment::from_map({{"HOME", dir.path().string()}}));
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, ErrorCode::kParse);
  EXPECT_NE(c.error().message.find(path + ": line 3"), std::string::npos) << c.error().message;
  expect_no_secret(c.error().to_string());
}

TEST(CredentialsTest, ProfileWithSecretButNoKeyIdIsAnError) {
  testing::TempDir dir;
  dir.write(".aws/credentials",
            "[default]\naws_secret_access_key = " + std::string(kSecret) + "\n");
  auto c = resolve_credentials({}, Environment::from_map({{"HOME", dir.path().string()}}));
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, ErrorCode::kCredentials);
  EXPECT_NE(c.error().message.find("no aws_access_key_id"), std::string::npos);
  expect_no_secret(c.error().to_string());
}

TEST(CredentialsTest, ToStringRedactsSecrets) {
  Credentials c{.access_key_id = "AKIDEXAMPLE1234",
                .secret_access_key = std::string(kSecret),
                .session_token = std::string(kToken),
                .source = "environment"};
  std::string s = c.to_string();
  expect_no_secret(s);
  EXPECT_EQ(s.find("AKIDEXAMPLE1234"), std::string::npos);
  EXPECT_NE(s.find("***********1234"), std::string::npos) << s;
  EXPECT_NE(s.find("secret=<redacted>"), std::string::npos);
  EXPECT_NE(s.find("session_token=<redacted>"), std::string::npos);
  EXPECT_EQ(mask_access_key_id("AB"), "**");
  std::ostringstream streamed;
  streamed << c;
  EXPECT_EQ(streamed.str(), s);
  // What gtest prints for a Credentials in a failure message.
  expect_no_secret(::testing::PrintToString(c));
}

TEST(CredentialsTest, ProcessEnvironmentReadsRealVariables) {
  // PATH is set in every test environment; the lookup must see it.
  auto env = Environment::process();
  EXPECT_TRUE(env.get("PATH").has_value());
  EXPECT_FALSE(env.get("AWSPERF_SURELY_UNSET_VARIABLE_42").has_value());
}

}  // namespace
}  // namespace awsperf::aws
