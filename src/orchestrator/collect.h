#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "mlbench/core/result.h"
#include "mlbench/transport/launcher.h"

namespace mlbench::orchestrator::detail {

// Brings the regular files of `remote_dir` into `local_dir`, each through the transport's
// temp-file-and-rename with its size checked, so a file either arrives whole or not at all.
// Files the controller writes itself (node.json, events.jsonl, runner.log) are never
// overwritten. The deadline is checked before each file; a single file is bounded by the
// transport's own I/O timeout. Stops at the first failure: the files already copied stay.
Result<void> collect_files(transport::NodeSession& session, const std::string& remote_dir,
                           const std::string& local_dir,
                           std::chrono::steady_clock::time_point deadline);

// The names in `expected` that are not regular files in `dir`.
std::vector<std::string> missing_files(const std::string& dir,
                                       const std::vector<std::string>& expected);

}  // namespace mlbench::orchestrator::detail
