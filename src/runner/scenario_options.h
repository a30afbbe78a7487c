#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mlbench/core/result.h"
#include "mlbench/loadgen/load_settings.h"

namespace mlbench::runner {

// What `plan` and `run` both need to know to derive LoadGen's settings for one test.
struct ScenarioOptions {
  std::string model_name = "llama3_1-8b";
  std::string scenario;
  std::string mode = "performance";
  std::string user_conf;  // empty: mlperf.conf alone
  uint64_t total_count = 0;
  std::optional<uint64_t> perf_count;  // unset: the same as total_count
};

struct ScenarioSettings {
  loadgen::SettingsRequest request;
  loadgen::LoadedSettings loaded;
};

// Declares --model-name, --scenario, --mode, --user-conf, --total-count, --perf-count.
void add_scenario_options(CLI::App& sub, ScenarioOptions& options);

// Validates the options, applies mlperf.conf and user.conf and derives the effective settings;
// each conf diagnostic is logged as a warning with its file and line.
Result<ScenarioSettings> load_scenario_settings(const ScenarioOptions& options);

}  // namespace mlbench::runner
