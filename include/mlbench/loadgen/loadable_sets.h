#pragma once

#include <cstdint>
#include <vector>

#include "mlbench/loadgen/effective_settings.h"
#include "mlbench/loadgen/query_phase.h"

namespace mlbench::loadgen {

// Samples the QSL holds in memory together while queries are drawn from them (LoadGen's
// LoadableSampleSet).
struct LoadableSet {
  // QSL indices. In MultiStream the set's first samples_per_query-1 indices are repeated at the
  // end, so a query of contiguous samples may start at any position of the set proper.
  std::vector<uint64_t> samples;
  // How many leading entries of `samples` are the set proper: queries start only there.
  uint64_t distribution_end = 0;

  bool operator==(const LoadableSet&) const = default;
};

// LoadGen's GenerateLoadableSets: indices 0..n-1 (n = the phase's sample count, capped at the
// QSL's total) shuffled with a fresh qsl_rng, then cut into sets of performance_sample_count;
// the last set may be smaller. A performance run uses only the first set, an accuracy run all
// of them in order. Empty only when the QSL is.
std::vector<LoadableSet> generate_loadable_sets(const EffectiveSettings& settings, QslCounts qsl,
                                                QueryPhase phase);

}  // namespace mlbench::loadgen
