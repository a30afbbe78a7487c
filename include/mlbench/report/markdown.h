#pragma once

#include <string>

#include "mlbench/report/run_report.h"

namespace mlbench::report {

// report.md: headline, per-node table, percentile tables, validity with reasons, accuracy,
// scaling and warnings. Figures only; no judgement a figure does not carry.
std::string render_markdown(const RunReport& report);

}  // namespace mlbench::report
