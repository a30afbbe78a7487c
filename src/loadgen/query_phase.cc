#include "mlbench/loadgen/query_phase.h"

namespace mlbench::loadgen {

std::string_view to_string(QueryPhase phase) {
  return phase == QueryPhase::kAccuracy ? "accuracy" : "performance";
}

Result<std::vector<QueryPhase>> phases_of(TestMode mode) {
  switch (mode) {
    case TestMode::kAccuracyOnly: return std::vector{QueryPhase::kAccuracy};
    case TestMode::kPerformanceOnly: return std::vector{QueryPhase::kPerformance};
    case TestMode::kSubmissionRun:
      return std::vector{QueryPhase::kAccuracy, QueryPhase::kPerformance};
    case TestMode::kFindPeak: break;
  }
  return fail(ErrorCode::kUnsupported,
              "FindPeakPerformance searches for a QPS by measuring the SUT, so its queries cannot "
              "be planned ahead",
              "LoadGen test mode");
}

}  // namespace mlbench::loadgen
