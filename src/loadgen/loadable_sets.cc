#include "mlbench/loadgen/loadable_sets.h"

#include <algorithm>
#include <numeric>
#include <random>

#include "seeded_engine.h"

namespace mlbench::loadgen {
namespace {

uint64_t requested_sample_count(const EffectiveSettings& settings, QueryPhase phase) {
  return phase == QueryPhase::kAccuracy ? settings.accuracy_sample_count
                                        : settings.performance_sample_count;
}

// A MultiStream query takes samples_per_query contiguous samples from its start position, so
// each set is extended with copies of its own first indices (cyclically if the set is shorter).
void pad_for_contiguous_queries(LoadableSet& set, uint64_t padding) {
  set.samples.reserve(set.samples.size() + padding);
  for (uint64_t i = 0; i < padding; ++i) {
    const uint64_t copy = set.samples[i];
    set.samples.push_back(copy);
  }
}

}  // namespace

std::vector<LoadableSet> generate_loadable_sets(const EffectiveSettings& settings, QslCounts qsl,
                                                QueryPhase phase) {
  const uint64_t count = std::min(requested_sample_count(settings, phase), qsl.total);
  std::vector<uint64_t> order(count);
  std::iota(order.begin(), order.end(), uint64_t{0});
  std::mt19937 qsl_rng = seeded_engine(settings.qsl_rng_seed);
  std::shuffle(order.begin(), order.end(), qsl_rng);

  // A set size of 0 never fills a set, so everything lands in one, as in LoadGen.
  const uint64_t set_size = settings.performance_sample_count;
  std::vector<LoadableSet> sets;
  for (uint64_t begin = 0; begin < count;) {
    const uint64_t end = set_size == 0 ? count : std::min(count, begin + set_size);
    LoadableSet set;
    set.samples.assign(order.begin() + static_cast<std::ptrdiff_t>(begin),
                       order.begin() + static_cast<std::ptrdiff_t>(end));
    set.distribution_end = end - begin;
    sets.push_back(std::move(set));
    begin = end;
  }

  if (settings.scenario == Scenario::kMultiStream && settings.samples_per_query > 0) {
    for (LoadableSet& set : sets)
      pad_for_contiguous_queries(set, settings.samples_per_query - 1);
  }
  return sets;
}

}  // namespace mlbench::loadgen
