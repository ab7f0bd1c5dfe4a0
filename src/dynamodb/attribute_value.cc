#include "awsperf/dynamodb/attribute_value.h"

#include <charconv>
#include <cmath>
#include <limits>

#include "dynamodb/json_codec.h"

namespace awsperf::dynamodb {

namespace {

Error invalid(std::string message) {
  return Error{.code = ErrorCode::kInvalidArgument, .message = std::move(message)};
}

}  // namespace

Status validate_number(std::string_view text) {
  size_t i = 0;
  const size_t n = text.size();
  if (n == 0) return make_error(invalid("empty number"));
  if (n > 512) return make_error(invalid("number text longer than 512 characters"));
  if (text[i] == '-' || text[i] == '+') ++i;
  std::string digits;  // significant digits, leading zeros dropped
  long exponent_adjust = 0;
  bool any_digit = false;
  bool seen_point = false;
  for (; i < n; ++i) {
    char c = text[i];
    if (c >= '0' && c <= '9') {
      any_digit = true;
      if (digits.empty() && c == '0') {
        if (seen_point) --exponent_adjust;
        continue;
      }
      digits.push_back(c);
      if (!seen_point) ++exponent_adjust;
    } else if (c == '.' && !seen_point) {
      seen_point = true;
    } else {
      break;
    }
  }
  if (!any_digit) {
    return make_error(invalid("'" + std::string(text.substr(0, 64)) + "' is not a number"));
  }
  long exponent = 0;
  if (i < n && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    size_t start = i;
    if (i < n && (text[i] == '-' || text[i] == '+')) ++i;
    size_t digits_start = i;
    while (i < n && text[i] >= '0' && text[i] <= '9') ++i;
    if (i == digits_start || i - digits_start > 6) {
      return make_error(invalid("'" + std::string(text.substr(0, 64)) + "' has a bad exponent"));
    }
    std::from_chars(text.data() + start + (text[start] == '+' ? 1 : 0), text.data() + i, exponent);
  }
  if (i != n) {
    return make_error(invalid("'" + std::string(text.substr(0, 64)) + "' is not a number"));
  }
  while (!digits.empty() && digits.back() == '0') digits.pop_back();
  if (digits.empty()) return {};  // zero
  if (digits.size() > 38) {
    return make_error(invalid("number has " + std::to_string(digits.size()) +
                              " significant digits; DynamoDB keeps at most 38"));
  }
  // Value = 0.d1d2... * 10^(exponent_adjust + exponent).
  long magnitude = exponent_adjust + exponent;  // position of the decimal point
  if (magnitude > 126) return make_error(invalid("number magnitude larger than 9.99e125"));
  if (magnitude < -129) return make_error(invalid("number magnitude smaller than 1e-130"));
  return {};
}

AttributeValue::AttributeValue(double v) {
  if (std::isnan(v)) {
    v_ = Number{"NaN"};
  } else if (std::isinf(v)) {
    v_ = Number{v > 0 ? "Infinity" : "-Infinity"};
  } else {
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    v_ = Number{std::string(buf, r.ptr)};
  }
}

Result<AttributeValue> AttributeValue::number(std::string_view text) {
  if (auto s = validate_number(text); !s) return make_error(s.error());
  return AttributeValue(Number{std::string(text)});
}

Result<std::int64_t> AttributeValue::to_int64() const {
  const Number* n = as_number();
  if (n == nullptr)
    return make_error(invalid(std::string("value is ") + std::string(type_name()) + ", not N"));
  std::int64_t out = 0;
  const char* begin = n->text.data();
  const char* end = begin + n->text.size();
  if (*begin == '+') ++begin;
  auto r = std::from_chars(begin, end, out);
  if (r.ec == std::errc::result_out_of_range) {
    return make_error(invalid("number " + n->text + " does not fit in int64"));
  }
  if (r.ec != std::errc() || r.ptr != end) {
    return make_error(invalid("number " + n->text + " is not an integer"));
  }
  return out;
}

Result<double> AttributeValue::to_double() const {
  const Number* n = as_number();
  if (n == nullptr)
    return make_error(invalid(std::string("value is ") + std::string(type_name()) + ", not N"));
  double out = 0;
  const char* begin = n->text.data();
  const char* end = begin + n->text.size();
  if (*begin == '+') ++begin;
  auto r = std::from_chars(begin, end, out);
  if (r.ec != std::errc() || r.ptr != end || !std::isfinite(out)) {
    return make_error(invalid("number " + n->text + " is not representable as a double"));
  }
  return out;
}

std::string_view AttributeValue::type_name() const {
  static constexpr std::string_view kNames[] = {"S", "N", "B",  "BOOL", "NULL",
                                                "M", "L", "SS", "NS",   "BS"};
  return kNames[v_.index()];
}

std::size_t AttributeValue::size_bytes() const {
  // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html
  auto number_size = [](const std::string& text) -> std::size_t {
    size_t digits = 0;
    for (char c : text) digits += (c >= '0' && c <= '9');
    return (digits + 1) / 2 + 1;
  };
  switch (type()) {
    case Type::kS:
      return as_string()->size();
    case Type::kN:
      return number_size(as_number()->text);
    case Type::kB:
      return as_binary()->bytes.size();
    case Type::kBool:
    case Type::kNull:
      return 1;
    case Type::kM: {
      std::size_t total = 3;
      for (const auto& [k, v] : *as_map()) total += k.size() + v.size_bytes() + 1;
      return total;
    }
    case Type::kL: {
      std::size_t total = 3;
      for (const auto& v : *as_list()) total += v.size_bytes() + 1;
      return total;
    }
    case Type::kSS: {
      std::size_t total = 0;
      for (const auto& s : *as_string_set()) total += s.size();
      return total;
    }
    case Type::kNS: {
      std::size_t total = 0;
      for (const auto& s : *as_number_set()) total += number_size(s);
      return total;
    }
    case Type::kBS: {
      std::size_t total = 0;
      for (const auto& s : *as_binary_set()) total += s.size();
      return total;
    }
  }
  return 0;
}

std::size_t item_size(const Item& item) {
  std::size_t total = 0;
  for (const auto& [name, value] : item) total += name.size() + value.size_bytes();
  return total;
}

Result<std::string> to_json(const AttributeValue& value) {
  auto v = detail::encode(value);
  if (!v) return make_error(v.error());
  return boost::json::serialize(*v);
}

Result<std::string> to_json(const Item& item) {
  auto v = detail::encode_item(item);
  if (!v) return make_error(v.error());
  return boost::json::serialize(*v);
}

Result<AttributeValue> attribute_value_from_json(std::string_view json) {
  auto v = detail::parse_json(json);
  if (!v) return make_error(v.error());
  return detail::decode(*v);
}

Result<Item> item_from_json(std::string_view json) {
  auto v = detail::parse_json(json);
  if (!v) return make_error(v.error());
  return detail::decode_item(*v);
}

}  // namespace awsperf::dynamodb
