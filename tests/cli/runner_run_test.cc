// Runs the real `mlbench-runner run` (sim and cpu backends) and reads back what it wrote.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/tiny_cpu_model.h"
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

// Progress events carry the run's total: an exact one is what the run then issues, an
// estimate is never below what was already issued.
TEST(RunnerRun, ProgressEventsAnnounceTheTotalTheRunIssues) {
  testing::TempDir dir;
  const std::string conf = dir.write("user.conf",
                                     "*.Server.target_qps = 100\n"
                                     "*.Server.min_duration = 700\n"
                                     "*.Server.min_query_count = 20\n"
                                     "*.SingleStream.target_latency = 20\n"
                                     "*.SingleStream.min_duration = 700\n"
                                     "*.SingleStream.min_query_count = 20\n");
  for (const std::string scenario : {"Server", "SingleStream"}) {
    SCOPED_TRACE(scenario);
    const std::string out = (dir.path() / scenario).string();
    const auto result = run_runner({"--backend", "sim", "--scenario", scenario, "--user-conf", conf,
                                    "--total-count", "20", "--out", out});
    ASSERT_TRUE(result.exit_code == 0 || result.exit_code == 2) << result.err;
    const auto lines = events(result.out);
    ASSERT_FALSE(lines.empty());
    ASSERT_EQ(lines.back().at("event"), "result");
    const uint64_t issued = lines.back().at("issued").get<uint64_t>();
    int progress_events = 0;
    for (const auto& line : lines) {
      if (line.at("event") != "progress") continue;
      ++progress_events;
      ASSERT_TRUE(line.contains("total")) << line.dump();
      ASSERT_TRUE(line.at("total_exact").is_boolean()) << line.dump();
      if (line.at("total_exact").get<bool>()) {
        EXPECT_EQ(line.at("total").get<uint64_t>(), issued) << line.dump();
      } else {
        EXPECT_GE(line.at("total").get<uint64_t>(), line.at("issued").get<uint64_t>());
      }
    }
    EXPECT_GE(progress_events, 1) << "a run of 0.7 s or more reports every 0.5 s";
  }
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

// Whether this build's runner has the CUDA backend, as `mlbench-runner info` says.
bool runner_has_cuda() {
  const auto info = testing::run_process({testing::binary_path("mlbench-runner"), "info"});
  const auto parsed = nlohmann::json::parse(info.out, nullptr, /*allow_exceptions=*/false);
  return parsed.is_object() && parsed.contains("cuda") && parsed["cuda"].value("built", false);
}

TEST(RunnerRun, UnbuiltBackendAndBadOptionsAreRefused) {
  testing::TempDir dir;
  const std::string out = (dir.path() / "out").string();
  const auto cuda = run_runner({"--backend", "cuda", "--scenario", "Offline", "--out", out});
  EXPECT_EQ(cuda.exit_code, 1);
  // A CUDA build takes the backend and asks for its model; a build without nvcc refuses it.
  EXPECT_THAT(cuda.err, HasSubstr(runner_has_cuda() ? "needs --model DIR"
                                                    : "built without the CUDA backend"));
  const auto scenario = run_runner({"--backend", "sim", "--scenario", "MultiStream", "--out", out});
  EXPECT_EQ(scenario.exit_code, 1);
  EXPECT_THAT(scenario.err, HasSubstr("unknown scenario 'MultiStream'"));
  const auto conf = run_runner({"--backend", "sim", "--scenario", "Offline", "--user-conf",
                                "/nonexistent.conf", "--out", out});
  EXPECT_EQ(conf.exit_code, 1);
  EXPECT_THAT(conf.err, HasSubstr("/nonexistent.conf"));
}

// --- The CPU backend on the tiny model -------------------------------------------------------

// A tiny random model (make-model) and a small cnn_eval.json whose prompts stay below the
// model's special tokens (496 and up; 496 is its <|begin_of_text|>).
class CpuRun : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    const auto made = testing::make_tiny_model(dir_->path() / "model");
    ASSERT_EQ(made.exit_code, 0) << made.err;
    dir_->write("cnn_eval.json", testing::short_prompt_records(kSamples).dump());
    // Offline issues one query of a fixed size, so how long it lasts depends on the machine's
    // speed: a minimum duration of 0 keeps its VALID verdict from depending on load.
    dir_->write("user.conf",
                "*.Offline.min_duration = 0\n"
                "*.Offline.min_query_count = 16\n"
                "*.Offline.target_qps = 20\n"
                "*.SingleStream.min_duration = 300\n"
                "*.SingleStream.min_query_count = 64\n"
                "*.SingleStream.target_latency = 10\n"
                "*.Server.min_duration = 300\n"
                "*.Server.min_query_count = 16\n"
                "*.Server.target_qps = 30\n");
  }
  static void TearDownTestSuite() { delete dir_; }

  static std::string model() { return (dir_->path() / "model").string(); }
  static std::string dataset() { return (dir_->path() / "cnn_eval.json").string(); }
  static std::string out(const std::string& name) { return (dir_->path() / name).string(); }

  // `prefix` goes in front of the runner (e.g. a timeout that sends SIGINT).
  static testing::ProcessResult run_cpu(const std::vector<std::string>& args,
                                        const std::string& conf = "user.conf",
                                        const std::vector<std::string>& prefix = {}) {
    std::vector<std::string> argv = prefix;
    const std::vector<std::string> common = {testing::binary_path("mlbench-runner"),
                                             "run",
                                             "--backend",
                                             "cpu",
                                             "--model",
                                             model(),
                                             "--dataset",
                                             dataset(),
                                             "--user-conf",
                                             (dir_->path() / conf).string(),
                                             "--max-output-tokens",
                                             "8",
                                             "--threads",
                                             "2"};
    argv.insert(argv.end(), common.begin(), common.end());
    argv.insert(argv.end(), args.begin(), args.end());
    return testing::run_process(argv, {.timeout = std::chrono::seconds(60)});
  }

  static constexpr int kSamples = 24;
  static testing::TempDir* dir_;
};

testing::TempDir* CpuRun::dir_ = nullptr;

// --backend cuda on the same model and dataset, on GPUs that cannot all be opened: a GPU named
// twice, and a GPU index no machine has (on a machine without a GPU, GPU 0 fails first). The
// run is refused before issuing, naming the GPU, whichever GPU's loader fails.
TEST_F(CpuRun, CudaGpusThatCannotBeOpenedAreRefusedNamingTheGpu) {
  if (!runner_has_cuda()) GTEST_SKIP() << "this mlbench-runner was built without CUDA";
  const auto cuda = [](const std::string& gpus, const std::string& out_dir) {
    return testing::run_process({testing::binary_path("mlbench-runner"), "run", "--backend", "cuda",
                                 "--gpus", gpus, "--model", model(), "--dataset", dataset(),
                                 "--scenario", "Offline", "--out", out(out_dir)},
                                {.timeout = std::chrono::seconds(60)});
  };
  const auto twice = cuda("0,0", "cuda-twice");
  EXPECT_EQ(twice.exit_code, 1);
  EXPECT_THAT(twice.err, HasSubstr("--gpus: GPU 0 is named twice"));
  const auto missing = cuda("0,4095", "cuda-missing");
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, ::testing::ContainsRegex("GPU (0|4095)"));
  EXPECT_THAT(missing.out, Not(HasSubstr("\"result\"")));
}

TEST_F(CpuRun, OfflineAndSingleStreamWriteValidLogs) {
  for (const std::string scenario : {"Offline", "SingleStream"}) {
    SCOPED_TRACE(scenario);
    const auto result = run_cpu({"--scenario", scenario, "--out", out(scenario)});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    const auto lines = events(result.out);
    ASSERT_FALSE(lines.empty());
    EXPECT_EQ(lines.back().at("event"), "result");
    EXPECT_TRUE(lines.back().at("valid").get<bool>());
    EXPECT_EQ(lines.back().at("issued"), lines.back().at("completed"));
    const std::string summary =
        testing::read_file(dir_->path() / scenario / "mlperf_log_summary.txt");
    EXPECT_THAT(summary, HasSubstr("Scenario : " + scenario));
    EXPECT_THAT(summary, HasSubstr("SUT name : mlbench-cpu"));
    EXPECT_THAT(summary, HasSubstr("Result is : VALID"));
    EXPECT_THAT(summary, HasSubstr("No errors encountered during test."));
  }
}

TEST_F(CpuRun, ServerAnswersEveryQueryWithFirstTokens) {
  const auto result = run_cpu({"--scenario", "Server", "--out", out("server")});
  ASSERT_TRUE(result.exit_code == 0 || result.exit_code == 2) << result.err;  // 2: INVALID
  const auto lines = events(result.out);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.back().at("issued"), lines.back().at("completed"));
  EXPECT_GT(lines.back().at("tokens").get<int>(), 0);
  const std::string summary = testing::read_file(dir_->path() / "server/mlperf_log_summary.txt");
  EXPECT_THAT(summary, HasSubstr("Scenario : Server"));
  EXPECT_THAT(summary, HasSubstr("No errors encountered during test."));
  EXPECT_THAT(summary, HasSubstr("TTFT"));
}

TEST_F(CpuRun, AccuracyLogHoldsWhatGenerateProduces) {
  const auto result =
      run_cpu({"--scenario", "SingleStream", "--mode", "accuracy", "--out", out("accuracy")});
  // The accuracy pass follows the run: random weights cannot reach the ROUGE target, so the
  // runner says so with exit 2 and writes both accuracy files.
  ASSERT_EQ(result.exit_code, 2) << result.err;
  EXPECT_THAT(testing::read_file(dir_->path() / "accuracy/accuracy.txt"), HasSubstr("hash="));
  const auto scored =
      nlohmann::json::parse(testing::read_file(dir_->path() / "accuracy/accuracy.json"));
  EXPECT_EQ(scored.at("gen_num"), kSamples);
  EXPECT_FALSE(scored.at("targets").at("datacenter").at("passed").get<bool>());
  const auto log =
      nlohmann::json::parse(testing::read_file(dir_->path() / "accuracy/mlperf_log_accuracy.json"));
  ASSERT_EQ(log.size(), static_cast<size_t>(kSamples));
  const auto records = nlohmann::json::parse(testing::read_file(dir_->path() / "cnn_eval.json"));
  for (const auto& entry : log) {
    const int index = entry.at("qsl_idx").get<int>();
    if (index % 8 != 0) continue;  // a few are enough: each `generate` loads the model again
    std::string tokens;
    for (const auto& id : records.at(index).at("tok_input")) {
      tokens += (tokens.empty() ? "" : ",") + std::to_string(id.get<int>());
    }
    const auto generated =
        testing::run_process({testing::binary_path("mlbench-runner"), "generate", "--model",
                              model(), "--tokens", tokens, "--max-new-tokens", "8"});
    ASSERT_EQ(generated.exit_code, 0) << generated.err;
    std::string hex;
    for (const auto& id : nlohmann::json::parse(generated.out)) {
      for (int byte = 0; byte < 4; ++byte)
        hex += fmt::format("{:02X}", (id.get<uint32_t>() >> (8 * byte)) & 0xFF);
    }
    EXPECT_EQ(entry.at("data").get<std::string>(), hex) << "sample " << index;
  }
}

TEST_F(CpuRun, InterruptCancelsTheEngineAndStillWritesTheLogs) {
  dir_->write("long.conf",
              "*.Server.target_qps = 40\n"
              "*.Server.min_duration = 60000\n");
  const auto result = run_cpu({"--scenario", "Server", "--out", out("interrupted")}, "long.conf",
                              {"/usr/bin/timeout", "--preserve-status", "-s", "INT", "1"});
  EXPECT_EQ(result.exit_code, 130) << result.err;
  const auto lines = events(result.out);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.back().at("end_reason"), "interrupted");
  EXPECT_THAT(testing::read_file(dir_->path() / "interrupted/mlperf_log_summary.txt"),
              HasSubstr("Result is : INVALID"));
}

TEST_F(CpuRun, RefusesMissingInputsAndOutOfVocabularyPrompts) {
  const auto no_model = testing::run_process({testing::binary_path("mlbench-runner"), "run",
                                              "--backend", "cpu", "--scenario", "Offline",
                                              "--dataset", dataset(), "--out", out("refused")});
  EXPECT_EQ(no_model.exit_code, 1);
  EXPECT_THAT(no_model.err, HasSubstr("--model DIR"));
  const std::string bad = dir_->write(
      "bad_eval.json", R"([{"input": "a", "tok_input": [496, 3, 700], "output": "b"}])");
  const auto outside = testing::run_process({testing::binary_path("mlbench-runner"), "run",
                                             "--backend", "cpu", "--scenario", "Offline", "--model",
                                             model(), "--dataset", bad, "--out", out("refused")});
  EXPECT_EQ(outside.exit_code, 1);
  EXPECT_THAT(outside.err, HasSubstr("bad_eval.json"));
  EXPECT_THAT(outside.err, HasSubstr("700"));
}

}  // namespace
}  // namespace mlbench
