#include "config/expand.h"

#include <gtest/gtest.h>

#include "config_test_support.h"

namespace mlbench::config {
namespace {

using testing::FakeWorld;

std::string expanded(std::string_view text, const FakeWorld& world = {}) {
  const Checked<std::string> result = expand_variables(text, world.environment());
  if (const auto* problem = std::get_if<Problem>(&result)) {
    return "problem: " + problem->problem + " | " + problem->fix;
  }
  return std::get<std::string>(result);
}

std::string home_expanded(std::string_view path, std::string_view home = "/home/ada") {
  const Checked<std::string> result = expand_home(path, home);
  if (const auto* problem = std::get_if<Problem>(&result)) {
    return "problem: " + problem->problem + " | " + problem->fix;
  }
  return std::get<std::string>(result);
}

TEST(ExpandVariables, ReplacesSetVariables) {
  FakeWorld world;
  world.variables = {{"DATA", "/data"}, {"N", "7"}};
  EXPECT_EQ(expanded("${DATA}/cnn_${N}.json", world), "/data/cnn_7.json");
}

TEST(ExpandVariables, UsesDefaultWhenUnsetOrEmpty) {
  FakeWorld world;
  world.variables = {{"EMPTY", ""}, {"SET", "yes"}};
  EXPECT_EQ(expanded("${MISSING:-/models}", world), "/models");
  EXPECT_EQ(expanded("${EMPTY:-fallback}", world), "fallback");
  EXPECT_EQ(expanded("${SET:-fallback}", world), "yes");
  EXPECT_EQ(expanded("a${MISSING:-}b", world), "ab");
}

TEST(ExpandVariables, DoubleDollarIsALiteralDollar) {
  EXPECT_EQ(expanded("cost$$5 and $${HOME}"), "cost$5 and ${HOME}");
}

TEST(ExpandVariables, KeepsALoneDollar) {
  EXPECT_EQ(expanded("a$b $"), "a$b $");
}

TEST(ExpandVariables, UnsetVariableWithoutDefaultIsAnError) {
  EXPECT_EQ(expanded("${MODEL_DIR}/x"),
            "problem: environment variable 'MODEL_DIR' is not set | set MODEL_DIR or write "
            "${MODEL_DIR:-default}");
}

TEST(ExpandVariables, UnterminatedReferenceIsAnError) {
  EXPECT_EQ(expanded("/tmp/${X"),
            "problem: unterminated '${' in '/tmp/${X' | close it with '}' or write $$ for a "
            "literal $");
}

TEST(ExpandVariables, InvalidNameIsAnError) {
  EXPECT_EQ(expanded("${}"),
            "problem: invalid variable name '' in '${}' | write ${NAME} or ${NAME:-default}, "
            "NAME of letters, digits and '_'");
  EXPECT_EQ(expanded("${1X}").substr(0, 35), "problem: invalid variable name '1X'");
}

TEST(ExpandHome, ReplacesLeadingTilde) {
  EXPECT_EQ(home_expanded("~"), "/home/ada");
  EXPECT_EQ(home_expanded("~/.ssh/id_ed25519"), "/home/ada/.ssh/id_ed25519");
  EXPECT_EQ(home_expanded("~/x", "/home/ada/"), "/home/ada/x");
  EXPECT_EQ(home_expanded("/abs/~/x"), "/abs/~/x");
  EXPECT_EQ(home_expanded("rel/x"), "rel/x");
}

TEST(ExpandHome, RefusesOtherUsersAndUnknownHome) {
  EXPECT_EQ(home_expanded("~bob/x"),
            "problem: cannot expand '~bob' | write ~/... for your own home directory, or the "
            "full path");
  EXPECT_EQ(home_expanded("~/x", ""),
            "problem: cannot expand '~': the home directory is unknown | set HOME or write the "
            "full path");
}

TEST(ResolveAgainst, JoinsRelativePathsOnly) {
  EXPECT_EQ(resolve_against("user.conf", "/cfg"), "/cfg/user.conf");
  EXPECT_EQ(resolve_against("./runs/../out", "/cfg/dir"), "/cfg/dir/out");
  EXPECT_EQ(resolve_against("/etc/x", "/cfg"), "/etc/x");
  EXPECT_EQ(resolve_against("x", ""), "x");
}

}  // namespace
}  // namespace mlbench::config
