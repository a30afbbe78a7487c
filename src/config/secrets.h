#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <string_view>

#include "config/load_context.h"

namespace mlbench::config {

// `password` or `passphrase`, in any case.
bool is_secret_key(std::string_view key);

// Reports every secret key in the tree under `node`, at any depth and inside keys the schema
// does not know, so that a password never sits unnoticed in a config file.
void report_secret_keys(LoadContext& context, const YAML::Node& node, const std::string& path);

}  // namespace mlbench::config
