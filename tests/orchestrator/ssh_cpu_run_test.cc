// `mlbench run` over SSH with the runner's `cpu` backend: the real Llama engine on a tiny
// random-weight model (make-model) and a small cnn_eval.json (make-dataset), on both nodes of
// the loopback jw2/jw3 cluster, in performance and in accuracy mode; checked in report.json.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "orchestrator/cluster_fixture.h"

namespace mlbench::orchestrator {
namespace {

using ::testing::HasSubstr;

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

// The unoptimised sanitizer build runs the model many times slower: fewer samples and tokens
// keep the same checks within seconds there.
constexpr int kSamples = kSanitized ? 3 : 6;  // dataset.max_samples
// LoadGen's Offline query is a whole number of passes over the loaded samples.
constexpr int kQueries = kSanitized ? 2 * kSamples : 6 * kSamples;
constexpr int kOutputTokens = kSanitized ? 8 : 16;

// Short articles keep the prompts near the length of MLPerf's instruction alone (about 120
// tokens with the tiny model's tokenizer) instead of the 700 of data/sample's.
std::string short_articles() {
  std::string lines;
  for (int i = 0; i < kSamples; ++i) {
    const std::string n = std::to_string(i + 3);
    lines += nlohmann::json{{"article", "The council of Brackenford voted " + n +
                                            " to 2 on Tuesday to reopen the old river ferry."},
                            {"summary",
                             "Brackenford council votes to reopen the ferry.\nThe vote "
                             "was " +
                                 n + " to 2."}}
                 .dump() +
             "\n";
  }
  return lines;
}

class SshCpuRunTest : public ClusterTest {
 protected:
  static void SetUpTestSuite() {
    inputs_ = new testing::TempDir();
    const std::string runner = testing::binary_path("mlbench-runner");
    const auto made_model = testing::run_process(
        {runner, "make-model", "--preset", "tiny", "--seed", "1", "--out", model_dir()});
    ASSERT_EQ(made_model.exit_code, 0) << made_model.err;
    const std::string articles = inputs_->write("articles.jsonl", short_articles());
    const auto made_dataset =
        testing::run_process({runner, "make-dataset", "--articles", articles, "--tokenizer",
                              model_dir(), "--out", dataset()});
    ASSERT_EQ(made_dataset.exit_code, 0) << made_dataset.err;
  }
  static void TearDownTestSuite() {
    delete inputs_;
    inputs_ = nullptr;
  }

  static std::string model_dir() { return (inputs_->path() / "model").string(); }
  static std::string dataset() { return (inputs_->path() / "cnn_eval.json").string(); }

  void SetUp() override {
    ClusterTest::SetUp();
    if (IsSkipped()) return;
    ASSERT_TRUE(fs::exists(dataset())) << "no model or dataset";
    settings_["backend"] = "cpu";
    settings_["max_output_tokens"] = std::to_string(kOutputTokens);
    // Loading the model and checking every prompt come before the first event: the heartbeat
    // must allow for them.
    settings_["heartbeat_timeout_s"] = "60";
    settings_["run_timeout_s"] = "240";
    use_model(model_dir(), dataset(), kSamples);
    // Offline issues kQueries samples drawn from the kSamples loaded; a minimum duration of 0
    // keeps the VALID verdict from depending on how busy the machine is.
    dir_.write("user.conf",
               "*.Offline.min_duration = 0\n"
               "*.Offline.min_query_count = " +
                   std::to_string(kQueries) +
                   "\n"
                   "*.Offline.target_qps = 10\n");
  }

  testing::ProcessResult run_mlbench_with(const std::vector<std::string>& extra) {
    std::vector<std::string> argv = run_args();
    argv.insert(argv.end(), extra.begin(), extra.end());
    testing::ProcessOptions options;
    options.timeout = std::chrono::seconds(280);
    return testing::run_process(argv, options);
  }

  static testing::TempDir* inputs_;
};

testing::TempDir* SshCpuRunTest::inputs_ = nullptr;

TEST_F(SshCpuRunTest, PerformanceRunOnBothNodesReportsTheEnginesFigures) {
  const auto result = run_mlbench_with({"--mode", "performance"});
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_THAT(result.out, HasSubstr("2 of 2 nodes ok"));
  expect_report_lists_every_node();
  for (const std::string node : {"jw2", "jw3"}) {
    SCOPED_TRACE(node);
    expect_reported_ok(node);
    const nlohmann::json entry = reported_node(node);
    ASSERT_TRUE(entry.is_object());
    const nlohmann::json& figures = entry.at("result");
    ASSERT_TRUE(figures.is_object());
    EXPECT_EQ(figures.at("sut_name"), "mlbench-cpu");
    EXPECT_EQ(figures.at("scenario"), "Offline");
    EXPECT_EQ(figures.at("mode"), "PerformanceOnly");
    EXPECT_EQ(figures.at("samples").at("issued"), kQueries);
    EXPECT_EQ(figures.at("samples").at("completed"), kQueries);
    // Every sample gives at least one token and at most max_output_tokens.
    ASSERT_TRUE(entry.at("progress").is_object());
    const int64_t tokens = entry.at("progress").at("last").at("tokens").get<int64_t>();
    EXPECT_GE(tokens, kQueries);
    EXPECT_LE(tokens, int64_t{kQueries} * kOutputTokens);
    // Tokens/s and samples/s are over the same duration, so their ratio is the mean number of
    // tokens a sample got.
    const double tokens_per_second = figures.at("tokens_per_second").at("value").get<double>();
    const double samples_per_second = figures.at("samples_per_second").at("value").get<double>();
    EXPECT_NEAR(tokens_per_second / samples_per_second, static_cast<double>(tokens) / kQueries,
                0.01 * static_cast<double>(tokens) / kQueries);
    EXPECT_EQ(figures.at("valid"), true);
  }
  const nlohmann::json aggregate = report().at("aggregate");
  EXPECT_EQ(aggregate.at("nodes_ok"), 2);
  EXPECT_EQ(aggregate.at("samples").at("completed"), 2 * kQueries);
  EXPECT_GT(aggregate.at("tokens_per_second").at("value").get<double>(), 0.0);
}

TEST_F(SshCpuRunTest, AccuracyRunScoresEveryNodesAnswers) {
  const auto result = run_mlbench_with({"--mode", "accuracy"});
  // Random weights cannot reach MLPerf's ROUGE target: the run finished, its accuracy misses.
  ASSERT_EQ(result.exit_code, 2) << result.out << result.err;
  expect_report_lists_every_node();
  for (const std::string node : {"jw2", "jw3"}) {
    SCOPED_TRACE(node);
    const nlohmann::json entry = reported_node(node);
    ASSERT_TRUE(entry.is_object());
    EXPECT_EQ(entry.at("status"), "ok") << entry.dump();
    EXPECT_EQ(entry.at("runner_exit_code"), 2);
    EXPECT_TRUE(fs::exists(node_dir(node) / "accuracy.json"));
    const nlohmann::json& figures = entry.at("result");
    ASSERT_TRUE(figures.is_object());
    EXPECT_EQ(figures.at("mode"), "AccuracyOnly");
    // Accuracy mode issues every loaded sample once.
    EXPECT_EQ(figures.at("samples").at("issued"), kSamples);
    EXPECT_EQ(figures.at("samples").at("completed"), kSamples);
    const nlohmann::json& accuracy = figures.at("accuracy");
    ASSERT_TRUE(accuracy.is_object());
    ASSERT_TRUE(accuracy.at("metrics").is_object()) << accuracy.dump();
    const nlohmann::json& metrics = accuracy.at("metrics");
    for (const char* score : {"rouge1", "rouge2", "rougeL", "rougeLsum"}) {
      ASSERT_TRUE(metrics.contains(score)) << score;
      EXPECT_GE(metrics.at(score).get<double>(), 0.0) << score;
      EXPECT_LE(metrics.at(score).get<double>(), 100.0) << score;
    }
    EXPECT_EQ(metrics.at("gen_num"), kSamples);
    EXPECT_GT(metrics.at("gen_len").get<double>(), 0.0);
    // The verdict the exit code follows (the datacenter target's) is the report's too.
    EXPECT_EQ(accuracy.at("passed"), false);
    EXPECT_EQ(accuracy.at("log").at("entries"), kSamples);
  }
}

}  // namespace
}  // namespace mlbench::orchestrator
