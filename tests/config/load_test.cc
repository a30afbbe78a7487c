// Configs that load: defaults filled in, values read, paths expanded and resolved.

#include <gtest/gtest.h>

#include "config_test_support.h"

namespace mlbench::config {
namespace {

using testing::errors_of;
using testing::FakeWorld;
using testing::load;

TEST(LoadConfig, SimBackendNeedsNoModelAndGetsDefaults) {
  const LoadOutcome outcome = load(R"yaml(runner:
  backend: sim
)yaml");
  ASSERT_TRUE(outcome.diagnostics.empty()) << testing::formatted(outcome.diagnostics)[0];
  ASSERT_TRUE(outcome.config.has_value());
  const Config& config = *outcome.config;
  EXPECT_EQ(config.source_path, "test.yaml");
  EXPECT_EQ(config.cluster.launcher, LauncherKind::kLocal);
  EXPECT_EQ(config.cluster.ssh.host_key_policy, HostKeyPolicy::kStrict);
  EXPECT_EQ(config.cluster.ssh.connect_timeout_s, 10);
  EXPECT_EQ(config.cluster.ssh.keepalive_s, 15);
  EXPECT_EQ(config.cluster.ssh.max_parallel, 32);
  EXPECT_EQ(config.cluster.run_timeout_s, 4 * 3600);
  EXPECT_EQ(config.cluster.collect_timeout_s, 600);
  ASSERT_EQ(config.nodes.size(), 1u);
  EXPECT_EQ(config.nodes[0].name, "local");
  EXPECT_EQ(config.nodes[0].host, "");
  EXPECT_EQ(config.nodes[0].port, 0);  // not written: the ssh config decides
  EXPECT_EQ(config.runner.backend, Backend::kSim);
  EXPECT_EQ(config.runner.path, "mlbench-runner");
  EXPECT_EQ(config.runner.workdir, "/var/tmp/mlbench");
  EXPECT_TRUE(config.runner.args.empty());
  EXPECT_EQ(config.model.name, "llama3_1-8b");
  EXPECT_EQ(config.model.path, "");
  EXPECT_EQ(config.dataset.max_samples, std::nullopt);
  EXPECT_EQ(config.benchmark.scenario, Scenario::kOffline);
  EXPECT_EQ(config.benchmark.mode, Mode::kPerformance);
  EXPECT_EQ(config.benchmark.max_output_tokens, 128);
  EXPECT_EQ(config.benchmark.user_conf, "");
  EXPECT_EQ(config.report.out_dir, "/cfg/runs");  // the default resolves like a written value
  EXPECT_EQ(config.report.formats, (std::vector<std::string>{"json", "md", "html"}));
  EXPECT_EQ(node_names(config), std::vector<std::string>{"local"});
}

TEST(LoadConfig, ReadsEveryKeyOfAnSshConfig) {
  FakeWorld world;
  world.files = {"/cfg/user.conf"};
  const LoadOutcome outcome = load(R"yaml(cluster:
  launcher: ssh
  ssh: {user: mlperf, identity_file: ~/.ssh/id_ed25519, known_hosts_file: keys/known_hosts,
        host_key_policy: accept-new, connect_timeout_s: 5, keepalive_s: 0, max_parallel: 4}
  run_timeout_s: 600
  collect_timeout_s: 60
nodes:
  - {name: jw2, host: 129.254.202.252, gpus: [0, 1]}
  - {name: jw3, host: 129.254.202.253, port: 2222, user: root}
runner: {path: /opt/mlbench/bin/mlbench-runner, backend: cuda, workdir: /var/tmp/mlbench}
model: {name: llama3_1-8b-edge, path: /models/Llama-3.1-8B-Instruct}
dataset: {path: /data/cnn_eval.json, max_samples: 100}
benchmark: {scenario: Server, mode: ACCURACY, user_conf: user.conf, max_output_tokens: 256}
report: {out_dir: /srv/runs, formats: [json, html]}
)yaml",
                                   world);
  ASSERT_TRUE(outcome.diagnostics.empty()) << testing::formatted(outcome.diagnostics)[0];
  const Config& config = *outcome.config;
  EXPECT_EQ(config.cluster.launcher, LauncherKind::kSsh);
  EXPECT_EQ(config.cluster.ssh.user, "mlperf");
  EXPECT_EQ(config.cluster.ssh.identity_file, "/home/ada/.ssh/id_ed25519");
  EXPECT_EQ(config.cluster.ssh.known_hosts_file, "/cfg/keys/known_hosts");
  EXPECT_EQ(config.cluster.ssh.host_key_policy, HostKeyPolicy::kAcceptNew);
  EXPECT_EQ(config.cluster.ssh.connect_timeout_s, 5);
  EXPECT_EQ(config.cluster.ssh.keepalive_s, 0);
  EXPECT_EQ(config.cluster.ssh.max_parallel, 4);
  EXPECT_EQ(config.cluster.run_timeout_s, 600);
  EXPECT_EQ(config.cluster.collect_timeout_s, 60);
  ASSERT_EQ(config.nodes.size(), 2u);
  EXPECT_EQ(config.nodes[0].name, "jw2");
  EXPECT_EQ(config.nodes[0].host, "129.254.202.252");
  EXPECT_EQ(config.nodes[0].port, 0);  // not written: the ssh config decides
  EXPECT_EQ(config.nodes[0].gpus, (std::vector<int>{0, 1}));
  EXPECT_EQ(config.nodes[1].port, 2222);
  EXPECT_EQ(config.nodes[1].user, "root");
  EXPECT_TRUE(config.nodes[1].gpus.empty());
  EXPECT_EQ(config.runner.path, "/opt/mlbench/bin/mlbench-runner");
  EXPECT_EQ(config.runner.backend, Backend::kCuda);
  EXPECT_EQ(config.model.name, "llama3_1-8b-edge");
  EXPECT_EQ(config.model.path, "/models/Llama-3.1-8B-Instruct");
  EXPECT_EQ(config.dataset.path, "/data/cnn_eval.json");
  EXPECT_EQ(config.dataset.max_samples, 100);
  EXPECT_EQ(config.benchmark.scenario, Scenario::kServer);
  EXPECT_EQ(config.benchmark.mode, Mode::kAccuracy);
  EXPECT_EQ(config.benchmark.user_conf, "/cfg/user.conf");
  EXPECT_EQ(config.benchmark.max_output_tokens, 256);
  EXPECT_EQ(config.report.out_dir, "/srv/runs");
  EXPECT_EQ(config.report.formats, (std::vector<std::string>{"json", "html"}));
}

TEST(LoadConfig, LocalLauncherResolvesNodePathsOnTheController) {
  const LoadOutcome outcome = load(R"yaml(runner: {path: ./bin/mlbench-runner, workdir: work}
model: {path: models/tiny}
dataset: {path: ~/data/cnn_eval.json}
report: {out_dir: ../out}
)yaml");
  ASSERT_TRUE(outcome.diagnostics.empty()) << testing::formatted(outcome.diagnostics)[0];
  const Config& config = *outcome.config;
  EXPECT_EQ(config.runner.path, "/cfg/bin/mlbench-runner");
  EXPECT_EQ(config.runner.workdir, "/cfg/work");
  EXPECT_EQ(config.model.path, "/cfg/models/tiny");
  EXPECT_EQ(config.dataset.path, "/home/ada/data/cnn_eval.json");
  EXPECT_EQ(config.report.out_dir, "/out");
}

TEST(LoadConfig, RunnerArgsAreKeptInOrder) {
  const LoadOutcome outcome =
      load("runner: {backend: sim, args: [--max-batch, 64, --telemetry=off]}\n");
  ASSERT_TRUE(outcome.diagnostics.empty()) << testing::formatted(outcome.diagnostics)[0];
  ASSERT_TRUE(outcome.config.has_value());
  EXPECT_EQ(outcome.config->runner.args,
            (std::vector<std::string>{"--max-batch", "64", "--telemetry=off"}));
}

TEST(LoadConfig, BareRunnerNameIsLeftForPathLookup) {
  const LoadOutcome outcome = load("runner: {path: my-runner, backend: sim}\n");
  ASSERT_TRUE(outcome.config.has_value());
  EXPECT_EQ(outcome.config->runner.path, "my-runner");
}

TEST(LoadConfig, ExpandsVariablesBeforeConvertingValues) {
  FakeWorld world;
  world.variables = {{"BACKEND", "cpu"}, {"N", "50"}, {"NODE", "jw9"}};
  const LoadOutcome outcome = load(R"yaml(nodes: [{name: "${NODE}", port: "${PORT:-2200}"}]
runner: {backend: "${BACKEND}"}
model: {path: "${MODELS:-/models}/tiny"}
dataset: {path: /data/$$x.json, max_samples: "${N}"}
)yaml",
                                   world);
  ASSERT_TRUE(outcome.diagnostics.empty()) << testing::formatted(outcome.diagnostics)[0];
  const Config& config = *outcome.config;
  EXPECT_EQ(config.nodes[0].name, "jw9");
  EXPECT_EQ(config.nodes[0].port, 2200);
  EXPECT_EQ(config.runner.backend, Backend::kCpu);
  EXPECT_EQ(config.model.path, "/models/tiny");
  EXPECT_EQ(config.dataset.path, "/data/$x.json");
  EXPECT_EQ(config.dataset.max_samples, 50);
}

TEST(LoadConfig, ValueThatExpandsToNothingKeepsTheDefault) {
  const LoadOutcome outcome = load(R"yaml(runner: {backend: sim, workdir: "${WORKDIR:-}"}
nodes: [{name: a, port: "${PORT:-}"}]
report: {out_dir: "${OUT:-}"}
)yaml");
  ASSERT_TRUE(outcome.diagnostics.empty()) << testing::formatted(outcome.diagnostics)[0];
  EXPECT_EQ(outcome.config->runner.workdir, "/var/tmp/mlbench");
  EXPECT_EQ(outcome.config->nodes[0].port, 0);  // not written: the ssh config decides
  EXPECT_EQ(outcome.config->report.out_dir, "/cfg/runs");
}

TEST(LoadConfig, ListedFormatTwiceIsWrittenOnce) {
  const LoadOutcome outcome = load("runner: {backend: sim}\nreport: {formats: [md, json, md]}\n");
  ASSERT_TRUE(outcome.config.has_value());
  EXPECT_EQ(outcome.config->report.formats, (std::vector<std::string>{"md", "json"}));
}

TEST(LoadConfig, AllThreeModelNamesAreKnown) {
  for (const std::string name : {"llama3_1-8b", "llama3_1-8b-interactive", "llama3_1-8b-edge"}) {
    EXPECT_TRUE(errors_of("runner: {backend: sim}\nmodel: {name: " + name + "}\n").empty()) << name;
  }
}

}  // namespace
}  // namespace mlbench::config
