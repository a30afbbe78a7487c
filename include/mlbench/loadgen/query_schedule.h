#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include "mlbench/core/result.h"
#include "mlbench/loadgen/effective_settings.h"
#include "mlbench/loadgen/loadable_sets.h"
#include "mlbench/loadgen/query_phase.h"

namespace mlbench::loadgen {

// One pre-generated query.
struct Query {
  std::vector<uint64_t> sample_indices;  // QSL indices, in the order LoadGen issues them
  // Offset from the start of the run. Server issues the query then (and measures latency from
  // it); other scenarios issue as soon as the previous query completes, and this only records
  // LoadGen's nominal 1/target_qps spacing.
  std::chrono::nanoseconds scheduled_offset{0};

  bool operator==(const Query&) const = default;
};

// What LoadGen's GenerateQueries returns and logs (generated_query_count,
// generated_samples_per_query, generated_query_duration).
struct GeneratedQueries {
  std::vector<Query> queries;
  uint64_t samples_per_query = 0;  // after equal-issue padding (Offline)
  // The offset after the last query: the sum of every gap drawn, one more than the queries.
  std::chrono::nanoseconds duration{0};
};

// LoadGen's GenerateQueries for one loadable set: every query a run may issue, decided before
// anything is issued, with fresh sample and schedule RNGs. Server issues all of them; a
// SingleStream/MultiStream performance run stops once min_query_count and min_duration are met,
// so it issues a prefix. Each accuracy-run loadable set gets its own call and so replays the
// same schedule. Fails for settings under which LoadGen's own generation would be undefined
// (a 0 or non-finite rate, 0 samples per query, an out-of-set performance_issue_same_index,
// equal issue with min_query_count 0) or would not fit in memory.
Result<GeneratedQueries> generate_queries(const EffectiveSettings& settings, const LoadableSet& set,
                                          QueryPhase phase);

}  // namespace mlbench::loadgen
