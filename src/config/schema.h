#pragma once

#include <yaml-cpp/yaml.h>

#include "mlbench/config/config.h"

#include "config/load_context.h"

namespace mlbench::config {

// Walks the document against the schema of config.h: every key known, every value of its type
// and range. Keys left out keep their defaults. Rules that span keys come after (rules.h).
Config read_config(LoadContext& context, const YAML::Node& root);

// `[A-Za-z0-9][A-Za-z0-9._-]*`: node names become directory names under a run.
bool is_valid_node_name(std::string_view name);

}  // namespace mlbench::config
