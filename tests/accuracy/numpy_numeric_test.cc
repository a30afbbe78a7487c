#include "accuracy/numpy_numeric.h"

#include <gtest/gtest.h>

#include <vector>

namespace mlbench::accuracy {
namespace {

TEST(NumpySum, SmallArraysAddInOrder) {
  const std::vector<double> values = {0.1, 0.2, 0.3};
  EXPECT_EQ(numpy_sum(values), (0.0 + 0.1 + 0.2) + 0.3);
  EXPECT_EQ(numpy_sum({}), 0.0);
}

TEST(NumpySum, UsesEightLanesUpToABlock) {
  std::vector<double> values(10);
  for (int i = 0; i < 10; ++i)
    values[i] = 1.0 / (i + 3);
  double lanes[8];
  for (int i = 0; i < 8; ++i)
    lanes[i] = values[i];
  // 10 values: the 8 lanes hold the first 8, the tail of 2 is added one by one.
  double expected = ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) +
                    ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
  expected += values[8];
  expected += values[9];
  EXPECT_EQ(numpy_sum(values), expected);
}

TEST(NumpySum, LargeArraysAreAccurate) {
  // Pairwise summation of 13,368 copies of 0.1 stays within a few ulps; a running sum is 1.2e-10
  // off.
  const std::vector<double> values(13368, 0.1);
  EXPECT_NEAR(numpy_sum(values), 1336.8, 1e-11);
}

TEST(NumpyRound, RoundsHalfToEvenAfterScaling) {
  EXPECT_EQ(numpy_round(38.77924, 4), 38.7792);
  EXPECT_EQ(numpy_round(38.77926, 4), 38.7793);
  EXPECT_EQ(numpy_round(0.03125, 4), 0.0312);  // exact tie → even
  EXPECT_EQ(numpy_round(0.09375, 4), 0.0938);  // 937.5 → even
  EXPECT_EQ(numpy_round(0.03135, 4), 0.0314);  // scaled to 313.50000000000006
  EXPECT_EQ(numpy_round(-1.23456, 4), -1.2346);
}

}  // namespace
}  // namespace mlbench::accuracy
