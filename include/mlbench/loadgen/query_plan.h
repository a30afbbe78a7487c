#pragma once

#include <vector>

#include "mlbench/core/result.h"
#include "mlbench/loadgen/effective_settings.h"
#include "mlbench/loadgen/loadable_sets.h"
#include "mlbench/loadgen/query_phase.h"
#include "mlbench/loadgen/query_schedule.h"

namespace mlbench::loadgen {

// The queries generated for one loadable set.
struct PlannedSet {
  QueryPhase phase = QueryPhase::kPerformance;
  LoadableSet loadable_set;
  GeneratedQueries generated;
};

// Everything a test would generate, in issue order: for an accuracy run every loadable set in
// turn, for a performance run the first set only; SubmissionRun does both. Fails as
// generate_queries does, and for FindPeakPerformance.
Result<std::vector<PlannedSet>> plan_queries(const EffectiveSettings& settings, QslCounts qsl);

}  // namespace mlbench::loadgen
