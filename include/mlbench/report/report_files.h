#pragma once

#include <filesystem>
#include <optional>
#include <string_view>
#include <vector>

#include "mlbench/core/result.h"
#include "mlbench/report/run_report.h"

namespace mlbench::report {

enum class ReportFormat { kJson, kMarkdown, kHtml };

// "json", "md" or "html".
std::optional<ReportFormat> parse_report_format(std::string_view name);

// Rebuilds report.json / report.md / report.html in `run_dir` from `run_dir/nodes/` (and
// run.json when present). What the controller calls at the end of `mlbench run`, and what
// `mlbench report` calls. Succeeds when the report files were written, whatever the nodes'
// statuses; fails only when no report could be written (no nodes/, unwritable directory).
Result<void> write_report_files(const std::filesystem::path& run_dir,
                                const std::vector<ReportFormat>& formats = {ReportFormat::kJson,
                                                                            ReportFormat::kMarkdown,
                                                                            ReportFormat::kHtml});

// The same, with options (a baseline run), returning the report so the caller can choose an
// exit code (run_verdict).
Result<RunReport> write_reports(const std::filesystem::path& run_dir,
                                const std::vector<ReportFormat>& formats,
                                const ReportOptions& options);

}  // namespace mlbench::report
