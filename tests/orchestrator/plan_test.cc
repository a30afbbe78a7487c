#include "mlbench/orchestrator/plan.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace mlbench::orchestrator {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

config::Config two_node_ssh_cluster() {
  config::Config config;
  config.source_path = "cluster.yaml";
  config.cluster.launcher = config::LauncherKind::kSsh;
  config.nodes = {{.name = "jw2", .host = "10.0.0.2", .port = 22, .user = "", .gpus = {0, 1}},
                  {.name = "jw3", .host = "10.0.0.3", .port = 2222, .user = "", .gpus = {}}};
  config.runner = {.path = "/opt/mlbench/bin/mlbench-runner",
                   .backend = config::Backend::kCuda,
                   .workdir = "/var/tmp/mlbench"};
  config.model = {.name = "llama3_1-8b", .path = "/models/llama"};
  config.dataset = {.path = "/data/cnn_eval.json", .max_samples = std::nullopt};
  config.benchmark.user_conf = "/home/me/user.conf";
  config.report.out_dir = "runs";
  return config;
}

TEST(MakeRunId, IsUtcTimeScenarioAndShortId) {
  const auto at = std::chrono::sys_days{std::chrono::year{2026} / 11 / 23} +
                  std::chrono::hours{10} + std::chrono::minutes{45} +
                  std::chrono::milliseconds{1500};
  EXPECT_EQ(make_run_id(at, config::Scenario::kServer, "3fa2c1"), "20261123T104501Z-server-3fa2c1");
}

TEST(PlanRun, RemoteNodesWriteUnderTheWorkdirAndAreCollectedIntoTheRunDir) {
  auto plan = plan_run(two_node_ssh_cluster(), {}, "RUN");
  ASSERT_TRUE(plan.ok()) << plan.error().describe();
  ASSERT_EQ(plan->nodes.size(), 2u);
  EXPECT_EQ(plan->run_dir, "runs/RUN");
  EXPECT_EQ(plan->nodes[0].out_dir, "/var/tmp/mlbench/RUN/jw2");
  EXPECT_EQ(plan->nodes[0].collect_dir, "runs/RUN/nodes/jw2");
  EXPECT_THAT(
      plan->nodes[0].runner_argv,
      ElementsAre("/opt/mlbench/bin/mlbench-runner", "run", "--backend", "cuda", "--model-name",
                  "llama3_1-8b", "--scenario", "Offline", "--mode", "performance",
                  "--max-output-tokens", "128", "--out", "/var/tmp/mlbench/RUN/jw2", "--model",
                  "/models/llama", "--dataset", "/data/cnn_eval.json", "--user-conf",
                  "/var/tmp/mlbench/RUN/user.conf", "--gpus", "0,1"));
}

TEST(PlanRun, RequestOverridesScenarioAndMode) {
  orchestrator::RunRequest request;
  request.scenario = config::Scenario::kSingleStream;
  request.mode = config::Mode::kAccuracy;
  auto plan = plan_run(two_node_ssh_cluster(), request, "RUN");
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->scenario, config::Scenario::kSingleStream);
  const auto& argv = plan->nodes[1].runner_argv;
  EXPECT_EQ(argv[7], "SingleStream");
  EXPECT_EQ(argv[9], "accuracy");
}

TEST(PlanRun, LocalNodeWritesStraightIntoTheRunDir) {
  config::Config config;
  config::Node local;
  local.name = "local";
  config.nodes = {local};
  config.runner.backend = config::Backend::kSim;
  config.benchmark.user_conf = "/cfg/user.conf";
  auto plan = plan_run(config, {}, "RUN");
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->nodes[0].out_dir, "runs/RUN/nodes/local");
  EXPECT_EQ(plan->nodes[0].out_dir, plan->nodes[0].collect_dir);
  // sim needs no model or dataset, and a local runner reads user.conf where it is.
  EXPECT_THAT(plan->nodes[0].runner_argv, ::testing::Not(::testing::Contains("--model")));
  EXPECT_THAT(plan->nodes[0].runner_argv, ::testing::Contains("/cfg/user.conf"));
}

TEST(PlanRun, NodeFilterKeepsOrderOfRequestAndDropsRepeats) {
  orchestrator::RunRequest request;
  request.only_nodes = {"jw3", "jw2", "jw3"};
  auto plan = plan_run(two_node_ssh_cluster(), request, "RUN");
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->nodes.size(), 2u);
  EXPECT_EQ(plan->nodes[0].node.name, "jw3");
  EXPECT_EQ(plan->nodes[1].node.name, "jw2");
}

TEST(PlanRun, UnknownNodeInFilterIsAnErrorWithSuggestion) {
  orchestrator::RunRequest request;
  request.only_nodes = {"jw4"};
  auto plan = plan_run(two_node_ssh_cluster(), request, "RUN");
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(plan.error().describe(),
            "--nodes: no node named 'jw4' in cluster.yaml (did you mean 'jw2'?)");

  request.only_nodes = {"gpu-node-17"};
  auto far = plan_run(two_node_ssh_cluster(), request, "RUN");
  ASSERT_FALSE(far.ok());
  EXPECT_THAT(far.error().message, HasSubstr("(nodes: jw2, jw3)"));
}

}  // namespace
}  // namespace mlbench::orchestrator
