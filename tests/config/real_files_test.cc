// The example configs shipped in config/ must stay valid.

#include <gtest/gtest.h>

#include <string>

#include "config_test_support.h"

namespace mlbench::config {
namespace {

const std::string kConfigDir = std::string(MLBENCH_SOURCE_DIR) + "/config";

// The real filesystem (user.conf must be found beside the configs), a fixed home.
LoadEnvironment real_files_fixed_home() {
  LoadEnvironment env = LoadEnvironment::from_process();
  env.home = "/home/ada";
  return env;
}

TEST(ShippedConfigs, LocalYamlLoads) {
  const std::string path = kConfigDir + "/local.yaml";
  const LoadOutcome outcome = load_config_file(path, real_files_fixed_home());
  ASSERT_TRUE(outcome.diagnostics.empty()) << to_error(outcome.diagnostics).message;
  const Config& config = *outcome.config;
  EXPECT_EQ(config.source_path, path);
  EXPECT_EQ(config.cluster.launcher, LauncherKind::kLocal);
  EXPECT_EQ(node_names(config), std::vector<std::string>{"local"});
  EXPECT_EQ(config.runner.backend, Backend::kCpu);
  EXPECT_EQ(config.model.path, "/home/ada/.cache/mlbench/models/tiny");
  EXPECT_EQ(config.dataset.path, "/home/ada/.cache/mlbench/data/cnn_eval.json");
  EXPECT_EQ(config.benchmark.user_conf, kConfigDir + "/user.conf");
}

TEST(ShippedConfigs, ClusterExampleLoads) {
  const LoadOutcome outcome =
      load_config_file(kConfigDir + "/cluster.example.yaml", real_files_fixed_home());
  ASSERT_TRUE(outcome.diagnostics.empty()) << to_error(outcome.diagnostics).message;
  const Config& config = *outcome.config;
  EXPECT_EQ(config.cluster.launcher, LauncherKind::kSsh);
  // User, key and port are left to ~/.ssh/config, as for `ssh jw2`.
  EXPECT_EQ(config.cluster.ssh.user, "");
  EXPECT_EQ(config.cluster.ssh.identity_file, "");
  EXPECT_EQ(config.cluster.ssh.host_key_policy, HostKeyPolicy::kStrict);
  ASSERT_EQ(config.nodes.size(), 2u);
  EXPECT_EQ(config.nodes[0].name, "jw2");
  EXPECT_EQ(config.nodes[0].host, "jw2");
  EXPECT_EQ(config.nodes[0].port, 0);
  EXPECT_EQ(config.nodes[1].name, "jw3");
  EXPECT_EQ(config.nodes[1].host, "jw3");
  // Node-side ~ stays for the node to resolve against its own $HOME.
  EXPECT_EQ(config.runner.path, "~/mlbench/bin/mlbench-runner");
  EXPECT_EQ(config.runner.backend, Backend::kCpu);
  EXPECT_EQ(config.runner.workdir, "~/mlbench/work");
  EXPECT_EQ(config.model.path, "~/mlbench/model");
  EXPECT_EQ(config.dataset.path, "~/mlbench/data/cnn_eval.json");
  EXPECT_EQ(config.benchmark.user_conf, kConfigDir + "/user.conf");
}

TEST(ShippedConfigs, MissingFileIsOneDiagnosticWithoutPosition) {
  const std::string path = kConfigDir + "/does-not-exist.yaml";
  const LoadOutcome outcome = load_config_file(path, real_files_fixed_home());
  EXPECT_FALSE(outcome.config.has_value());
  EXPECT_EQ(
      testing::formatted(outcome.diagnostics),
      std::vector<std::string>{
          path + ": cannot read the config file: No such file or directory (check the path)"});
}

TEST(ShippedConfigs, DirectoryIsNotAConfigFile) {
  const LoadOutcome outcome = load_config_file(kConfigDir, real_files_fixed_home());
  EXPECT_EQ(testing::formatted(outcome.diagnostics),
            std::vector<std::string>{
                kConfigDir + ": cannot read the config file: Is a directory (check the path)"});
}

}  // namespace
}  // namespace mlbench::config
