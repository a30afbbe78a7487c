#pragma once

// Reading yaml-cpp nodes into typed values while reporting, rather than throwing on, every value
// that does not fit. The only place besides load.cc that sees yaml-cpp.

#include <yaml-cpp/yaml.h>

#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/load_context.h"

namespace mlbench::config {

Position position_of(const YAML::Node& node);
Position position_of(const YAML::Mark& mark);

// How a value is named in a message: its text in quotes, or "a list", "a mapping", "nothing".
std::string describe(const YAML::Node& node);

// One key a mapping may hold, and what reads its value (given with its key path).
struct Field {
  std::string_view key;
  std::function<void(const YAML::Node& value, const std::string& path)> read;
};

// Checks that `node` is a mapping of known keys, each written once, and calls the reader of every
// key present. False when `node` is not a mapping at all (already reported).
bool read_fields(LoadContext& context, const YAML::Node& node, const std::string& path,
                 const std::vector<Field>& fields);

// The text of a scalar after `${VAR}` expansion. `expected` ("an integer") and `fix` are what a
// wrong node type is reported with.
std::optional<std::string> read_scalar(LoadContext& context, const YAML::Node& node,
                                       const std::string& path, std::string_view expected,
                                       std::string_view fix);

std::optional<std::string> read_string(LoadContext& context, const YAML::Node& node,
                                       const std::string& path);

struct IntRange {
  long long min = std::numeric_limits<int>::min();
  long long max = std::numeric_limits<int>::max();

  std::string describe() const;  // "use an integer from 1 to 65535"
};

inline IntRange at_least(long long min) {
  return {min, std::numeric_limits<int>::max()};
}

std::optional<int> read_int(LoadContext& context, const YAML::Node& node, const std::string& path,
                            IntRange range);

// The items of a list; `example` shows in the fix when `node` is something else.
std::optional<std::vector<YAML::Node>> read_list(LoadContext& context, const YAML::Node& node,
                                                 const std::string& path, std::string_view example);

// Reports `node` as wrong: at the key when the value was left empty (it has no place of its own),
// else at the value.
void reject_value(LoadContext& context, const YAML::Node& node, const std::string& path,
                  Problem problem);

}  // namespace mlbench::config
