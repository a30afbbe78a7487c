#include "mlbench/loadgen/load_settings.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>

namespace mlbench::loadgen {
namespace {

SettingsRequest request(Scenario scenario, std::string model = "llama3_1-8b") {
  return SettingsRequest{std::move(model), scenario, TestMode::kPerformanceOnly, {13368, 13368}};
}

TEST(LoadSettings, MlperfConfAloneGivesTheSubmissionSettings) {
  auto loaded = load_settings(request(Scenario::kOffline), std::nullopt);
  ASSERT_TRUE(loaded.ok()) << loaded.error().describe();
  EXPECT_TRUE(loaded->diagnostics.empty());
  const EffectiveSettings& e = loaded->effective;
  EXPECT_EQ(e.samples_per_query, 13368u);  // max(13368, 1.1 · 600 s · 1 qps)
  EXPECT_EQ(e.min_duration.count(), 600'000);
  EXPECT_EQ(e.performance_sample_count, 13368u);
  EXPECT_EQ(e.qsl_rng_seed, 2085463073848966840u);
  EXPECT_TRUE(e.sample_concatenate_permutation);
}

TEST(LoadSettings, ReferenceUserConfForServer) {
  const ConfText user{"user.conf",
                      "*.Offline.min_duration = 600000\n*.Server.target_qps = 0.5\n"
                      "*.Server.min_duration = 120000\n"};
  auto loaded = load_settings(request(Scenario::kServer), user);
  ASSERT_TRUE(loaded.ok());
  const EffectiveSettings& e = loaded->effective;
  EXPECT_DOUBLE_EQ(e.target_qps, 0.5);
  EXPECT_EQ(e.min_duration.count(), 120'000);
  EXPECT_EQ(e.target_latency.count(), 0);
  EXPECT_EQ(e.server_ttft_latency.count(), 2'000'000'000);
  EXPECT_EQ(e.server_tpot_latency.count(), 100'000'000);
}

TEST(LoadSettings, InteractiveUsesItsOwnTokenLimits) {
  auto loaded = load_settings(request(Scenario::kServer, "llama3_1-8b-interactive"), std::nullopt);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->effective.server_ttft_latency.count(), 500'000'000);
  EXPECT_EQ(loaded->effective.server_tpot_latency.count(), 30'000'000);
}

TEST(LoadSettings, UserConfSeedsAreIgnoredWithWarnings) {
  const ConfText user{"my.conf",
                      "# try to change the seeds\n*.*.qsl_rng_seed = 1\n"
                      "llama3_1-8b.*.schedule_rng_seed = 2\n"};
  auto loaded = load_settings(request(Scenario::kServer), user);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->effective.qsl_rng_seed, 2085463073848966840u);
  EXPECT_EQ(loaded->effective.schedule_rng_seed, 16159082839903944936u);
  ASSERT_EQ(loaded->diagnostics.size(), 2u);
  EXPECT_EQ(loaded->diagnostics[0].file, "my.conf");
  EXPECT_EQ(loaded->diagnostics[0].line, 2);
  EXPECT_EQ(loaded->diagnostics[1].line, 3);
}

TEST(LoadSettings, RejectedUserConfLeavesMlperfConfValues) {
  const ConfText user{"user.conf", "*.Server.target_qps = 10 # qps\n"};
  auto loaded = load_settings(request(Scenario::kServer), user);
  ASSERT_TRUE(loaded.ok());
  EXPECT_DOUBLE_EQ(loaded->effective.target_qps, 1.0);
  EXPECT_TRUE(std::any_of(loaded->diagnostics.begin(), loaded->diagnostics.end(),
                          [](auto& d) { return d.severity == DiagnosticSeverity::kLoadGenError; }));
}

TEST(LoadSettings, ModeFromTheRequestBeatsTheConfButNotTheAuditConfig) {
  const ConfText user{"user.conf", "*.*.mode = 1\n"};
  SettingsRequest req = request(Scenario::kOffline);
  req.mode.reset();
  EXPECT_EQ(load_settings(req, user)->effective.mode, TestMode::kAccuracyOnly);
  req.mode = TestMode::kPerformanceOnly;
  EXPECT_EQ(load_settings(req, user)->effective.mode, TestMode::kPerformanceOnly);
  req.mode = TestMode::kAccuracyOnly;
  const ConfText audit{"audit.config", "*.*.mode = 2\n*.*.min_query_count = 100\n"};
  auto audited = load_settings(req, std::nullopt, audit);
  EXPECT_EQ(audited->effective.mode, TestMode::kPerformanceOnly);
  EXPECT_EQ(audited->effective.samples_per_query, 660u);  // max(100, 1.1 · 600 · 1)
}

TEST(LoadSettings, RefusesModelsWithoutEmbeddedValues) {
  auto loaded = load_settings(request(Scenario::kOffline, "resnet50"), std::nullopt);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code, ErrorCode::kUnsupported);
}

TEST(LoadSettings, ReadsUserConfFromDisk) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("mlbench_loadgen_user_" +
                     std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + ".conf");
  {
    std::FILE* file = std::fopen(path.c_str(), "wb");
    ASSERT_NE(file, nullptr);
    const std::string text = "llama3_1-8b.Offline.target_qps = 40\n";
    std::fwrite(text.data(), 1, text.size(), file);
    std::fclose(file);
  }
  auto loaded = load_settings_from_file(request(Scenario::kOffline), path);
  std::filesystem::remove(path);
  ASSERT_TRUE(loaded.ok()) << loaded.error().describe();
  EXPECT_DOUBLE_EQ(loaded->effective.target_qps, 40);

  auto missing = load_settings_from_file(request(Scenario::kOffline), path);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace mlbench::loadgen
