#pragma once

#include <optional>
#include <string>

#include "mlbench/config/config.h"

namespace mlbench::cli {

// Loads and validates a config file; on failure prints every diagnostic, one per line on
// stderr in `file:line:col: key: problem (fix)` form, and returns nullopt.
std::optional<config::Config> load_config_or_report(const std::string& path);

}  // namespace mlbench::cli
