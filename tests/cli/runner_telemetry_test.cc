// GPU telemetry of `mlbench-runner run` (issue #7 item 3), with the sim backend (no model) and
// the stand-in NVML library (tests/support/fake_nvml.cc) in place of the driver's.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "mlbench/report/events_log.h"
#include "mlbench/report/telemetry.h"

#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace mlbench {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

// A Server run whose schedule spans 0.3 s: many 20 ms telemetry intervals.
constexpr const char* kServerConf =
    "*.Server.target_qps = 100\n"
    "*.Server.min_duration = 300\n"
    "*.Server.min_query_count = 20\n";

struct RunOutcome {
  testing::ProcessResult process;
  std::vector<nlohmann::json> events;
  fs::path out;
};

RunOutcome run_server(const testing::TempDir& dir, const std::string& name,
                      const std::vector<std::string>& telemetry_args,
                      const std::map<std::string, std::string>& env = {}) {
  std::vector<std::string> argv = {testing::binary_path("mlbench-runner"),
                                   "run",
                                   "--backend",
                                   "sim",
                                   "--scenario",
                                   "Server",
                                   "--user-conf",
                                   (dir.path() / "user.conf").string(),
                                   "--total-count",
                                   "20",
                                   "--out",
                                   (dir.path() / name).string(),
                                   "--sim-min-ttft-ms",
                                   "1",
                                   "--sim-max-ttft-ms",
                                   "2",
                                   "--sim-tpot-ms",
                                   "0.01",
                                   "--telemetry-interval-ms",
                                   "20"};
  argv.insert(argv.end(), telemetry_args.begin(), telemetry_args.end());
  RunOutcome run{testing::run_process(argv, {.env = env}), {}, dir.path() / name};
  std::istringstream in(run.process.out);
  for (std::string line; std::getline(in, line);)
    run.events.push_back(nlohmann::json::parse(line));
  return run;
}

std::vector<nlohmann::json> of_kind(const RunOutcome& run, const std::string& kind) {
  std::vector<nlohmann::json> found;
  for (const auto& event : run.events) {
    if (event.at("event") == kind) found.push_back(event);
  }
  return found;
}

std::vector<std::string> result_files(const RunOutcome& run) {
  const auto results = of_kind(run, "result");
  if (results.size() != 1) return {"(no single result event)"};
  return results.front().at("files").get<std::vector<std::string>>();
}

// A Server run may be VALID or not on a busy machine; telemetry must not change which.
void expect_run_finished(const RunOutcome& run) {
  EXPECT_TRUE(run.process.exit_code == 0 || run.process.exit_code == 2) << run.process.err;
  ASSERT_FALSE(run.events.empty());
  EXPECT_EQ(run.events.back().at("event"), "result");
}

class RunnerTelemetry : public ::testing::Test {
 protected:
  void SetUp() override { dir_.write("user.conf", kServerConf); }
  testing::TempDir dir_;
};

TEST_F(RunnerTelemetry, SamplesEveryGpuIntoTelemetryCsvAndEvents) {
  const RunOutcome run = run_server(dir_, "out", {"--nvml-library", MLBENCH_FAKE_NVML_LIBRARY},
                                    {{"MLBENCH_FAKE_NVML_DEVICES", "3"}});
  expect_run_finished(run);
  EXPECT_TRUE(of_kind(run, "log").empty()) << run.process.out;
  EXPECT_THAT(result_files(run), ::testing::Contains("telemetry.csv"));

  const report::Telemetry csv =
      report::parse_telemetry_csv(testing::read_file(run.out / "telemetry.csv"), "telemetry.csv");
  ASSERT_TRUE(csv.problems.empty()) << csv.problems.front().describe();
  // One row per GPU and sample, the GPUs in NVML's order; a sample at once, then every 20 ms
  // over the 0.3 s schedule.
  ASSERT_EQ(csv.samples.size() % 3, 0u);
  ASSERT_GE(csv.samples.size(), 6u);
  for (std::size_t i = 0; i < csv.samples.size(); ++i) {
    const report::TelemetrySample& s = csv.samples[i];
    EXPECT_EQ(s.gpu, static_cast<int64_t>(i % 3));
    EXPECT_GE(s.t_ns, 0);
    EXPECT_TRUE(s.power_w && s.utilization_pct && s.memory_used_mib && s.sm_clock_mhz &&
                s.temperature_c)
        << "row " << i + 2;
    if (i >= 3) {
      EXPECT_GT(s.t_ns, csv.samples[i - 3].t_ns) << "row " << i + 2;
    }
  }

  // The events are the rows, as the report reads them from events.jsonl; all before the result.
  const report::EventsLog log = report::parse_events_log(run.process.out, "stdout");
  ASSERT_TRUE(log.problems.empty()) << log.problems.front().describe();
  ASSERT_EQ(log.telemetry.size(), csv.samples.size());
  for (std::size_t i = 0; i < csv.samples.size(); ++i) {
    EXPECT_EQ(log.telemetry[i].t_ns, csv.samples[i].t_ns);
    EXPECT_EQ(log.telemetry[i].gpu, csv.samples[i].gpu);
    EXPECT_EQ(log.telemetry[i].power_w, csv.samples[i].power_w);
    EXPECT_EQ(log.telemetry[i].memory_used_mib, csv.samples[i].memory_used_mib);
  }
  bool result_seen = false;
  for (const auto& event : run.events) {
    if (event.at("event") == "result") result_seen = true;
    if (event.at("event") == "telemetry") {
      EXPECT_FALSE(result_seen) << "telemetry after result";
    }
  }
}

TEST_F(RunnerTelemetry, WithoutNvmlItSaysSoOnceAndTheRunGoesOn) {
  struct Case {
    std::string name;
    std::string library;
    std::map<std::string, std::string> env;
    std::string says;
  };
  const std::vector<Case> cases = {
      {"absent", "/nonexistent/libnvidia-ml.so.1", {}, "NVML not found: telemetry off"},
      {"init-fails",
       MLBENCH_FAKE_NVML_LIBRARY,
       {{"MLBENCH_FAKE_NVML_INIT_FAIL", "1"}},
       "nvmlInit_v2 failed: Driver Not Loaded"},
      {"no-gpu", MLBENCH_FAKE_NVML_LIBRARY, {{"MLBENCH_FAKE_NVML_DEVICES", "0"}}, "no GPU"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const RunOutcome run = run_server(dir_, c.name, {"--nvml-library", c.library}, c.env);
    expect_run_finished(run);
    const auto logs = of_kind(run, "log");
    ASSERT_EQ(logs.size(), 1u) << run.process.out;
    // Info, not a warning: a machine without NVML is no fault of the run.
    EXPECT_EQ(logs[0].at("level"), "info");
    const std::string message = logs[0].at("message");
    EXPECT_THAT(message, HasSubstr(c.says));
    EXPECT_THAT(message, HasSubstr(c.library));
    EXPECT_THAT(message, HasSubstr("telemetry off"));
    EXPECT_TRUE(of_kind(run, "telemetry").empty());
    EXPECT_FALSE(fs::exists(run.out / "telemetry.csv"));
    EXPECT_THAT(result_files(run), ::testing::Not(::testing::Contains("telemetry.csv")));
  }
}

TEST_F(RunnerTelemetry, OffTriesNothingAndLeavesNoStaleFile) {
  // A file an earlier run left behind would otherwise be taken for this run's.
  fs::create_directories(dir_.path() / "out");
  dir_.write("out/telemetry.csv", "t_ns,gpu\n0,0\n");
  const RunOutcome run =
      run_server(dir_, "out", {"--telemetry", "off", "--nvml-library", "/nonexistent/nvml.so"});
  expect_run_finished(run);
  EXPECT_TRUE(of_kind(run, "log").empty()) << run.process.out;
  EXPECT_TRUE(of_kind(run, "telemetry").empty());
  EXPECT_FALSE(fs::exists(run.out / "telemetry.csv"));
}

TEST_F(RunnerTelemetry, AnNvmlFailureMidRunStopsSamplingWithOneWarningAndKeepsTheRows) {
  // Two GPUs: two samples read, then the stand-in reports the GPUs lost.
  const RunOutcome run = run_server(dir_, "out", {"--nvml-library", MLBENCH_FAKE_NVML_LIBRARY},
                                    {{"MLBENCH_FAKE_NVML_LOST_AFTER", "4"}});
  expect_run_finished(run);
  const auto logs = of_kind(run, "log");
  ASSERT_EQ(logs.size(), 1u) << run.process.out;
  EXPECT_EQ(logs[0].at("level"), "warning");
  EXPECT_THAT(logs[0].at("message").get<std::string>(),
              HasSubstr("telemetry stopped: NVML: GPU 0 gives no reading"));
  EXPECT_EQ(of_kind(run, "telemetry").size(), 4u);
  const report::Telemetry csv =
      report::parse_telemetry_csv(testing::read_file(run.out / "telemetry.csv"), "telemetry.csv");
  EXPECT_TRUE(csv.problems.empty());
  EXPECT_EQ(csv.samples.size(), 4u);
  EXPECT_THAT(result_files(run), ::testing::Contains("telemetry.csv"));
}

// Through the controller: the runner finds the driver's library name (the stand-in, by
// LD_LIBRARY_PATH, as an unusual driver install would), and the report takes its telemetry.csv.
TEST_F(RunnerTelemetry, TheControllerCollectsTelemetryIntoTheNodeAndItsReport) {
  fs::create_directories(dir_.path() / "driver");
  fs::create_symlink(MLBENCH_FAKE_NVML_LIBRARY, dir_.path() / "driver" / "libnvidia-ml.so.1");
  dir_.write("offline.conf",
             "*.Offline.min_duration = 500\n"
             "*.Offline.min_query_count = 60\n"
             "*.Offline.target_qps = 50\n"
             "*.Offline.performance_sample_count_override = 60\n");
  const std::string config = dir_.write("sim.yaml",
                                        "runner: {backend: sim}\n"
                                        "benchmark: {user_conf: offline.conf}\n"
                                        "report: {out_dir: runs}\n");
  const auto result = testing::run_process(
      {testing::binary_path("mlbench"), "run", "-c", config, "--scenario", "offline"},
      {.env = {{"LD_LIBRARY_PATH", (dir_.path() / "driver").string()}}});
  ASSERT_TRUE(result.exit_code == 0 || result.exit_code == 2) << result.out << result.err;
  fs::path run;
  for (const auto& entry : fs::directory_iterator(dir_.path() / "runs"))
    run = entry.path();
  const fs::path node = run / "nodes" / "local";
  const report::Telemetry csv =
      report::parse_telemetry_csv(testing::read_file(node / "telemetry.csv"), "telemetry.csv");
  EXPECT_TRUE(csv.problems.empty());
  EXPECT_GE(csv.samples.size(), 2u);  // two stand-in GPUs, one sample at least
  const report::EventsLog events =
      report::parse_events_log(testing::read_file(node / "events.jsonl"), "events.jsonl");
  EXPECT_EQ(events.telemetry.size(), csv.samples.size());
  const auto report = nlohmann::json::parse(testing::read_file(run / "report.json"));
  const auto& telemetry = report.at("nodes").at(0).at("telemetry");
  ASSERT_TRUE(telemetry.is_object()) << report.at("nodes").at(0).dump();
  EXPECT_EQ(telemetry.at("source"), "telemetry.csv");
}

}  // namespace
}  // namespace mlbench
