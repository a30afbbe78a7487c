#pragma once

#include <string>

#include "mlbench/loadgen/performance_result.h"
#include "mlbench/loadgen/run_record.h"

namespace mlbench::loadgen {

// mlperf_log_summary.txt as LoadGen 6.0.17 writes it (PerformanceSummary::LogSummary and
// TestSettingsInternal::LogSummary), line for line. A performance run gets the results, the
// additional stats and the parameters; an accuracy run only the warning/error footer. The
// footer counts the same warnings and errors render_detail_log writes.
std::string render_summary_log(const RunRecord& record, const PerformanceResult& result);

}  // namespace mlbench::loadgen
