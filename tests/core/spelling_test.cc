#include "mlbench/core/spelling.h"

#include <gtest/gtest.h>

namespace mlbench {
namespace {

TEST(EditDistance, CountsEditsIgnoringCase) {
  EXPECT_EQ(edit_distance("", ""), 0);
  EXPECT_EQ(edit_distance("abc", ""), 3);
  EXPECT_EQ(edit_distance("launcher", "LAUNCHER"), 0);
  EXPECT_EQ(edit_distance("lanucher", "launcher"), 1);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3);
  EXPECT_EQ(edit_distance("prot", "port"), 1);  // a transposition is one edit
}

TEST(ClosestMatch, SuggestsNearbyCandidate) {
  const std::vector<std::string> keys = {"launcher", "ssh", "run_timeout_s"};
  EXPECT_EQ(closest_match("launchr", keys), "launcher");
  EXPECT_EQ(closest_match("shh", keys), "ssh");
  EXPECT_EQ(closest_match("prot", {"port", "path"}), "port");
}

TEST(ClosestMatch, StaysQuietWhenNothingIsClose) {
  const std::vector<std::string> keys = {"launcher", "ssh"};
  EXPECT_EQ(closest_match("completely_different", keys), std::nullopt);
  EXPECT_EQ(closest_match("x", {}), std::nullopt);
}

}  // namespace
}  // namespace mlbench
