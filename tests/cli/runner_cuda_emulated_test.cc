// `mlbench-runner run --backend cuda` end to end, as a GPU node runs it, on the host emulation of
// the CUDA runtime (bin/mlbench-runner-emulated: the runner's own sources linked against
// tests/support/cuda_emulation). Not a GPU run: it checks the runner's cuda path — one
// CudaBackend per GPU of --gpus behind DataParallelSut, the accuracy log, the exit codes — and
// that the CUDA backend's greedy tokens are the CPU backend's.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/tiny_cpu_model.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace mlbench {
namespace {

using ::testing::HasSubstr;

// qsl_idx → the hex of its tokens, from a run's mlperf_log_accuracy.json.
std::map<int, std::string> accuracy_tokens(const std::filesystem::path& out) {
  std::map<int, std::string> tokens;
  const auto log = nlohmann::json::parse(testing::read_file(out / "mlperf_log_accuracy.json"));
  for (const auto& entry : log)
    tokens[entry.at("qsl_idx").get<int>()] = entry.at("data").get<std::string>();
  return tokens;
}

std::vector<std::string> info_messages(const std::string& events) {
  std::vector<std::string> messages;
  std::istringstream in(events);
  for (std::string line; std::getline(in, line);) {
    const auto event = nlohmann::json::parse(line, nullptr, false);
    if (event.is_object() && event.value("event", "") == "log" &&
        event.value("level", "") == "info")
      messages.push_back(event.value("message", ""));
  }
  return messages;
}

class RunnerCudaEmulated : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(testing::make_tiny_model(dir_.path() / "model").exit_code, 0);
    dir_.write("cnn_eval.json", testing::short_prompt_records(kSamples).dump());
  }

  testing::ProcessResult run(const std::string& runner, const std::vector<std::string>& backend,
                             const std::string& out,
                             const std::map<std::string, std::string>& env = {}) {
    std::vector<std::string> argv = {testing::binary_path(runner),
                                     "run",
                                     "--model",
                                     (dir_.path() / "model").string(),
                                     "--dataset",
                                     (dir_.path() / "cnn_eval.json").string(),
                                     "--scenario",
                                     "Offline",
                                     "--mode",
                                     "accuracy",
                                     "--max-output-tokens",
                                     "8",
                                     "--out",
                                     (dir_.path() / out).string()};
    argv.insert(argv.end(), backend.begin(), backend.end());
    return testing::run_process(argv, {.env = env, .timeout = std::chrono::seconds(300)});
  }

  static constexpr int kSamples = 10;
  testing::TempDir dir_;
};

TEST_F(RunnerCudaEmulated, OfflineAccuracyOnTwoGpusGivesTheCpuBackendsTokens) {
  const auto cpu = run("mlbench-runner", {"--backend", "cpu", "--threads", "2"}, "cpu");
  const auto cuda = run("mlbench-runner-emulated", {"--backend", "cuda", "--gpus", "0,1"}, "cuda",
                        {{"MLBENCH_EMULATED_CUDA_DEVICES", "2"}});
  // Random weights miss the ROUGE target: exit 2, with the accuracy files written.
  ASSERT_EQ(cpu.exit_code, 2) << cpu.err;
  ASSERT_EQ(cuda.exit_code, 2) << cuda.err;
  EXPECT_THAT(cuda.err, HasSubstr("cuda backend: GPU 0 (mlbench host emulation 0"));
  EXPECT_THAT(cuda.err, HasSubstr("cuda backend: GPU 1 (mlbench host emulation 1"));
  EXPECT_THAT(cuda.err, HasSubstr("grouped attention, split-bf16 activations"));

  const auto expected = accuracy_tokens(dir_.path() / "cpu");
  const auto got = accuracy_tokens(dir_.path() / "cuda");
  ASSERT_EQ(expected.size(), static_cast<std::size_t>(kSamples));
  EXPECT_EQ(got, expected);

  // Both GPUs served samples, and together all of them.
  int served = 0;
  for (const std::string gpu : {"GPU 0", "GPU 1"}) {
    bool found = false;
    for (const std::string& message : info_messages(cuda.out)) {
      int issued = 0;
      int answered = 0;
      if (message.rfind(gpu + ": ", 0) == 0 &&
          std::sscanf(message.c_str() + gpu.size() + 2,
                      "%d samples (%*d prompt tokens), %d answered", &issued, &answered) == 2) {
        found = true;
        EXPECT_GT(answered, 0) << message;
        EXPECT_EQ(answered, issued) << message;
        served += answered;
      }
    }
    EXPECT_TRUE(found) << gpu << " reported no counters:\n" << cuda.out;
  }
  EXPECT_EQ(served, kSamples);
}

// --cuda-precision bf16 (plain bf16 activations, one GEMM part) and --kv-cache-dtype bf16: the
// backend says so and every sample is answered. Its tokens may differ from the CPU's, so they
// are not compared.
TEST_F(RunnerCudaEmulated, Bf16ActivationsAndCacheAnswerEverySample) {
  const auto cuda =
      run("mlbench-runner-emulated",
          {"--backend", "cuda", "--cuda-precision", "bf16", "--kv-cache-dtype", "bf16"}, "bf16",
          {{"MLBENCH_EMULATED_CUDA_DEVICES", "1"}});
  ASSERT_EQ(cuda.exit_code, 2) << cuda.err;  // random weights: the ROUGE target is missed
  EXPECT_THAT(cuda.err, HasSubstr("grouped attention, bf16 activations"));
  EXPECT_THAT(cuda.err, HasSubstr("tokens, bf16), CUDA graphs on"));
  EXPECT_EQ(accuracy_tokens(dir_.path() / "bf16").size(), static_cast<std::size_t>(kSamples));
}

// The same runner on a machine whose runtime sees no device: refused before any sample, with the
// reason, and no result.
TEST_F(RunnerCudaEmulated, NoDeviceIsRefusedBeforeTheRun) {
  const auto cuda = run("mlbench-runner-emulated", {"--backend", "cuda"}, "none",
                        {{"MLBENCH_EMULATED_CUDA_DEVICES", "0"}});
  EXPECT_EQ(cuda.exit_code, 1) << cuda.err;
  EXPECT_THAT(cuda.err, HasSubstr("no usable CUDA device"));
  EXPECT_THAT(cuda.out, ::testing::Not(HasSubstr("\"result\"")));
}

}  // namespace
}  // namespace mlbench
