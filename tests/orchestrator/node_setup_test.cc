// Reaching nodes the way ssh reaches them, and getting the runner onto them: nodes named only
// by ssh-config aliases, `~/` node paths under each node user's $HOME (which sshd's SetEnv may
// move away from the SFTP login directory), and runner.upload. Real sshd on 127.0.0.2/3, the
// real binaries, and a controller HOME of the test's own.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "orchestrator/cluster_fixture.h"
#include "orchestrator/node_home.h"

namespace mlbench::orchestrator {
namespace {

using ::testing::HasSubstr;

// The run-directory helpers of ClusterTest, with a cluster of its own: the sshds are started by
// each test (with the sshd_config lines it needs) and reached only through ~/.ssh/config.
class NodeSetupTest : public ClusterTest {
 protected:
  void SetUp() override {}

  // jw2's sshd gives its sessions HOME=<tmp>/jw2-home; jw3's gets `jw3_config` (sshd_config
  // lines), by default HOME=<tmp>/jw3-home.
  bool start_cluster(std::string jw3_config = {}) {
    fs::create_directories(jw2_home());
    fs::create_directories(jw3_home());
    if (jw3_config.empty()) jw3_config = "SetEnv HOME=" + jw3_home().string() + "\n";
    std::string why_not;
    jw2_ = testing::SshdServer::start("127.0.0.2", &why_not, "VERBOSE",
                                      "SetEnv HOME=" + jw2_home().string() + "\n");
    if (jw2_) jw3_ = testing::SshdServer::start("127.0.0.3", &why_not, "VERBOSE", jw3_config);
    if (!jw2_ || !jw3_) {
      why_not_ = why_not;
      return false;
    }
    jw3_->authorize_key(jw2_->client_key());
    // The controller's ~/.ssh: a key, a known_hosts file and a config naming both nodes.
    fs::create_directories(ssh_dir());
    fs::copy_file(jw2_->client_key(), ssh_dir() / "id_cluster");
    write_known_hosts(jw3_->known_hosts_line());
    std::string config;
    for (const testing::SshdServer* server : {jw2_.get(), jw3_.get()}) {
      config += "Host " + std::string(server == jw2_.get() ? "jw2" : "jw3") + "\n" + "  HostName " +
                server->address() + "\n  Port " + std::to_string(server->port()) + "\n  User " +
                server->user() +
                "\n  IdentityFile %d/id_cluster\n"
                "  UserKnownHostsFile ~/.ssh/known_hosts_cluster\n";
    }
    dir_.write("home/.ssh/config", config);
    dir_.write("user.conf", kUserConf);
    return true;
  }

  void write_known_hosts(const std::string& jw3_line) {
    dir_.write("home/.ssh/known_hosts_cluster", jw2_->known_hosts_line() + "\n" + jw3_line + "\n");
  }

  // Nodes are only names and aliases: everything else comes from ~/.ssh/config.
  std::string write_config() {
    return dir_.write(
        "config.yaml",
        "cluster:\n"
        "  launcher: ssh\n"
        "  ssh: {connect_timeout_s: 2, keepalive_s: 1, connect_retries: 0}\n"
        "  run_timeout_s: 60\n"
        "  collect_timeout_s: 20\n"
        "  heartbeat_timeout_s: 20\n"
        "  kill_grace_s: 2\n"
        "nodes:\n"
        "  - {name: jw2, host: jw2}\n"
        "  - {name: jw3, host: jw3}\n"
        "runner:\n"
        "  path: " +
            quoted(runner_path_) +
            "\n"
            "  backend: sim\n"
            "  workdir: " +
            quoted(workdir_) + "\n  upload: " + upload_ +
            (local_runner_.empty() ? "" : "\n  local_path: " + quoted(local_runner_)) +
            "\n"
            "benchmark: {scenario: offline, user_conf: user.conf}\n"
            "report: {out_dir: runs}\n");
  }

  testing::ProcessResult mlbench(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {testing::binary_path("mlbench")};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.insert(argv.end(), {"-c", write_config()});
    testing::ProcessOptions options;
    options.timeout = std::chrono::seconds(90);
    options.cwd = dir_.path().string();
    // The controller's home is the test's; no agent offers keys of its own.
    options.env = {{"HOME", (dir_.path() / "home").string()}, {"SSH_AUTH_SOCK", ""}};
    return testing::run_process(argv, options);
  }

  std::string runner_log(const std::string& node) const {
    const fs::path path = node_dir(node) / "runner.log";
    return fs::exists(path) ? testing::read_file(path) : std::string();
  }
  // The node's entry in report.json.
  nlohmann::json report_entry(const std::string& node) const {
    const auto report = nlohmann::json::parse(testing::read_file(run_dir() / "report.json"));
    for (const auto& entry : report.at("nodes")) {
      if (entry.at("name") == node) return entry;
    }
    return nullptr;
  }

  void expect_ok(const std::string& node) const {
    const nlohmann::json outcome = node_json(node);
    ASSERT_TRUE(outcome.is_object()) << node << ": no node.json";
    EXPECT_EQ(outcome.at("status"), "ok") << node << ": " << outcome.dump();
    EXPECT_THAT(testing::read_file(node_dir(node) / "mlperf_log_summary.txt"),
                HasSubstr("Result is : VALID"));
  }

  fs::path jw2_home() const { return dir_.path() / "jw2-home"; }
  fs::path jw3_home() const { return dir_.path() / "jw3-home"; }
  fs::path ssh_dir() const { return dir_.path() / "home" / ".ssh"; }
  std::string address(const testing::SshdServer& server) const {
    return server.address() + ":" + std::to_string(server.port());
  }

  std::string why_not_;
  std::string runner_path_ = testing::binary_path("mlbench-runner");
  std::string workdir_ = (dir_.path() / "node-work").string();
  std::string upload_ = "if_needed";
  std::string local_runner_;  // runner.local_path; empty: the runner beside mlbench
};

TEST_F(NodeSetupTest, NodesNamedOnlyByAliasRunAndPreflight) {
  if (!start_cluster()) GTEST_SKIP() << "no sshd: " << why_not_;
  const auto ran = mlbench({"run"});
  ASSERT_EQ(ran.exit_code, 0) << ran.out << ran.err;
  expect_ok("jw2");
  expect_ok("jw3");
  // node.json names the address really used, from the ssh config.
  EXPECT_EQ(node_json("jw2").at("host"), address(*jw2_));
  EXPECT_EQ(node_json("jw3").at("host"), address(*jw3_));

  const auto checked = mlbench({"preflight"});
  EXPECT_EQ(checked.exit_code, 0) << checked.out << checked.err;
  EXPECT_THAT(checked.out, ::testing::ContainsRegex("jw2 +ok +ok +0\\.[0-9.]+ +none \\(sim\\)"));
  EXPECT_THAT(checked.out, ::testing::ContainsRegex("jw3 +ok +ok +0\\.[0-9.]+ +none \\(sim\\)"));
}

TEST_F(NodeSetupTest, ChangedHostKeyThroughAnAliasIsRefused) {
  if (!start_cluster()) GTEST_SKIP() << "no sshd: " << why_not_;
  write_known_hosts(jw3_->wrong_known_hosts_line());
  const auto ran = mlbench({"run"});
  EXPECT_EQ(ran.exit_code, 3) << ran.out << ran.err;
  expect_ok("jw2");
  const nlohmann::json jw3 = node_json("jw3");
  EXPECT_EQ(jw3.at("status"), "failed");
  const std::string error = jw3.at("error").get<std::string>();
  EXPECT_THAT(error, HasSubstr("refused: host key CHANGED"));
  // Under the name ssh checks: HostName and Port, in the ssh config's known_hosts file.
  EXPECT_THAT(error, HasSubstr("[" + jw3_->address() + "]:" + std::to_string(jw3_->port())));
  EXPECT_THAT(error, HasSubstr((ssh_dir() / "known_hosts_cluster").string()));
}

// `~/` is each node's own $HOME as its shell sees it (sshd's SetEnv here), not the SFTP login
// directory; a node whose $HOME is not absolute fails with the reason.
TEST_F(NodeSetupTest, HomePathsAreEachNodesHome) {
  if (!start_cluster("SetEnv HOME=relative-home\n")) GTEST_SKIP() << "no sshd: " << why_not_;
  workdir_ = "~/work";
  const auto planned = mlbench({"run", "--dry-run"});
  ASSERT_EQ(planned.exit_code, 0) << planned.out << planned.err;
  EXPECT_THAT(planned.out, HasSubstr("--out '~/work/"));

  const auto ran = mlbench({"run"});
  EXPECT_EQ(ran.exit_code, 3) << ran.out << ran.err;
  expect_ok("jw2");
  const fs::path remote_run = jw2_home() / "work" / run_dir().filename();
  EXPECT_TRUE(fs::exists(remote_run / "user.conf"));
  EXPECT_TRUE(fs::exists(remote_run / "run.json"));
  EXPECT_TRUE(fs::exists(remote_run / "jw2" / "mlperf_log_summary.txt"));
  const nlohmann::json jw3 = node_json("jw3");
  EXPECT_EQ(jw3.at("status"), "failed");
  EXPECT_THAT(jw3.at("error").get<std::string>(),
              HasSubstr("$HOME is 'relative-home', not an absolute path"));
}

// A real runner is tens of MB, too slow to copy twice per test on a shared CI box; the runner
// that is uploaded here is a small script that runs the real one (same version, same machine).
std::string write_small_runner(const testing::TempDir& dir) {
  const std::string path = dir.write(
      "small-runner", "#!/bin/sh\nexec '" + testing::binary_path("mlbench-runner") + "' \"$@\"\n");
  fs::permissions(path, fs::perms::owner_all);
  return path;
}

TEST_F(NodeSetupTest, MissingRunnerIsUploaded) {
  if (!start_cluster()) GTEST_SKIP() << "no sshd: " << why_not_;
  runner_path_ = "~/bin/mlbench-runner";
  workdir_ = "~/work";
  // Preflight changes nothing; it says what a run will upload: by default the runner beside
  // mlbench.
  const auto checked = mlbench({"preflight"});
  EXPECT_EQ(checked.exit_code, 0) << checked.out << checked.err;
  EXPECT_THAT(checked.out, ::testing::ContainsRegex("jw2 +ok +ok +upload +none \\(sim\\)"));
  EXPECT_THAT(checked.out, HasSubstr("uploads " + testing::binary_path("mlbench-runner")));
  EXPECT_FALSE(fs::exists(jw2_home() / "bin"));

  local_runner_ = write_small_runner(dir_);
  const auto ran = mlbench({"run"});
  ASSERT_EQ(ran.exit_code, 0) << ran.out << ran.err;
  expect_ok("jw2");
  expect_ok("jw3");
  for (const fs::path& home : {jw2_home(), jw3_home()}) {
    const fs::path uploaded = home / "bin" / "mlbench-runner";
    ASSERT_TRUE(fs::exists(uploaded)) << uploaded;
    EXPECT_EQ(testing::read_file(uploaded), testing::read_file(local_runner_));
    EXPECT_NE(fs::status(uploaded).permissions() & fs::perms::owner_exec, fs::perms::none);
  }
  EXPECT_THAT(runner_log("jw2"), HasSubstr("mlbench: runner uploaded: was missing"));
}

TEST_F(NodeSetupTest, RunnerOfAnotherVersionIsReplaced) {
  if (!start_cluster()) GTEST_SKIP() << "no sshd: " << why_not_;
  runner_path_ = "~/bin/mlbench-runner";
  const fs::path old_runner = jw2_home() / "bin" / "mlbench-runner";
  fs::create_directories(old_runner.parent_path());
  dir_.write("jw2-home/bin/mlbench-runner",
             "#!/bin/sh\necho '{\"program\":\"mlbench-runner\",\"version\":\"0.0.9\"}'\n");
  fs::permissions(old_runner, fs::perms::owner_all);
  local_runner_ = write_small_runner(dir_);
  const auto ran = mlbench({"run"});
  ASSERT_EQ(ran.exit_code, 0) << ran.out << ran.err;
  expect_ok("jw2");
  expect_ok("jw3");
  EXPECT_THAT(runner_log("jw2"), HasSubstr("mlbench: runner uploaded: was 0.0.9"));
  EXPECT_THAT(runner_log("jw3"), HasSubstr("mlbench: runner uploaded: was missing"));
  EXPECT_EQ(testing::read_file(old_runner), testing::read_file(local_runner_));
}

TEST_F(NodeSetupTest, NeverLeavesAMissingRunnerMissingAndFailsTheNode) {
  if (!start_cluster()) GTEST_SKIP() << "no sshd: " << why_not_;
  runner_path_ = "~/bin/mlbench-runner";
  upload_ = "never";
  fs::create_directories(jw3_home() / "bin");
  fs::create_symlink(testing::binary_path("mlbench-runner"), jw3_home() / "bin/mlbench-runner");
  const auto ran = mlbench({"run"});
  EXPECT_EQ(ran.exit_code, 3) << ran.out << ran.err;
  expect_ok("jw3");
  const nlohmann::json jw2 = report_entry("jw2");
  ASSERT_TRUE(jw2.is_object());
  EXPECT_EQ(jw2.at("status"), "failed");
  const std::string error = jw2.at("error").get<std::string>();
  EXPECT_THAT(error, HasSubstr("runner.upload"));
  EXPECT_THAT(error, HasSubstr((jw2_home() / "bin" / "mlbench-runner").string() +
                               " on the node is missing"));
  EXPECT_THAT(error, HasSubstr("set runner.upload: if_needed"));
  EXPECT_FALSE(fs::exists(jw2_home() / "bin" / "mlbench-runner"));
}

TEST(Rehome, OnlyALeadingTildeSlashIsTheNodeHome) {
  EXPECT_EQ(detail::rehome("~/work", "/home/jw"), "/home/jw/work");
  EXPECT_EQ(detail::rehome("~/work", "/home/jw/"), "/home/jw/work");
  EXPECT_EQ(detail::rehome("~/work", "/"), "/work");
  EXPECT_EQ(detail::rehome("/abs/~/x", "/home/jw"), "/abs/~/x");
  EXPECT_EQ(detail::rehome("~jw/x", "/home/jw"), "~jw/x");
  EXPECT_EQ(detail::rehome("--out", "/home/jw"), "--out");
}

}  // namespace
}  // namespace mlbench::orchestrator
