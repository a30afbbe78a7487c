#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "mlbench/report/node_report.h"
#include "mlbench/report/run_report.h"

// How the Markdown and HTML reports print figures, so both say the same thing.
namespace mlbench::report::figures_text {

// "12.345" ms from ns; "-" when absent.
std::string ms(std::optional<int64_t> ns);
std::string ms(double ns);
// Throughput with two decimals; "-" when absent.
std::string rate(const std::optional<Figure>& figure);
std::string rate(std::optional<double> value);
// "448 / 448 (100.0 %)"; "-" when unknown.
std::string samples(const std::optional<SampleCounts>& counts);
// "VALID", "INVALID", or "-" (no performance verdict, e.g. an accuracy run).
std::string verdict(const NodeResult& result);
// The headline verdict of a run: "VALID (2 of 2 nodes)" and so on.
std::string run_verdict_text(const RunReport& report);
// Short names of the files figures come from.
std::string source_label(const std::string& source);
// Human name of a validity condition.
std::string condition_label(const std::string& name);

}  // namespace mlbench::report::figures_text
