// `mlbench run` over SSH against the loopback jw2/jw3 cluster: a full run, and every fault of
// issue 6 — each names the failed node and why, exits 3, and keeps what was collected.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <thread>

#include "orchestrator/cluster_fixture.h"

namespace mlbench::orchestrator {
namespace {

using std::chrono::seconds;
using ::testing::HasSubstr;

constexpr const char* kMlperfFiles[] = {"mlperf_log_summary.txt", "mlperf_log_detail.txt",
                                        "mlperf_log_accuracy.json"};

void expect_ok_node(const ClusterTest& test, const std::string& node) {
  const nlohmann::json outcome = test.node_json(node);
  ASSERT_TRUE(outcome.is_object()) << node << ": no node.json";
  EXPECT_EQ(outcome.at("status"), "ok") << node << ": " << outcome.dump();
  EXPECT_TRUE(outcome.at("error").is_null());
  EXPECT_EQ(outcome.at("runner_exit_code"), 0);
  for (const char* file : kMlperfFiles) {
    EXPECT_TRUE(fs::exists(test.node_dir(node) / file)) << node << ": " << file;
  }
  EXPECT_THAT(testing::read_file(test.node_dir(node) / "mlperf_log_summary.txt"),
              HasSubstr("Result is : VALID"));
  EXPECT_THAT(testing::read_file(test.node_dir(node) / "events.jsonl"),
              HasSubstr("\"event\":\"result\""));
}

TEST_F(ClusterTest, TwoNodeRunBringsBothNodesFilesHome) {
  const auto result = run_mlbench();
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  expect_ok_node(*this, "jw2");
  expect_ok_node(*this, "jw3");
  EXPECT_THAT(result.out, HasSubstr("2 of 2 nodes ok"));
  // The progress lines (plain, on a pipe) end with each node's count of the exact total.
  EXPECT_THAT(result.err, ::testing::ContainsRegex("jw2 +ok +200/200 of 200 samples"));
  EXPECT_THAT(result.err, ::testing::ContainsRegex("jw3 +ok +200/200 of 200 samples"));
  expect_report_lists_every_node();
  expect_reported_ok("jw2");
  expect_reported_ok("jw3");
  const nlohmann::json aggregate = report().at("aggregate");
  EXPECT_EQ(aggregate.at("nodes_ok"), 2);
  EXPECT_EQ(aggregate.at("all_valid"), true);
  EXPECT_EQ(aggregate.at("samples").at("nodes"), 2);

  const auto run = nlohmann::json::parse(testing::read_file(run_dir() / "run.json"));
  EXPECT_EQ(run.at("scenario"), "Offline");
  EXPECT_EQ(run.at("launcher"), "ssh");
  EXPECT_EQ(run.at("exit_code"), 0);
  EXPECT_EQ(run.at("nodes").size(), 2u);
  EXPECT_EQ(run.at("nodes")[1].at("status"), "ok");
  EXPECT_FALSE(run.at("ended_utc").is_null());
  EXPECT_THAT(run.at("user_conf").at("text").get<std::string>(), HasSubstr("min_query_count"));
  // The node got its inputs in the workdir.
  const fs::path remote_run = fs::path(work_dir_) / run_dir().filename();
  EXPECT_TRUE(fs::exists(remote_run / "user.conf"));
  EXPECT_TRUE(fs::exists(remote_run / "run.json"));
}

TEST_F(ClusterTest, HostKeyMismatchIsRefusedWithoutRetrying) {
  known_hosts_ = dir_.write(
      "known_hosts", jw2_->known_hosts_line() + "\n" + jw3_->wrong_known_hosts_line() + "\n");
  settings_["connect_retries"] = "3";
  const auto result = run_mlbench();
  EXPECT_EQ(result.exit_code, 3) << result.out << result.err;
  expect_ok_node(*this, "jw2");
  const nlohmann::json jw3 = node_json("jw3");
  EXPECT_EQ(jw3.at("status"), "failed");
  EXPECT_THAT(jw3.at("error").get<std::string>(), HasSubstr("refused"));
  EXPECT_THAT(jw3.at("error").get<std::string>(), HasSubstr("host key"));
  EXPECT_THAT(result.out, HasSubstr("node jw3: failed: refused"));
  expect_report_lists_every_node();
  expect_reported_ok("jw2");
  expect_reported_not_ok("jw3", "failed", "refused: host key CHANGED");
  expect_reported_nothing_from("jw3");
}

TEST_F(ClusterTest, WrongUserKeyIsRefused) {
  settings_["identity_file"] = jw3_->client_key();  // jw2 does not know it; jw3 does
  const auto result = run_mlbench();
  EXPECT_EQ(result.exit_code, 3) << result.out << result.err;
  expect_ok_node(*this, "jw3");
  const nlohmann::json jw2 = node_json("jw2");
  EXPECT_EQ(jw2.at("status"), "failed");
  EXPECT_THAT(jw2.at("error").get<std::string>(), HasSubstr("refused"));
  EXPECT_TRUE(jw2.at("runner_exit_code").is_null());
  expect_report_lists_every_node();
  expect_reported_ok("jw3");
  expect_reported_not_ok("jw2", "failed", "refused: the node refused the key");
  expect_reported_nothing_from("jw2");
}

TEST_F(ClusterTest, UnreachableNodeIsRetriedThenFailed) {
  nodes_[1].port = 1;  // nothing listens there
  settings_["connect_retries"] = "2";
  const auto result = run_mlbench();
  EXPECT_EQ(result.exit_code, 3) << result.out << result.err;
  expect_ok_node(*this, "jw2");
  EXPECT_THAT(node_json("jw3").at("error").get<std::string>(),
              HasSubstr("unreachable after 3 attempts"));
  expect_report_lists_every_node();
  expect_reported_ok("jw2");
  expect_reported_not_ok("jw3", "failed", "unreachable after 3 attempts");
  expect_reported_nothing_from("jw3");
}

TEST_F(ClusterTest, SshdKilledMidRunFailsThatNodeAndKeepsItsEvents) {
  testing::BackgroundProcess mlbench(run_args(), dir_.path());
  ASSERT_TRUE(mlbench.started());
  ASSERT_TRUE(testing::wait_until([&] { return has_progress("jw3"); }, seconds(30)));
  jw3_->kill_all();
  const auto result = mlbench.wait(seconds(60));
  EXPECT_EQ(result.exit_code, 3) << result.out << result.err;
  expect_ok_node(*this, "jw2");
  const nlohmann::json jw3 = node_json("jw3");
  EXPECT_EQ(jw3.at("status"), "failed");
  EXPECT_THAT(jw3.at("error").get<std::string>(), HasSubstr("lost the node during the run"));
  EXPECT_THAT(testing::read_file(node_dir("jw3") / "events.jsonl"), HasSubstr("\"progress\""));
  expect_report_lists_every_node();
  expect_reported_ok("jw2");
  expect_reported_not_ok("jw3", "failed", "lost the node during the run");
  expect_reported_result_kept("jw3");
}

TEST_F(ClusterTest, RunnerKilledMidRunIsPartialWithItsEventsKept) {
  use_runner_misbehaving_on("jw3", "( sleep 1; kill -KILL $$ ) >/dev/null 2>&1 &");
  const auto result = run_mlbench();
  EXPECT_EQ(result.exit_code, 3) << result.out << result.err;
  expect_ok_node(*this, "jw2");
  const nlohmann::json jw3 = node_json("jw3");
  EXPECT_EQ(jw3.at("status"), "partial");
  EXPECT_THAT(jw3.at("error").get<std::string>(), HasSubstr("killed by SIGKILL"));
  EXPECT_THAT(testing::read_file(node_dir("jw3") / "events.jsonl"), HasSubstr("\"progress\""));
  expect_report_lists_every_node();
  expect_reported_ok("jw2");
  expect_reported_not_ok("jw3", "partial", "killed by SIGKILL");
  expect_reported_result_kept("jw3");
}

TEST_F(ClusterTest, HangingNodeTimesOutAndIsStopped) {
  use_runner_misbehaving_on("jw3", "exec sleep 299.25");
  settings_["run_timeout_s"] = "5";
  settings_["heartbeat_timeout_s"] = "0";
  const auto result = run_mlbench();
  EXPECT_EQ(result.exit_code, 3) << result.out << result.err;
  expect_ok_node(*this, "jw2");
  const nlohmann::json jw3 = node_json("jw3");
  EXPECT_EQ(jw3.at("status"), "timeout");
  EXPECT_THAT(jw3.at("error").get<std::string>(), HasSubstr("run_timeout_s = 5 s"));
  EXPECT_TRUE(testing::wait_until([] { return testing::processes_with_argument("299.25").empty(); },
                                  seconds(10)))
      << "the hanging runner was left behind";
  expect_report_lists_every_node();
  expect_reported_ok("jw2");
  expect_reported_not_ok("jw3", "timeout", "run_timeout_s = 5 s");
  expect_reported_nothing_from("jw3");
}

TEST_F(ClusterTest, SilentNodeIsCaughtByTheHeartbeat) {
  use_runner_misbehaving_on("jw3", "exec sleep 299.5");
  settings_["heartbeat_timeout_s"] = "2";
  const auto result = run_mlbench();
  EXPECT_EQ(result.exit_code, 3) << result.out << result.err;
  EXPECT_THAT(node_json("jw3").at("error").get<std::string>(),
              HasSubstr("no output from the runner for 2 s"));
  EXPECT_TRUE(testing::wait_until([] { return testing::processes_with_argument("299.5").empty(); },
                                  seconds(10)));
  expect_report_lists_every_node();
  expect_reported_ok("jw2");
  expect_reported_not_ok("jw3", "failed",
                         "no output from the runner for 2 s (heartbeat_timeout_s)");
  expect_reported_nothing_from("jw3");
}

TEST_F(ClusterTest, CtrlCStopsEveryRunnerAndWritesEveryNode) {
  testing::BackgroundProcess mlbench(run_args(), dir_.path());
  ASSERT_TRUE(mlbench.started());
  ASSERT_TRUE(
      testing::wait_until([&] { return has_progress("jw2") && has_progress("jw3"); }, seconds(30)));
  mlbench.signal(SIGINT);
  const auto result = mlbench.wait(seconds(60));
  EXPECT_EQ(result.exit_code, 130) << result.out << result.err;
  for (const std::string node : {"jw2", "jw3"}) {
    const nlohmann::json outcome = node_json(node);
    ASSERT_TRUE(outcome.is_object()) << node;
    EXPECT_EQ(outcome.at("status"), "partial") << node;
    EXPECT_THAT(outcome.at("error").get<std::string>(), HasSubstr("interrupted")) << node;
    // The runner wrote its logs on SIGTERM, and they came home.
    EXPECT_TRUE(fs::exists(node_dir(node) / "mlperf_log_summary.txt")) << node;
  }
  EXPECT_TRUE(testing::processes_with_argument(work_dir_).empty()) << "a runner is still running";
  const auto run = nlohmann::json::parse(testing::read_file(run_dir() / "run.json"));
  EXPECT_EQ(run.at("interrupted"), true);
  EXPECT_EQ(run.at("exit_code"), 130);
  expect_report_lists_every_node();
  for (const std::string node : {"jw2", "jw3"}) {
    expect_reported_not_ok(node, "partial", "interrupted (SIGINT/SIGTERM to mlbench)");
    expect_reported_result_kept(node);
  }
}

// A runner that ignores SIGTERM would hold a Ctrl-C'd run for the whole kill grace; a second
// Ctrl-C kills it at once, and the run still ends with every node written.
TEST_F(ClusterTest, SecondCtrlCKillsARunnerThatIgnoresSigterm) {
  use_runner_misbehaving_on("jw3", "trap '' TERM; sleep 299.75");
  settings_["kill_grace_s"] = "120";
  testing::BackgroundProcess mlbench(run_args(), dir_.path());
  ASSERT_TRUE(mlbench.started());
  ASSERT_TRUE(testing::wait_until([&] { return has_progress("jw2"); }, seconds(30)));
  ASSERT_TRUE(testing::wait_until(
      [] { return !testing::processes_with_argument("299.75").empty(); }, seconds(30)));
  const auto first = std::chrono::steady_clock::now();
  mlbench.signal(SIGINT);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  mlbench.signal(SIGINT);
  const auto result = mlbench.wait(seconds(90));
  EXPECT_LT(std::chrono::steady_clock::now() - first, seconds(60)) << "the grace was waited out";
  EXPECT_EQ(result.exit_code, 130) << result.out << result.err;
  const nlohmann::json jw3 = node_json("jw3");
  ASSERT_TRUE(jw3.is_object());
  EXPECT_EQ(jw3.at("status"), "partial");
  EXPECT_THAT(jw3.at("error").get<std::string>(), HasSubstr("interrupted"));
  EXPECT_TRUE(node_json("jw2").is_object());
  EXPECT_TRUE(testing::wait_until([] { return testing::processes_with_argument("299.75").empty(); },
                                  seconds(10)))
      << "the runner that ignored SIGTERM was left behind";
  expect_report_lists_every_node();
}

// Words with spaces, quotes and `;` in the runner's path and the workdir reach the node as
// words: the run works, and nothing they spell is executed.
TEST_F(ClusterTest, PathsWithShellMetacharactersCannotInject) {
  const fs::path odd = dir_.path() / "it's a \"dir\"; touch INJECTED; $(touch INJECTED2)";
  fs::create_directories(odd);
  const fs::path runner = odd / "mlbench runner; touch INJECTED3";
  fs::create_symlink(testing::binary_path("mlbench-runner"), runner);
  settings_["runner"] = runner.string();
  work_dir_ = (odd / "work `touch INJECTED4`").string();
  const auto result = run_mlbench();
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  expect_ok_node(*this, "jw2");
  expect_ok_node(*this, "jw3");
  expect_report_lists_every_node();
  expect_reported_ok("jw2");
  expect_reported_ok("jw3");
  for (const fs::path& where : {dir_.path(), odd, fs::path(work_dir_), fs::current_path()}) {
    for (const char* name : {"INJECTED", "INJECTED2", "INJECTED3", "INJECTED4"}) {
      EXPECT_FALSE(fs::exists(where / name)) << where / name;
    }
  }
}

TEST_F(ClusterTest, PreflightTablesEveryNodeAndFailsOnARefusedOne) {
  known_hosts_ = dir_.write(
      "known_hosts", jw2_->known_hosts_line() + "\n" + jw3_->wrong_known_hosts_line() + "\n");
  testing::ProcessOptions options;
  options.timeout = std::chrono::seconds(60);
  const auto result = testing::run_process(
      {testing::binary_path("mlbench"), "preflight", "-c", write_config()}, options);
  EXPECT_EQ(result.exit_code, 3) << result.out << result.err;
  EXPECT_THAT(result.out, ::testing::ContainsRegex("jw2 +ok +ok +0\\.[0-9.]+ +none \\(sim\\)"));
  EXPECT_THAT(result.out, ::testing::ContainsRegex("jw3 +ok +FAIL +- +-"));
  EXPECT_THAT(result.out, HasSubstr("jw3 auth: host key CHANGED"));
  EXPECT_THAT(result.out, HasSubstr("1 of 2 nodes not ready"));
}

}  // namespace
}  // namespace mlbench::orchestrator
