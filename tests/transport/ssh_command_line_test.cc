#include <gtest/gtest.h>
#include <signal.h>

#include <string>
#include <vector>

#include "support/subprocess.h"
#include "transport/output_lines.h"
#include "transport/ssh_exec.h"

namespace mlbench::transport {
namespace {

// sshd runs the exec line as `$SHELL -c LINE`; so do these tests, with /bin/sh locally.
std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  OutputLines splitter;
  splitter.append(text, [&](std::string_view line) { lines.emplace_back(line); });
  splitter.finish([&](std::string_view line) { lines.emplace_back(line); });
  return lines;
}

// Runs the wrapper and checks its first line names the process group that the command (which
// prints its pid and its process group from /proc) really leads.
void expect_leads_its_group(const std::vector<std::string>& launcher_prefix) {
  const Command command{{"sh", "-c", "echo $$; cut -d' ' -f5 /proc/$$/stat"}, ""};
  std::vector<std::string> argv = launcher_prefix;
  argv.push_back(remote_command_line(command));
  const testing::ProcessResult result = testing::run_process(argv);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const std::vector<std::string> lines = lines_of(result.out);
  ASSERT_EQ(lines.size(), 3u) << result.out;
  const std::optional<long> pgid = parse_process_group_line(lines[0]);
  ASSERT_TRUE(pgid.has_value()) << lines[0];
  EXPECT_EQ(lines[1], std::to_string(*pgid));  // exec kept the pid
  EXPECT_EQ(lines[2], std::to_string(*pgid));  // and it leads its group
}

TEST(SshCommandLineTest, NotAGroupLeaderYetSoTheWrapperCallsSetsid) {
  expect_leads_its_group({"/bin/sh", "-c"});
}

TEST(SshCommandLineTest, AlreadyAGroupLeaderAsUnderOpenSsh) {
  expect_leads_its_group({"/usr/bin/setsid", "/bin/sh", "-c"});
}

TEST(SshCommandLineTest, ArgumentsAndWorkingDirectoryArriveUnchanged) {
  const std::vector<std::string> words = {"a b", "it's", "$(echo no)", "`echo no`", "x;y", ""};
  Command command{{"printf", "[%s]\\n"}, "/"};
  command.argv.insert(command.argv.end(), words.begin(), words.end());
  command.argv.push_back("-dash");
  const testing::ProcessResult result =
      testing::run_process({"/bin/sh", "-c", remote_command_line(command)});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const std::vector<std::string> expected = {"[a b]", "[it's]", "[$(echo no)]", "[`echo no`]",
                                             "[x;y]", "[]",     "[-dash]"};
  std::vector<std::string> lines = lines_of(result.out);
  lines.erase(lines.begin());
  EXPECT_EQ(lines, expected);

  const testing::ProcessResult pwd =
      testing::run_process({"/bin/sh", "-c", remote_command_line({{"pwd"}, "/usr"})});
  EXPECT_EQ(lines_of(pwd.out).back(), "/usr");
}

TEST(SshCommandLineTest, ParsesOnlyTheWrappersLine) {
  EXPECT_EQ(parse_process_group_line("mlbench-pgid:4242"), 4242);
  EXPECT_FALSE(parse_process_group_line("mlbench-pgid:"));
  EXPECT_FALSE(parse_process_group_line("mlbench-pgid:12x"));
  EXPECT_FALSE(parse_process_group_line("mlbench-pgid:1"));  // never signal init's group
  EXPECT_FALSE(parse_process_group_line("hello"));
}

TEST(SshCommandLineTest, SignalNames) {
  EXPECT_EQ(signal_number("TERM"), SIGTERM);
  EXPECT_EQ(signal_number("KILL"), SIGKILL);
  EXPECT_EQ(signal_number("SEGV"), SIGSEGV);
  EXPECT_EQ(signal_number("NOPE"), 0);
}

TEST(OutputLinesTest, SplitsChunksAtNewlines) {
  std::vector<std::string> lines;
  OutputLines splitter;
  const auto emit = [&](std::string_view line) { lines.emplace_back(line); };
  splitter.append("ab", emit);
  EXPECT_TRUE(lines.empty());
  splitter.append("c\nde\n\nf", emit);
  EXPECT_EQ(lines, (std::vector<std::string>{"abc", "de", ""}));
  splitter.finish(emit);
  EXPECT_EQ(lines.back(), "f");
  splitter.finish(emit);
  EXPECT_EQ(lines.size(), 4u);
}

TEST(OutputLinesTest, CapsAnEndlessLine) {
  std::vector<std::string> lines;
  OutputLines splitter;
  const std::string chunk(OutputLines::kMaxLine / 4, 'x');
  for (int i = 0; i < 5; ++i)
    splitter.append(chunk, [&](std::string_view line) { lines.emplace_back(line); });
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].size(), OutputLines::kMaxLine);
}

}  // namespace
}  // namespace mlbench::transport
