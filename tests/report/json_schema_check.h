#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

// A structural check of a JSON value against the subset of JSON Schema 2020-12 that
// docs/report.schema.json uses: type (one or a list), required, properties,
// additionalProperties (false or a schema), items, enum, minimum, oneOf and local $ref
// ("#/$defs/..."). Returns one message per violation, each with its JSON pointer.
namespace mlbench::report::testing {

std::vector<std::string> check_against_schema(const nlohmann::json& value,
                                              const nlohmann::json& schema);

}  // namespace mlbench::report::testing
