#include "sample_picker.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <numeric>

namespace mlbench::loadgen {
namespace {

constexpr std::string_view kWhere = "LoadGen query generation";

// Every stride-th position below `end`, shuffled: each query start exactly once.
std::vector<uint64_t> shuffled_starts(uint64_t end, uint64_t stride, std::mt19937& rng) {
  std::vector<uint64_t> starts;
  for (uint64_t position = 0; position < end; position += stride)
    starts.push_back(position);
  std::shuffle(starts.begin(), starts.end(), rng);
  return starts;
}

// Enough permutations of 0..set_size-1 to cover `queries` picks. Each permutation shuffles the
// previous one rather than a fresh 0..n-1, as LoadGen does; that changes the draws' meaning,
// not their number, but the result must match.
std::vector<uint64_t> concatenated_permutations(uint64_t queries, uint64_t set_size,
                                                std::mt19937& rng) {
  std::vector<uint64_t> permutation(set_size);
  std::iota(permutation.begin(), permutation.end(), uint64_t{0});
  std::vector<uint64_t> order;
  for (uint64_t covered = 0; covered < queries; covered += set_size) {
    std::shuffle(permutation.begin(), permutation.end(), rng);
    order.insert(order.end(), permutation.begin(), permutation.end());
  }
  return order;
}

// LoadGen reads these orders with bounds checks and throws; it happens when equal issue pads a
// performance_issue_unique run (MultiStream) beyond the set's query starts.
Failure ran_out(std::string_view what, uint64_t size) {
  return fail(ErrorCode::kConfig,
              fmt::format("these settings need more queries than the {} order's {} query "
                          "starts (LoadGen throws std::out_of_range here)",
                          what, size),
              std::string(kWhere));
}

}  // namespace

Result<SamplePicker> SamplePicker::create(const EffectiveSettings& settings, QueryPhase phase,
                                          const LoadableSet& set, uint64_t stride,
                                          uint64_t equal_issue_queries, std::mt19937& sample_rng) {
  const uint64_t end = set.distribution_end;
  if (end == 0 || stride == 0 || set.samples.empty()) {
    return fail(ErrorCode::kInvalidArgument, "cannot pick samples from an empty loadable set",
                std::string(kWhere));
  }
  SamplePicker picker;
  if (phase == QueryPhase::kAccuracy) {
    picker.run_order_ = shuffled_starts(end, stride, sample_rng);
  } else {
    // LoadGen's performance draw is a uniform_int_distribution<int>; wider sets would wrap.
    if (end - 1 > static_cast<uint64_t>(std::numeric_limits<int>::max())) {
      return fail(
          ErrorCode::kUnsupported,
          fmt::format("a loadable set of {} samples is more than LoadGen can draw from", end),
          std::string(kWhere));
    }
    picker.uniform_ = std::uniform_int_distribution<int>(0, static_cast<int>(end - 1));
  }
  picker.unique_order_ = shuffled_starts(end, stride, sample_rng);
  picker.equal_issue_order_ =
      concatenated_permutations(equal_issue_queries, set.samples.size(), sample_rng);

  // LoadGen's precedence; MultiStream never uses the equal-issue order (it was still built).
  const bool multi_stream = settings.scenario == Scenario::kMultiStream;
  if (settings.performance_issue_unique) {
    picker.rule_ = Rule::kUniqueOrder;
  } else if (settings.performance_issue_same) {
    picker.rule_ = Rule::kSameSample;
    picker.same_sample_ = settings.performance_issue_same_index;
  } else if (settings.sample_concatenate_permutation && !multi_stream) {
    picker.rule_ = Rule::kEqualIssue;
  } else {
    picker.rule_ = phase == QueryPhase::kAccuracy ? Rule::kRunOrder : Rule::kUniformDraw;
  }
  return picker;
}

Result<uint64_t> SamplePicker::next(std::mt19937& sample_rng) {
  const uint64_t pick = cursor_++;
  switch (rule_) {
    case Rule::kUniformDraw: return static_cast<uint64_t>(uniform_(sample_rng));
    case Rule::kRunOrder:
      if (pick >= run_order_.size()) return ran_out("accuracy", run_order_.size());
      return run_order_[pick];
    case Rule::kUniqueOrder:
      if (pick >= unique_order_.size()) return ran_out("unique", unique_order_.size());
      return unique_order_[pick];
    case Rule::kSameSample: return same_sample_;
    case Rule::kEqualIssue:
      // LoadGen would divide by zero here; only a min_query_count of 0 leads to it.
      if (equal_issue_order_.empty()) {
        return fail(ErrorCode::kConfig,
                    "equal-issue mode (sample_concatenate_permutation) needs a min_query_count "
                    "above 0",
                    std::string(kWhere));
      }
      return equal_issue_order_[pick % equal_issue_order_.size()];
  }
  return fail(ErrorCode::kInternal, "unknown sample rule", std::string(kWhere));
}

}  // namespace mlbench::loadgen
