#pragma once

#include <optional>
#include <string>

#include "mlbench/config/config.h"

namespace mlbench::cli {

// Loads and validates a config file; on failure prints every diagnostic, one per line on
// stderr in `file:line:col: key: problem (fix)` form, and returns nullopt.
std::optional<config::Config> load_config_or_report(const std::string& path);

// load_config_or_report for the commands that start or check runners (run, preflight): with the
// local launcher and the default bare `mlbench-runner`, the runner installed beside this
// `mlbench` is preferred, since a fresh build tree has no runner on PATH.
std::optional<config::Config> load_runner_config_or_report(const std::string& path);

}  // namespace mlbench::cli
