#include "mlbench/core/exit_code.h"

#include <gtest/gtest.h>

namespace mlbench {
namespace {

// These numbers are a contract with scripts and CI (design.md §2).
TEST(ExitCode, MatchesTheDocumentedNumbers) {
  EXPECT_EQ(to_int(exit_code_for(ErrorCode::kConfig)), 1);
  EXPECT_EQ(to_int(exit_code_for(ErrorCode::kInvalidArgument)), 1);
  EXPECT_EQ(to_int(exit_code_for(ErrorCode::kNotBuilt)), 1);
  EXPECT_EQ(to_int(exit_code_for(ErrorCode::kInvalidResult)), 2);
  EXPECT_EQ(to_int(exit_code_for(ErrorCode::kNodeFailed)), 3);
  EXPECT_EQ(to_int(exit_code_for(ErrorCode::kConnection)), 3);
  EXPECT_EQ(to_int(exit_code_for(ErrorCode::kTimeout)), 3);
  EXPECT_EQ(to_int(exit_code_for(ErrorCode::kInterrupted)), 130);
}

}  // namespace
}  // namespace mlbench
