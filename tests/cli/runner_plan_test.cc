// Runs the real `mlbench-runner plan`.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <numeric>
#include <sstream>

#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace mlbench {
namespace {

using ::testing::HasSubstr;

constexpr const char* kShortServerConf =
    "*.Server.target_qps = 25\n"
    "*.Server.min_duration = 1000\n"
    "*.Server.min_query_count = 10\n";

testing::ProcessResult plan(std::vector<std::string> args) {
  args.insert(args.begin(), {testing::binary_path("mlbench-runner"), "plan"});
  return testing::run_process(args);
}

std::vector<std::string> plan_args(const std::string& scenario, const std::string& mode,
                                   const std::string& user_conf, const std::string& total,
                                   const std::string& perf) {
  return {"--model-name", "llama3_1-8b", "--scenario",    scenario, "--mode",       mode,
          "--user-conf",  user_conf,     "--total-count", total,    "--perf-count", perf};
}

std::vector<nlohmann::json> json_lines(const std::string& text) {
  std::vector<nlohmann::json> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    lines.push_back(nlohmann::json::parse(line));
  return lines;
}

TEST(RunnerPlan, PrintsOneJsonLinePerSampleWithLoadGensServerSchedule) {
  testing::TempDir dir;
  const auto result = plan(
      plan_args("Server", "performance", dir.write("user.conf", kShortServerConf), "100", "100"));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.err, "");
  const auto lines = json_lines(result.out);
  ASSERT_GE(lines.size(), 10u);
  for (size_t i = 0; i < lines.size(); ++i) {
    const auto& line = lines[i];
    ASSERT_EQ(line.size(), 3u) << line.dump();
    EXPECT_EQ(line.at("query").get<uint64_t>(), i);  // Server: one sample per query
    EXPECT_LT(line.at("sample").get<uint64_t>(), 100u);
    EXPECT_TRUE(line.at("scheduled_ns").is_number_integer());
  }
  // The official seeds (from the embedded mlperf.conf) at 25 qps: loadgen.md §1.5.
  EXPECT_EQ(lines[0].at("scheduled_ns"), 0);
  EXPECT_EQ(lines[1].at("scheduled_ns"), 73'746'160);
  EXPECT_EQ(lines[2].at("scheduled_ns"), 92'063'107);
  EXPECT_EQ(lines[3].at("scheduled_ns"), 143'497'599);
}

TEST(RunnerPlan, OfflineAccuracyIssuesEverySampleOnceInOneQuery) {
  testing::TempDir dir;
  const auto result =
      plan(plan_args("Offline", "accuracy", dir.write("user.conf", ""), "30", "30"));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto lines = json_lines(result.out);
  ASSERT_EQ(lines.size(), 30u);
  std::vector<uint64_t> samples;
  for (const auto& line : lines) {
    EXPECT_EQ(line.at("query"), 0);
    EXPECT_EQ(line.at("scheduled_ns"), 0);
    samples.push_back(line.at("sample"));
  }
  std::sort(samples.begin(), samples.end());
  std::vector<uint64_t> every(30);
  std::iota(every.begin(), every.end(), uint64_t{0});
  EXPECT_EQ(samples, every);
}

TEST(RunnerPlan, SettingsWarningsGoToStderrWithFileAndLine) {
  testing::TempDir dir;
  const std::string conf =
      dir.write("user.conf", std::string(kShortServerConf) + "*.Server.min_duration=5\n");
  const auto result = plan(plan_args("Server", "performance", conf, "100", "100"));
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_THAT(result.err, HasSubstr("user.conf:4:"));
  EXPECT_FALSE(json_lines(result.out).empty());
}

TEST(RunnerPlan, BadInputFailsWithExitCode1AndAMessage) {
  testing::TempDir dir;
  const std::string conf = dir.write("user.conf", kShortServerConf);
  const std::string missing = (dir.path() / "missing.conf").string();
  auto unknown_model = plan_args("Server", "performance", conf, "100", "100");
  unknown_model[1] = "no-such-model";
  const struct {
    std::vector<std::string> args;
    std::string message;
  } cases[] = {
      {plan_args("Server", "performance", missing, "100", "100"), "missing.conf"},
      {plan_args("Serverless", "performance", conf, "100", "100"), "unknown scenario"},
      {plan_args("Server", "benchmark", conf, "100", "100"), "unknown mode"},
      {plan_args("Server", "performance", conf, "0", "100"), "--total-count"},
      {plan_args("Server", "performance", conf, "100", "0"), "--perf-count"},
      {unknown_model, "no-such-model"},
  };
  for (const auto& test : cases) {
    const auto result = plan(test.args);
    EXPECT_EQ(result.exit_code, 1) << test.message << "\n" << result.err;
    EXPECT_THAT(result.err, HasSubstr(test.message));
    EXPECT_EQ(result.out, "") << test.message;
  }
}

}  // namespace
}  // namespace mlbench
