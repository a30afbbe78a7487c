// Renders report.html in headless Chromium: no console errors, the charts present, and a
// screenshot kept under build/test-artifacts/report/ for a person to look at.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "mlbench/report/report_files.h"

#include "report/official_logs.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace mlbench::report {
namespace {

namespace fs = std::filesystem;
using testing::write_text;

constexpr const char* kChromium = "/usr/bin/chromium";

std::vector<std::string> chromium_argv(const fs::path& profile) {
  return {kChromium,
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-quic",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          "--enable-logging=stderr",
          "--v=0",
          "--user-data-dir=" + profile.string()};
}

mlbench::testing::ProcessResult chromium(const fs::path& profile,
                                         const std::vector<std::string>& extra) {
  std::vector<std::string> argv = chromium_argv(profile);
  argv.insert(argv.end(), extra.begin(), extra.end());
  return mlbench::testing::run_process(argv, {.timeout = std::chrono::seconds(90)});
}

// Chromium logs page console messages as "...:CONSOLE(line)] "text", source: ..." and
// uncaught exceptions the same way.
std::vector<std::string> console_messages(const std::string& log) {
  std::vector<std::string> found;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) {
    if (line.find(":CONSOLE") != std::string::npos) found.push_back(line);
  }
  return found;
}

size_t count(const std::string& text, std::string_view what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
    ++n;
  return n;
}

class Browser : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kChromium)) {
      GTEST_SKIP() << "no " << kChromium << " (Debian package chromium; scripts/install-deps.sh "
                   << "installs it): the HTML report is not rendered";
    }
    if (!testing::official_logs_present()) GTEST_SKIP() << "no shared/testdata/loadgen";
  }
  mlbench::testing::TempDir dir_;
};

// The run the page is made from: official SingleStream logs (latency, TTFT, TPOT), with
// progress events and GPU telemetry beside them so every chart has data.
fs::path make_run(const fs::path& root) {
  const fs::path run = root / "browser-run";
  for (const char* name : {"jw2", "jw3"}) {
    const fs::path node = testing::copy_official_node(run, name, "SingleStream");
    std::string events;
    std::string telemetry =
        "t_ns,gpu,utilization_pct,memory_used_mib,power_w,sm_clock_mhz,temperature_c\n";
    for (int i = 0; i <= 16; ++i) {
      events += fmt::format(
          "{{\"event\":\"progress\",\"issued\":{},\"completed\":{},\"tokens\":{},\"t_ns\":{}}}\n",
          8 * i, 8 * i, 560 * i, static_cast<int64_t>(i) * 1'060'000'000);
      telemetry += fmt::format("{},0,{},{},{},1980,{}\n", static_cast<int64_t>(i) * 1'000'000'000,
                               90 + i % 5, 70000 + 10 * i, 600 + 3 * i, 60 + i % 3);
    }
    write_text(node / "events.jsonl", events);
    write_text(node / "telemetry.csv", telemetry);
  }
  return run;
}

TEST_F(Browser, ReportRendersWithoutConsoleErrorsAndWithItsCharts) {
  const fs::path run = make_run(dir_.path());
  const fs::path baseline = dir_.path() / "baseline";
  testing::copy_official_node(baseline, "jw1", "SingleStream");
  auto report = write_reports(run, {ReportFormat::kHtml}, {.baseline = baseline.string()});
  ASSERT_TRUE(report) << report.error().describe();
  const std::string url = "file://" + (run / "report.html").string();

  const auto dom = chromium(dir_.path() / "profile-dom", {"--dump-dom", url});
  ASSERT_EQ(dom.exit_code, 0) << dom.err;
  // Latency curve, TTFT, TPOT, tokens over time, throughput, five telemetry readings.
  EXPECT_EQ(count(dom.out, "<svg"), 10u) << dom.out.substr(0, 2000);
  EXPECT_GE(count(dom.out, "<polyline"), 2u * 4 + 2u * 5);
  EXPECT_NE(dom.out.find("Sample latency: percentile curve (from reported percentiles)"),
            std::string::npos);
  EXPECT_EQ(console_messages(dom.err), std::vector<std::string>{});

  fs::create_directories(MLBENCH_TEST_ARTIFACT_DIR);
  const fs::path screenshot = fs::path(MLBENCH_TEST_ARTIFACT_DIR) / "report.png";
  fs::remove(screenshot);
  const auto shot = chromium(
      dir_.path() / "profile-shot",
      {"--screenshot=" + screenshot.string(), "--window-size=1200,4200", "--hide-scrollbars", url});
  ASSERT_EQ(shot.exit_code, 0) << shot.err;
  ASSERT_TRUE(fs::exists(screenshot));
  EXPECT_GT(fs::file_size(screenshot), 20'000u);
  EXPECT_EQ(console_messages(shot.err), std::vector<std::string>{});
}

// The console check above must be able to fail: a page that logs an error is caught.
TEST_F(Browser, ConsoleErrorsAreDetected) {
  const fs::path page = dir_.path() / "bad.html";
  write_text(page,
             "<!DOCTYPE html><html><body><script>console.error('broken chart');"
             "</script></body></html>");
  const auto dom = chromium(dir_.path() / "profile-bad", {"--dump-dom", "file://" + page.string()});
  ASSERT_EQ(dom.exit_code, 0) << dom.err;
  const auto messages = console_messages(dom.err);
  ASSERT_EQ(messages.size(), 1u) << dom.err;
  EXPECT_NE(messages[0].find("broken chart"), std::string::npos);
}

}  // namespace
}  // namespace mlbench::report
