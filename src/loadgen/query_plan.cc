#include "mlbench/loadgen/query_plan.h"

namespace mlbench::loadgen {

Result<std::vector<PlannedSet>> plan_queries(const EffectiveSettings& settings, QslCounts qsl) {
  auto phases = phases_of(settings.mode);
  if (!phases) return phases.failure();
  std::vector<PlannedSet> plan;
  for (const QueryPhase phase : *phases) {
    std::vector<LoadableSet> sets = generate_loadable_sets(settings, qsl, phase);
    if (sets.empty()) {
      return fail(ErrorCode::kInvalidArgument, "the QSL has no samples to load",
                  "LoadGen loadable sets");
    }
    // A performance run loads only the first set and draws every query from it.
    if (phase == QueryPhase::kPerformance) sets.resize(1);
    for (LoadableSet& set : sets) {
      auto generated = generate_queries(settings, set, phase);
      if (!generated) return generated.failure();
      plan.push_back({phase, std::move(set), std::move(*generated)});
    }
  }
  return plan;
}

}  // namespace mlbench::loadgen
