#pragma once

#include <filesystem>
#include <vector>

#include "mlbench/core/result.h"

namespace mlbench::report {

enum class ReportFormat { kJson, kMarkdown, kHtml };

// Rebuilds report.json / report.md / report.html in `run_dir` from `run_dir/nodes/` (and
// run.json when present). What the controller calls at the end of `mlbench run`, and what
// `mlbench report` calls. Succeeds when the report files were written, whatever the nodes'
// statuses; fails only when no report could be written (no nodes/, unwritable directory).
Result<void> write_report_files(const std::filesystem::path& run_dir,
                                const std::vector<ReportFormat>& formats = {ReportFormat::kJson,
                                                                            ReportFormat::kMarkdown,
                                                                            ReportFormat::kHtml});

}  // namespace mlbench::report
