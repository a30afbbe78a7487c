#pragma once

#include <cstddef>
#include <span>

#include "mlbench/accuracy/rouge.h"
#include "mlbench/core/result.h"

namespace mlbench::accuracy {

// What MLPerf's llama3.1-8b evaluation.py reports for ROUGE: per metric,
// round(numpy.mean(F-measures) * 100, 4).
struct MlperfRougeSummary {
  double rouge1 = 0.0;
  double rouge2 = 0.0;
  double rouge_l = 0.0;
  double rouge_lsum = 0.0;
  std::size_t count = 0;  // pairs averaged
};

// Fails on an empty list, where numpy's mean would be NaN.
Result<MlperfRougeSummary> summarize_for_mlperf(std::span<const RougeScores> scores);

}  // namespace mlbench::accuracy
