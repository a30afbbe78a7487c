#include "mlbench/accuracy/rouge_summary.h"

#include <vector>

#include "accuracy/numpy_numeric.h"

namespace mlbench::accuracy {
namespace {

template <typename PickScore>
double mlperf_mean_f_times_100(std::span<const RougeScores> scores, PickScore pick) {
  std::vector<double> fmeasures;
  fmeasures.reserve(scores.size());
  for (const RougeScores& pair : scores)
    fmeasures.push_back(pick(pair).fmeasure);
  const double mean = numpy_sum(fmeasures) / static_cast<double>(fmeasures.size());
  return numpy_round(mean * 100, 4);
}

}  // namespace

Result<MlperfRougeSummary> summarize_for_mlperf(std::span<const RougeScores> scores) {
  if (scores.empty()) {
    return fail(ErrorCode::kInvalidArgument, "no ROUGE scores to average", "ROUGE");
  }
  MlperfRougeSummary summary;
  summary.rouge1 = mlperf_mean_f_times_100(scores, [](const auto& s) { return s.rouge1; });
  summary.rouge2 = mlperf_mean_f_times_100(scores, [](const auto& s) { return s.rouge2; });
  summary.rouge_l = mlperf_mean_f_times_100(scores, [](const auto& s) { return s.rouge_l; });
  summary.rouge_lsum = mlperf_mean_f_times_100(scores, [](const auto& s) { return s.rouge_lsum; });
  summary.count = scores.size();
  return summary;
}

}  // namespace mlbench::accuracy
