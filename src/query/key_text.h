// The text of a primary key (query::key_string) built directly, private to
// the query layer. key_string() is the JSON text dynamodb::to_json() gives a
// key; building a JSON value for it costs ~0.5 us a key, which batch_get paid
// three times for every key it read. For the usual keys (S and N attributes
// of printable ASCII without quotes or backslashes) the text is written
// directly; anything else takes the JSON route, so the text is always the same.
#ifndef AWSPERF_SRC_QUERY_KEY_TEXT_H_
#define AWSPERF_SRC_QUERY_KEY_TEXT_H_

#include <string>
#include <string_view>

#include "awsperf/dynamodb/attribute_value.h"

namespace awsperf::query::detail {

// True when JSON writes `s` as it is between quotes.
inline bool plain_json_text(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c >= 0x7F || c == '"' || c == '\\') return false;
  }
  return true;
}

// Appends `"name":{"S":"text"}` (or N) with a leading comma unless first;
// false (out unspecified) when the attribute needs the JSON route.
inline bool append_key_attribute(std::string& out, std::string_view name,
                                 const dynamodb::AttributeValue& value, bool first) {
  const std::string* text = nullptr;
  char tag = 'S';
  if (const auto* s = value.as_string()) {
    text = s;
  } else if (const auto* n = value.as_number(); n && dynamodb::validate_number(n->text)) {
    text = &n->text;
    tag = 'N';
  } else {
    return false;
  }
  if (!plain_json_text(name) || !plain_json_text(*text)) return false;
  if (!first) out += ',';
  out += '"';
  out += name;
  out += "\":{\"";
  out += tag;
  out += "\":\"";
  out += *text;
  out += "\"}";
  return true;
}

// Writes key_string() of the attributes of `item` named in `sorted_names`
// (in std::map order) to `out` without copying them out of the item; false
// when the JSON route is needed.
template <typename Names>
bool fast_key_text(const dynamodb::Item& item, const Names& sorted_names, std::string& out) {
  out.clear();
  out += '{';
  bool first = true;
  for (const auto& name : sorted_names) {
    auto it = item.find(name);
    if (it == item.end()) continue;
    if (!append_key_attribute(out, it->first, it->second, first)) return false;
    first = false;
  }
  out += '}';
  return true;
}

}  // namespace awsperf::query::detail

#endif  // AWSPERF_SRC_QUERY_KEY_TEXT_H_
