#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mlbench/core/result.h"
#include "mlbench/report/run_report.h"

namespace mlbench::report {

// One figure in both runs. `scope` is "cluster" or a node name.
struct MetricDelta {
  std::string scope;
  std::string metric;
  bool higher_is_better = true;
  double base = 0;
  double current = 0;
  std::optional<double> delta_pct;  // (current - base) / base; absent when base is 0
  bool regression = false;          // worse by more than the threshold
};

struct Comparison {
  std::string base_id;
  std::string current_id;
  double max_regression_pct = 5;
  std::vector<MetricDelta> deltas;
  // Changes that are regressions whatever the threshold (VALID -> INVALID, ok -> failed, a
  // node gone); warnings that the runs do not measure the same thing (a smoke run against a
  // full one), which do not fail the gate but say why its deltas may mislead; and notes (a
  // node only in one run, both runs smoke runs).
  std::vector<std::string> regressions;
  std::vector<std::string> warnings;
  std::vector<std::string> notes;

  bool regressed() const;
};

// "5%", "5" or "2.5 %" -> 5 / 5 / 2.5. Refuses negatives and non-numbers.
Result<double> parse_percentage(std::string_view text);

// Refuses runs of different scenarios or modes: their figures do not measure the same thing.
Result<Comparison> compare_runs(const RunReport& base, const RunReport& current,
                                double max_regression_pct);

// A plain-text table for the terminal (and CI logs).
std::string render_comparison(const Comparison& comparison);

}  // namespace mlbench::report
