// `mlbench report`, `compare` and `runs` on run directories made by the real
// `mlbench-runner run --backend sim` (our engine's logs) and from the official logs.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "report/json_schema_check.h"
#include "report/official_logs.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace mlbench::report {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::write_text;

// Fast simulated answers: 1-2 ms to the first token, 10 us per further token.
const std::vector<std::string> kQuickSim = {"--sim-min-ttft-ms", "1",   "--sim-max-ttft-ms", "2",
                                            "--sim-tpot-ms",     "0.01"};

mlbench::testing::ProcessResult mlbench(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {mlbench::testing::binary_path("mlbench")};
  argv.insert(argv.end(), args.begin(), args.end());
  return mlbench::testing::run_process(argv);
}

// One node of a run made by our engine: the runner's files under nodes/<node>/ and its stdout
// saved as events.jsonl, as the controller collects them.
void run_engine_node(const fs::path& run_dir, const std::string& node, const std::string& conf) {
  const fs::path out = run_dir / "nodes" / node;
  std::vector<std::string> argv = {mlbench::testing::binary_path("mlbench-runner"),
                                   "run",
                                   "--backend",
                                   "sim",
                                   "--scenario",
                                   "offline",
                                   "--user-conf",
                                   conf,
                                   "--total-count",
                                   "200",
                                   "--out",
                                   out.string()};
  argv.insert(argv.end(), kQuickSim.begin(), kQuickSim.end());
  const auto result = mlbench::testing::run_process(argv);
  ASSERT_TRUE(result.exit_code == 0 || result.exit_code == 2) << result.err;
  write_text(out / "events.jsonl", result.out);
}

TEST(ReportCli, EngineRunWithValidAndInvalidNodesExitsTwoWithBothVerdicts) {
  mlbench::testing::TempDir dir;
  const std::string valid_conf = dir.write("valid.conf",
                                           "*.Offline.min_duration = 200\n"
                                           "*.Offline.min_query_count = 100\n"
                                           "*.Offline.target_qps = 5000\n");
  // Far too few samples for the minimum duration: LoadGen's min-duration failure.
  const std::string invalid_conf = dir.write("invalid.conf",
                                             "*.Offline.min_duration = 60000\n"
                                             "*.Offline.min_query_count = 100\n"
                                             "*.Offline.target_qps = 1\n");
  const fs::path run = dir.path() / "runs" / "engine-run";
  run_engine_node(run, "node-a", valid_conf);
  run_engine_node(run, "node-b", invalid_conf);

  const auto report = mlbench({"report", run.string()});
  EXPECT_EQ(report.exit_code, 2) << report.err;
  EXPECT_NE(report.out.find("wrote " + run.string() + "/report.json"), std::string::npos);
  const json written = json::parse(mlbench::testing::read_file(run / "report.json"));
  const json schema =
      json::parse(mlbench::testing::read_file(MLBENCH_SOURCE_DIR "/docs/report.schema.json"));
  for (const std::string& error : testing::check_against_schema(written, schema))
    ADD_FAILURE() << error;
  ASSERT_EQ(written["nodes"].size(), 2u);
  const json& a = written["nodes"][0]["result"];
  const json& b = written["nodes"][1]["result"];
  EXPECT_EQ(written["nodes"][0]["status"], "ok");
  EXPECT_EQ(a["valid"], true);
  EXPECT_EQ(b["valid"], false);
  EXPECT_EQ(b["conditions"][0]["name"], "min_duration");
  EXPECT_EQ(b["conditions"][0]["met"], false);
  EXPECT_EQ(a["samples"]["source"], "events.jsonl");
  EXPECT_EQ(a["samples"]["issued"], a["samples"]["completed"]);
  EXPECT_GT(a["tokens_per_second"]["value"].get<double>(), 0);
  EXPECT_EQ(written["nodes"][0]["progress"]["source"], "events.jsonl");
  EXPECT_TRUE(fs::exists(run / "report.md"));
  EXPECT_TRUE(fs::exists(run / "report.html"));

  // The same run against itself: no regression. Against the slower INVALID node alone: exit 2.
  EXPECT_EQ(mlbench({"compare", run.string(), run.string()}).exit_code, 0);
  const fs::path worse = dir.path() / "runs" / "worse";
  fs::create_directories(worse / "nodes");
  fs::copy(run / "nodes" / "node-b", worse / "nodes" / "node-a", fs::copy_options::recursive);
  fs::copy(run / "nodes" / "node-a", worse / "nodes" / "node-b", fs::copy_options::recursive);
  const auto compared =
      mlbench({"compare", run.string(), worse.string(), "--max-regression", "5%"});
  EXPECT_EQ(compared.exit_code, 2) << compared.out << compared.err;
  EXPECT_NE(compared.out.find("REGRESSION: node node-a: VALID in the base run, INVALID now"),
            std::string::npos)
      << compared.out;

  const auto runs = mlbench({"runs", "--dir", (dir.path() / "runs").string()});
  EXPECT_EQ(runs.exit_code, 0) << runs.err;
  EXPECT_NE(runs.out.find("engine-run"), std::string::npos);
  EXPECT_NE(runs.out.find("INVALID 1/2"), std::string::npos) << runs.out;
  EXPECT_NE(runs.out.find("Offline"), std::string::npos);
}

TEST(ReportCli, FormatsAreChosenAndAPartialNodeExitsThree) {
  if (!testing::official_logs_present()) GTEST_SKIP() << "no shared/testdata/loadgen";
  mlbench::testing::TempDir dir;
  const fs::path run = dir.path() / "r";
  testing::copy_official_node(run, "jw2", "Offline");
  write_text(run / "nodes" / "jw3" / "events.jsonl",
             "{\"event\":\"progress\",\"issued\":10,\"completed\":5,\"tokens\":9,\"t_ns\":7}\n");
  const auto result = mlbench({"report", run.string(), "--format", "md"});
  EXPECT_EQ(result.exit_code, 3) << result.err;
  EXPECT_TRUE(fs::exists(run / "report.md"));
  EXPECT_FALSE(fs::exists(run / "report.json"));
  const std::string md = mlbench::testing::read_file(run / "report.md");
  EXPECT_NE(md.find("| jw3 | partial | - | 5 / 10 (50.0 %) |"), std::string::npos) << md;
}

TEST(ReportCli, RefusesBadInputWithExitOne) {
  mlbench::testing::TempDir dir;
  const auto missing = mlbench({"report", (dir.path() / "nope").string()});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("no nodes/ directory"), std::string::npos) << missing.err;
  fs::create_directories(dir.path() / "r" / "nodes");
  EXPECT_EQ(mlbench({"report", (dir.path() / "r").string(), "--format", "pdf"}).exit_code, 1);
  EXPECT_EQ(mlbench({"compare", (dir.path() / "r").string(), (dir.path() / "r").string(),
                     "--max-regression", "lots"})
                .exit_code,
            1);
  EXPECT_EQ(mlbench({"runs", "--dir", (dir.path() / "none").string()}).exit_code, 1);
}

}  // namespace
}  // namespace mlbench::report
