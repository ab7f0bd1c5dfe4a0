#include "dynamodb/json_codec.h"

#include <algorithm>

#include "awsperf/aws/encoding.h"

namespace awsperf::dynamodb::detail {

namespace {

Error parse_error(std::string message) {
  return Error{.code = ErrorCode::kParse, .message = std::move(message)};
}

Result<boost::json::array> encode_set(const std::set<std::string>& set, bool binary,
                                      std::string_view tag) {
  if (set.empty()) {
    return make_error(ErrorCode::kInvalidArgument,
                      std::string("an empty ") + std::string(tag) + " set cannot be stored");
  }
  boost::json::array out;
  out.reserve(set.size());
  for (const auto& member : set) {
    if (tag == "NS") {
      if (auto s = validate_number(member); !s) return make_error(s.error());
    }
    out.emplace_back(binary ? aws::base64_encode(member) : member);
  }
  return out;
}

}  // namespace

namespace {

// Base64 in a body we received is part of the wire format: a bad one is a
// parse error of that body.
Result<std::string> decode_base64(std::string_view text) {
  auto bytes = aws::base64_decode(text);
  if (!bytes) return make_error(parse_error("malformed base64: " + bytes.error().message));
  return bytes;
}

}  // namespace

Result<boost::json::value> encode(const AttributeValue& value) {
  boost::json::object out;
  switch (value.type()) {
    case AttributeValue::Type::kS:
      out["S"] = *value.as_string();
      break;
    case AttributeValue::Type::kN: {
      const std::string& text = value.as_number()->text;
      if (auto s = validate_number(text); !s) return make_error(s.error());
      out["N"] = text;
      break;
    }
    case AttributeValue::Type::kB:
      out["B"] = aws::base64_encode(value.as_binary()->bytes);
      break;
    case AttributeValue::Type::kBool:
      out["BOOL"] = *value.as_bool();
      break;
    case AttributeValue::Type::kNull:
      out["NULL"] = true;
      break;
    case AttributeValue::Type::kM: {
      auto m = encode_item(*value.as_map());
      if (!m) return make_error(m.error());
      out["M"] = std::move(*m);
      break;
    }
    case AttributeValue::Type::kL: {
      boost::json::array list;
      list.reserve(value.as_list()->size());
      for (const auto& element : *value.as_list()) {
        auto e = encode(element);
        if (!e) return make_error(e.error());
        list.push_back(std::move(*e));
      }
      out["L"] = std::move(list);
      break;
    }
    case AttributeValue::Type::kSS:
    case AttributeValue::Type::kNS:
    case AttributeValue::Type::kBS: {
      const auto* set = value.as_string_set();
      if (set == nullptr) set = value.as_number_set();
      if (set == nullptr) set = value.as_binary_set();
      auto a = encode_set(*set, value.type() == AttributeValue::Type::kBS, value.type_name());
      if (!a) return make_error(a.error());
      out[value.type_name()] = std::move(*a);
      break;
    }
  }
  return out;
}

Result<boost::json::object> encode_item(const Item& item) {
  boost::json::object out;
  out.reserve(item.size());
  for (const auto& [name, value] : item) {
    auto v = encode(value);
    if (!v) return make_error(v.error());
    out[name] = std::move(*v);
  }
  return out;
}

Result<AttributeValue> decode(const boost::json::value& json, int depth) {
  if (depth > kMaxNestingDepth) {
    return make_error(parse_error("attribute value nested deeper than 32 levels"));
  }
  const auto* obj = json.if_object();
  if (obj == nullptr || obj->size() != 1) {
    return make_error(
        parse_error("an attribute value must be an object with exactly one type key"));
  }
  const auto& [tag, body] = *obj->begin();
  auto expect_string = [&](std::string_view what) -> Result<std::string> {
    if (!body.is_string()) {
      return make_error(parse_error(std::string(what) + " value must be a JSON string"));
    }
    return std::string(body.get_string());
  };
  auto decode_set = [&](bool number, bool binary) -> Result<std::set<std::string>> {
    if (!body.is_array()) return make_error(parse_error(std::string(tag) + " must be an array"));
    const auto& arr = body.get_array();
    if (arr.empty()) return make_error(parse_error(std::string(tag) + " set must not be empty"));
    std::set<std::string> out;
    for (const auto& e : arr) {
      if (!e.is_string()) {
        return make_error(parse_error(std::string(tag) + " members must be JSON strings"));
      }
      std::string member(e.get_string());
      if (number) {
        if (auto s = validate_number(member); !s) return make_error(parse_error(s.error().message));
      }
      if (binary) {
        auto b = decode_base64(member);
        if (!b) return make_error(b.error());
        member = std::move(*b);
      }
      if (!out.insert(std::move(member)).second) {
        return make_error(parse_error(std::string(tag) + " set has duplicate members"));
      }
    }
    return out;
  };

  if (tag == "S") {
    auto s = expect_string("S");
    if (!s) return make_error(s.error());
    return AttributeValue(std::move(*s));
  }
  if (tag == "N") {
    auto s = expect_string("N");
    if (!s) return make_error(s.error());
    if (auto v = validate_number(*s); !v) return make_error(parse_error(v.error().message));
    return AttributeValue(Number{std::move(*s)});
  }
  if (tag == "B") {
    auto s = expect_string("B");
    if (!s) return make_error(s.error());
    auto b = decode_base64(*s);
    if (!b) return make_error(b.error());
    return AttributeValue::binary(std::move(*b));
  }
  if (tag == "BOOL") {
    if (!body.is_bool()) return make_error(parse_error("BOOL value must be true or false"));
    return AttributeValue(body.get_bool());
  }
  if (tag == "NULL") {
    if (!body.is_bool() || !body.get_bool()) {
      return make_error(parse_error("NULL value must be true"));
    }
    return AttributeValue(Null{});
  }
  if (tag == "M") {
    auto m = decode_item(body, depth + 1);
    if (!m) return make_error(m.error());
    return AttributeValue(std::move(*m));
  }
  if (tag == "L") {
    if (!body.is_array()) return make_error(parse_error("L value must be an array"));
    AttributeList list;
    list.reserve(body.get_array().size());
    for (const auto& e : body.get_array()) {
      auto v = decode(e, depth + 1);
      if (!v) return make_error(v.error());
      list.push_back(std::move(*v));
    }
    return AttributeValue(std::move(list));
  }
  if (tag == "SS") {
    auto s = decode_set(false, false);
    if (!s) return make_error(s.error());
    return AttributeValue::string_set(std::move(*s));
  }
  if (tag == "NS") {
    auto s = decode_set(true, false);
    if (!s) return make_error(s.error());
    return AttributeValue::number_set(std::move(*s));
  }
  if (tag == "BS") {
    auto s = decode_set(false, true);
    if (!s) return make_error(s.error());
    return AttributeValue::binary_set(std::move(*s));
  }
  return make_error(parse_error("unknown attribute type '" + std::string(tag.substr(0, 32)) + "'"));
}

Result<Item> decode_item(const boost::json::value& json, int depth) {
  const auto* obj = json.if_object();
  if (obj == nullptr) return make_error(parse_error("an item must be a JSON object"));
  Item item;
  for (const auto& [name, value] : *obj) {
    auto v = decode(value, depth);
    if (!v) {
      Error e = v.error();
      e.message = "attribute '" + std::string(name.substr(0, 64)) + "': " + e.message;
      return make_error(std::move(e));
    }
    item.emplace(std::string(name), std::move(*v));
  }
  return item;
}

Result<boost::json::value> parse_json(std::string_view text, boost::json::storage_ptr storage) {
  boost::json::parse_options options;
  // Room for the 32 levels of attribute nesting, each an object in an object.
  options.max_depth = 2 * kMaxNestingDepth + 8;
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(text, ec, std::move(storage), options);
  if (ec) return make_error(parse_error("malformed JSON: " + ec.message()));
  return v;
}

Result<boost::json::value> parse_json(std::string_view text) {
  // One arena per document: the DOM's many small allocations become a few
  // blocks, released together when the last value of the document goes.
  return parse_json(text, boost::json::make_shared_resource<boost::json::monotonic_resource>(
                              std::max<std::size_t>(1024, 2 * text.size())));
}

}  // namespace awsperf::dynamodb::detail
