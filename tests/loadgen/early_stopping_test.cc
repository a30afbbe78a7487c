#include "mlbench/loadgen/early_stopping.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <vector>

namespace mlbench::loadgen {
namespace {

// The table in specs/loadgen.md §5 (LoadGen 6.0.17, confidence 0.99, tolerance 0).
TEST(EarlyStopping, MinPassingQueriesAtP99MatchesLoadGenTable) {
  EXPECT_EQ(min_passing_queries(0, 0.99), 459);
  EXPECT_EQ(min_passing_queries(1, 0.99), 661);
  EXPECT_EQ(min_passing_queries(2, 0.99), 836);
  EXPECT_EQ(min_passing_queries(3, 0.99), 998);
  EXPECT_EQ(min_passing_queries(4, 0.99), 1153);
  EXPECT_EQ(min_passing_queries(5, 0.99), 1302);
  EXPECT_EQ(min_passing_queries(10, 0.99), 2000);
  EXPECT_EQ(min_passing_queries(100, 0.99), 12471);
}

TEST(EarlyStopping, AFinderAskedInOrderGivesTheSameAnswers) {
  MinPassingQueriesFinder finder(0.99);
  const std::vector<int64_t> expected = {459, 661, 836, 998, 1153, 1302};
  for (int64_t t = 0; t < static_cast<int64_t>(expected.size()); ++t) {
    EXPECT_EQ(finder(t), expected[static_cast<size_t>(t)]) << "t=" << t;
  }
  EXPECT_EQ(finder(2), 836);  // remembered
}

TEST(EarlyStopping, OddsCrossOnePercentExactlyAtTheAnswer) {
  EXPECT_LT(overlatency_odds(661, 1, 0.99), 0.01);
  EXPECT_GE(overlatency_odds(660, 1, 0.99), 0.01);
  EXPECT_NEAR(overlatency_odds(459, 0, 0.99), std::pow(0.99, 459), 1e-12);
}

std::vector<int64_t> ascending(int64_t n) {
  std::vector<int64_t> values(static_cast<size_t>(n));
  std::iota(values.begin(), values.end(), 1000);
  return values;
}

struct SingleStreamCase {
  int64_t queries;
  int64_t t;
};

class SingleStreamAllowance : public ::testing::TestWithParam<SingleStreamCase> {};

// §5: p = 0.90, N = 64 -> t = 1, 100 -> 3, 128 -> 5, 256 -> 14, 1024 -> 80; the estimate is
// sorted[N - t] and t - 1 latencies are discarded.
TEST_P(SingleStreamAllowance, EstimateDiscardsTheRightNumberOfQueries) {
  const auto [n, t] = GetParam();
  const std::vector<int64_t> sorted = ascending(n);
  const SingleStreamEarlyStopping result = single_stream_early_stopping(sorted, n, 0.90);
  EXPECT_TRUE(result.met);
  EXPECT_EQ(result.discarded, t - 1);
  EXPECT_EQ(result.estimate_ns, sorted[static_cast<size_t>(n - t)]);
  EXPECT_EQ(result.estimated_p99, n >= 662);
}

INSTANTIATE_TEST_SUITE_P(P90, SingleStreamAllowance,
                         ::testing::Values(SingleStreamCase{64, 1}, SingleStreamCase{100, 3},
                                           SingleStreamCase{128, 5}, SingleStreamCase{256, 14},
                                           SingleStreamCase{1024, 80}));

TEST(EarlyStopping, SingleStreamNeedsH1PlusOneQueries) {
  const std::vector<int64_t> sorted = ascending(63);
  const SingleStreamEarlyStopping result = single_stream_early_stopping(sorted, 63, 0.90);
  EXPECT_FALSE(result.met);
  EXPECT_EQ(result.text,
            " * Only processed 63 queries.\n * Need to process at least 64 queries for early "
            "stopping.");
}

TEST(EarlyStopping, SingleStreamTextMatchesLoadGen) {
  const std::vector<int64_t> sorted = ascending(128);
  const SingleStreamEarlyStopping result = single_stream_early_stopping(sorted, 128, 0.90);
  EXPECT_EQ(result.text,
            " * Processed at least 64 queries (128).\n * Would discard 4 highest latency "
            "queries.\n * Early stopping 90.0th percentile estimate: 1123\n * Not enough queries "
            "processed for 99.0th percentile\n early stopping estimate (would need to process "
            "at\n least 662 total queries).");
}

TEST(EarlyStopping, SingleStreamEstimatesThe99thWithEnoughQueries) {
  const std::vector<int64_t> sorted = ascending(1024);
  const SingleStreamEarlyStopping result = single_stream_early_stopping(sorted, 1024, 0.90);
  ASSERT_TRUE(result.estimated_p99);
  // At p = 0.99, h(3) + 3 = 1001 <= 1024 < h(4) + 4 = 1157, so t = 3.
  EXPECT_EQ(result.estimate_p99_ns, sorted[1024 - 3]);
  EXPECT_NE(result.text.find("\n * Early stopping 99.0th percentile estimate: "),
            std::string::npos);
}

TEST(EarlyStopping, ServerNeeds459QueriesWithNoViolation) {
  const std::vector<int64_t> fast(459, 10);
  EXPECT_TRUE(server_early_stopping(fast, 459, 100, 0.99).met);
  const ServerEarlyStopping short_run =
      server_early_stopping(std::span(fast).first(458), 458, 100, 0.99);
  EXPECT_FALSE(short_run.met);
  EXPECT_EQ(short_run.text,
            " * Run unsuccessful.\n * Processed 458 queries.\n * Would need to run at least 1 "
            "more queries,\n with the run being successful if every additional\n query were "
            "under latency.");
}

TEST(EarlyStopping, ServerCountsOnlyLatenciesAboveTheLimit) {
  std::vector<int64_t> latencies(662, 100);  // equal to the limit: not over
  latencies[0] = 101;                        // one over: needs h(1) + 1 = 662
  const ServerEarlyStopping pass = server_early_stopping(latencies, 662, 100, 0.99);
  EXPECT_TRUE(pass.met);
  EXPECT_EQ(pass.overlatency_count, 1);
  EXPECT_EQ(pass.text, " * Run successful.");
  latencies.pop_back();
  EXPECT_FALSE(server_early_stopping(latencies, 661, 100, 0.99).met);
}

}  // namespace
}  // namespace mlbench::loadgen
