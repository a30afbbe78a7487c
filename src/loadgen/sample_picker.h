#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "mlbench/core/result.h"
#include "mlbench/loadgen/effective_settings.h"
#include "mlbench/loadgen/loadable_sets.h"
#include "mlbench/loadgen/query_phase.h"

namespace mlbench::loadgen {

// Chooses where in a loadable set each Server/SingleStream sample (or MultiStream query)
// starts: LoadGen's sample distributions for one GenerateQueries call.
//
// The invariant a class protects here is the order of sample_rng draws. LoadGen builds all
// three pre-shuffled orders up front, in a fixed order, whether or not the run reads them —
// the run-wide shuffle (accuracy only), the "unique" shuffle, then the equal-issue
// permutations — and only then draws per query. Building them anywhere else would shift every
// later draw.
class SamplePicker {
 public:
  // `stride`: samples per query in MultiStream (queries start on multiples of it), else 1.
  // `equal_issue_queries`: the query count the equal-issue permutations must cover, taken
  // before LoadGen pads it to whole sets; beyond it they repeat.
  static Result<SamplePicker> create(const EffectiveSettings& settings, QueryPhase phase,
                                     const LoadableSet& set, uint64_t stride,
                                     uint64_t equal_issue_queries, std::mt19937& sample_rng);

  // A position in the loadable set (including its MultiStream padding).
  Result<uint64_t> next(std::mt19937& sample_rng);

 private:
  enum class Rule { kUniformDraw, kRunOrder, kUniqueOrder, kSameSample, kEqualIssue };

  SamplePicker() = default;

  Rule rule_ = Rule::kUniformDraw;
  std::uniform_int_distribution<int> uniform_;
  std::vector<uint64_t> run_order_;          // accuracy: each query start once, shuffled
  std::vector<uint64_t> unique_order_;       // performance_issue_unique: the same, shuffled again
  std::vector<uint64_t> equal_issue_order_;  // concatenated permutations of the whole set
  uint64_t same_sample_ = 0;
  uint64_t cursor_ = 0;  // queries picked so far
};

}  // namespace mlbench::loadgen
