// config/cluster.example.yaml, unchanged, against the two loopback nodes that
// scripts/tryout-cluster.sh makes: the path docs/getting-started.md §4 walks.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "support/sshd_fixture.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace mlbench {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

class ClusterExample : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists("/usr/sbin/sshd")) GTEST_SKIP() << "no /usr/sbin/sshd (openssh-server)";
    // Both try-out nodes use one port; one free on 127.0.0.2 serves.
    const int port = testing::free_port("127.0.0.2");
    ASSERT_NE(port, 0);
    // HOME in the temporary directory: the script's ~/.ssh/config line, its nodes and the
    // quickstart's model cache all land there, never in the real home.
    env_ = {{"HOME", dir_.path().string()},
            {"MLBENCH_TRYOUT_PORT", std::to_string(port)},
            {"MLBENCH_BIN_DIR", fs::path(testing::binary_path("mlbench")).parent_path()},
            {"SSH_AUTH_SOCK", ""}};
    fs::create_directories(dir_.path() / ".ssh");
    dir_.write(".ssh/config", "# the user's own settings\nHost example\n  User someone\n");
    fs::create_directories(dir_.path() / "config");
    for (const char* name : {"cluster.example.yaml", "user.conf"}) {
      fs::copy_file(testing::source_path(std::string("config/") + name),
                    dir_.path() / "config" / name);
    }
    // Set first: `down` also stops a node that a failed `up` left running.
    started_ = true;
    const testing::ProcessResult up = script("up");
    ASSERT_EQ(up.exit_code, 0) << up.out << up.err;
  }

  void TearDown() override {
    if (started_) script("down");
  }

  testing::ProcessResult script(const std::string& action) {
    testing::ProcessOptions options;
    options.env = env_;
    options.timeout = std::chrono::minutes(2);
    return testing::run_process(
        {"/bin/bash", testing::source_path("scripts/tryout-cluster.sh"), action}, options);
  }

  testing::ProcessResult mlbench(std::vector<std::string> args) {
    args.insert(args.begin(), testing::binary_path("mlbench"));
    testing::ProcessOptions options;
    options.env = env_;
    options.timeout = std::chrono::minutes(5);
    return testing::run_process(args, options);
  }

  std::string config() const { return (dir_.path() / "config/cluster.example.yaml").string(); }

  testing::TempDir dir_;
  std::map<std::string, std::string> env_;
  bool started_ = false;
};

TEST_F(ClusterExample, RunsUnchangedOnTheTryoutNodesAndDownUndoesEverything) {
  // The copy is the shipped file, byte for byte.
  EXPECT_EQ(testing::read_file(config()),
            testing::read_file(testing::source_path("config/cluster.example.yaml")));

  const testing::ProcessResult preflight = mlbench({"preflight", "-c", config()});
  EXPECT_EQ(preflight.exit_code, 0) << preflight.out << preflight.err;

  const testing::ProcessResult run = mlbench({"run", "-c", config(), "--scenario", "offline"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;

  fs::path run_dir;
  for (const auto& entry : fs::directory_iterator(dir_.path() / "runs"))
    run_dir = entry.path();
  ASSERT_FALSE(run_dir.empty());
  const json report = json::parse(testing::read_file(run_dir / "report.json"));
  ASSERT_EQ(report.at("nodes").size(), 2u);
  for (const json& node : report.at("nodes")) {
    SCOPED_TRACE(node.value("name", "?"));
    EXPECT_EQ(node.value("status", ""), "ok") << node.dump(2);
    const json& samples = node.at("result").at("samples");
    EXPECT_GT(samples.value("issued", 0), 0);
    EXPECT_EQ(samples.value("completed", -1), samples.value("issued", 0));
    EXPECT_GT(node.at("result").at("tokens_per_second").value("value", 0.0), 0.0);
    // The runner wrote under the node's own home, which the try-out keeps apart per node.
    EXPECT_TRUE(fs::exists(run_dir / "nodes" / node.value("name", "?") / "mlperf_log_summary.txt"));
  }
  EXPECT_EQ(report.at("aggregate").value("nodes_ok", 0), 2);

  const testing::ProcessResult down = script("down");
  started_ = false;
  ASSERT_EQ(down.exit_code, 0) << down.out << down.err;
  // The user's own ~/.ssh/config is back as it was.
  EXPECT_EQ(testing::read_file(dir_.path() / ".ssh/config"),
            "# the user's own settings\nHost example\n  User someone\n");
  EXPECT_FALSE(fs::exists(dir_.path() / ".cache/mlbench/tryout-cluster"));
}

}  // namespace
}  // namespace mlbench
