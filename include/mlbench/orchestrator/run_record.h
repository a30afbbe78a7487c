#pragma once

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "mlbench/config/config.h"
#include "mlbench/core/exit_code.h"
#include "mlbench/core/result.h"
#include "mlbench/orchestrator/plan.h"
#include "mlbench/report/run_layout.h"

namespace mlbench::orchestrator {

// "2026-12-01T19:30:00Z".
std::string iso_utc(std::chrono::system_clock::time_point time);

// What run.json records besides the plan (docs/run-layout.md lists every field).
struct RunTimes {
  std::chrono::system_clock::time_point started;
  std::optional<std::chrono::system_clock::time_point> ended;  // absent while the run goes on
};

struct RunEnd {
  bool interrupted = false;
  ExitCode exit_code = ExitCode::kOk;
  std::vector<report::NodeOutcome> nodes;
};

// run.json: the plan, the config snapshot (secrets redacted), user.conf's text, versions,
// settings and times; at the end also how each node ended and the exit code.
nlohmann::json run_record(const config::Config& config, const RunPlan& plan, const RunTimes& times,
                          const std::optional<RunEnd>& end);

// Writes `json` to `path` through a temporary file and a rename, so a reader never sees half.
Result<void> write_json_atomically(const std::filesystem::path& path, const nlohmann::json& json);

}  // namespace mlbench::orchestrator
