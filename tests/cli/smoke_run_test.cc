// `mlbench run --smoke` end to end: the real controller and runner, the CPU backend on a tiny
// random model made here, every scenario; then `mlbench compare` as a CI gate on those runs.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>

#include "cli/tiny_cpu_model.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace mlbench {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

// A user.conf that asks for a long run: the smoke overrides must win over every line of it,
// the model-specific one included, or the run would take minutes and the counts below differ.
constexpr std::string_view kLongUserConf =
    "*.Offline.min_duration = 600000\n"
    "llama3_1-8b.Offline.min_query_count = 5000\n"
    "*.Server.min_duration = 600000\n"
    "*.Server.target_qps = 50\n"
    "*.SingleStream.min_duration = 600000\n"
    "*.SingleStream.min_query_count = 1000\n";

class SmokeRun : public ::testing::Test {
 protected:
  // A tiny random model and a cnn_eval.json of short prompts, so that a smoke run takes about
  // a second even under the sanitizers.
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    const auto made = testing::make_tiny_model(dir_->path() / "model");
    ASSERT_EQ(made.exit_code, 0) << made.err;
    dir_->write("cnn_eval.json", testing::short_prompt_records(24).dump());
    dir_->write("user.conf", std::string(kLongUserConf));
    dir_->write("config.yaml", config_text("model"));
    // A model directory that is not there: the node fails, whatever --smoke says.
    dir_->write("broken.yaml", config_text("no-such-model"));
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  static std::string config_text(const std::string& model_dir) {
    return fmt::format(
        "cluster:\n"
        "  launcher: local\n"
        "runner:\n"
        "  backend: cpu\n"
        "model:\n"
        "  name: llama3_1-8b\n"
        "  path: {}\n"
        "dataset:\n"
        "  path: cnn_eval.json\n"
        "benchmark:\n"
        "  scenario: offline\n"
        "  mode: performance\n"
        "  user_conf: user.conf\n"
        "report:\n"
        "  out_dir: runs\n",
        model_dir);
  }

  static testing::ProcessResult mlbench(const std::vector<std::string>& args) {
    std::vector<std::string> argv = {testing::binary_path("mlbench")};
    argv.insert(argv.end(), args.begin(), args.end());
    return testing::run_process(argv, {.timeout = std::chrono::seconds(120)});
  }

  // The run directory `mlbench run` names on its last summary line.
  static fs::path run_dir_of(const std::string& out) {
    std::smatch match;
    static const std::regex line("run directory (\\S+)");
    if (!std::regex_search(out, match, line)) return {};
    return match[1].str();
  }

  struct SmokeResult {
    testing::ProcessResult process;
    fs::path run_dir;
    double wall_s = 0;
  };

  // One smoke run per scenario and mode, made once and shared by the tests that read it.
  static const SmokeResult& smoke_run(const std::string& scenario,
                                      const std::string& mode = "performance") {
    static std::map<std::string, SmokeResult> done;
    const std::string key = scenario + "/" + mode;
    if (auto found = done.find(key); found != done.end()) return found->second;
    const auto started = std::chrono::steady_clock::now();
    SmokeResult result;
    result.process =
        mlbench({"run", "-c", config(), "--smoke", "--scenario", scenario, "--mode", mode});
    result.wall_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    result.run_dir = run_dir_of(result.process.out);
    // The measure the issue asks for; speed itself is bench/'s business, not an assertion.
    fmt::print("smoke run {} {}: {:.2f} s wall\n", scenario, mode, result.wall_s);
    return done.emplace(key, std::move(result)).first->second;
  }

  static std::string config() { return (dir_->path() / "config.yaml").string(); }

  // Replaces a file under the suite's directory.
  static void overwrite(const fs::path& path, const std::string& text) {
    dir_->write(fs::relative(path, dir_->path()).string(), text);
  }

  static json read_json(const fs::path& path) { return json::parse(testing::read_file(path)); }

  static testing::TempDir* dir_;
};

testing::TempDir* SmokeRun::dir_ = nullptr;

TEST_F(SmokeRun, EveryScenarioExitsZeroWithASmokeReportOfOkNodesAndFigures) {
  for (const std::string scenario : {"offline", "server", "singlestream"}) {
    SCOPED_TRACE(scenario);
    const SmokeResult& run = smoke_run(scenario);
    // Server and SingleStream cannot meet LoadGen's early-stopping minimums in 8 queries: their
    // INVALID verdict does not fail a smoke run.
    ASSERT_EQ(run.process.exit_code, 0) << run.process.out << run.process.err;
    EXPECT_THAT(run.process.out, HasSubstr("smoke run: counts and durations were cut"));
    EXPECT_THAT(run.process.out, HasSubstr("not a valid MLPerf result"));
    ASSERT_FALSE(run.run_dir.empty()) << run.process.out;

    const json record = read_json(run.run_dir / "run.json");
    EXPECT_EQ(record.at("smoke"), true);
    EXPECT_EQ(record.at("exit_code"), 0);
    const json& smoke = record.at("smoke_settings");
    EXPECT_EQ(smoke.at("max_samples").at("smoke"), 8);
    EXPECT_EQ(smoke.at("max_output_tokens").at("smoke"), 16);
    EXPECT_EQ(smoke.at("max_output_tokens").at("config"), 128);
    const std::string loadgen_name = record.at("scenario");
    EXPECT_EQ(smoke.at("user_conf_overrides").at("llama3_1-8b." + loadgen_name + ".min_duration"),
              "0");
    // The runner got the smoke user.conf: the user's text, then the overrides.
    const std::string conf = testing::read_file(run.run_dir / "smoke.user.conf");
    EXPECT_TRUE(conf.starts_with(kLongUserConf)) << conf;
    EXPECT_EQ(record.at("user_conf").at("text"), conf);
    EXPECT_THAT(record.at("nodes").at(0).at("command").get<std::string>(),
                HasSubstr("--max-samples 8"));

    const json report = read_json(run.run_dir / "report.json");
    EXPECT_EQ(report.at("run").at("smoke"), true);
    const json& node = report.at("nodes").at(0);
    EXPECT_EQ(node.at("status"), "ok");
    const json& result = node.at("result");
    EXPECT_EQ(result.at("samples").at("completed"), 8) << result.dump(1);
    EXPECT_EQ(result.at("samples").at("issued"), 8);
    EXPECT_GT(result.at("tokens_per_second").at("value").get<double>(), 0);
    EXPECT_GT(result.at("samples_per_second").at("value").get<double>(), 0);
    EXPECT_THAT(report.at("warnings").dump(), HasSubstr("smoke run"));
    EXPECT_THAT(testing::read_file(run.run_dir / "report.md"),
                HasSubstr("| Smoke run | yes: not a valid MLPerf result |"));
    EXPECT_THAT(testing::read_file(run.run_dir / "report.html"), HasSubstr("Smoke run"));
  }
  EXPECT_TRUE(read_json(smoke_run("server").run_dir / "report.json")
                  .at("nodes")
                  .at(0)
                  .at("result")
                  .contains("ttft"));
}

TEST_F(SmokeRun, AccuracyModeScoresTheCutSampleSet) {
  const SmokeResult& run = smoke_run("offline", "accuracy");
  // The random model misses the ROUGE target; a smoke run still exits 0.
  ASSERT_EQ(run.process.exit_code, 0) << run.process.out << run.process.err;
  const json report = read_json(run.run_dir / "report.json");
  EXPECT_EQ(report.at("nodes").at(0).at("status"), "ok");
  EXPECT_TRUE(report.at("nodes").at(0).at("result").contains("accuracy"));
}

TEST_F(SmokeRun, DryRunShowsTheOverridesAndStartsNothing) {
  const fs::path runs = dir_->path() / "dry" / "runs";
  dir_->write("dry/user.conf", std::string(kLongUserConf));
  dir_->write("dry/config.yaml", config_text("../model"));
  const auto dry = mlbench({"run", "-c", (dir_->path() / "dry/config.yaml").string(), "--smoke",
                            "--scenario", "server", "--dry-run"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_THAT(dry.out, HasSubstr("smoke run (never a valid MLPerf result)"));
  EXPECT_THAT(dry.out, HasSubstr("llama3_1-8b.Server.min_duration = 0"));
  EXPECT_THAT(dry.out, HasSubstr("llama3_1-8b.Server.target_qps = 4"));
  EXPECT_THAT(dry.out, HasSubstr("--max-samples 8 (config: all)"));
  EXPECT_THAT(dry.out, HasSubstr("--max-output-tokens 16"));
  EXPECT_THAT(dry.out, Not(HasSubstr("Offline.min_duration = 0")));
  EXPECT_FALSE(fs::exists(runs));
}

TEST_F(SmokeRun, ANodeFailureStillExitsThree) {
  const auto failed = mlbench(
      {"run", "-c", (dir_->path() / "broken.yaml").string(), "--smoke", "--scenario", "offline"});
  EXPECT_EQ(failed.exit_code, 3) << failed.out << failed.err;
  EXPECT_THAT(failed.out, HasSubstr("0 of 1 node ok"));
  const json record = read_json(run_dir_of(failed.out) / "run.json");
  EXPECT_EQ(record.at("smoke"), true);
  EXPECT_EQ(record.at("exit_code"), 3);
}

// A copy of a run with one figure edited: result_tokens_per_second in both logs (the report
// takes the detail log's, as LoadGen's own tooling does). Returns "" when the figure is missing.
fs::path copy_with_tokens_per_second(const fs::path& run, const fs::path& copy, double factor,
                                     const std::function<void(const fs::path&, std::string)>& put) {
  fs::copy(run, copy, fs::copy_options::recursive);
  const fs::path node = copy / "nodes" / "local";
  std::string detail = testing::read_file(node / "mlperf_log_detail.txt");
  static const std::regex detail_value(R"(("result_tokens_per_second", "value": )([0-9.e+-]+))");
  std::smatch match;
  if (!std::regex_search(detail, match, detail_value)) return {};
  const double value = std::stod(match[2].str()) * factor;
  put(node / "mlperf_log_detail.txt",
      fmt::format("{}{}{}{}", match.prefix().str(), match[1].str(), value, match.suffix().str()));
  put(node / "mlperf_log_summary.txt",
      std::regex_replace(testing::read_file(node / "mlperf_log_summary.txt"),
                         std::regex("Tokens per second: [0-9.e+-]+"),
                         fmt::format("Tokens per second: {}", value)));
  return copy;
}

TEST_F(SmokeRun, CompareGatesSmokeRuns) {
  const SmokeResult& base = smoke_run("offline");
  ASSERT_EQ(base.process.exit_code, 0) << base.process.err;
  const std::string base_dir = base.run_dir.string();

  // Two real smoke runs: within a threshold wide enough for short-run noise, exit 0.
  const auto again = mlbench({"run", "-c", config(), "--smoke", "--scenario", "offline"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  const auto same =
      mlbench({"compare", base_dir, run_dir_of(again.out).string(), "--max-regression", "1000%"});
  EXPECT_EQ(same.exit_code, 0) << same.out << same.err;
  EXPECT_THAT(same.out, HasSubstr("note: both runs are smoke runs"));
  EXPECT_THAT(same.out, HasSubstr("no regression"));

  // The base with its throughput cut by a fifth: beyond 5 % exit 2 and say which figure and by
  // how much; within 30 % exit 0.
  const fs::path slower =
      copy_with_tokens_per_second(base.run_dir, dir_->path() / "slower-run", 0.8, overwrite);
  ASSERT_FALSE(slower.empty());
  const auto regressed = mlbench({"compare", base_dir, slower.string(), "--max-regression", "5%"});
  EXPECT_EQ(regressed.exit_code, 2) << regressed.out << regressed.err;
  EXPECT_THAT(regressed.out, HasSubstr("REGRESSION: local tokens/s:"));
  EXPECT_THAT(regressed.out, HasSubstr("is 20.00 % lower (limit 5 %)"));
  EXPECT_THAT(regressed.out, HasSubstr("REGRESSED: 2 metric(s) beyond 5 %"));  // cluster, local
  const auto lenient = mlbench({"compare", base_dir, slower.string(), "--max-regression", "30%"});
  EXPECT_EQ(lenient.exit_code, 0) << lenient.out << lenient.err;

  // The same run marked as a full one: the deltas are shown, with a warning that they compare
  // a smoke run with a full one.
  const fs::path full = dir_->path() / "full-run";
  fs::copy(base.run_dir, full, fs::copy_options::recursive);
  json record = read_json(full / "run.json");
  record["smoke"] = false;
  overwrite(full / "run.json", record.dump());
  const auto mixed = mlbench({"compare", full.string(), base_dir});
  EXPECT_EQ(mixed.exit_code, 0) << mixed.out << mixed.err;
  EXPECT_THAT(mixed.out, HasSubstr("warning: the new run is a smoke run and the base run is not"));
}

}  // namespace
}  // namespace mlbench
