// Run directories made of the official LoadGen logs, reported end to end: report.json against
// its schema, the Markdown and HTML writers, scaling against a baseline, compare.
#include "mlbench/report/run_report.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "mlbench/report/compare.h"
#include "mlbench/report/html.h"
#include "mlbench/report/markdown.h"
#include "mlbench/report/report_files.h"
#include "mlbench/report/report_json.h"

#include "report/json_schema_check.h"
#include "report/official_logs.h"
#include "support/temp_dir.h"

namespace mlbench::report {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::copy_official_node;
using testing::write_text;

json schema() {
  return json::parse(mlbench::testing::read_file(MLBENCH_SOURCE_DIR "/docs/report.schema.json"));
}

void expect_matches_schema(const RunReport& report) {
  const json written = json::parse(to_json(report).dump());
  for (const std::string& error : testing::check_against_schema(written, schema()))
    ADD_FAILURE() << error;
}

// Throughput edited in both logs, so a node can be made faster or slower than the official run.
void set_tokens_per_second(const fs::path& node_dir, std::string_view value) {
  std::string detail = mlbench::testing::read_file(node_dir / "mlperf_log_detail.txt");
  detail = testing::replace_once(detail, R"("result_tokens_per_second", "value": 2188.96)",
                                 fmt::format(R"("result_tokens_per_second", "value": {})", value));
  write_text(node_dir / "mlperf_log_detail.txt", detail);
  std::string summary = mlbench::testing::read_file(node_dir / "mlperf_log_summary.txt");
  summary = testing::replace_once(summary, "Tokens per second: 2188.96",
                                  fmt::format("Tokens per second: {}", value));
  write_text(node_dir / "mlperf_log_summary.txt", summary);
}

class OfficialRun : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::official_logs_present()) GTEST_SKIP() << "no shared/testdata/loadgen";
  }
  mlbench::testing::TempDir dir_;
};

// The issue's done-when: one VALID node (the official Offline logs as LoadGen wrote them) and
// one INVALID node (a copy edited minimally into a min-duration failure), no run.json.
TEST_F(OfficialRun, ValidAndInvalidNodesGetTheirVerdictsAndTheOfficialFigures) {
  const fs::path run = dir_.path() / "official-offline";
  copy_official_node(run, "valid-node", "Offline");
  testing::make_invalid_offline_node(run, "invalid-node");
  auto report =
      write_reports(run, {ReportFormat::kJson, ReportFormat::kMarkdown, ReportFormat::kHtml}, {});
  ASSERT_TRUE(report) << report.error().describe();
  EXPECT_EQ(run_verdict(*report), RunVerdict::kInvalid);

  const json written = json::parse(mlbench::testing::read_file(run / "report.json"));
  EXPECT_EQ(written["schema_version"], 1);
  EXPECT_EQ(written["run"]["id"], "official-offline");
  EXPECT_EQ(written["run"]["scenario"], "Offline");
  EXPECT_EQ(written["run"]["source"], "nodes");
  ASSERT_EQ(written["nodes"].size(), 2u);
  const json& invalid = written["nodes"][0];  // sorted by name
  const json& valid = written["nodes"][1];
  EXPECT_EQ(invalid["name"], "invalid-node");
  EXPECT_EQ(valid["name"], "valid-node");
  for (const json* node : {&invalid, &valid}) {
    EXPECT_EQ((*node)["status"], "ok");
    EXPECT_TRUE((*node)["error"].is_null());
    const json& r = (*node)["result"];
    EXPECT_EQ(r["tokens_per_second"]["value"], 2188.96);
    EXPECT_EQ(r["tokens_per_second"]["source"], "mlperf_log_detail.txt");
    EXPECT_EQ(r["samples_per_second"]["value"], 30.1146);
    EXPECT_EQ(r["samples"]["issued"], 448);
    EXPECT_EQ(r["samples"]["completed"], 448);
    EXPECT_EQ(r["samples"]["completed_pct"], 100.0);
    EXPECT_EQ(r["latency"]["min_ns"], 130452950);
    EXPECT_EQ(r["latency"]["mean_ns"], 7483237581);
    EXPECT_EQ(r["latency"]["p90_ns"], 13491244012);
    EXPECT_EQ(r["latency"]["p99_ns"], 14747637245);
    EXPECT_EQ(r["latency"]["p99_9_ns"], 14876483672);
    EXPECT_TRUE(r["ttft"].is_null());  // LoadGen records no first tokens in Offline
  }
  EXPECT_EQ(valid["result"]["valid"], true);
  EXPECT_EQ(invalid["result"]["valid"], false);
  EXPECT_EQ(invalid["result"]["valid_source"], "mlperf_log_detail.txt");
  const json& conditions = invalid["result"]["conditions"];
  ASSERT_GE(conditions.size(), 3u);
  EXPECT_EQ(conditions[0]["name"], "min_duration");
  EXPECT_EQ(conditions[0]["met"], false);
  EXPECT_EQ(conditions[1]["name"], "min_queries");
  EXPECT_EQ(conditions[1]["met"], true);
  EXPECT_NE(invalid["result"]["invalid_reason"].get<std::string>().find("Increase expected QPS"),
            std::string::npos);
  EXPECT_EQ(invalid["result"]["recommendations"].size(), 1u);

  const json& aggregate = written["aggregate"];
  EXPECT_EQ(aggregate["nodes"], 2);
  EXPECT_EQ(aggregate["nodes_with_results"], 2);
  EXPECT_EQ(aggregate["nodes_valid"], 1);
  EXPECT_EQ(aggregate["nodes_invalid"], 1);
  EXPECT_EQ(aggregate["all_valid"], false);
  EXPECT_DOUBLE_EQ(aggregate["tokens_per_second"]["value"].get<double>(), 2 * 2188.96);
  EXPECT_EQ(aggregate["tokens_per_second"]["nodes"], 2);
  EXPECT_EQ(aggregate["samples"]["completed"], 896);
  EXPECT_TRUE(written["scaling"].is_null());
  expect_matches_schema(*report);

  const std::string md = mlbench::testing::read_file(run / "report.md");
  EXPECT_NE(md.find("| valid-node | ok | VALID | 448 / 448 (100.0 %) | 30.11 | 2188.96 |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| invalid-node | ok | INVALID |"), std::string::npos);
  EXPECT_NE(md.find("- Min duration: NOT met (mlperf_log_detail.txt: result_min_duration_met)"),
            std::string::npos);
  EXPECT_NE(md.find("| valid-node | 130.453 | 7483.238 | 7506.666 |"), std::string::npos);
  EXPECT_NE(md.find("LoadGen result INVALID"), std::string::npos);
  const std::string html = mlbench::testing::read_file(run / "report.html");
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_EQ(html.find("http://"), html.find("http://www.w3.org/2000/svg"));  // no fetches
}

TEST_F(OfficialRun, RunJsonFieldsAreReadWhenPresent) {
  const fs::path run = dir_.path() / "r";
  copy_official_node(run, "a", "SingleStream");
  write_text(run / "run.json", R"({"run_id": "20261201T193000Z-singlestream-abc123",
      "scenario": "SingleStream", "mode": "PerformanceOnly", "started_utc": "2026-12-01T19:30:00Z",
      "ended_utc": "2026-12-01T19:31:00Z", "smoke": true, "config": {"model": {"name": "x"}},
      "mlbench_version": "0.1.0", "something_new": [1, 2]})");
  auto report = build_run_report(run);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->run.id, "20261201T193000Z-singlestream-abc123");
  EXPECT_TRUE(report->run.smoke);
  EXPECT_EQ(report->run.config["model"]["name"], "x");
  EXPECT_NE(std::find_if(report->warnings.begin(), report->warnings.end(),
                         [](const std::string& w) { return w.starts_with("smoke run"); }),
            report->warnings.end());
  EXPECT_EQ(run_verdict(*report), RunVerdict::kOk);
  expect_matches_schema(*report);
}

TEST_F(OfficialRun, VersionComesFromTheVersionsObjectMlbenchRunWrites) {
  const fs::path run = dir_.path() / "r";
  copy_official_node(run, "a", "Offline");
  write_text(run / "run.json", R"({"versions": {"mlbench": "0.1.0", "commit": "dd64cc1"}})");
  auto report = build_run_report(run);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->run.mlbench_version, "0.1.0 @ dd64cc1");
}

TEST_F(OfficialRun, MistypedRunJsonFieldIsAWarningNotAFailure) {
  const fs::path run = dir_.path() / "r";
  copy_official_node(run, "a", "Offline");
  write_text(run / "run.json", R"({"scenario": 3})");
  auto report = build_run_report(run);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->run.scenario, "Offline");  // from the logs instead
  ASSERT_FALSE(report->warnings.empty());
  EXPECT_NE(report->warnings[0].find("run.json: 'scenario'"), std::string::npos);
}

TEST_F(OfficialRun, ScalingAgainstAMatchingBaselineAndItsOver100Flag) {
  const fs::path baseline = dir_.path() / "baseline";
  copy_official_node(baseline, "jw1", "Offline");
  const fs::path run = dir_.path() / "run";
  copy_official_node(run, "jw2", "Offline");
  set_tokens_per_second(copy_official_node(run, "jw3", "Offline"), "2626.75");
  auto report = build_run_report(run, {.baseline = baseline.string()});
  ASSERT_TRUE(report);
  ASSERT_TRUE(report->scaling) << report->scaling_refused;
  const Scaling& s = *report->scaling;
  EXPECT_EQ(s.baseline_id, "baseline");
  EXPECT_EQ(s.metric, "tokens_per_second");
  EXPECT_DOUBLE_EQ(s.baseline_per_node, 2188.96);
  EXPECT_NEAR(s.efficiency_pct, 100.0 * (2188.96 + 2626.75) / (2 * 2188.96), 1e-9);
  ASSERT_EQ(s.per_node.size(), 2u);
  EXPECT_NEAR(s.per_node[1].ratio_pct, 120.0, 0.01);
  ASSERT_FALSE(s.flags.empty());
  EXPECT_NE(s.flags[0].find("above 100 %"), std::string::npos);
  EXPECT_NE(s.flags[0].find("node jw3 at 120.0 %"), std::string::npos);
  expect_matches_schema(*report);
  const std::string md = render_markdown(*report);
  EXPECT_NE(md.find("## Scaling"), std::string::npos);
  const std::string html = render_html(*report);
  EXPECT_NE(html.find("baseline baseline"), std::string::npos);  // the reference line's label
}

TEST_F(OfficialRun, ScalingIsRefusedAgainstAnotherScenarioWithTheReason) {
  const fs::path baseline = dir_.path() / "baseline";
  copy_official_node(baseline, "jw1", "SingleStream");
  const fs::path run = dir_.path() / "run";
  copy_official_node(run, "jw2", "Offline");
  auto report = build_run_report(run, {.baseline = baseline.string()});
  ASSERT_TRUE(report);
  EXPECT_FALSE(report->scaling);
  EXPECT_NE(report->scaling_refused.find("the baseline ran SingleStream, this run Offline"),
            std::string::npos)
      << report->scaling_refused;
  expect_matches_schema(*report);
}

TEST_F(OfficialRun, ScalingIsRefusedWhenASettingDiffers) {
  const fs::path baseline = dir_.path() / "baseline";
  const fs::path base_node = copy_official_node(baseline, "jw1", "Offline");
  std::string detail = mlbench::testing::read_file(base_node / "mlperf_log_detail.txt");
  detail = testing::replace_once(detail, R"("effective_min_duration_ms", "value": 10000)",
                                 R"("effective_min_duration_ms", "value": 600000)");
  write_text(base_node / "mlperf_log_detail.txt", detail);
  const fs::path run = dir_.path() / "run";
  copy_official_node(run, "jw2", "Offline");
  auto report = build_run_report(run, {.baseline = baseline.string()});
  ASSERT_TRUE(report);
  EXPECT_FALSE(report->scaling);
  EXPECT_NE(report->scaling_refused.find(
                "effective_min_duration_ms differs: baseline 600000, this run 10000"),
            std::string::npos)
      << report->scaling_refused;
}

TEST_F(OfficialRun, EverySectionOfAMixedRunMatchesTheSchema) {
  const fs::path run = dir_.path() / "mixed";
  copy_official_node(run, "a-ok", "SingleStream");
  const fs::path acc = copy_official_node(run, "b-acc", "Offline_accuracy");
  write_text(acc / "mlperf_log_accuracy.json",
             testing::official("Offline_accuracy", "mlperf_log_accuracy.json"));
  write_text(acc / "accuracy.json", R"({"rouge1": "38.1", "verdict": "pass"})");
  const fs::path partial = dir_.path() / "mixed/nodes/c-partial";
  write_text(partial / "events.jsonl",
             "{\"event\":\"progress\",\"issued\":10,\"completed\":5,\"tokens\":9,\"t_ns\":7}\n");
  write_text(partial / "telemetry.csv", "t_ns,gpu,power_w\n0,0,300\n1000,0,310\n");
  ASSERT_TRUE(write_node_outcome(
      partial,
      {.name = "c-partial", .status = NodeStatus::kTimeout, .error = "run deadline passed"}));
  auto report = build_run_report(run);
  ASSERT_TRUE(report);
  EXPECT_EQ(run_verdict(*report), RunVerdict::kNodesFailed);
  expect_matches_schema(*report);
  const json written = json::parse(to_json(*report).dump());
  EXPECT_EQ(written["nodes"][1]["result"]["accuracy"]["passed"], true);
  EXPECT_EQ(written["nodes"][2]["status"], "timeout");
  EXPECT_EQ(written["nodes"][2]["result"]["samples"]["completed_pct"], 50.0);
  EXPECT_EQ(written["nodes"][2]["telemetry"]["source"], "telemetry.csv");
  EXPECT_EQ(written["aggregate"]["nodes_with_results"], 1);
  const std::string html = render_html(*report);
  EXPECT_NE(html.find("GPU power (W)"), std::string::npos);
}

TEST_F(OfficialRun, CompareFlagsAThroughputDropBeyondTheThreshold) {
  const fs::path base = dir_.path() / "base";
  copy_official_node(base, "jw2", "Offline");
  const fs::path slower = dir_.path() / "slower";
  set_tokens_per_second(copy_official_node(slower, "jw2", "Offline"), "1970.06");  // -10 %
  auto a = build_run_report(base);
  auto b = build_run_report(slower);
  ASSERT_TRUE(a && b);
  auto strict = compare_runs(*a, *b, 5);
  ASSERT_TRUE(strict);
  EXPECT_TRUE(strict->regressed());
  const auto drop = std::find_if(strict->deltas.begin(), strict->deltas.end(),
                                 [](const MetricDelta& d) { return d.scope == "cluster"; });
  ASSERT_NE(drop, strict->deltas.end());
  EXPECT_NEAR(*drop->delta_pct, -10.0, 0.01);
  EXPECT_TRUE(drop->regression);
  auto lenient = compare_runs(*a, *b, 15);
  ASSERT_TRUE(lenient);
  EXPECT_FALSE(lenient->regressed());
  EXPECT_NE(render_comparison(*strict).find("REGRESSION"), std::string::npos);
}

TEST(Compare, ParsesPercentages) {
  EXPECT_EQ(*parse_percentage("5%"), 5);
  EXPECT_EQ(*parse_percentage(" 2.5 % "), 2.5);
  EXPECT_EQ(*parse_percentage("10"), 10);
  EXPECT_FALSE(parse_percentage("-1%"));
  EXPECT_FALSE(parse_percentage("five"));
}

TEST(RunReport, DirectoryWithoutNodesIsRefusedWithTheLayout) {
  mlbench::testing::TempDir dir;
  auto report = build_run_report(dir.path());
  ASSERT_FALSE(report);
  EXPECT_EQ(report.error().code, ErrorCode::kNotFound);
  EXPECT_NE(report.error().message.find("nodes/"), std::string::npos);
}

}  // namespace
}  // namespace mlbench::report
