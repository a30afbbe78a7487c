// Runs the real `mlbench-runner` binary.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/subprocess.h"

namespace mlbench {
namespace {

using ::testing::HasSubstr;

testing::ProcessResult runner(std::vector<std::string> args) {
  args.insert(args.begin(), testing::binary_path("mlbench-runner"));
  return testing::run_process(args);
}

TEST(RunnerCli, InfoDescribesBuildAndMachineAsJson) {
  const auto result = runner({"info"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const auto info = nlohmann::json::parse(result.out);
  EXPECT_EQ(info.at("program"), "mlbench-runner");
  EXPECT_FALSE(info.at("commit").get<std::string>().empty());
  EXPECT_GE(info.at("cpu").at("logical_cores").get<int>(), 1);
  const auto& cuda = info.at("cuda");
#ifdef MLBENCH_TEST_EXPECT_CUDA
  EXPECT_TRUE(cuda.at("built").get<bool>());
#endif
  if (cuda.at("built").get<bool>() && !cuda.contains("error")) {
    EXPECT_TRUE(cuda.at("devices").is_array());
  }
}

TEST(RunnerCli, VersionMatchesController) {
  const auto from_runner = runner({"--version"});
  const auto from_controller = testing::run_process({testing::binary_path("mlbench"), "--version"});
  ASSERT_EQ(from_runner.exit_code, 0);
  // Same version and commit: preflight relies on comparing them.
  EXPECT_EQ(from_runner.out.substr(from_runner.out.find(' ')),
            from_controller.out.substr(from_controller.out.find(' ')));
}

}  // namespace
}  // namespace mlbench
