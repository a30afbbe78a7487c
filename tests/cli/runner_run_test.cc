// Runs the real `mlbench-runner run --backend sim` and reads back what it wrote.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace mlbench {
namespace {

using ::testing::HasSubstr;

// Fast simulated answers: 1-2 ms to the first token, 10 us per further token.
const std::vector<std::string> kQuickSim = {"--sim-min-ttft-ms", "1",   "--sim-max-ttft-ms", "2",
                                            "--sim-tpot-ms",     "0.01"};

testing::ProcessResult run_runner(const std::vector<std::string>& args,
                                  const std::vector<std::string>& prefix = {}) {
  std::vector<std::string> argv = prefix;
  argv.push_back(testing::binary_path("mlbench-runner"));
  argv.push_back("run");
  argv.insert(argv.end(), args.begin(), args.end());
  argv.insert(argv.end(), kQuickSim.begin(), kQuickSim.end());
  return testing::run_process(argv);
}

std::vector<nlohmann::json> events(const std::string& out) {
  std::vector<nlohmann::json> parsed;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);)
    parsed.push_back(nlohmann::json::parse(line));
  return parsed;
}

TEST(RunnerRun, OfflineSimRunWritesValidLogsAndStreamsEvents) {
  testing::TempDir dir;
  const std::string conf = dir.write("user.conf",
                                     "*.Offline.min_duration = 300\n"
                                     "*.Offline.min_query_count = 100\n"
                                     "*.Offline.target_qps = 5000\n");
  const std::string out = (dir.path() / "out").string();
  const auto result = run_runner({"--backend", "sim", "--scenario", "offline", "--user-conf", conf,
                                  "--total-count", "500", "--out", out});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto lines = events(result.out);
  ASSERT_FALSE(lines.empty());
  const auto& final_event = lines.back();
  EXPECT_EQ(final_event.at("event"), "result");
  EXPECT_TRUE(final_event.at("valid").get<bool>());
  EXPECT_EQ(final_event.at("issued"), final_event.at("completed"));
  EXPECT_GT(final_event.at("tokens").get<uint64_t>(), 0u);

  const std::string summary = testing::read_file(dir.path() / "out/mlperf_log_summary.txt");
  EXPECT_THAT(summary, HasSubstr("Scenario : Offline"));
  EXPECT_THAT(summary, HasSubstr("Result is : VALID"));
  EXPECT_THAT(summary, HasSubstr("No errors encountered during test."));
  const std::string detail = testing::read_file(dir.path() / "out/mlperf_log_detail.txt");
  EXPECT_THAT(detail, ::testing::StartsWith(":::MLLOG {"));
  EXPECT_THAT(detail, HasSubstr(R"("key": "result_tokens_per_second")"));
}

TEST(RunnerRun, AccuracyRunLogsEverySampleOnce) {
  testing::TempDir dir;
  const std::string conf = dir.write("user.conf", "*.Server.target_qps = 500\n");
  const std::string out = (dir.path() / "out").string();
  const auto result = run_runner({"--backend", "sim", "--scenario", "Server", "--mode", "accuracy",
                                  "--user-conf", conf, "--total-count", "20", "--out", out});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto log =
      nlohmann::json::parse(testing::read_file(dir.path() / "out/mlperf_log_accuracy.json"));
  ASSERT_EQ(log.size(), 20u);
  std::set<int> indices;
  for (const auto& entry : log) {
    indices.insert(entry.at("qsl_idx").get<int>());
    EXPECT_EQ(entry.at("data").get<std::string>().size(),
              entry.at("token_count").get<size_t>() * 8);  // int32 ids as hex
    EXPECT_EQ(entry.at("token_data").get<std::string>().size(), 8u);
  }
  EXPECT_EQ(indices.size(), 20u);
}

TEST(RunnerRun, InterruptStopsTheRunAndStillWritesTheLogs) {
  testing::TempDir dir;
  const std::string conf = dir.write("user.conf",
                                     "*.Server.target_qps = 50\n"
                                     "*.Server.min_duration = 60000\n");
  const std::string out = (dir.path() / "out").string();
  const auto result = run_runner({"--backend", "sim", "--scenario", "Server", "--user-conf", conf,
                                  "--total-count", "100", "--out", out},
                                 {"/usr/bin/timeout", "--preserve-status", "-s", "INT", "1"});
  EXPECT_EQ(result.exit_code, 130) << result.err;
  const auto lines = events(result.out);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.back().at("event"), "result");
  EXPECT_EQ(lines.back().at("end_reason"), "interrupted");
  EXPECT_GT(lines.back().at("completed").get<int>(), 10);  // ~50 per second for a second
  EXPECT_THAT(testing::read_file(dir.path() / "out/mlperf_log_summary.txt"),
              HasSubstr("Result is : INVALID"));
}

TEST(RunnerRun, UnbuiltBackendAndBadOptionsAreRefused) {
  testing::TempDir dir;
  const std::string out = (dir.path() / "out").string();
  const auto cpu = run_runner({"--backend", "cpu", "--scenario", "Offline", "--out", out});
  EXPECT_EQ(cpu.exit_code, 1);
  EXPECT_THAT(cpu.err, HasSubstr("backend 'cpu' is not built yet"));
  const auto scenario = run_runner({"--backend", "sim", "--scenario", "MultiStream", "--out", out});
  EXPECT_EQ(scenario.exit_code, 1);
  EXPECT_THAT(scenario.err, HasSubstr("unknown scenario 'MultiStream'"));
  const auto conf = run_runner({"--backend", "sim", "--scenario", "Offline", "--user-conf",
                                "/nonexistent.conf", "--out", out});
  EXPECT_EQ(conf.exit_code, 1);
  EXPECT_THAT(conf.err, HasSubstr("/nonexistent.conf"));
}

}  // namespace
}  // namespace mlbench
