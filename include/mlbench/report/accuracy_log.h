#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mlbench/core/error.h"

namespace mlbench::report {

// mlperf_log_accuracy.json (specs/loadgen.md §4.3) reduced to what a report shows: how many
// responses were logged, for how many distinct samples, and how many tokens they carry. The
// responses themselves are scored by `mlbench-runner accuracy`, whose accuracy.json the
// report reads separately.
struct AccuracyLogSummary {
  uint64_t entries = 0;
  uint64_t unique_samples = 0;          // distinct qsl_idx (the evaluation dedups by it)
  std::optional<uint64_t> token_count;  // sum of token_count, when the entries carry it
  std::vector<Error> problems;          // damage, each naming file:line and the entry
};

AccuracyLogSummary parse_accuracy_log(std::string_view text, const std::string& file);

}  // namespace mlbench::report
