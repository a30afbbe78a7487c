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
  EXPECT_THAT(result.out, HasSubstr("launcher ssh, 2 nodes (jw2, jw3), backend cuda"));
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

// Commands whose implementation has not landed must say so and fail; silence or fake output
// would be mistaken for a result.
TEST(MlbenchCli, UnbuiltCommandsSaySoAndFail) {
  const std::vector<std::vector<std::string>> commands = {
      {"preflight"},
      {"report", "runs/x"},
      {"compare", "runs/a", "runs/b"},
      {"runs"},
      {"run", "-c", testing::source_path("config/local.yaml")},
  };
  for (const auto& command : commands) {
    const auto result = mlbench(command);
    EXPECT_EQ(result.exit_code, 1) << command[0];
    EXPECT_THAT(result.err, HasSubstr("not built yet")) << command[0];
    EXPECT_EQ(result.out, "") << command[0];
  }
}

TEST(MlbenchCli, JsonLogFormatWritesOneJsonObjectPerLine) {
  const auto result = mlbench({"runs", "--log-format", "json"});
  EXPECT_EQ(result.exit_code, 1);
  ASSERT_FALSE(result.err.empty());
  ASSERT_EQ(result.err.back(), '\n');
  const auto line = nlohmann::json::parse(result.err);  // exactly one JSON object
  EXPECT_EQ(line.at("level"), "error");
  EXPECT_THAT(line.at("msg").get<std::string>(),
              ::testing::StartsWith("mlbench runs: not built yet"));
  EXPECT_TRUE(line.at("time_us").is_number_integer());
}

TEST(MlbenchCli, BadLogFormatIsBadUsage) {
  const auto result = mlbench({"runs", "--log-format", "xml"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr("xml"));
}

}  // namespace
}  // namespace mlbench
