#include "mlbench/loadgen/early_stopping.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace mlbench::loadgen {
namespace {

// LoadGen evaluates early stopping at these fixed values (results.cc).
constexpr double kConfidence = 0.99;
constexpr double kTolerance = 0.0;
// The percentile SingleStream also estimates, for inferring MultiStream.
constexpr double kMultiStreamPercentile = 0.99;

// Every expression below keeps LoadGen's operand types and evaluation order: h(t) sits where
// the odds cross 1 %, and a different rounding could move a borderline answer by one.

double log_beta(int64_t a, int64_t b) {
  return std::lgamma(static_cast<double>(a)) + std::lgamma(static_cast<double>(b)) -
         std::lgamma(static_cast<double>(a + b));
}

// 2F1(1, b; c; x) by its power series (DLMF 15.2.1), summed until a term is below 2^-33.
double hypergeometric_a1(int64_t b, int64_t c, double x) {
  const double tolerance = 1.0 / static_cast<double>(1LL << 33);
  double term = 1.0;
  double sum = 1.0;
  for (int64_t i = 0; std::abs(term) > tolerance; ++i) {
    term *= static_cast<double>(b + i) * x / static_cast<double>(c + i);
    sum += term;
  }
  return sum;
}

// I_x(a, b) through the transformation DLMF 15.8.1, which keeps the series finite for the
// integer b LoadGen passes.
double regularized_incomplete_beta(double x, int64_t a, int64_t b) {
  const double prefactor = std::exp(static_cast<double>(a) * std::log(x) +
                                    static_cast<double>(b - 1) * std::log(1 - x) - log_beta(a, b));
  return prefactor / static_cast<double>(a) * hypergeometric_a1(1 - b, 1 + a, x / (x - 1));
}

// Lowest h in [low, high) whose odds are below 1 - c (strictly), or `high` if none is.
int64_t binary_search_min_passing(int64_t low, int64_t high, int64_t t, double percentile) {
  int64_t count = high - low;
  while (count > 0) {
    const int64_t step = count / 2;
    const int64_t h = low + step;
    if (overlatency_odds(h, t, percentile) < 1 - kConfidence) {
      count = step;
    } else {
      low = h + 1;
      count -= step + 1;
    }
  }
  return low;
}

std::string percentile_label(double percentile) {
  return fmt::format("{:.1f}", percentile * 100);
}

}  // namespace

double overlatency_odds(int64_t h, int64_t t, double percentile) {
  return regularized_incomplete_beta(percentile - kTolerance, h, 1 + t);
}

int64_t MinPassingQueriesFinder::operator()(int64_t t) {
  auto above = known_.lower_bound(t);
  if (above != known_.end() && above->first == t) return above->second;

  const double p = percentile_ - kTolerance;
  // The two nearest answers below t; with none, the lines start from h(0)'s closed form.
  int64_t x0 = -1;
  int64_t y0 = 0;
  int64_t x1 = 0;
  auto y1 = static_cast<int64_t>(std::ceil(std::log(1 - kConfidence) / std::log(p)));
  if (above != known_.begin()) {
    --above;
    x1 = above->first;
    y1 = above->second;
    if (above != known_.begin()) {
      --above;
      x0 = above->first;
      y0 = above->second;
    }
  }
  // LoadGen multiplies where a slope would divide; for neighbouring t (the only way it asks)
  // x1 - x0 is 1 and both agree.
  const double min_slope = p / (1 - p);
  const auto max_slope = static_cast<double>((y1 - y0) * (x1 - x0));
  const auto low =
      static_cast<int64_t>(static_cast<double>(t - x1) * min_slope + static_cast<double>(y1));
  const auto high =
      static_cast<int64_t>(static_cast<double>(t - x1) * max_slope + static_cast<double>(y1) + 1);
  const int64_t h = binary_search_min_passing(low, high, t, percentile_);
  known_[t] = h;
  return h;
}

int64_t min_passing_queries(int64_t overlatency_count, double percentile) {
  MinPassingQueriesFinder finder(percentile);
  return finder(overlatency_count);
}

ServerEarlyStopping server_early_stopping(std::span<const int64_t> latencies_ns,
                                          int64_t queries_issued, int64_t limit_ns,
                                          double percentile) {
  ServerEarlyStopping result;
  result.overlatency_count = std::count_if(latencies_ns.begin(), latencies_ns.end(),
                                           [&](int64_t latency) { return latency > limit_ns; });
  result.min_passing = min_passing_queries(result.overlatency_count, percentile);
  const int64_t needed = result.min_passing + result.overlatency_count;
  result.met = queries_issued >= needed;
  if (result.met) {
    result.text = " * Run successful.";
  } else {
    result.text = fmt::format(
        " * Run unsuccessful.\n * Processed {} queries.\n * Would need to run at least {} more "
        "queries,\n with the run being successful if every additional\n query were under latency.",
        queries_issued, needed - queries_issued);
  }
  return result;
}

namespace {

// The largest t >= 1 with queries_issued >= h(t) + t, scanning upwards as LoadGen does (so the
// finder sees t = 1, 2, 3, ... in order).
int64_t overlatency_allowance(MinPassingQueriesFinder& finder, int64_t queries_issued) {
  for (int64_t i = 2; i < queries_issued + 1; ++i) {
    if (queries_issued < finder(i) + i) return i - 1;
  }
  return 1;
}

int64_t latency_at(std::span<const int64_t> sorted, int64_t index) {
  // LoadGen indexes by queries issued; with samples that never completed we have fewer
  // latencies, and such a run is INVALID anyway, so clamp rather than read past the end.
  if (sorted.empty()) return 0;
  const auto last = static_cast<int64_t>(sorted.size()) - 1;
  return sorted[static_cast<size_t>(std::clamp<int64_t>(index, 0, last))];
}

}  // namespace

SingleStreamEarlyStopping single_stream_early_stopping(std::span<const int64_t> sorted_latencies_ns,
                                                       int64_t queries_issued, double percentile) {
  SingleStreamEarlyStopping result;
  MinPassingQueriesFinder finder(percentile);
  const int64_t h_min = finder(1);
  if (queries_issued < h_min + 1) {
    result.text = fmt::format(
        " * Only processed {} queries.\n * Need to process at least {} queries for early "
        "stopping.",
        queries_issued, h_min + 1);
    return result;
  }
  const int64_t t = overlatency_allowance(finder, queries_issued);
  result.met = true;
  result.discarded = t - 1;
  result.estimate_ns = latency_at(sorted_latencies_ns, queries_issued - t);
  result.text = fmt::format(
      " * Processed at least {} queries ({}).\n * Would discard {} highest latency queries.\n * "
      "Early stopping {}th percentile estimate: {}",
      h_min + 1, queries_issued, t - 1, percentile_label(percentile), result.estimate_ns);

  MinPassingQueriesFinder finder_p99(kMultiStreamPercentile);
  const int64_t h_min_p99 = finder_p99(1);
  if (queries_issued < h_min_p99 + 1) {
    result.text += fmt::format(
        "\n * Not enough queries processed for {}th percentile\n early stopping estimate (would "
        "need to process at\n least {} total queries).",
        percentile_label(kMultiStreamPercentile), h_min_p99 + 1);
  } else {
    const int64_t t_p99 = overlatency_allowance(finder_p99, queries_issued);
    result.estimated_p99 = true;
    result.estimate_p99_ns = latency_at(sorted_latencies_ns, queries_issued - t_p99);
    result.text += fmt::format("\n * Early stopping {}th percentile estimate: {}",
                               percentile_label(kMultiStreamPercentile), result.estimate_p99_ns);
  }
  return result;
}

}  // namespace mlbench::loadgen
