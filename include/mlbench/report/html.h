#pragma once

#include <string>

#include "mlbench/report/run_report.h"

namespace mlbench::report {

// report.html: one self-contained page (no script, no network) with the tables of report.md
// and inline SVG charts: latency percentile curves, TTFT and TPOT percentiles, completed tokens
// over time, throughput per node against the baseline, and GPU telemetry where present.
std::string render_html(const RunReport& report);

}  // namespace mlbench::report
