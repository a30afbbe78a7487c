#include "mlbench/orchestrator/plan.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mlbench/loadgen/load_settings.h"
#include "mlbench/orchestrator/execute_run.h"

#include "support/temp_dir.h"

namespace mlbench::orchestrator {
namespace {

namespace fs = std::filesystem;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

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

TEST(PlanRun, RunnerArgsComeLastAsGiven) {
  config::Config config = two_node_ssh_cluster();
  config.runner.args = {"--max-batch", "64", "--cuda-graphs=off"};
  auto plan = plan_run(config, {}, "RUN");
  ASSERT_TRUE(plan.ok()) << plan.error().describe();
  for (const auto& node : plan->nodes) {
    const auto& argv = node.runner_argv;
    ASSERT_GE(argv.size(), 3u);
    EXPECT_THAT(std::vector(argv.end() - 3, argv.end()),
                ElementsAre("--max-batch", "64", "--cuda-graphs=off"));
  }
}

// config::runner_flag_key lists the flags plan.cc passes, so that runner.args cannot pass one
// again: every flag of a plan that sets them all must be on it.
TEST(PlanRun, EveryFlagTheControllerPassesIsOneRunnerArgsRefuses) {
  config::Config config = two_node_ssh_cluster();
  config.dataset.max_samples = 5;
  auto plan = plan_run(config, {}, "RUN");
  ASSERT_TRUE(plan.ok()) << plan.error().describe();
  int flags = 0;
  for (const std::string& arg : plan->nodes[0].runner_argv) {
    if (!arg.starts_with("--")) continue;
    ++flags;
    EXPECT_FALSE(config::runner_flag_key(arg).empty()) << arg;
  }
  EXPECT_EQ(flags, 11);
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

// --- --smoke ---------------------------------------------------------------------------------

config::Config local_cpu_config(const std::string& user_conf) {
  config::Config config;
  config.source_path = "local.yaml";
  config::Node local;
  local.name = "local";
  config.nodes = {local};
  config.runner.backend = config::Backend::kCpu;
  config.model = {.name = "llama3_1-8b", .path = "/models/tiny"};
  config.dataset = {.path = "/data/cnn_eval.json", .max_samples = std::nullopt};
  config.benchmark.user_conf = user_conf;
  config.report.out_dir = "runs";
  return config;
}

RunRequest smoke_request(config::Scenario scenario) {
  RunRequest request;
  request.scenario = scenario;
  request.smoke = true;
  return request;
}

std::vector<std::string> override_keys(const RunPlan& plan) {
  std::vector<std::string> keys;
  for (const ConfOverride& override : plan.smoke->overrides)
    keys.push_back(override.key);
  return keys;
}

// The value after `flag` in argv, or "" when the flag is absent.
std::string flag_value(const std::vector<std::string>& argv, const std::string& flag) {
  const auto found = std::find(argv.begin(), argv.end(), flag);
  return found == argv.end() || found + 1 == argv.end() ? "" : *(found + 1);
}

TEST(PlanRun, WithoutSmokeTheRunnerGetsTheConfigsSettings) {
  auto config = local_cpu_config("/cfg/user.conf");
  config.dataset.max_samples = 100;
  auto plan = plan_run(config, {}, "RUN");
  ASSERT_TRUE(plan.ok());
  EXPECT_FALSE(plan->smoke.has_value());
  EXPECT_EQ(plan->user_conf, "/cfg/user.conf");
  const auto& argv = plan->nodes[0].runner_argv;
  EXPECT_EQ(flag_value(argv, "--user-conf"), "/cfg/user.conf");
  EXPECT_EQ(flag_value(argv, "--max-samples"), "100");
  EXPECT_EQ(flag_value(argv, "--max-output-tokens"), "128");
  EXPECT_EQ(smoke_adjusted_exit_code(*plan, ExitCode::kInvalidResult), ExitCode::kInvalidResult);
}

TEST(PlanRun, SmokeCutsSamplesAndTokensAndGivesTheRunnerTheSmokeUserConf) {
  auto plan = plan_run(local_cpu_config("/cfg/user.conf"),
                       smoke_request(config::Scenario::kOffline), "RUN");
  ASSERT_TRUE(plan.ok()) << plan.error().describe();
  ASSERT_TRUE(plan->smoke.has_value());
  EXPECT_EQ(plan->smoke->base_user_conf, "/cfg/user.conf");
  EXPECT_EQ(plan->user_conf, "runs/RUN/smoke.user.conf");
  const auto& argv = plan->nodes[0].runner_argv;
  EXPECT_EQ(flag_value(argv, "--user-conf"), "runs/RUN/smoke.user.conf");
  EXPECT_EQ(flag_value(argv, "--max-samples"), "8");
  EXPECT_EQ(flag_value(argv, "--max-output-tokens"), "16");
  // Offline needs no latency targets: one query of min_query_count samples.
  EXPECT_THAT(override_keys(*plan),
              ElementsAre("llama3_1-8b.Offline.min_duration", "llama3_1-8b.Offline.min_query_count",
                          "llama3_1-8b.Offline.performance_sample_count_override"));
}

TEST(PlanRun, SmokeKeepsAConfigThatAlreadyAsksForLess) {
  auto config = local_cpu_config("");
  config.dataset.max_samples = 3;
  config.benchmark.max_output_tokens = 4;
  auto plan = plan_run(config, smoke_request(config::Scenario::kOffline), "RUN");
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->max_samples, 3);
  EXPECT_EQ(plan->max_output_tokens, 4);
  EXPECT_TRUE(plan->smoke->base_user_conf.empty());
  // Without a user.conf of the user's, the runner still gets the smoke one.
  EXPECT_EQ(flag_value(plan->nodes[0].runner_argv, "--user-conf"), "runs/RUN/smoke.user.conf");
}

TEST(PlanRun, SmokeOverridesFollowTheScenario) {
  auto server = plan_run(local_cpu_config(""), smoke_request(config::Scenario::kServer), "RUN");
  ASSERT_TRUE(server.ok());
  EXPECT_THAT(override_keys(*server), Contains("llama3_1-8b.Server.target_qps"));
  EXPECT_THAT(override_keys(*server), Contains("llama3_1-8b.Server.ttft_latency"));
  EXPECT_THAT(override_keys(*server), Contains("llama3_1-8b.Server.tpot_latency"));
  EXPECT_THAT(override_keys(*server), Not(Contains(HasSubstr("Offline"))));

  auto stream =
      plan_run(local_cpu_config(""), smoke_request(config::Scenario::kSingleStream), "RUN");
  ASSERT_TRUE(stream.ok());
  EXPECT_THAT(override_keys(*stream), Contains("llama3_1-8b.SingleStream.target_latency"));
}

TEST(PlanRun, SmokeOnARemoteNodeReadsTheUploadedCopy) {
  RunRequest request;
  request.smoke = true;
  auto plan = plan_run(two_node_ssh_cluster(), request, "RUN");
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->user_conf, "runs/RUN/smoke.user.conf");
  EXPECT_EQ(flag_value(plan->nodes[1].runner_argv, "--user-conf"),
            "/var/tmp/mlbench/RUN/user.conf");
}

// Plans a smoke run, writes its user.conf and reads it with our LoadGen as the runner does, for
// the 8 samples the runner loads.
Result<loadgen::LoadedSettings> smoke_settings(const config::Config& config,
                                               config::Scenario scenario,
                                               loadgen::Scenario loadgen_scenario) {
  auto plan = plan_run(config, smoke_request(scenario), "RUN");
  if (!plan) return plan.failure();
  if (auto written = write_smoke_user_conf(*plan); !written) return written.failure();
  const loadgen::SettingsRequest request{.model = config.model.name,
                                         .scenario = loadgen_scenario,
                                         .mode = std::nullopt,
                                         .qsl = {.total = 8, .performance = 8}};
  return loadgen::load_settings_from_file(request, plan->user_conf);
}

// What execute_run uploads is what the runner is told to read.
TEST(PlanRun, SmokeUploadsTheSmokeUserConfWhereTheRemoteRunnerReadsIt) {
  RunRequest request;
  request.smoke = true;
  const config::Config config = two_node_ssh_cluster();
  auto plan = plan_run(config, request, "RUN");
  ASSERT_TRUE(plan.ok());
  const std::vector<NodeJob> jobs = make_jobs(config, *plan);
  ASSERT_EQ(jobs.size(), 2u);
  const std::string remote = flag_value(jobs[0].plan.runner_argv, "--user-conf");
  EXPECT_THAT(jobs[0].uploads,
              Contains(std::pair<std::string, std::string>("runs/RUN/smoke.user.conf", remote)));
  EXPECT_THAT(jobs[0].uploads,
              Not(Contains(std::pair<std::string, std::string>("/home/me/user.conf", remote))));
}

TEST(SmokeUserConf, KeepsTheUsersTextAndAppendsTheOverrides) {
  const SmokePlan smoke{
      .base_user_conf = "u.conf",
      .overrides = {{"m.Offline.min_duration", "0"}, {"m.Offline.min_query_count", "8"}}};
  const std::string text = smoke_user_conf_text(smoke, "*.Offline.min_duration = 5000");
  EXPECT_TRUE(text.starts_with("*.Offline.min_duration = 5000\n")) << text;
  EXPECT_TRUE(text.ends_with("m.Offline.min_duration = 0\nm.Offline.min_query_count = 8\n"))
      << text;
  EXPECT_THAT(text, HasSubstr("Not a valid MLPerf result"));
}

// The written file, read by our LoadGen the way the runner reads it: the smoke values win over
// the user's, a model-specific line of the user's included; the user's other settings stay.
TEST(SmokeUserConf, WrittenFileGivesLoadGenTheSmokeCounts) {
  testing::TempDir dir;
  const std::string base = dir.write("user.conf",
                                     "llama3_1-8b.Server.min_query_count = 5000\n"
                                     "*.Server.min_duration = 60000\n"
                                     "*.Server.max_async_queries = 3\n");
  auto config = local_cpu_config(base);
  config.report.out_dir = (dir.path() / "runs").string();
  auto loaded = smoke_settings(config, config::Scenario::kServer, loadgen::Scenario::kServer);
  ASSERT_TRUE(loaded.ok()) << loaded.error().describe();
  EXPECT_TRUE(fs::exists(dir.path() / "runs/RUN/smoke.user.conf"));
  const loadgen::EffectiveSettings& effective = loaded->effective;
  EXPECT_EQ(effective.min_query_count, 8u);
  EXPECT_EQ(effective.min_duration.count(), 0);
  EXPECT_EQ(effective.performance_sample_count, 8u);
  EXPECT_DOUBLE_EQ(effective.target_qps, 4);
  EXPECT_EQ(effective.server_ttft_latency, std::chrono::seconds(30));
  EXPECT_EQ(effective.server_tpot_latency, std::chrono::seconds(2));
  EXPECT_EQ(effective.max_async_queries, 3u);
}

TEST(SmokeUserConf, SingleStreamRunsOnePermutationOfTheLoadedSamples) {
  testing::TempDir dir;
  auto config = local_cpu_config("");
  config.report.out_dir = (dir.path() / "runs").string();
  auto loaded =
      smoke_settings(config, config::Scenario::kSingleStream, loadgen::Scenario::kSingleStream);
  ASSERT_TRUE(loaded.ok()) << loaded.error().describe();
  EXPECT_EQ(loaded->effective.min_query_count, 8u);
}

TEST(SmokeUserConf, AMissingUserConfIsAnErrorNamingIt) {
  testing::TempDir dir;
  auto config = local_cpu_config((dir.path() / "nope.conf").string());
  config.report.out_dir = (dir.path() / "runs").string();
  auto plan = plan_run(config, smoke_request(config::Scenario::kOffline), "RUN");
  ASSERT_TRUE(plan.ok());
  const auto written = write_smoke_user_conf(*plan);
  ASSERT_FALSE(written.ok());
  EXPECT_EQ(written.error().where, (dir.path() / "nope.conf").string());
  EXPECT_THAT(written.error().message, HasSubstr("benchmark.user_conf"));
}

TEST(SmokeExitCode, OnlyInvalidIsForgiven) {
  auto plan = plan_run(local_cpu_config(""), smoke_request(config::Scenario::kOffline), "RUN");
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(smoke_adjusted_exit_code(*plan, ExitCode::kInvalidResult), ExitCode::kOk);
  EXPECT_EQ(smoke_adjusted_exit_code(*plan, ExitCode::kOk), ExitCode::kOk);
  EXPECT_EQ(smoke_adjusted_exit_code(*plan, ExitCode::kNodeFailed), ExitCode::kNodeFailed);
  EXPECT_EQ(smoke_adjusted_exit_code(*plan, ExitCode::kInterrupted), ExitCode::kInterrupted);
}

}  // namespace
}  // namespace mlbench::orchestrator
