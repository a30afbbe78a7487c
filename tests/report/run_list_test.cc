#include "mlbench/report/run_list.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "mlbench/report/report_json.h"
#include "mlbench/report/run_layout.h"

#include "support/temp_dir.h"

namespace mlbench::report {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

// A run directory holding only report.json (and an empty nodes/, which makes it a run).
void write_run(const testing::TempDir& dir, const std::string& id, const json& report) {
  fs::create_directories(dir.path() / id / kNodesDir);
  dir.write(id + "/report.json", report.dump());
}

json report_of(const std::string& id, const std::string& mode, const json& aggregate,
               const json& nodes) {
  return {{"schema_version", kReportSchemaVersion},
          {"run",
           {{"id", id},
            {"started_utc", "2026-12-01T10:00:00Z"},
            {"scenario", "Offline"},
            {"mode", mode}}},
          {"aggregate", aggregate},
          {"nodes", nodes}};
}

json accuracy_node(double rouge_l, bool passed) {
  return {{"result", {{"accuracy", {{"metrics", {{"rougeL", rouge_l}}}, {"passed", passed}}}}}};
}

TEST(RunList, PerformanceRunShowsTokensPerSecondAndValidity) {
  testing::TempDir dir;
  write_run(dir, "perf",
            report_of("perf", "PerformanceOnly",
                      {{"nodes", 2},
                       {"nodes_ok", 2},
                       {"nodes_with_results", 2},
                       {"nodes_valid", 1},
                       {"tokens_per_second", {{"value", 2188.956}}}},
                      json::array()));
  auto rows = list_runs(dir.path());
  ASSERT_TRUE(rows.ok()) << rows.error().describe();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front().headline, "2188.96 tokens/s");
  EXPECT_EQ(rows->front().validity, "INVALID 1/2");
  EXPECT_EQ(rows->front().nodes_ok, 2u);
}

TEST(RunList, AccuracyRunShowsTheLowestRougeLAndHowManyNodesPassed) {
  testing::TempDir dir;
  const json aggregate = {{"nodes", 2},
                          {"nodes_ok", 2},
                          {"nodes_with_results", 2},
                          {"nodes_valid", 0},
                          {"tokens_per_second", {{"value", 99.0}}}};
  write_run(dir, "acc",
            report_of("acc", "accuracy", aggregate,
                      {accuracy_node(38.91, true), accuracy_node(12.5, false)}));
  auto rows = list_runs(dir.path());
  ASSERT_TRUE(rows.ok()) << rows.error().describe();
  ASSERT_EQ(rows->size(), 1u);
  // Throughput of an accuracy run is not its figure of merit; ROUGE is.
  EXPECT_EQ(rows->front().headline, "rougeL 12.5");
  EXPECT_EQ(rows->front().validity, "accuracy FAIL 1/2");
  EXPECT_NE(render_run_list(*rows).find("accuracy FAIL 1/2"), std::string::npos);
}

TEST(RunList, AccuracyRunWithoutScoresSaysSo) {
  testing::TempDir dir;
  write_run(dir, "acc",
            report_of("acc", "AccuracyOnly", {{"nodes", 1}, {"nodes_ok", 0}},
                      json::array({json::object()})));
  auto rows = list_runs(dir.path());
  ASSERT_TRUE(rows.ok()) << rows.error().describe();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front().headline, "-");
  EXPECT_EQ(rows->front().validity, "accuracy not scored");
}

TEST(RunList, MissingDirectoryIsAnErrorNamingIt) {
  testing::TempDir dir;
  auto rows = list_runs(dir.path() / "nope");
  ASSERT_FALSE(rows.ok());
  EXPECT_NE(rows.error().describe().find("nope"), std::string::npos);
}

}  // namespace
}  // namespace mlbench::report
