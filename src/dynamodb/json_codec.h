// The DynamoDB JSON wire form of AttributeValue, on Boost.JSON values. Private
// to the dynamodb layer: the client builds request bodies with it.
#ifndef AWSPERF_SRC_DYNAMODB_JSON_CODEC_H_
#define AWSPERF_SRC_DYNAMODB_JSON_CODEC_H_

#include <boost/json.hpp>

#include "awsperf/dynamodb/attribute_value.h"

namespace awsperf::dynamodb::detail {

// DynamoDB's own limit on document nesting.
inline constexpr int kMaxNestingDepth = 32;

Result<boost::json::value> encode(const AttributeValue& value);
Result<boost::json::object> encode_item(const Item& item);

Result<AttributeValue> decode(const boost::json::value& json, int depth = 0);
Result<Item> decode_item(const boost::json::value& json, int depth = 0);

// Parses a JSON document with the layer's limits (depth, no comments);
// errors say where parsing stopped.
// The values live in a new arena shared by the document's values (released
// when the last of them goes).
Result<boost::json::value> parse_json(std::string_view text);
// The values live in `storage`.
Result<boost::json::value> parse_json(std::string_view text, boost::json::storage_ptr storage);

}  // namespace awsperf::dynamodb::detail

#endif  // AWSPERF_SRC_DYNAMODB_JSON_CODEC_H_
