// The path a new user takes: scripts/quickstart.sh (without its install and build steps, which
// the suite has already done) ends with a report for every scenario and for accuracy.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace mlbench {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

struct QuickstartRun {
  json report;
  fs::path dir;
};

// Every run directory's report.json, by "<scenario> <mode>" as report.json names them
// ("Offline performance").
std::map<std::string, QuickstartRun> reports_under(const fs::path& runs) {
  std::map<std::string, QuickstartRun> out;
  if (!fs::is_directory(runs)) return out;
  for (const auto& entry : fs::directory_iterator(runs)) {
    const fs::path file = entry.path() / "report.json";
    if (!fs::exists(file)) continue;
    json report = json::parse(testing::read_file(file));
    const std::string key =
        report.at("run").value("scenario", "?") + " " + report.at("run").value("mode", "?");
    out[key] = {std::move(report), entry.path()};
  }
  return out;
}

// The single node of a local run, after checking there is exactly one and it is ok.
const json& only_ok_node(const json& report) {
  const json& nodes = report.at("nodes");
  EXPECT_EQ(nodes.size(), 1u);
  EXPECT_EQ(nodes.at(0).value("status", ""), "ok") << nodes.at(0).dump(2);
  return nodes.at(0);
}

void expect_performance_figures(const json& node, const std::string& scenario) {
  SCOPED_TRACE(scenario);
  const json& result = node.at("result");
  const json& samples = result.at("samples");
  EXPECT_GT(samples.value("issued", 0), 0);
  // Every sample issued was answered: a local CPU run has no reason to lose any.
  EXPECT_EQ(samples.value("completed", -1), samples.value("issued", 0));
  const double tokens_per_second = result.at("tokens_per_second").value("value", 0.0);
  const double samples_per_second = result.at("samples_per_second").value("value", 0.0);
  // The tiny model on one or two CPU cores: far from zero, far from a GPU.
  EXPECT_GT(tokens_per_second, 1.0);
  EXPECT_LT(tokens_per_second, 1e6);
  EXPECT_GT(samples_per_second, 0.0);
  EXPECT_LT(samples_per_second, tokens_per_second);
  const json& latency = result.at("latency");
  EXPECT_GT(latency.value("p50_ns", 0.0), 0.0);
  EXPECT_LE(latency.value("p50_ns", 0.0), latency.value("p99_ns", 0.0));
  EXPECT_LE(latency.value("p99_ns", 0.0), latency.value("max_ns", 0.0));
  // Offline records no first tokens; the token-latency scenarios do.
  if (scenario != "Offline") {
    EXPECT_TRUE(result.at("ttft").is_object()) << scenario;
    EXPECT_GT(result.at("ttft").value("p50_ns", 0.0), 0.0);
  }
  EXPECT_TRUE(result.at("valid").is_boolean());
}

TEST(Quickstart, FirstReadmeCommandEndsWithReportsForEveryScenarioAndAccuracy) {
  testing::TempDir dir;
  // A copy of the embedded default, so its `../runs` lands in the temporary directory.
  fs::create_directories(dir.path() / "config");
  for (const char* name : {"local.yaml", "user.conf"}) {
    fs::copy_file(testing::source_path(std::string("config/") + name),
                  dir.path() / "config" / name);
  }
  testing::ProcessOptions options;
  options.env = {{"HOME", dir.path().string()},
                 {"MLBENCH_BIN_DIR", fs::path(testing::binary_path("mlbench")).parent_path()}};
  options.timeout = std::chrono::minutes(10);
  const testing::ProcessResult quickstart =
      testing::run_process({"/bin/bash", testing::source_path("scripts/quickstart.sh"),
                            "--no-build", "--config", (dir.path() / "config/local.yaml").string()},
                           options);
  ASSERT_EQ(quickstart.exit_code, 0) << quickstart.out << quickstart.err;

  // Made from nothing, under the new HOME.
  EXPECT_TRUE(fs::exists(dir.path() / ".cache/mlbench/models/tiny/tokenizer.json"));
  EXPECT_TRUE(fs::exists(dir.path() / ".cache/mlbench/data/cnn_eval.json"));

  const auto reports = reports_under(dir.path() / "runs");
  ASSERT_EQ(reports.size(), 4u) << quickstart.out;
  for (const char* scenario : {"Offline", "Server", "SingleStream"}) {
    const auto found = reports.find(std::string(scenario) + " performance");
    ASSERT_NE(found, reports.end()) << scenario << "\n" << quickstart.out;
    expect_performance_figures(only_ok_node(found->second.report), scenario);
    for (const char* file : {"report.md", "report.html"})
      EXPECT_TRUE(fs::exists(found->second.dir / file)) << file;
  }
  // Offline at the try-out settings meets every LoadGen condition.
  EXPECT_EQ(
      only_ok_node(reports.at("Offline performance").report).at("result").value("valid", false),
      true);

  const auto accuracy_run = reports.find("Offline accuracy");
  ASSERT_NE(accuracy_run, reports.end()) << quickstart.out;
  const json& accuracy = only_ok_node(accuracy_run->second.report).at("result").at("accuracy");
  ASSERT_TRUE(accuracy.at("metrics").is_object()) << accuracy.dump(2);
  for (const char* metric : {"rouge1", "rouge2", "rougeL", "rougeLsum"}) {
    const double value = accuracy.at("metrics").value(metric, -1.0);
    EXPECT_GE(value, 0.0) << metric;
    EXPECT_LE(value, 100.0) << metric;
  }
  // Random weights cannot summarise: the target is missed, and the report says so.
  EXPECT_EQ(accuracy.value("passed", true), false);
  EXPECT_GT(accuracy.at("log").value("entries", 0), 0);

  // The closing table lists all four runs, the accuracy one with its ROUGE-L.
  EXPECT_NE(quickstart.out.find("tokens/s"), std::string::npos) << quickstart.out;
  EXPECT_NE(quickstart.out.find("rougeL"), std::string::npos) << quickstart.out;
}

}  // namespace
}  // namespace mlbench
