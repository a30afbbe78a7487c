#pragma once

#include <optional>
#include <string>

#include "mlbench/config/config.h"

namespace mlbench::cli {

// Loads and validates a config file; on failure prints every diagnostic, one per line on
// stderr in `file:line:col: key: problem (fix)` form, and returns nullopt.
std::optional<config::Config> load_config_or_report(const std::string& path);

// With the local launcher and the default bare `mlbench-runner`, prefer the runner installed
// beside this `mlbench`: a fresh build tree has no runner on PATH.
void prefer_sibling_runner(config::Config& config);

}  // namespace mlbench::cli
