#include "mlbench/transport/local_launcher.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace mlbench::transport {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;

struct Captured {
  std::vector<std::string> out;
  std::vector<std::string> err;
  std::vector<std::chrono::steady_clock::time_point> out_times;
};

class LocalLauncherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto connected = LocalLauncher().connect(Endpoint{.name = "local"});
    ASSERT_TRUE(connected.ok());
    session_ = std::move(connected).value();
  }

  ProcessOutcome run(std::vector<std::string> argv, Captured& captured, RunLimits limits = {}) {
    OutputHandlers handlers{
        .on_stdout_line =
            [&](std::string_view line) {
              captured.out.emplace_back(line);
              captured.out_times.push_back(std::chrono::steady_clock::now());
            },
        .on_stderr_line = [&](std::string_view line) { captured.err.emplace_back(line); },
    };
    auto outcome = session_->run(Command{.argv = std::move(argv)}, handlers, limits);
    EXPECT_TRUE(outcome.ok()) << outcome.error().describe();
    return outcome.ok() ? *outcome : ProcessOutcome{};
  }

  // True while any process whose command line contains `marker` exists.
  static bool process_alive(const std::string& marker) {
    return testing::run_process({"/usr/bin/pgrep", "-f", marker}).exit_code == 0;
  }

  std::unique_ptr<NodeSession> session_;
};

TEST_F(LocalLauncherTest, SeparatesStdoutFromStderrLineByLine) {
  Captured captured;
  const auto outcome =
      run({"/bin/sh", "-c", "echo one; echo oops >&2; printf 'two\\nthree'"}, captured);
  EXPECT_EQ(outcome.exit_code, 0);
  EXPECT_THAT(captured.out, ElementsAre("one", "two", "three"));
  EXPECT_THAT(captured.err, ElementsAre("oops"));
}

TEST_F(LocalLauncherTest, ReportsExitCodesAndSignals) {
  Captured captured;
  EXPECT_EQ(run({"/bin/sh", "-c", "exit 3"}, captured).exit_code, 3);
  const auto killed = run({"/bin/sh", "-c", "kill -KILL $$"}, captured);
  EXPECT_EQ(killed.exit_code, -1);
  EXPECT_EQ(killed.signal, SIGKILL);
}

TEST_F(LocalLauncherTest, DeliversLinesWhileTheCommandIsStillRunning) {
  Captured captured;
  const auto started = std::chrono::steady_clock::now();
  run({"/bin/sh", "-c", "echo first; sleep 1; echo second"}, captured);
  ASSERT_EQ(captured.out_times.size(), 2u);
  EXPECT_LT(captured.out_times[0] - started, 800ms) << "the first line waited for the end";
  EXPECT_GE(captured.out_times[1] - started, 900ms);
}

TEST_F(LocalLauncherTest, TimeoutStopsTheWholeProcessGroup) {
  // A sleep length nothing else uses marks the processes: `pgrep -f` finds them by it.
  const std::string marker = "29." + std::to_string(getpid());
  Captured captured;
  const auto started = std::chrono::steady_clock::now();
  // A child in the background too: stopping only the shell would leave it running.
  const auto outcome =
      run({"/bin/sh", "-c", "sleep " + marker + " & sleep " + marker + "; wait"}, captured,
          RunLimits{.timeout = 300ms, .cancel = nullptr, .kill_grace = 2s});
  EXPECT_TRUE(outcome.timed_out);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
  std::this_thread::sleep_for(100ms);
  EXPECT_FALSE(process_alive("sleep " + marker)) << "a process of the timed-out group survived";
}

TEST_F(LocalLauncherTest, ProcessIgnoringSigtermIsKilledAfterTheGrace) {
  Captured captured;
  const auto started = std::chrono::steady_clock::now();
  const auto outcome =
      run({"/bin/sh", "-c", "trap '' TERM; echo ready; while :; do sleep 0.05; done"}, captured,
          RunLimits{.timeout = 200ms, .cancel = nullptr, .kill_grace = 300ms});
  EXPECT_TRUE(outcome.timed_out);
  EXPECT_EQ(outcome.signal, SIGKILL);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
}

TEST_F(LocalLauncherTest, CancelFlagStopsTheCommand) {
  std::atomic<bool> cancel{false};
  std::jthread canceller([&] {
    std::this_thread::sleep_for(200ms);
    cancel = true;
  });
  Captured captured;
  const auto outcome =
      run({"/bin/sleep", "30"}, captured, RunLimits{.timeout = 30s, .cancel = &cancel});
  EXPECT_TRUE(outcome.cancelled);
  EXPECT_EQ(outcome.signal, SIGTERM);
}

// A second Ctrl-C: a command that ignores SIGTERM is killed without waiting out the grace.
TEST_F(LocalLauncherTest, KillNowCutsTheGraceShort) {
  std::atomic<bool> cancel{false};
  std::atomic<bool> kill_now{false};
  Captured captured;
  std::jthread interrupter([&] {
    std::this_thread::sleep_for(200ms);
    cancel = true;
    std::this_thread::sleep_for(300ms);
    kill_now = true;
  });
  const auto started = std::chrono::steady_clock::now();
  const auto outcome =
      run({"/bin/sh", "-c", "trap '' TERM; while :; do sleep 0.05; done"}, captured,
          RunLimits{.timeout = 60s, .cancel = &cancel, .kill_grace = 60s, .kill_now = &kill_now});
  EXPECT_TRUE(outcome.cancelled);
  EXPECT_EQ(outcome.signal, SIGKILL);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 30s) << "the grace was waited out";
}

TEST_F(LocalLauncherTest, MissingProgramIsAnError) {
  auto outcome = session_->run(Command{.argv = {"/nonexistent/mlbench-runner"}}, {}, {});
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error().code, ErrorCode::kNotFound);
  EXPECT_THAT(outcome.error().message, ::testing::HasSubstr("/nonexistent/mlbench-runner"));
}

TEST_F(LocalLauncherTest, RunsInTheWorkingDirectory) {
  testing::TempDir dir;
  Captured captured;
  auto outcome = session_->run(
      Command{.argv = {"/bin/pwd"}, .working_dir = dir.path().string()},
      {.on_stdout_line = [&](std::string_view line) { captured.out.emplace_back(line); },
       .on_stderr_line = {}},
      {});
  ASSERT_TRUE(outcome.ok());
  EXPECT_THAT(captured.out, ElementsAre(dir.path().string()));
}

TEST_F(LocalLauncherTest, CopiesListsAndCreatesDirectories) {
  testing::TempDir dir;
  const std::string source = dir.write("src/log.txt", std::string(100'000, 'x'));
  ASSERT_TRUE(session_->make_directories((dir.path() / "a/b/c").string()).ok());
  ASSERT_TRUE(session_->upload(source, (dir.path() / "a/b/c/log.txt").string()).ok());
  ASSERT_TRUE(
      session_
          ->download((dir.path() / "a/b/c/log.txt").string(), (dir.path() / "back.txt").string())
          .ok());
  EXPECT_EQ(testing::read_file(dir.path() / "back.txt"), std::string(100'000, 'x'));
  auto listed = session_->list_files((dir.path() / "a/b/c").string());
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].name, "log.txt");
  EXPECT_EQ((*listed)[0].size, 100'000u);
}

TEST_F(LocalLauncherTest, FailedDownloadLeavesNoFileUnderTheRealName) {
  testing::TempDir dir;
  const auto target = dir.path() / "summary.txt";
  auto copied = session_->download((dir.path() / "missing.txt").string(), target.string());
  ASSERT_FALSE(copied.ok());
  EXPECT_FALSE(std::filesystem::exists(target));
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

}  // namespace
}  // namespace mlbench::transport
