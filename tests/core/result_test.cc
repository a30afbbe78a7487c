#include "mlbench/core/result.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace mlbench {
namespace {

Result<int> parse_positive(int value) {
  if (value <= 0) return fail(ErrorCode::kInvalidArgument, "must be positive", "--count");
  return value;
}

Result<std::string> describe_positive(int value) {
  auto parsed = parse_positive(value);
  if (!parsed) return parsed.failure();
  return std::to_string(*parsed);
}

TEST(Result, HoldsValue) {
  auto result = parse_positive(3);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(*result, 3);
}

TEST(Result, HoldsErrorWithCodeMessageAndWhere) {
  auto result = parse_positive(-1);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(result.error().describe(), "--count: must be positive");
}

TEST(Result, ForwardsFailureAcrossTypes) {
  auto result = describe_positive(0);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().message, "must be positive");
  EXPECT_EQ(describe_positive(12).value(), "12");
}

TEST(Result, MovesOutMoveOnlyValues) {
  Result<std::unique_ptr<int>> result = std::make_unique<int>(7);
  std::unique_ptr<int> owned = std::move(result).value();
  EXPECT_EQ(*owned, 7);
}

TEST(Result, VoidResult) {
  Result<void> good;
  EXPECT_TRUE(good.ok());
  Result<void> bad = fail(ErrorCode::kIo, "disk full");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().describe(), "disk full");
}

}  // namespace
}  // namespace mlbench
