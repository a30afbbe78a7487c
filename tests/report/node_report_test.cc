#include "mlbench/report/node_report.h"

#include <gtest/gtest.h>

#include "report/official_logs.h"
#include "support/temp_dir.h"

namespace mlbench::report {
namespace {

namespace fs = std::filesystem;
using testing::copy_official_node;
using testing::write_text;

class OfficialNode : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::official_logs_present()) GTEST_SKIP() << "no shared/testdata/loadgen";
  }
  mlbench::testing::TempDir dir_;
};

TEST_F(OfficialNode, SingleStreamNodeWithoutNodeJsonIsOkWithOfficialFigures) {
  const NodeReport node = read_node(copy_official_node(dir_.path(), "ss", "SingleStream"));
  EXPECT_EQ(node.status, NodeStatus::kOk);
  EXPECT_EQ(node.status_source, "logs");
  EXPECT_TRUE(node.problems.empty()) << node.problems.front().describe();
  const NodeResult& r = node.result;
  EXPECT_EQ(r.scenario, "SingleStream");
  EXPECT_EQ(r.valid, true);
  ASSERT_TRUE(r.samples);
  EXPECT_EQ(r.samples->issued, 128u);
  EXPECT_EQ(r.samples->completed, 128u);
  ASSERT_TRUE(r.tokens_per_second);
  EXPECT_EQ(r.tokens_per_second->value, 554.184);
  EXPECT_EQ(r.tokens_per_second->source, "mlperf_log_detail.txt");
  EXPECT_EQ(r.tokens_per_second->key, "result_token_throughput_with_loadgen_overhead");
  ASSERT_TRUE(r.ttft && r.tpot && r.latency);
  EXPECT_EQ(r.ttft->percentiles_ns[4], 35327968);  // p99
  EXPECT_EQ(r.tpot->min_ns, 1494692);
  EXPECT_EQ(r.latency->percentiles_ns[5], 220754064);  // p99.9
  EXPECT_EQ(r.early_stopping.size(), 2u);
}

TEST_F(OfficialNode, FallsBackToTheSummaryWhenTheDetailLogLacksAKey) {
  const fs::path node_dir = copy_official_node(dir_.path(), "n", "Offline");
  std::string detail = mlbench::testing::read_file(node_dir / "mlperf_log_detail.txt");
  const size_t at = detail.find(":::MLLOG {\"key\": \"result_tokens_per_second\"");
  detail.erase(at, detail.find('\n', at) - at + 1);
  write_text(node_dir / "mlperf_log_detail.txt", detail);
  const NodeReport node = read_node(node_dir);
  EXPECT_EQ(node.status, NodeStatus::kOk);
  ASSERT_TRUE(node.result.tokens_per_second);
  EXPECT_EQ(node.result.tokens_per_second->value, 2188.96);
  EXPECT_EQ(node.result.tokens_per_second->source, "mlperf_log_summary.txt");
  EXPECT_EQ(node.result.tokens_per_second->key, "Tokens per second");
}

TEST_F(OfficialNode, DamagedDetailLogMakesThePartialNodeNameFileAndLine) {
  const fs::path node_dir = copy_official_node(dir_.path(), "n", "Offline");
  const std::string detail = mlbench::testing::read_file(node_dir / "mlperf_log_detail.txt");
  write_text(node_dir / "mlperf_log_detail.txt", detail.substr(0, detail.size() / 2));
  const NodeReport node = read_node(node_dir);
  EXPECT_EQ(node.status, NodeStatus::kPartial);
  EXPECT_NE(node.error.find("nodes/n/mlperf_log_detail.txt:"), std::string::npos) << node.error;
  // What could be read is kept: the summary still gives the verdict and figures.
  EXPECT_EQ(node.result.valid, true);
  ASSERT_TRUE(node.result.samples_per_second);
  EXPECT_EQ(node.result.samples_per_second->value, 30.1146);
}

TEST_F(OfficialNode, NodeJsonOkButMissingSummaryIsPartial) {
  const fs::path node_dir = copy_official_node(dir_.path(), "n", "Offline");
  fs::remove(node_dir / "mlperf_log_summary.txt");
  ASSERT_TRUE(write_node_outcome(node_dir, {.name = "n", .status = NodeStatus::kOk}));
  const NodeReport node = read_node(node_dir);
  EXPECT_EQ(node.status, NodeStatus::kPartial);
  EXPECT_EQ(node.status_source, "node.json");
  EXPECT_NE(node.error.find("mlperf_log_summary.txt"), std::string::npos);
  EXPECT_EQ(node.result.valid, true);  // from the detail log
}

TEST(NodeReport, InterruptedNodeShowsWhatCompletedFromItsEvents) {
  mlbench::testing::TempDir dir;
  const fs::path node_dir = dir.path() / "nodes" / "jw2";
  write_text(node_dir / "events.jsonl",
             "{\"event\":\"progress\",\"issued\":10,\"completed\":2,\"tokens\":100,\"t_ns\":1}\n"
             "{\"event\":\"progress\",\"issued\":10,\"completed\":5,\"tokens\":250,\"t_ns\":2}\n");
  ASSERT_TRUE(write_node_outcome(node_dir, {.name = "jw2",
                                            .status = NodeStatus::kPartial,
                                            .error = "interrupted",
                                            .runner_exit_code = 130}));
  const NodeReport node = read_node(node_dir);
  EXPECT_EQ(node.status, NodeStatus::kPartial);
  EXPECT_EQ(node.error, "interrupted");
  ASSERT_TRUE(node.result.samples);
  EXPECT_EQ(node.result.samples->issued, 10u);
  EXPECT_EQ(node.result.samples->completed, 5u);
  EXPECT_DOUBLE_EQ(node.result.samples->completed_pct(), 50.0);
  EXPECT_EQ(node.result.samples->source, "events.jsonl");
  EXPECT_EQ(node.progress.size(), 2u);
}

TEST(NodeReport, EmptyNodeDirectoryIsPartialNamingTheMissingLog) {
  mlbench::testing::TempDir dir;
  fs::create_directories(dir.path() / "nodes" / "x");
  const NodeReport node = read_node(dir.path() / "nodes" / "x");
  EXPECT_EQ(node.status, NodeStatus::kPartial);
  EXPECT_EQ(node.error, "nodes/x/mlperf_log_summary.txt: file is missing");
  EXPECT_FALSE(node.result.has_performance());
}

TEST_F(OfficialNode, AccuracyRunReadsTheAccuracyLogAndScores) {
  const fs::path node_dir = copy_official_node(dir_.path(), "acc", "Offline_accuracy");
  write_text(node_dir / "mlperf_log_accuracy.json",
             testing::official("Offline_accuracy", "mlperf_log_accuracy.json"));
  write_text(node_dir / "accuracy.json", R"({"rouge1": 1.5, "gen_num": 256, "verdict": "fail"})");
  const NodeReport node = read_node(node_dir);
  EXPECT_EQ(node.status, NodeStatus::kOk);
  EXPECT_TRUE(node.result.is_accuracy_run());
  EXPECT_FALSE(node.result.valid);
  ASSERT_TRUE(node.result.samples);
  EXPECT_EQ(node.result.samples->completed, 256u);
  ASSERT_TRUE(node.result.accuracy);
  EXPECT_EQ(node.result.accuracy->passed, false);
  EXPECT_EQ(node.result.accuracy_log->token_count, 18609u);
}

}  // namespace
}  // namespace mlbench::report
