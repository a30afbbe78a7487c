// Path-valued keys: `~`, relative paths, node-side paths for launcher ssh, and user.conf.

#include <gtest/gtest.h>

#include "config_test_support.h"

namespace mlbench::config {
namespace {

using testing::errors_of;
using testing::FakeWorld;
using testing::load;
using Lines = std::vector<std::string>;

TEST(Paths, SshNodePathsMustBeAbsoluteOrUnderTheNodeHome) {
  EXPECT_EQ(errors_of(R"yaml(cluster: {launcher: ssh}
nodes: [{name: a, host: h}]
runner: {path: bin/mlbench-runner, workdir: ~work}
model: {path: ~/models/tiny}
dataset: {path: data.json}
)yaml"),
            (Lines{"test.yaml:3:16: runner.path: must be an absolute path or a bare program name, "
                   "got 'bin/mlbench-runner' (write the full path on the node (or ~/...), or a "
                   "bare name such as mlbench-runner to use the node's PATH)",
                   "test.yaml:3:45: runner.workdir: must be an absolute path on the node, got "
                   "'~work' (write ~/... for the node user's home directory, or the full path)",
                   "test.yaml:5:17: dataset.path: must be an absolute path on the node, got "
                   "'data.json' (write the full path as seen on the node, or ~/... under the "
                   "node user's home)"}));
}

TEST(Paths, SshKeepsNodePathsAsWrittenAndResolvesControllerPaths) {
  const LoadOutcome outcome = load(R"yaml(cluster:
  launcher: ssh
  ssh: {identity_file: keys/id, known_hosts_file: ~/.ssh/kh}
nodes: [{name: a, host: h}]
runner: {path: mlbench-runner, workdir: /scratch/../tmp/mlb}
model: {path: /models/m}
dataset: {path: /data/d.json}
)yaml");
  ASSERT_TRUE(outcome.diagnostics.empty()) << testing::formatted(outcome.diagnostics)[0];
  const Config& config = *outcome.config;
  EXPECT_EQ(config.cluster.ssh.identity_file, "/cfg/keys/id");
  EXPECT_EQ(config.cluster.ssh.known_hosts_file, "/home/ada/.ssh/kh");
  EXPECT_EQ(config.runner.path, "mlbench-runner");
  EXPECT_EQ(config.runner.workdir, "/scratch/../tmp/mlb");
  EXPECT_EQ(config.model.path, "/models/m");
}

TEST(Paths, UserConfMustExistAfterExpansion) {
  EXPECT_EQ(errors_of("runner: {backend: sim}\nbenchmark: {user_conf: ~/mlperf/user.conf}\n"),
            Lines{"test.yaml:2:24: benchmark.user_conf: file not found: "
                  "/home/ada/mlperf/user.conf (create it with `mlbench init` or correct the "
                  "path)"});
  FakeWorld world;
  world.files = {"/home/ada/mlperf/user.conf"};
  const LoadOutcome outcome =
      load("runner: {backend: sim}\nbenchmark: {user_conf: ~/mlperf/user.conf}\n", world);
  ASSERT_TRUE(outcome.config.has_value());
  EXPECT_EQ(outcome.config->benchmark.user_conf, "/home/ada/mlperf/user.conf");
}

TEST(Paths, TildeOfAnotherUserIsRefused) {
  EXPECT_EQ(errors_of("runner: {backend: sim}\nreport: {out_dir: ~bob/runs}\n"),
            Lines{"test.yaml:2:19: report.out_dir: cannot expand '~bob' (write ~/... for your "
                  "own home directory, or the full path)"});
}

TEST(Paths, TildeWithoutAHomeIsRefused) {
  FakeWorld world;
  world.home = "";
  EXPECT_EQ(errors_of("runner: {backend: sim}\nreport: {out_dir: ~/runs}\n", world),
            Lines{"test.yaml:2:19: report.out_dir: cannot expand '~': the home directory is "
                  "unknown (set HOME or write the full path)"});
}

TEST(Paths, BareTildeIsYamlNullSoAMissingValue) {
  EXPECT_EQ(errors_of("runner: {backend: sim}\nreport: {out_dir: ~}\n"),
            Lines{"test.yaml:2:10: report.out_dir: missing value (write plain text, quoted if it "
                  "starts with '{' or '[')"});
}

TEST(Paths, CpuAndCudaNeedModelAndDataset) {
  EXPECT_EQ(errors_of("runner: {backend: cpu}\nmodel: {name: llama3_1-8b}\n"),
            (Lines{"test.yaml:1:1: dataset.path: required for backend 'cpu' but not set (give "
                   "the path of cnn_eval.json, or use backend sim)",
                   "test.yaml:2:8: model.path: required for backend 'cpu' but not set (give the "
                   "model directory, or use backend sim)"}));
  EXPECT_EQ(errors_of("benchmark: {mode: accuracy}\n"),
            (Lines{"test.yaml:1:1: model.path: required for backend 'cpu' but not set (give the "
                   "model directory, or use backend sim)",
                   "test.yaml:1:1: dataset.path: required for backend 'cpu' but not set (give "
                   "the path of cnn_eval.json, or use backend sim)"}));
}

TEST(Paths, ModelPathThatExpandsToNothingIsReportedAtTheValue) {
  EXPECT_EQ(errors_of("runner: {backend: cuda}\nmodel: {path: \"${M:-}\"}\ndataset: {path: /d}\n"),
            Lines{"test.yaml:2:15: model.path: required for backend 'cuda' but not set (give the "
                  "model directory, or use backend sim)"});
}

// `~/` on the node is the node user's home, which only the node knows: kept as written until
// the worker asks the node.
TEST(Paths, SshNodePathsKeepTheirHomeForTheNode) {
  const auto outcome = load(R"yaml(cluster: {launcher: ssh}
nodes: [{name: a, host: h}]
runner: {path: ~/bin/mlbench-runner, workdir: ~/work, backend: cpu}
model: {path: ~/models/tiny}
dataset: {path: ~/data/cnn_eval.json}
)yaml");
  ASSERT_TRUE(outcome.config) << outcome.diagnostics.front().format();
  EXPECT_EQ(outcome.config->runner.path, "~/bin/mlbench-runner");
  EXPECT_EQ(outcome.config->runner.workdir, "~/work");
  EXPECT_EQ(outcome.config->model.path, "~/models/tiny");
  EXPECT_EQ(outcome.config->dataset.path, "~/data/cnn_eval.json");
}

TEST(Paths, SshConfigFileAndLocalRunnerResolveOnTheController) {
  const auto defaults = load(
      "cluster: {launcher: ssh}\nnodes: [{name: a, host: h}]\n"
      "runner: {backend: sim}\n");
  ASSERT_TRUE(defaults.config);
  EXPECT_EQ(defaults.config->cluster.ssh.config_file, "/home/ada/.ssh/config");
  EXPECT_EQ(defaults.config->runner.local_path, "");
  EXPECT_EQ(defaults.config->runner.upload, RunnerUpload::kIfNeeded);

  const auto written = load(
      "cluster: {launcher: ssh, ssh: {config_file: ssh/cfg}}\nnodes: [{name: a, host: h}]\n"
      "runner: {backend: sim, upload: never, local_path: ~/bin/mlbench-runner}\n");
  ASSERT_TRUE(written.config) << written.diagnostics.front().format();
  EXPECT_EQ(written.config->cluster.ssh.config_file, "/cfg/ssh/cfg");
  EXPECT_EQ(written.config->runner.local_path, "/home/ada/bin/mlbench-runner");
  EXPECT_EQ(written.config->runner.upload, RunnerUpload::kNever);

  EXPECT_EQ(errors_of("runner: {backend: sim, upload: sometimes}\n"),
            Lines{"test.yaml:1:32: runner.upload: unknown runner upload 'sometimes' (use one "
                  "of: never, if_needed)"});
}

// Without HOME the default ~/.ssh/config is simply not read; written, it must resolve.
TEST(Paths, UnknownHomeDropsOnlyTheDefaultSshConfig) {
  FakeWorld world;
  world.home = "";
  const auto defaults = load(
      "cluster: {launcher: ssh}\nnodes: [{name: a, host: h}]\nrunner: {backend: sim}\n", world);
  ASSERT_TRUE(defaults.config) << defaults.diagnostics.front().format();
  EXPECT_EQ(defaults.config->cluster.ssh.config_file, "");
  EXPECT_EQ(errors_of("cluster: {launcher: ssh, ssh: {config_file: ~/.ssh/other}}\n"
                      "nodes: [{name: a, host: h}]\nrunner: {backend: sim}\n",
                      world),
            Lines{"test.yaml:1:45: cluster.ssh.config_file: cannot expand '~': the home "
                  "directory is unknown (set HOME or write the full path)"});
}

}  // namespace
}  // namespace mlbench::config
