#include <signal.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <random>
#include <thread>

#include "support/subprocess.h"
#include "transport/ssh_test_node.h"

namespace mlbench::transport {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using ExecTest = SshNodeTest;

// A `sleep` duration no other process on the machine has, so its command line marks our
// remote processes for pgrep.
std::string unique_sleep_seconds() {
  std::random_device random;
  return "30." + std::to_string(100000 + random() % 900000);
}

// Whether a process whose command line contains `marker` is still alive, after allowing it a
// moment to finish dying.
bool process_alive(const std::string& marker) {
  const auto deadline = Clock::now() + std::chrono::seconds(2);
  while (true) {
    const testing::ProcessResult found = testing::run_process({"/usr/bin/pgrep", "-f", marker});
    if (found.exit_code != 0) return false;
    if (Clock::now() > deadline) return true;
    std::this_thread::sleep_for(milliseconds(50));
  }
}

TEST_F(ExecTest, EchoArrives) {
  auto session = connect();
  ASSERT_TRUE(session);
  Collected collected;
  const auto outcome = run_collecting(*session, {{"echo", "hello"}, ""}, collected);
  ASSERT_TRUE(outcome.ok()) << outcome.error().describe();
  EXPECT_EQ(outcome->exit_code, 0);
  EXPECT_EQ(outcome->signal, 0);
  EXPECT_EQ(collected.out, std::vector<std::string>{"hello"});
  EXPECT_TRUE(collected.err.empty());
}

TEST_F(ExecTest, ExitCodesAndSignalsAreReported) {
  auto session = connect();
  ASSERT_TRUE(session);
  Collected collected;
  auto outcome = run_collecting(*session, {{"sh", "-c", "exit 3"}, ""}, collected);
  ASSERT_TRUE(outcome.ok()) << outcome.error().describe();
  EXPECT_EQ(outcome->exit_code, 3);
  EXPECT_EQ(outcome->signal, 0);

  outcome = run_collecting(*session, {{"sh", "-c", "kill -USR1 $$"}, ""}, collected);
  ASSERT_TRUE(outcome.ok()) << outcome.error().describe();
  EXPECT_EQ(outcome->exit_code, -1);
  EXPECT_EQ(outcome->signal, SIGUSR1);
  EXPECT_FALSE(outcome->timed_out);

  outcome = run_collecting(*session, {{"no-such-program-mlbench"}, ""}, collected);
  ASSERT_TRUE(outcome.ok()) << outcome.error().describe();
  EXPECT_EQ(outcome->exit_code, 127);
}

TEST_F(ExecTest, StdoutAndStderrStaySeparateLineByLine) {
  auto session = connect();
  ASSERT_TRUE(session);
  Collected collected;
  const auto outcome = run_collecting(
      *session,
      {{"sh", "-c", "echo out1; echo err1 >&2; echo out2; echo err2 >&2; printf 'no newline'"}, ""},
      collected);
  ASSERT_TRUE(outcome.ok()) << outcome.error().describe();
  EXPECT_EQ(collected.out, (std::vector<std::string>{"out1", "out2", "no newline"}));
  EXPECT_EQ(collected.err, (std::vector<std::string>{"err1", "err2"}));
}

TEST_F(ExecTest, LinesArriveWhileTheCommandStillRuns) {
  auto session = connect();
  ASSERT_TRUE(session);
  Clock::time_point first_at{};
  std::vector<std::string> lines;
  OutputHandlers handlers;
  handlers.on_stdout_line = [&](std::string_view line) {
    if (lines.empty()) first_at = Clock::now();
    lines.emplace_back(line);
  };
  const auto outcome =
      session->run({{"sh", "-c", "echo first; sleep 1; echo second"}, ""}, handlers, {});
  const auto ended = Clock::now();
  ASSERT_TRUE(outcome.ok()) << outcome.error().describe();
  EXPECT_EQ(lines, (std::vector<std::string>{"first", "second"}));
  EXPECT_GT(ended - first_at, milliseconds(700));
}

TEST_F(ExecTest, ArgumentsArriveUnchanged) {
  auto session = connect();
  ASSERT_TRUE(session);
  const std::string canary = (server().dir() / "injected").string();
  const std::vector<std::string> words = {"two words",
                                          "it's",
                                          "\"double\"",
                                          "a;b",
                                          "$(touch " + canary + ")",
                                          "`touch " + canary + "`",
                                          "$HOME",
                                          "*",
                                          "~",
                                          "",
                                          "back\\slash",
                                          "| cat",
                                          "-n"};
  std::vector<std::string> argv = {"printf", "[%s]\\n"};
  argv.insert(argv.end(), words.begin(), words.end());
  Collected collected;
  const auto outcome = run_collecting(*session, {argv, ""}, collected);
  ASSERT_TRUE(outcome.ok()) << outcome.error().describe();
  std::vector<std::string> expected;
  for (const std::string& word : words)
    expected.push_back("[" + word + "]");
  EXPECT_EQ(collected.out, expected);
  EXPECT_FALSE(std::filesystem::exists(canary));
}

TEST_F(ExecTest, RunsInTheWorkingDirectory) {
  auto session = connect();
  ASSERT_TRUE(session);
  const std::filesystem::path dir = server().dir() / "dir with space";
  std::filesystem::create_directories(dir);
  Collected collected;
  const auto outcome = run_collecting(*session, {{"pwd"}, dir.string()}, collected);
  ASSERT_TRUE(outcome.ok()) << outcome.error().describe();
  EXPECT_EQ(collected.out, std::vector<std::string>{dir.string()});

  const auto missing = run_collecting(*session, {{"pwd"}, "/no/such/dir"}, collected);
  ASSERT_TRUE(missing.ok());
  EXPECT_NE(missing->exit_code, 0);
}

TEST_F(ExecTest, TimeoutStopsTheWholeProcessGroup) {
  auto session = connect();
  ASSERT_TRUE(session);
  const std::string seconds = unique_sleep_seconds();
  RunLimits limits;
  limits.timeout = milliseconds(300);
  limits.kill_grace = milliseconds(2000);
  Collected collected;
  const auto start = Clock::now();
  const auto outcome = run_collecting(
      *session, {{"sh", "-c", "sleep $0 & sleep $0 & wait", seconds}, ""}, collected, limits);
  ASSERT_TRUE(outcome.ok()) << outcome.error().describe();
  EXPECT_TRUE(outcome->timed_out);
  EXPECT_FALSE(outcome->cancelled);
  EXPECT_EQ(outcome->signal, SIGTERM);
  EXPECT_LT(Clock::now() - start, milliseconds(1500));  // SIGTERM was enough
  EXPECT_FALSE(process_alive("sleep " + seconds));
}

TEST_F(ExecTest, TermIgnoredMeansKillAfterTheGrace) {
  auto session = connect();
  ASSERT_TRUE(session);
  const std::string seconds = unique_sleep_seconds();
  RunLimits limits;
  limits.timeout = milliseconds(200);
  limits.kill_grace = milliseconds(500);
  Collected collected;
  const auto start = Clock::now();
  const auto outcome = run_collecting(
      *session, {{"sh", "-c", "trap '' TERM; sleep $0 & wait", seconds}, ""}, collected, limits);
  ASSERT_TRUE(outcome.ok()) << outcome.error().describe();
  // Silence after the deadline once made the wait unbounded; this bounds it.
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(4));
  EXPECT_TRUE(outcome->timed_out);
  EXPECT_EQ(outcome->signal, SIGKILL);
  EXPECT_FALSE(process_alive("sleep " + seconds));
}

// A second Ctrl-C: a remote command that ignores SIGTERM is killed without waiting out the
// grace.
TEST_F(ExecTest, KillNowCutsTheGraceShort) {
  auto session = connect();
  ASSERT_TRUE(session);
  const std::string seconds = unique_sleep_seconds();
  std::atomic<bool> cancel{false};
  std::atomic<bool> kill_now{false};
  RunLimits limits;
  limits.cancel = &cancel;
  limits.kill_now = &kill_now;
  limits.kill_grace = milliseconds(60000);
  OutputHandlers handlers;
  handlers.on_stdout_line = [&](std::string_view line) {
    if (line == "started") cancel = true;
  };
  std::jthread interrupter([&](std::stop_token stop) {
    for (int i = 0; i < 10000 && !stop.stop_requested() && !cancel.load(); ++i)
      std::this_thread::sleep_for(milliseconds(1));
    std::this_thread::sleep_for(milliseconds(300));
    kill_now = true;
  });
  const auto start = Clock::now();
  const auto outcome = session->run(
      {{"sh", "-c", "trap '' TERM; echo started; sleep $0 & wait", seconds}, ""}, handlers, limits);
  ASSERT_TRUE(outcome.ok()) << outcome.error().describe();
  EXPECT_TRUE(outcome->cancelled);
  EXPECT_EQ(outcome->signal, SIGKILL);
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(30)) << "the grace was waited out";
  EXPECT_FALSE(process_alive("sleep " + seconds));
}

TEST_F(ExecTest, CancelStopsTheCommand) {
  auto session = connect();
  ASSERT_TRUE(session);
  const std::string seconds = unique_sleep_seconds();
  std::atomic<bool> cancel{false};
  RunLimits limits;
  limits.cancel = &cancel;
  limits.kill_grace = milliseconds(2000);
  OutputHandlers handlers;
  handlers.on_stdout_line = [&](std::string_view line) {
    if (line == "started") cancel = true;
  };
  const auto start = Clock::now();
  const auto outcome =
      session->run({{"sh", "-c", "echo started; sleep $0 & wait", seconds}, ""}, handlers, limits);
  ASSERT_TRUE(outcome.ok()) << outcome.error().describe();
  EXPECT_TRUE(outcome->cancelled);
  EXPECT_FALSE(outcome->timed_out);
  EXPECT_LT(Clock::now() - start, milliseconds(1500));
  EXPECT_FALSE(process_alive("sleep " + seconds));

  // The session is still good for the next command.
  Collected collected;
  const auto next = run_collecting(*session, {{"echo", "again"}, ""}, collected);
  ASSERT_TRUE(next.ok()) << next.error().describe();
  EXPECT_EQ(collected.out, std::vector<std::string>{"again"});
}

// libssh 0.10 has no keepalive; ours (keepalive@openssh.com while a command runs) must not
// disturb the channel it shares the session with.
TEST(SshKeepaliveTest, KeepaliveRequestsDoNotDisturbALongCommand) {
  std::string why_not;
  const auto server = testing::SshdServer::start("127.0.0.4", &why_not, "DEBUG1");
  if (!server) GTEST_SKIP() << "no sshd: " << why_not;
  Endpoint endpoint = trusted_endpoint(*server);
  endpoint.keepalive_interval = std::chrono::seconds(1);
  auto session = SshLauncher().connect(endpoint);
  ASSERT_TRUE(session.ok()) << session.error().describe();
  Collected collected;
  const auto outcome = run_collecting(
      **session, {{"sh", "-c", "echo a; sleep 1.5; echo b; sleep 1; echo c"}, ""}, collected);
  ASSERT_TRUE(outcome.ok()) << outcome.error().describe();
  EXPECT_EQ(outcome->exit_code, 0);
  EXPECT_EQ(collected.out, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_NE(server->log().find("rtype keepalive@openssh.com"), std::string::npos);
}

TEST(SshNodeDiesTest, SshdKilledMidCommandIsAnErrorNotAHang) {
  std::string why_not;
  auto server = testing::SshdServer::start("127.0.0.3", &why_not);
  if (!server) GTEST_SKIP() << "no sshd: " << why_not;
  auto session = SshLauncher().connect(trusted_endpoint(*server));
  ASSERT_TRUE(session.ok()) << session.error().describe();

  OutputHandlers handlers;
  handlers.on_stdout_line = [&](std::string_view line) {
    if (line == "started") server->kill_all();
  };
  const auto start = Clock::now();
  const auto outcome = (*session)->run({{"sh", "-c", "echo started; sleep 20"}, ""}, handlers, {});
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(5));
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error().code, ErrorCode::kConnection) << outcome.error().describe();
}

}  // namespace
}  // namespace mlbench::transport
