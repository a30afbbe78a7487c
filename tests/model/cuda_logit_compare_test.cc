#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "mlbench/model/logit_compare.h"

namespace mlbench::model {
namespace {

TEST(LogitCompare, WithinToleranceOfEachRowsScaleIsOk) {
  const std::vector<float> reference = {1.0f, 20.0f, -3.0f, 0.5f, 0.25f, 0.0f};
  // Row 0's scale is 20, so 0.01 is within 1e-3 · 20; row 1's is 1 (the floor), so 5e-4 is too.
  const std::vector<float> got = {1.01f, 20.0f, -3.0f, 0.5005f, 0.25f, 0.0f};
  const LogitComparison c = compare_logits(reference, got, 3, 1e-3);
  EXPECT_TRUE(c.ok()) << c.describe();
  EXPECT_EQ(c.rows, 2);
  EXPECT_NEAR(c.max_abs_diff, 0.01, 1e-6);
  EXPECT_EQ(c.max_abs_reference, 20.0);
}

TEST(LogitCompare, NamesTheFirstMismatchAndCountsArgmaxChanges) {
  const std::vector<float> reference = {1.0f, 2.0f, 3.0f, 0.0f, 5.0f, 4.0f};
  const std::vector<float> got = {1.0f, 2.0f, 3.0f, 0.0f, 4.0f, 5.0f};
  const LogitComparison c = compare_logits(reference, got, 3, 1e-3);
  EXPECT_FALSE(c.ok());
  EXPECT_EQ(c.mismatches, 2);
  EXPECT_EQ(c.first_row, 1);
  EXPECT_EQ(c.first_index, 1);
  EXPECT_EQ(c.first_reference, 5.0f);
  EXPECT_EQ(c.first_got, 4.0f);
  EXPECT_EQ(c.argmax_differences, 1);
  EXPECT_NE(c.describe().find("first mismatch at row 1 id 1"), std::string::npos) << c.describe();
}

TEST(LogitCompare, NanAndLengthMismatchesFail) {
  const std::vector<float> reference = {1.0f, 2.0f};
  EXPECT_FALSE(compare_logits(reference, std::vector<float>{1.0f, NAN}, 2, 1e-3).ok());
  EXPECT_FALSE(compare_logits(reference, std::vector<float>{1.0f}, 2, 1e-3).ok());
}

}  // namespace
}  // namespace mlbench::model
