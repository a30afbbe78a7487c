#include "mlbench/transport/shell_quote.h"

#include <gtest/gtest.h>

#include "support/subprocess.h"

namespace mlbench::transport {
namespace {

TEST(ShellQuote, LeavesSafeWordsAlone) {
  EXPECT_EQ(shell_quote("/opt/mlbench/bin/mlbench-runner"), "/opt/mlbench/bin/mlbench-runner");
  EXPECT_EQ(shell_quote("--gpus=0,1"), "--gpus=0,1");
}

TEST(ShellQuote, QuotesEverythingElse) {
  EXPECT_EQ(shell_quote(""), "''");
  EXPECT_EQ(shell_quote("my model"), "'my model'");
  EXPECT_EQ(shell_quote("a;rm -rf /"), "'a;rm -rf /'");
  EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
  EXPECT_EQ(shell_quote("$(reboot)"), "'$(reboot)'");
  EXPECT_EQ(shell_quote("~/x"), "'~/x'");
}

// The proof that matters: a real shell hands every hostile word back unchanged, one argument
// per word, and runs nothing it contains.
TEST(ShellQuote, RealShellReceivesExactWords) {
  const std::vector<std::string> words = {
      "plain",       "two words", "semi;colon", "it's", "\"double\"", "$HOME", "`id`", "$(id)",
      "back\\slash", "new\nline", "*",          "a&&b", "|",          "'",     "",
  };
  std::vector<std::string> argv = {"printf", "[%s]"};
  argv.insert(argv.end(), words.begin(), words.end());
  const auto result = mlbench::testing::run_process({"/bin/sh", "-c", shell_join(argv)});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::string expected;
  for (const auto& word : words)
    expected += "[" + word + "]";
  EXPECT_EQ(result.out, expected);
}

}  // namespace
}  // namespace mlbench::transport
