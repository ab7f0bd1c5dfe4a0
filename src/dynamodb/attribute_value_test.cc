#include "awsperf/dynamodb/attribute_value.h"

#include <gtest/gtest.h>

#include "awsperf/aws/encoding.h"
#include "dynamodb/json_codec.h"

namespace awsperf::dynamodb {
namespace {

TEST(AttributeValueTest, ConstructorsPickTheRightType) {
  EXPECT_EQ(AttributeValue("x").type(), AttributeValue::Type::kS);
  EXPECT_EQ(AttributeValue(std::string("x")).type(), AttributeValue::Type::kS);
  EXPECT_EQ(AttributeValue(42).type(), AttributeValue::Type::kN);
  EXPECT_EQ(AttributeValue(4.5).type(), AttributeValue::Type::kN);
  EXPECT_EQ(AttributeValue(true).type(), AttributeValue::Type::kBool);
  EXPECT_EQ(AttributeValue(nullptr).type(), AttributeValue::Type::kNull);
  EXPECT_EQ(AttributeValue::binary("\x01\x02").type(), AttributeValue::Type::kB);
  EXPECT_EQ(AttributeValue(Item{{"a", 1}}).type(), AttributeValue::Type::kM);
  EXPECT_EQ(AttributeValue(AttributeList{1, "a"}).type(), AttributeValue::Type::kL);
  EXPECT_EQ(AttributeValue::string_set({"a"}).type(), AttributeValue::Type::kSS);
  EXPECT_EQ(AttributeValue::number_set({"1"}).type(), AttributeValue::Type::kNS);
  EXPECT_EQ(AttributeValue::binary_set({"b"}).type(), AttributeValue::Type::kBS);
  EXPECT_EQ(AttributeValue::number_set({"1"}).type_name(), "NS");
}

TEST(AttributeValueTest, NumbersKeep38Digits) {
  const std::string big = "12345678901234567890123456789012345678";
  auto v = AttributeValue::number(big);
  ASSERT_TRUE(v.has_value()) << v.error().to_string();
  auto json = to_json(*v);
  ASSERT_TRUE(json.has_value());
  EXPECT_EQ(*json, R"({"N":"12345678901234567890123456789012345678"})");
  auto back = attribute_value_from_json(*json);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->as_number()->text, big);
  EXPECT_FALSE(back->to_int64().has_value());  // out of range, said clearly
}

TEST(AttributeValueTest, ValidateNumberRejectsBadInput) {
  for (const char* ok : {"0", "-0", "1", "-1.5", "1e10", "1.5E-3", "0.000001",
                         "99999999999999999999999999999999999999", "9.9e125", "1e-130"}) {
    EXPECT_TRUE(validate_number(ok).has_value()) << ok;
  }
  for (const char* bad :
       {"", "-", "abc", "1.2.3", "1e", "1e+", "--1", "1 ", " 1", "0x10", "NaN", "Infinity",
        "123456789012345678901234567890123456789", "1e126", "1e-131"}) {
    auto r = validate_number(bad);
    EXPECT_FALSE(r.has_value()) << bad;
    if (!r) {
      EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    }
  }
}

TEST(AttributeValueTest, CheckedConversions) {
  EXPECT_EQ(*AttributeValue(-17).to_int64(), -17);
  EXPECT_DOUBLE_EQ(*AttributeValue(2.5).to_double(), 2.5);
  EXPECT_FALSE(AttributeValue(2.5).to_int64().has_value());
  EXPECT_FALSE(AttributeValue("7").to_int64().has_value());
  EXPECT_EQ(AttributeValue(0.1).as_number()->text, "0.1");
}

TEST(AttributeValueTest, EveryTypeRoundTripsThroughJson) {
  Item item{
      {"s", "héllo ☃"},
      {"n", 12},
      {"b", AttributeValue::binary(std::string("\x00\xff\x10", 3))},
      {"t", true},
      {"nil", nullptr},
      {"m", Item{{"inner", AttributeList{1, "two", Item{{"deep", false}}}}}},
      {"ss", AttributeValue::string_set({"a", "b"})},
      {"ns", AttributeValue::number_set({"1", "2.5"})},
      {"bs", AttributeValue::binary_set({std::string("\x01", 1), "xyz"})},
  };
  auto json = to_json(item);
  ASSERT_TRUE(json.has_value()) << json.error().to_string();
  auto back = item_from_json(*json);
  ASSERT_TRUE(back.has_value()) << back.error().to_string();
  EXPECT_EQ(*back, item);
}

TEST(AttributeValueTest, DecodeRejectsMalformedWireForms) {
  const char* cases[] = {
      R"({"a": {"X": "1"}})",            // unknown tag
      R"({"a": {"S": 1}})",              // wrong JSON type
      R"({"a": {"S": "x", "N": "1"}})",  // two tags
      R"({"a": {"N": "1x"}})",           // bad number
      R"({"a": {"B": "%%%%"}})",         // bad base64
      R"({"a": {"B": "abc"}})",          // bad base64 length
      R"({"a": {"SS": []}})",            // empty set
      R"({"a": {"SS": ["x", "x"]}})",    // duplicates
      R"({"a": {"NULL": false}})",       // NULL must be true
      R"({"a": {"L": {}}})",             // L must be an array
      R"([1, 2])",                       // not an object
      R"({"a": {"S": "x"})",             // truncated JSON
  };
  for (const char* c : cases) {
    auto r = item_from_json(c);
    EXPECT_FALSE(r.has_value()) << c;
    if (!r) {
      EXPECT_EQ(r.error().code, ErrorCode::kParse) << c << " " << r.error().to_string();
    }
  }
}

TEST(AttributeValueTest, NestingDepthIsBounded) {
  auto nest = [](int levels) {
    std::string json;
    for (int i = 0; i < levels; ++i) json += R"({"M": {"k": )";
    json += R"({"S": "leaf"})";
    for (int i = 0; i < levels; ++i) json += "}}";
    return json;
  };
  EXPECT_TRUE(attribute_value_from_json(nest(31)).has_value());
  auto deep = attribute_value_from_json(nest(40));
  ASSERT_FALSE(deep.has_value());
  EXPECT_EQ(deep.error().code, ErrorCode::kParse);
}

TEST(AttributeValueTest, EncodeRejectsWhatDynamoDbCannotStore) {
  EXPECT_FALSE(to_json(AttributeValue(std::nan(""))).has_value());
  EXPECT_FALSE(to_json(AttributeValue::string_set({})).has_value());
  EXPECT_FALSE(to_json(AttributeValue::number_set({"x"})).has_value());
}

TEST(AttributeValueTest, ItemSizeFollowsDynamoDbRules) {
  Item item{{"id", "abcd"}, {"n", 123}};
  // "id"(2) + "abcd"(4) + "n"(1) + number 123: (3 digits + 1) / 2 + 1 = 3
  EXPECT_EQ(item_size(item), 2u + 4u + 1u + 3u);
}

TEST(Base64Test, RoundTripAndPadding) {
  for (std::string s : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
    auto enc = aws::base64_encode(s);
    auto dec = aws::base64_decode(enc);
    ASSERT_TRUE(dec.has_value()) << s;
    EXPECT_EQ(*dec, s);
  }
  EXPECT_EQ(aws::base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(aws::base64_encode("fo"), "Zm8=");
}

}  // namespace
}  // namespace awsperf::dynamodb
