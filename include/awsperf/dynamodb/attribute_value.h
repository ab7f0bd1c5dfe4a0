// DynamoDB's typed values: AttributeValue (S, N, B, BOOL, NULL, M, L, SS, NS,
// BS) and Item, with conversions to and from ordinary C++ types and the JSON
// wire form.
//
// Numbers stay decimal strings (Number), so all 38 significant digits that
// DynamoDB keeps survive a round trip; conversion to int64_t/double is
// explicit and checked.
//
// Thread-safety: value types; distinct objects may be used from any thread,
// const access to one object from many threads is safe.
#ifndef AWSPERF_DYNAMODB_ATTRIBUTE_VALUE_H_
#define AWSPERF_DYNAMODB_ATTRIBUTE_VALUE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "awsperf/core/result.h"

namespace awsperf::dynamodb {

class AttributeValue;

// A DynamoDB number: its canonical decimal text, e.g. "-12.5e3".
struct Number {
  std::string text;
  friend auto operator<=>(const Number&, const Number&) = default;
};

// Raw bytes (base64 on the wire).
struct Binary {
  std::string bytes;
  friend auto operator<=>(const Binary&, const Binary&) = default;
};

struct Null {
  friend auto operator<=>(const Null&, const Null&) = default;
};

using Item = std::map<std::string, AttributeValue>;
using AttributeList = std::vector<AttributeValue>;
using StringSet = std::set<std::string>;
// Number sets keep the text as given; DynamoDB compares them numerically.
using NumberSet = std::set<std::string>;
using BinarySet = std::set<std::string>;

// Checks that `text` is a DynamoDB number: optional sign, digits with an
// optional fraction and exponent, at most 38 significant digits, magnitude
// within 1e-130 .. 9.99...e125 (or zero).
Status validate_number(std::string_view text);

class AttributeValue {
 public:
  enum class Type : std::uint8_t { kS, kN, kB, kBool, kNull, kM, kL, kSS, kNS, kBS };

  using Variant = std::variant<std::string, Number, Binary, bool, Null, Item, AttributeList,
                               StringSet, NumberSet, BinarySet>;

  AttributeValue() : v_(Null{}) {}
  AttributeValue(std::string s) : v_(std::move(s)) {}                 // NOLINT: implicit by design
  AttributeValue(std::string_view s) : v_(std::string(s)) {}          // NOLINT
  AttributeValue(const char* s) : v_(std::string(s)) {}               // NOLINT
  AttributeValue(Number n) : v_(std::move(n)) {}                      // NOLINT
  AttributeValue(Binary b) : v_(std::move(b)) {}                      // NOLINT
  AttributeValue(bool b) : v_(b) {}                                   // NOLINT
  AttributeValue(Null n) : v_(n) {}                                   // NOLINT
  AttributeValue(std::nullptr_t) : v_(Null{}) {}                      // NOLINT
  AttributeValue(Item m) : v_(std::move(m)) {}                        // NOLINT
  AttributeValue(AttributeList l) : v_(std::move(l)) {}               // NOLINT
  AttributeValue(int v) : v_(Number{std::to_string(v)}) {}            // NOLINT
  AttributeValue(long v) : v_(Number{std::to_string(v)}) {}           // NOLINT
  AttributeValue(long long v) : v_(Number{std::to_string(v)}) {}      // NOLINT
  AttributeValue(unsigned v) : v_(Number{std::to_string(v)}) {}       // NOLINT
  AttributeValue(unsigned long v) : v_(Number{std::to_string(v)}) {}  // NOLINT
  AttributeValue(unsigned long long v) : v_(Number{std::to_string(v)}) {}  // NOLINT
  // Shortest text that reads back as the same double. NaN and infinities
  // have no DynamoDB form; number() rejects them, this constructor stores
  // "NaN"/"Infinity" which the encoder then refuses with a clear error.
  AttributeValue(double v);  // NOLINT

  static AttributeValue string_set(StringSet s) {
    return from_variant(Variant(std::in_place_index<7>, std::move(s)));
  }
  static AttributeValue number_set(NumberSet s) {
    return from_variant(Variant(std::in_place_index<8>, std::move(s)));
  }
  static AttributeValue binary_set(BinarySet s) {
    return from_variant(Variant(std::in_place_index<9>, std::move(s)));
  }
  static AttributeValue binary(std::string bytes) { return Binary{std::move(bytes)}; }
  // A number from its decimal text, validated.
  static Result<AttributeValue> number(std::string_view text);

  Type type() const { return static_cast<Type>(v_.index()); }
  const Variant& variant() const { return v_; }

  bool is_string() const { return type() == Type::kS; }
  bool is_number() const { return type() == Type::kN; }
  bool is_binary() const { return type() == Type::kB; }
  bool is_bool() const { return type() == Type::kBool; }
  bool is_null() const { return type() == Type::kNull; }
  bool is_map() const { return type() == Type::kM; }
  bool is_list() const { return type() == Type::kL; }

  // Accessors return nullptr when the type differs.
  const std::string* as_string() const { return std::get_if<0>(&v_); }
  const Number* as_number() const { return std::get_if<1>(&v_); }
  const Binary* as_binary() const { return std::get_if<2>(&v_); }
  const bool* as_bool() const { return std::get_if<3>(&v_); }
  const Item* as_map() const { return std::get_if<5>(&v_); }
  const AttributeList* as_list() const { return std::get_if<6>(&v_); }
  const StringSet* as_string_set() const { return std::get_if<7>(&v_); }
  const NumberSet* as_number_set() const { return std::get_if<8>(&v_); }
  const BinarySet* as_binary_set() const { return std::get_if<9>(&v_); }

  // Checked numeric conversions: kInvalidArgument when not a number, not
  // integral, or out of range.
  Result<std::int64_t> to_int64() const;
  Result<double> to_double() const;

  // The wire type name: "S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS".
  std::string_view type_name() const;

  // Approximate stored size in bytes by DynamoDB's item-size rules (name
  // lengths are counted by item_size()).
  std::size_t size_bytes() const;

  friend bool operator==(const AttributeValue& a, const AttributeValue& b) { return a.v_ == b.v_; }

 private:
  static AttributeValue from_variant(Variant v) {
    AttributeValue a;
    a.v_ = std::move(v);
    return a;
  }
  Variant v_;
};

// DynamoDB's item size: attribute name lengths plus value sizes.
std::size_t item_size(const Item& item);

// The JSON wire form of one value ({"S": "x"}) and of an item ({"a": {"S": "x"}}).
Result<std::string> to_json(const AttributeValue& value);
Result<std::string> to_json(const Item& item);
// Parses the wire form; rejects unknown type tags, malformed numbers and
// base64, empty sets, duplicate set members, and nesting deeper than 32.
Result<AttributeValue> attribute_value_from_json(std::string_view json);
Result<Item> item_from_json(std::string_view json);

}  // namespace awsperf::dynamodb

#endif  // AWSPERF_DYNAMODB_ATTRIBUTE_VALUE_H_
