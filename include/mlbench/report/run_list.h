#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "mlbench/core/result.h"

namespace mlbench::report {

// One line of `mlbench runs`.
struct RunRow {
  std::string id;
  std::string dir;
  std::string date;  // run.json started_utc, else the directory's modification time (UTC)
  std::string scenario;
  std::string mode;
  size_t nodes = 0;
  size_t nodes_ok = 0;
  std::string headline;  // "2188.96 tokens/s", "30.11 samples/s" or "-"
  std::string validity;  // "VALID 2/2", "INVALID 1 of 2", "no results", ...
  std::string problem;   // why the run could not be read; empty when it could
};

// Every run directory (one holding nodes/) directly under `runs_dir`, oldest first. Reads
// report.json where it exists (fast) and builds the report from nodes/ otherwise.
Result<std::vector<RunRow>> list_runs(const std::filesystem::path& runs_dir);

std::string render_run_list(const std::vector<RunRow>& rows);

}  // namespace mlbench::report
