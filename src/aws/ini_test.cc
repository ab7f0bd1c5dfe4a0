#include "ini.h"

#include <gtest/gtest.h>

#include "test_files.h"

namespace awsperf::aws {
namespace {

TEST(IniTest, ParsesSectionsKeysCommentsAndNesting) {
  auto f = parse_ini(
      "\xEF\xBB\xBF# comment\r\n"
      "[default]\r\n"
      "AWS_Access_Key_Id = AKID \r\n"
      "region=us-west-2\n"
      "; another comment\n"
      "\n"
      "[profile dev]\n"
      "s3 =\n"
      "  addressing_style = path\n"
      "  max_concurrent_requests=20\n"
      "output = json\n"
      "empty =\n",
      "test");
  ASSERT_TRUE(f) << f.error().to_string();
  ASSERT_EQ(f->sections.size(), 2u);
  const IniSection& d = f->sections.at("default");
  EXPECT_EQ(d.at("aws_access_key_id"), "AKID");
  EXPECT_EQ(d.at("region"), "us-west-2");
  const IniSection& dev = f->sections.at("profile dev");
  EXPECT_EQ(dev.at("s3.addressing_style"), "path");
  EXPECT_EQ(dev.at("s3.max_concurrent_requests"), "20");
  EXPECT_EQ(dev.at("output"), "json");
  EXPECT_EQ(dev.at("empty"), "");
  EXPECT_EQ(find_profile(*f, "dev", /*config_file=*/true), &dev);
  EXPECT_EQ(find_profile(*f, "default", /*config_file=*/true), &d);
  EXPECT_EQ(find_profile(*f, "dev", /*config_file=*/false), nullptr);
  EXPECT_EQ(find_profile(*f, "default", /*config_file=*/false), &d);
}

TEST(IniTest, MalformedGivesLineNumberWithoutContent) {
  struct Case {
    std::string text;
    int line;
  };
  const Case cases[] = {
      {"[default]\naws_secret_access_key SECRETVALUE\n", 2},
      {"aws_secret_access_key = SECRETVALUE\n", 1},
      {"[default\nx=1\n", 1},
      {"[]\n", 1},
      {"[a]\nx=1\n\n[b]\n= SECRETVALUE\n", 5},
      {"[a]\nx=\n  SECRETVALUE\n", 3},
  };
  for (const auto& c : cases) {
    auto f = parse_ini(c.text, "/home/u/.aws/credentials");
    ASSERT_FALSE(f) << c.text;
    EXPECT_EQ(f.error().code, ErrorCode::kParse);
    EXPECT_NE(
        f.error().message.find("/home/u/.aws/credentials: line " + std::to_string(c.line) + ":"),
        std::string::npos)
        << f.error().message;
    EXPECT_EQ(f.error().message.find("SECRETVALUE"), std::string::npos) << f.error().message;
  }
}

TEST(IniTest, OversizedInputIsRefused) {
  std::string big = "[a]\n" + std::string(kMaxIniFileBytes, '#');
  auto f = parse_ini(big, "big");
  ASSERT_FALSE(f);
  EXPECT_EQ(f.error().code, ErrorCode::kTooLarge);
}

TEST(IniTest, LoadFile) {
  testing::TempDir dir;
  auto missing = load_ini_file((dir.path() / "nope").string());
  ASSERT_TRUE(missing);
  EXPECT_FALSE(missing->has_value());
  auto path = dir.write("config", "[default]\nregion = eu-west-1\n");
  auto loaded = load_ini_file(path);
  ASSERT_TRUE(loaded);
  ASSERT_TRUE(loaded->has_value());
  EXPECT_EQ((*loaded)->sections.at("default").at("region"), "eu-west-1");
  auto is_dir = load_ini_file(dir.path().string());
  ASSERT_FALSE(is_dir);
  EXPECT_EQ(is_dir.error().code, ErrorCode::kIo);
  auto big = dir.write("big", std::string(kMaxIniFileBytes + 1, '#'));
  auto too_large = load_ini_file(big);
  ASSERT_FALSE(too_large);
  EXPECT_EQ(too_large.error().code, ErrorCode::kTooLarge);
}

}  // namespace
}  // namespace awsperf::aws
