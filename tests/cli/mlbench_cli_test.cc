// Runs the real `mlbench` binary and checks what a user sees: output, files and exit codes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace mlbench {
namespace {

using ::testing::HasSubstr;
using testing::ProcessResult;
using testing::TempDir;

ProcessResult mlbench(std::vector<std::string> args, const testing::ProcessOptions& options = {}) {
  args.insert(args.begin(), testing::binary_path("mlbench"));
  return testing::run_process(args, options);
}

TEST(MlbenchCli, VersionNamesTheGitCommit) {
  const auto result = mlbench({"--version"});
  EXPECT_EQ(result.exit_code, 0);
  const std::regex expected(
      R"(mlbench \d+\.\d+\.\d+ \(commit ([0-9a-f]{7,}(-dirty)?|unknown)\)\n)");
  EXPECT_TRUE(std::regex_match(result.out, expected)) << result.out;
}

TEST(MlbenchCli, NoCommandPrintsUsageAndFails) {
  const auto result = mlbench({});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("Subcommands:"));
}

TEST(MlbenchCli, UnknownCommandIsBadUsage) {
  const auto result = mlbench({"benchmark"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("benchmark"));
}

TEST(MlbenchCli, HelpSucceedsAndListsEveryCommand) {
  const auto result = mlbench({"--help"});
  EXPECT_EQ(result.exit_code, 0);
  for (const char* command :
       {"init", "validate", "preflight", "run", "report", "compare", "runs"}) {
    EXPECT_THAT(result.out, HasSubstr(command));
  }
}

TEST(MlbenchCli, ValidatesTheEmbeddedDefault) {
  const auto result = mlbench({"validate", "-c", testing::source_path("config/local.yaml")});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("ok — launcher local, 1 node (local), backend cpu"));
}

TEST(MlbenchCli, ValidatesTheClusterExample) {
  const auto result =
      mlbench({"validate", "-c", testing::source_path("config/cluster.example.yaml")});
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("launcher ssh, 2 nodes (jw2, jw3), backend cpu"));
}

TEST(MlbenchCli, BadConfigListsEveryErrorWithLineAndColumnAndExitsOne) {
  TempDir dir;
  const std::string path = dir.write("bad.yaml",
                                     "cluster:\n"
                                     "  launchr: ssh\n"
                                     "nodes:\n"
                                     "  - {name: a, host: h1, port: 70000}\n"
                                     "runner: {backend: sim}\n");
  const auto result = mlbench({"validate", "-c", path});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr(path + ":2:3: cluster.launchr: unknown key 'launchr'"));
  EXPECT_THAT(result.err, HasSubstr(path + ":4:31: nodes[0].port:"));
  EXPECT_THAT(result.err, HasSubstr(path + ": 2 errors"));
}

TEST(MlbenchCli, YamlSyntaxErrorHasItsPosition) {
  TempDir dir;
  const std::string path = dir.write("broken.yaml", "cluster:\n  launcher: [local\n");
  const auto result = mlbench({"validate", "-c", path});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, ::testing::ContainsRegex(path + ":[0-9]+:[0-9]+: "));
}

TEST(MlbenchCli, MissingConfigFileIsAClearError) {
  const auto result = mlbench({"validate", "-c", "/nonexistent/config.yaml"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("/nonexistent/config.yaml"));
}

TEST(MlbenchCli, InitWritesFilesThatValidateAndRefusesToOverwrite) {
  TempDir dir;
  const std::string target = (dir.path() / "fresh").string();
  const auto first = mlbench({"init", target});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const auto validated = mlbench({"validate", "-c", target + "/config.yaml"});
  EXPECT_EQ(validated.exit_code, 0) << validated.err;
  EXPECT_THAT(testing::read_file(target + "/user.conf"), HasSubstr("*.Offline.min_duration"));

  const auto second = mlbench({"init", target});
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_THAT(second.err, HasSubstr("already exists (use --force to overwrite it)"));
  EXPECT_EQ(mlbench({"init", "--force", target}).exit_code, 0);
}

TEST(MlbenchCli, DryRunPrintsThePlanAndStartsNothing) {
  TempDir dir;
  dir.write("user.conf", "*.Offline.min_duration = 1000\n");
  const std::string path = dir.write("sim.yaml",
                                     "runner: {backend: sim}\n"
                                     "benchmark: {user_conf: user.conf}\n"
                                     "report: {out_dir: out}\n");
  const auto result = mlbench({"run", "-c", path, "--scenario", "server", "--dry-run"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.out, HasSubstr("dry run: nothing was started"));
  EXPECT_THAT(result.out, HasSubstr("scenario  Server   mode performance   launcher local"));
  EXPECT_THAT(result.out,
              ::testing::ContainsRegex("command  \\S*mlbench-runner run --backend sim"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "out")) << "a dry run must not write a run";
}

TEST(MlbenchCli, DryRunRejectsUnknownNode) {
  const auto result = mlbench(
      {"run", "-c", testing::source_path("config/local.yaml"), "--nodes", "locl", "--dry-run"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("no node named 'locl'"));
  EXPECT_THAT(result.err, HasSubstr("did you mean 'local'?"));
}

TEST(MlbenchCli, UnknownScenarioIsBadUsage) {
  const auto result = mlbench({"run", "-c", testing::source_path("config/local.yaml"), "--scenario",
                               "multistream", "--dry-run"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("multistream"));
}

// A path that is not a run directory is refused with the path and what a run directory holds,
// never an empty report.
TEST(MlbenchCli, ReportCommandsRefuseWhatIsNotARunDirectory) {
  const std::vector<std::vector<std::string>> commands = {
      {"report", "/nonexistent/run"},
      {"compare", "/nonexistent/run", "/nonexistent/other"},
  };
  for (const auto& command : commands) {
    const auto result = mlbench(command);
    EXPECT_EQ(result.exit_code, 1) << command[0];
    EXPECT_THAT(result.err, HasSubstr("/nonexistent/run: no nodes/ directory")) << command[0];
    EXPECT_EQ(result.out, "") << command[0];
  }
}

// A sim config for the local launcher: one node, a run of about a second.
std::string write_local_sim_config(const TempDir& dir) {
  dir.write("user.conf",
            "*.Offline.min_duration = 500\n"
            "*.Offline.min_query_count = 60\n"
            "*.Offline.target_qps = 50\n"
            "*.Offline.performance_sample_count_override = 60\n");
  return dir.write("sim.yaml",
                   "runner: {backend: sim}\n"
                   "benchmark: {user_conf: user.conf}\n"
                   "report: {out_dir: out}\n");
}

std::filesystem::path only_run_dir(const TempDir& dir) {
  for (const auto& entry : std::filesystem::directory_iterator(dir.path() / "out"))
    return entry.path();
  return {};
}

TEST(MlbenchCli, LocalRunWritesTheRunDirectory) {
  TempDir dir;
  const auto result = mlbench({"run", "-c", write_local_sim_config(dir), "--scenario", "offline"});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_THAT(result.out, HasSubstr("1 of 1 node ok"));
  const auto run = only_run_dir(dir);
  EXPECT_TRUE(
      std::regex_match(run.filename().string(), std::regex(R"(\d{8}T\d{6}Z-offline-[0-9a-f]{6})")))
      << run;
  const auto node = run / "nodes" / "local";
  for (const char* file : {"mlperf_log_summary.txt", "mlperf_log_detail.txt", "events.jsonl",
                           "runner.log", "node.json"}) {
    EXPECT_TRUE(std::filesystem::exists(node / file)) << file;
  }
  const auto outcome = nlohmann::json::parse(testing::read_file(node / "node.json"));
  EXPECT_EQ(outcome.at("status"), "ok");
  EXPECT_EQ(outcome.at("host"), "local");
  const auto record = nlohmann::json::parse(testing::read_file(run / "run.json"));
  for (const char* key : {"schema_version", "run_id", "scenario", "mode", "launcher", "backend",
                          "started_utc", "ended_utc", "interrupted", "exit_code", "versions",
                          "settings", "user_conf", "config", "nodes"}) {
    EXPECT_TRUE(record.contains(key)) << key;
  }
  EXPECT_EQ(record.at("run_id"), run.filename().string());
  EXPECT_EQ(record.at("nodes")[0].at("status"), "ok");
}

TEST(MlbenchCli, LocalRunnerThatFailsGivesExitThreeAndSaysWhy) {
  TempDir dir;
  const auto config =
      dir.write("fail.yaml", "runner: {backend: sim, path: /bin/false}\nreport: {out_dir: out}\n");
  const auto result = mlbench({"run", "-c", config});
  EXPECT_EQ(result.exit_code, 3) << result.out << result.err;
  EXPECT_THAT(result.out, HasSubstr("node local: failed: the runner exited with code 1"));
  const auto outcome = nlohmann::json::parse(
      testing::read_file(only_run_dir(dir) / "nodes" / "local" / "node.json"));
  EXPECT_EQ(outcome.at("runner_exit_code"), 1);
}

TEST(MlbenchCli, PreflightOfTheLocalNodeChecksEverything) {
  TempDir dir;
  const auto result = mlbench({"preflight", "-c", write_local_sim_config(dir)});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_THAT(result.out, ::testing::StartsWith("node   reach  auth  runner"));
  EXPECT_THAT(result.out, HasSubstr("none (sim)"));
  EXPECT_THAT(result.out, HasSubstr("not needed (sim)"));
  EXPECT_THAT(result.out, HasSubstr(" free"));
  EXPECT_THAT(result.out, HasSubstr("all 1 node ready"));
}

TEST(MlbenchCli, PreflightFindsAMissingModelAndAWrongDatasetDigest) {
  TempDir dir;
  dir.write("model/config.json", "{}");
  dir.write("cnn_eval.json", "[]");
  const std::string digest(64, 'a');
  const std::string config = dir.write("cpu.yaml",
                                       "runner: {backend: cpu}\n"
                                       "model: {path: missing-model}\n"
                                       "dataset: {path: cnn_eval.json, sha256: " +
                                           digest + "}\n");
  const auto result = mlbench({"preflight", "-c", config});
  EXPECT_EQ(result.exit_code, 3) << result.out << result.err;
  EXPECT_THAT(result.out, HasSubstr("local model: " + (dir.path() / "missing-model").string() +
                                    ": no such directory"));
  EXPECT_THAT(result.out, HasSubstr("dataset.sha256 says " + digest));
  EXPECT_THAT(result.out, HasSubstr("1 of 1 node not ready"));

  dir.write("cpu.yaml",
            "runner: {backend: cpu}\n"
            "model: {path: model}\n"
            "dataset: {path: cnn_eval.json}\n");
  const auto fixed = mlbench({"preflight", "-c", config});
  EXPECT_EQ(fixed.exit_code, 0) << fixed.out << fixed.err;
  EXPECT_THAT(fixed.out, HasSubstr("2 B"));  // the dataset's size
}

TEST(MlbenchCli, JsonLogFormatWritesOneJsonObjectPerLine) {
  const auto result = mlbench({"report", "/nonexistent/run", "--log-format", "json"});
  EXPECT_EQ(result.exit_code, 1);
  ASSERT_FALSE(result.err.empty());
  ASSERT_EQ(result.err.back(), '\n');
  const auto line = nlohmann::json::parse(result.err);  // exactly one JSON object
  EXPECT_EQ(line.at("level"), "error");
  EXPECT_THAT(line.at("msg").get<std::string>(),
              ::testing::StartsWith("/nonexistent/run: no nodes/ directory"));
  EXPECT_TRUE(line.at("time_us").is_number_integer());
}

TEST(MlbenchCli, BadLogFormatIsBadUsage) {
  const auto result = mlbench({"runs", "--log-format", "xml"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("xml"));
}

}  // namespace
}  // namespace mlbench
