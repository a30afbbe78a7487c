#include "mlbench/model/nvml_telemetry.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <thread>

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
  ASSERT_TRUE(samples.ok()) << samples.error().describe();
  ASSERT_EQ(samples->size(), (*nvml)->gpus().size());
  for (const auto& s : *samples) {
    EXPECT_EQ(s.t_ns, 42);
    ASSERT_TRUE(s.memory_used_mib.has_value());
    EXPECT_GT(*s.memory_used_mib, 0.0);
    ASSERT_TRUE(s.temperature_c.has_value());
    EXPECT_GT(*s.temperature_c, 0.0);
  }
}

// The stand-in library (tests/support/fake_nvml.cc), with its knobs set for one test.
class FakeNvml : public ::testing::Test {
 protected:
  void TearDown() override {
    for (const char* knob : {"MLBENCH_FAKE_NVML_DEVICES", "MLBENCH_FAKE_NVML_INIT_FAIL",
                             "MLBENCH_FAKE_NVML_NO_POWER", "MLBENCH_FAKE_NVML_LOST_AFTER"}) {
      unsetenv(knob);
    }
  }
  static void set(const char* knob, const char* value) { setenv(knob, value, 1); }
  static Result<std::unique_ptr<NvmlTelemetry>> open(const std::vector<int>& gpus = {}) {
    return NvmlTelemetry::open(gpus, MLBENCH_FAKE_NVML_LIBRARY);
  }
};

TEST_F(FakeNvml, SamplesEveryGpuWithEveryReadingAndTheReadingsMove) {
  set("MLBENCH_FAKE_NVML_DEVICES", "3");
  auto nvml = open();
  ASSERT_TRUE(nvml.ok()) << nvml.error().describe();
  EXPECT_EQ((*nvml)->gpus(), (std::vector<int>{0, 1, 2}));
  const auto first = (*nvml)->sample(1);
  const auto second = (*nvml)->sample(2);
  ASSERT_TRUE(first.ok() && second.ok());
  ASSERT_EQ(first->size(), 3u);
  ASSERT_EQ(second->size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    const report::TelemetrySample& a = (*first)[i];
    const report::TelemetrySample& b = (*second)[i];
    EXPECT_EQ(a.gpu, static_cast<int64_t>(i));
    EXPECT_EQ(a.t_ns, 1);
    EXPECT_EQ(b.t_ns, 2);
    for (const report::TelemetryMetric& metric : report::kTelemetryMetrics) {
      ASSERT_TRUE((a.*(metric.field)).has_value()) << metric.column;
    }
    // Milliwatts became watts: the stand-in reports 100 W and up.
    EXPECT_GE(*a.power_w, 100.0);
    EXPECT_LT(*a.power_w, 1000.0);
    EXPECT_NE(a.memory_used_mib, b.memory_used_mib) << "two samples read the same";
  }
}

TEST_F(FakeNvml, TakesOnlyTheGpusAskedForAndRefusesOnesItDoesNotSee) {
  auto one = open({1});
  ASSERT_TRUE(one.ok()) << one.error().describe();
  const auto samples = (*one)->sample(0);
  ASSERT_TRUE(samples.ok());
  ASSERT_EQ(samples->size(), 1u);
  EXPECT_EQ(samples->front().gpu, 1);
  one->reset();
  auto absent = open({5});
  ASSERT_FALSE(absent.ok());
  EXPECT_EQ(absent.error().code, ErrorCode::kNotFound);
  EXPECT_NE(absent.error().message.find("GPU 5 is not among the 2"), std::string::npos)
      << absent.error().describe();
}

TEST_F(FakeNvml, AFailedInitTurnsTelemetryOffWithNvmlsReason) {
  set("MLBENCH_FAKE_NVML_INIT_FAIL", "1");
  auto nvml = open();
  ASSERT_FALSE(nvml.ok());
  EXPECT_EQ(nvml.error().code, ErrorCode::kIo);
  EXPECT_NE(nvml.error().message.find("nvmlInit_v2 failed: Driver Not Loaded"), std::string::npos)
      << nvml.error().describe();
  EXPECT_NE(nvml.error().message.find("telemetry off"), std::string::npos);
}

TEST_F(FakeNvml, ARefusedReadingIsLeftEmptyAndTheOthersKept) {
  set("MLBENCH_FAKE_NVML_NO_POWER", "1");
  auto nvml = open();
  ASSERT_TRUE(nvml.ok()) << nvml.error().describe();
  const auto samples = (*nvml)->sample(0);
  ASSERT_TRUE(samples.ok()) << samples.error().describe();
  ASSERT_EQ(samples->size(), 2u);
  for (const report::TelemetrySample& s : *samples) {
    EXPECT_FALSE(s.power_w.has_value());
    EXPECT_TRUE(s.utilization_pct.has_value());
    EXPECT_TRUE(s.temperature_c.has_value());
  }
}

TEST_F(FakeNvml, AGpuThatGivesNoReadingFailsTheSample) {
  set("MLBENCH_FAKE_NVML_LOST_AFTER", "2");  // one sample of both GPUs, then lost
  auto nvml = open();
  ASSERT_TRUE(nvml.ok()) << nvml.error().describe();
  ASSERT_TRUE((*nvml)->sample(0).ok());
  const auto lost = (*nvml)->sample(1);
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.error().code, ErrorCode::kIo);
  EXPECT_NE(lost.error().message.find("GPU 0 gives no reading"), std::string::npos)
      << lost.error().describe();
  EXPECT_NE(lost.error().message.find("GPU is lost"), std::string::npos) << lost.error().describe();
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

using Samples = TelemetrySampler::Samples;

// Waits, at most 5 s, until `done` holds.
template <typename Done>
void wait_until(Done done) {
  for (int i = 0; i < 5000 && !done(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

TEST(TelemetrySampler, SamplesRepeatedlyUntilStoppedStampedFromTheOrigin) {
  std::mutex mutex;
  std::vector<std::int64_t> stamps;
  TelemetrySampler sampler(
      [](std::int64_t t_ns) -> Samples {
        return std::vector<report::TelemetrySample>{{.t_ns = t_ns, .gpu = 0}};
      },
      [&](const Samples& samples) {
        std::lock_guard lock(mutex);
        for (const auto& s : *samples)
          stamps.push_back(s.t_ns);
      },
      std::chrono::milliseconds(1));
  // An origin 10 s back: every stamp counts from it, not from when the thread began.
  const auto origin = TelemetrySampler::Clock::now() - std::chrono::seconds(10);
  sampler.start(origin);
  wait_until([&] {
    std::lock_guard lock(mutex);
    return stamps.size() >= 3;
  });
  sampler.stop();
  std::lock_guard lock(mutex);
  ASSERT_GE(stamps.size(), 3u);
  EXPECT_GE(stamps.front(), 10'000'000'000);
  for (std::size_t i = 1; i < stamps.size(); ++i)
    EXPECT_GT(stamps[i], stamps[i - 1]);
}

TEST(TelemetrySampler, NothingIsSampledBeforeStart) {
  std::atomic<int> calls = 0;
  {
    TelemetrySampler sampler(
        [&](std::int64_t) -> Samples {
          ++calls;
          return std::vector<report::TelemetrySample>{};
        },
        [](const Samples&) {}, std::chrono::milliseconds(1));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }  // stopped and joined without ever starting
  EXPECT_EQ(calls.load(), 0);
}

TEST(TelemetrySampler, AFailedSampleIsHandedOnAndEndsTheSampling) {
  std::atomic<int> calls = 0;
  std::atomic<int> failures = 0;
  TelemetrySampler sampler(
      [&](std::int64_t) -> Samples {
        if (++calls == 2) return fail(ErrorCode::kIo, "GPU 0 gives no reading");
        return std::vector<report::TelemetrySample>{};
      },
      [&](const Samples& samples) {
        if (!samples) ++failures;
      },
      std::chrono::milliseconds(1));
  sampler.start(TelemetrySampler::Clock::now());
  wait_until([&] { return failures.load() > 0; });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // room for a wrong third call
  sampler.stop();
  EXPECT_EQ(failures.load(), 1);
  EXPECT_EQ(calls.load(), 2);
}

TEST(TelemetrySampler, StopDoesNotWaitOutALongInterval) {
  std::atomic<int> calls = 0;
  TelemetrySampler sampler(
      [&](std::int64_t) -> Samples {
        ++calls;
        return std::vector<report::TelemetrySample>{};
      },
      [](const Samples&) {}, std::chrono::hours(1));
  sampler.start(TelemetrySampler::Clock::now());
  wait_until([&] { return calls.load() > 0; });
  sampler.stop();  // returns: the test would hang for an hour otherwise
  EXPECT_EQ(calls.load(), 1);
}

}  // namespace
}  // namespace mlbench::model
