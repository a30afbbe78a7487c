#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "mlbench/model/nvml_telemetry.h"
#include "mlbench/report/telemetry.h"

namespace mlbench::model {
namespace {

TEST(NvmlTelemetry, AMissingLibraryTurnsTelemetryOffWithAReason) {
  auto nvml = NvmlTelemetry::open({}, "/nonexistent/libnvidia-ml.so.1");
  ASSERT_FALSE(nvml.ok());
  EXPECT_EQ(nvml.error().code, ErrorCode::kNotFound);
  EXPECT_NE(nvml.error().message.find("NVML not found: telemetry off"), std::string::npos)
      << nvml.error().describe();
  EXPECT_EQ(nvml.error().where, "/nonexistent/libnvidia-ml.so.1");
}

TEST(NvmlTelemetry, ALibraryWithoutNvmlIsRefused) {
  auto nvml = NvmlTelemetry::open({}, "libm.so.6");
  ASSERT_FALSE(nvml.ok());
  EXPECT_EQ(nvml.error().code, ErrorCode::kUnsupported) << nvml.error().describe();
}

// The real library where there is one (the device machine); where there is none, the refusal.
TEST(NvmlTelemetry, TheSystemLibrarySamplesEveryGpuOrSaysItIsAbsent) {
  auto nvml = NvmlTelemetry::open();
  if (!nvml.ok()) {
    EXPECT_NE(nvml.error().message.find("telemetry off"), std::string::npos)
        << nvml.error().describe();
    GTEST_SKIP() << nvml.error().describe();
  }
  const auto samples = (*nvml)->sample(42);
  ASSERT_EQ(samples.size(), (*nvml)->gpus().size());
  for (const auto& s : samples) {
    EXPECT_EQ(s.t_ns, 42);
    ASSERT_TRUE(s.memory_used_mib.has_value());
    EXPECT_GT(*s.memory_used_mib, 0.0);
    ASSERT_TRUE(s.temperature_c.has_value());
    EXPECT_GT(*s.temperature_c, 0.0);
  }
}

TEST(NvmlTelemetry, CsvRowsReadBackThroughTheReportParser) {
  report::TelemetrySample full{.t_ns = 500000000,
                               .gpu = 1,
                               .utilization_pct = 97,
                               .memory_used_mib = 81234.5,
                               .power_w = 612.25,
                               .sm_clock_mhz = 1980,
                               .temperature_c = 61};
  report::TelemetrySample partial{.t_ns = 1000000000, .gpu = 0, .temperature_c = 40};
  const std::string csv = telemetry_csv_header() + "\n" + telemetry_csv_row(full) + "\n" +
                          telemetry_csv_row(partial) + "\n";
  const report::Telemetry parsed = report::parse_telemetry_csv(csv, "telemetry.csv");
  ASSERT_TRUE(parsed.problems.empty()) << parsed.problems.front().describe();
  ASSERT_EQ(parsed.samples.size(), 2u);
  EXPECT_EQ(parsed.samples[0].gpu, 1);
  EXPECT_EQ(parsed.samples[0].power_w, 612.25);
  EXPECT_EQ(parsed.samples[0].memory_used_mib, 81234.5);
  EXPECT_EQ(parsed.samples[1].t_ns, 1000000000);
  EXPECT_FALSE(parsed.samples[1].power_w.has_value());
  EXPECT_EQ(parsed.samples[1].temperature_c, 40);
}

TEST(TelemetrySampler, SamplesRepeatedlyUntilStopped) {
  std::mutex mutex;
  std::vector<std::int64_t> stamps;
  TelemetrySampler sampler(
      [](std::int64_t t_ns) {
        return std::vector<report::TelemetrySample>{{.t_ns = t_ns, .gpu = 0}};
      },
      [&](const std::vector<report::TelemetrySample>& samples) {
        std::lock_guard lock(mutex);
        for (const auto& s : samples)
          stamps.push_back(s.t_ns);
      },
      std::chrono::milliseconds(1));
  sampler.start();
  for (int i = 0; i < 5000; ++i) {  // at most 5 s
    {
      std::lock_guard lock(mutex);
      if (stamps.size() >= 3) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  sampler.stop();
  std::lock_guard lock(mutex);
  ASSERT_GE(stamps.size(), 3u);
  for (std::size_t i = 1; i < stamps.size(); ++i)
    EXPECT_GT(stamps[i], stamps[i - 1]);
}

TEST(TelemetrySampler, StopDoesNotWaitOutALongInterval) {
  std::atomic<int> calls = 0;
  TelemetrySampler sampler(
      [&](std::int64_t) {
        ++calls;
        return std::vector<report::TelemetrySample>{};
      },
      [](const std::vector<report::TelemetrySample>&) {}, std::chrono::hours(1));
  sampler.start();
  for (int i = 0; i < 5000 && calls.load() == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  sampler.stop();  // returns: the test would hang for an hour otherwise
  EXPECT_EQ(calls.load(), 1);
}

}  // namespace
}  // namespace mlbench::model
