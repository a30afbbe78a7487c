#pragma once

#include <string_view>
#include <vector>

#include "mlbench/core/result.h"
#include "mlbench/loadgen/scenario.h"

namespace mlbench::loadgen {

// Which of LoadGen's two runs queries are generated for. It is separate from TestMode because
// one SubmissionRun test runs both, with the same settings, and LoadGen picks the sample
// selection (shuffled order vs. uniform draws) by the run, not by the settings' mode.
enum class QueryPhase { kAccuracy, kPerformance };

std::string_view to_string(QueryPhase phase);

// The runs a test mode makes, in LoadGen's order (SubmissionRun: accuracy, then performance).
// FindPeakPerformance fails with kUnsupported: its binary search needs real measurements.
Result<std::vector<QueryPhase>> phases_of(TestMode mode);

}  // namespace mlbench::loadgen
