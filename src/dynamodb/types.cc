#include "awsperf/dynamodb/types.h"

namespace awsperf::dynamodb {

std::optional<std::pair<std::string, std::optional<std::string>>> TableDescription::key_names(
    const std::string& index_name) const {
  const std::vector<KeySchemaElement>* schema = nullptr;
  if (index_name.empty()) {
    schema = &key_schema;
  } else {
    for (const auto* list : {&global_secondary_indexes, &local_secondary_indexes}) {
      for (const auto& index : *list) {
        if (index.index_name == index_name) schema = &index.key_schema;
      }
    }
  }
  if (schema == nullptr) return std::nullopt;
  std::pair<std::string, std::optional<std::string>> out;
  for (const auto& k : *schema) {
    if (k.key_type == KeyType::kHash) {
      out.first = k.attribute_name;
    } else {
      out.second = k.attribute_name;
    }
  }
  return out;
}

}  // namespace awsperf::dynamodb
