#include "mlbench/loadgen/query_schedule.h"

#include <fmt/format.h>

#include <algorithm>
#include <random>

#include "arrival_gaps.h"
#include "sample_picker.h"
#include "seeded_engine.h"

namespace mlbench::loadgen {
namespace {

constexpr std::string_view kWhere = "LoadGen query generation";

// Not a LoadGen limit: LoadGen would try to allocate whatever the settings ask for. Real
// llama3.1-8b runs plan well under a million samples; past this a conf file is wrong, and
// failing beats exhausting memory.
constexpr uint64_t kMaxPlannedSamples = 200'000'000;

// How long and how many queries to generate for, after LoadGen's adjustments.
struct GenerationTarget {
  std::chrono::nanoseconds until{0};  // keep going while the last offset is below this
  uint64_t min_queries = 0;
  uint64_t samples_per_query = 0;
  uint64_t equal_issue_queries = 0;  // min_queries before equal-issue padding
};

GenerationTarget generation_target(const EffectiveSettings& settings, const LoadableSet& set,
                                   QueryPhase phase) {
  const bool accuracy = phase == QueryPhase::kAccuracy;
  const bool offline = settings.scenario == Scenario::kOffline;
  const uint64_t loaded = set.samples.size();
  GenerationTarget target;
  // Twice the needed duration, in case the SUT is faster than expected; Server's duration is
  // measured on the schedule itself, so once is enough.
  const int multiplier = settings.scenario == Scenario::kServer ? 1 : 2;
  target.until = multiplier * std::chrono::nanoseconds(settings.target_duration);
  target.min_queries = settings.min_query_count;
  target.samples_per_query =
      accuracy && offline ? set.distribution_end : settings.samples_per_query;

  // Accuracy runs (and performance_issue_unique) issue each sample once and never stop early.
  if (accuracy || settings.performance_issue_unique) {
    target.until = std::chrono::nanoseconds(0);
    target.min_queries = target.samples_per_query == 0 ? 0 : loaded / target.samples_per_query;
  }
  target.equal_issue_queries = target.min_queries;

  // Equal issue pads to whole copies of the set: Offline in samples per query, the others in
  // queries.
  if (!accuracy && settings.sample_concatenate_permutation) {
    uint64_t& padded = offline ? target.samples_per_query : target.min_queries;
    if (padded % loaded != 0) padded += loaded - padded % loaded;
  }
  return target;
}

// The Offline query: the set repeated to fill it, each copy shuffled in equal-issue mode (also
// in accuracy runs, where the flag still applies), plus a leading part of the set. LoadGen
// never randomises it otherwise.
std::vector<uint64_t> offline_samples(const EffectiveSettings& settings, const LoadableSet& set,
                                      uint64_t samples_per_query, std::mt19937& sample_rng) {
  const auto& loaded = set.samples;
  if (settings.performance_issue_same) {
    return std::vector<uint64_t>(samples_per_query, loaded[settings.performance_issue_same_index]);
  }
  std::vector<uint64_t> samples;
  samples.reserve(samples_per_query);
  const uint64_t copies = samples_per_query / loaded.size();
  for (uint64_t copy = 0; copy < copies; ++copy) {
    const auto copy_begin = samples.insert(samples.end(), loaded.begin(), loaded.end());
    if (settings.sample_concatenate_permutation) {
      std::shuffle(copy_begin, samples.end(), sample_rng);
    }
  }
  const uint64_t remainder = samples_per_query % loaded.size();
  samples.insert(samples.end(), loaded.begin(),
                 loaded.begin() + static_cast<std::ptrdiff_t>(remainder));
  return samples;
}

// Server/SingleStream: each sample picked on its own. MultiStream: one pick gives the first of
// samples_per_query contiguous samples (the set's padding keeps them in range).
Result<std::vector<uint64_t>> picked_samples(const EffectiveSettings& settings,
                                             const LoadableSet& set, uint64_t samples_per_query,
                                             SamplePicker& picker, std::mt19937& sample_rng) {
  const auto& loaded = set.samples;
  std::vector<uint64_t> samples;
  samples.reserve(samples_per_query);
  if (settings.scenario == Scenario::kMultiStream) {
    auto start = picker.next(sample_rng);
    if (!start) return start.failure();
    if (*start + samples_per_query > loaded.size()) {
      return fail(ErrorCode::kConfig,
                  fmt::format("a MultiStream query starting at position {} runs past the "
                              "loadable set ({} samples)",
                              *start, loaded.size()),
                  std::string(kWhere));
    }
    const auto first = loaded.begin() + static_cast<std::ptrdiff_t>(*start);
    samples.assign(first, first + static_cast<std::ptrdiff_t>(samples_per_query));
    return samples;
  }
  for (uint64_t i = 0; i < samples_per_query; ++i) {
    auto position = picker.next(sample_rng);
    if (!position) return position.failure();
    samples.push_back(loaded[*position]);
  }
  return samples;
}

Result<void> check_targets(const EffectiveSettings& settings, const LoadableSet& set,
                           const GenerationTarget& target) {
  if (target.samples_per_query == 0) {
    return fail(ErrorCode::kConfig, "samples per query is 0, so no query can hold a sample",
                std::string(kWhere));
  }
  if (settings.performance_issue_same &&
      settings.performance_issue_same_index >= set.samples.size()) {
    return fail(ErrorCode::kConfig,
                fmt::format("performance_issue_same_index {} is outside the loaded set of {} "
                            "samples",
                            settings.performance_issue_same_index, set.samples.size()),
                std::string(kWhere));
  }
  return {};
}

}  // namespace

Result<GeneratedQueries> generate_queries(const EffectiveSettings& settings, const LoadableSet& set,
                                          QueryPhase phase) {
  if (set.samples.empty() || set.distribution_end == 0) {
    return fail(ErrorCode::kInvalidArgument, "the loadable set is empty", std::string(kWhere));
  }
  GenerationTarget target = generation_target(settings, set, phase);
  if (auto checked = check_targets(settings, set, target); !checked) return checked.failure();

  std::mt19937 sample_rng = seeded_engine(settings.sample_index_rng_seed);
  std::mt19937 schedule_rng = seeded_engine(settings.schedule_rng_seed);
  const bool multi_stream = settings.scenario == Scenario::kMultiStream;
  auto picker =
      SamplePicker::create(settings, phase, set, multi_stream ? target.samples_per_query : 1,
                           target.equal_issue_queries, sample_rng);
  if (!picker) return picker.failure();
  auto gaps = ArrivalGaps::create(settings.scenario, settings.target_qps);
  if (!gaps) return gaps.failure();

  const bool offline = settings.scenario == Scenario::kOffline;
  // Equal issue keeps whole copies of the set: while the schedule is still short of the
  // duration, each time the query count is reached LoadGen adds another copy's worth.
  const bool extend_by_whole_sets = settings.sample_concatenate_permutation && !offline;

  GeneratedQueries generated;
  generated.samples_per_query = target.samples_per_query;
  std::chrono::nanoseconds offset{0};
  std::chrono::nanoseconds last_offset{0};
  uint64_t planned_samples = 0;
  while (last_offset < target.until || generated.queries.size() < target.min_queries) {
    planned_samples += target.samples_per_query;
    if (planned_samples > kMaxPlannedSamples) {
      return fail(ErrorCode::kConfig,
                  fmt::format("these settings ask for more than {} samples; check the target "
                              "rate, durations and query counts",
                              kMaxPlannedSamples),
                  std::string(kWhere));
    }
    Query query;
    query.scheduled_offset = offset;
    if (offline) {
      query.sample_indices = offline_samples(settings, set, target.samples_per_query, sample_rng);
    } else {
      auto samples = picked_samples(settings, set, target.samples_per_query, *picker, sample_rng);
      if (!samples) return samples.failure();
      query.sample_indices = std::move(*samples);
    }
    generated.queries.push_back(std::move(query));

    last_offset = offset;
    auto gap = gaps->next(schedule_rng);
    if (!gap) return gap.failure();
    offset += *gap;
    if (extend_by_whole_sets && generated.queries.size() >= target.min_queries &&
        last_offset < target.until) {
      target.min_queries += set.samples.size();
    }
  }
  // LoadGen would add a "remainder" query to an Offline accuracy run if the set did not divide
  // into whole queries; an Offline query there is the whole set, so there never is one.
  if (generated.queries.empty()) {
    // Only performance_issue_unique with fewer loaded samples than samples_per_query gets here
    // (Offline, QSL smaller than the performance count); LoadGen then crashes.
    return fail(ErrorCode::kConfig,
                fmt::format("these settings generate no queries: {} loaded samples make no "
                            "whole query of {}",
                            set.samples.size(), target.samples_per_query),
                std::string(kWhere));
  }
  generated.duration = offset;
  return generated;
}

}  // namespace mlbench::loadgen
