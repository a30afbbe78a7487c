// Number formats, the accuracy log's encodings, the detail log's JSON validity, and the atomic
// file write.

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "mlbench/loadgen/accuracy_log.h"
#include "mlbench/loadgen/detail_log.h"
#include "mlbench/loadgen/log_file.h"
#include "mlbench/loadgen/performance_result.h"

#include "loadgen/log_format.h"
#include "loadgen/record_builders.h"

namespace mlbench::loadgen {
namespace {

using testing::completed_sample;
using testing::derived;
using testing::milliseconds;

std::string printf_format(const char* format, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, value);
  return buffer;
}

// ostream's default double output is printf's %g; LoadGen's DoubleToString is %.Nf.
TEST(LogFormat, DoublesPrintAsLoadGenStreamsThem) {
  for (const double value : {30.1146, 2188.96, 2e8, 5.47528e-07, 0.5, 25.0, 0.9, 0.99, 1e-5,
                             123456789.0, 7.564640012, 547.90349, 0.0001, 1e16, 40.0}) {
    EXPECT_EQ(log_format::ostream_double(value), printf_format("%g", value)) << value;
    EXPECT_EQ(log_format::fixed(value), printf_format("%.2f", value)) << value;
    EXPECT_EQ(log_format::fixed(value, 1), printf_format("%.1f", value)) << value;
  }
  EXPECT_EQ(log_format::ostream_double(2e8), "2e+08");
  EXPECT_EQ(log_format::ostream_double(5.480384e-07), "5.48038e-07");
}

TEST(LogFormat, TimestampsAreUtc) {
  const auto time = std::chrono::sys_days{std::chrono::year{2026} / 11 / 22} +
                    std::chrono::hours(14) + std::chrono::minutes(51) + std::chrono::seconds(53) +
                    std::chrono::microseconds(403'900);
  EXPECT_EQ(log_format::iso8601_utc(time), "2026-11-22T14:51:53Z");
  EXPECT_EQ(log_format::power_timestamp(time), "11-22-2026 14:51:53.403");
}

TEST(LogFormat, HexIsUppercaseTwoCharactersPerByte) {
  const std::vector<std::byte> bytes = {std::byte{0x01}, std::byte{0x2B}, std::byte{0xEF},
                                        std::byte{0x00}};
  EXPECT_EQ(log_format::upper_hex(bytes), "012BEF00");
}

RunRecord accuracy_record(Scenario scenario, bool tokens) {
  TestSettings s;
  s.scenario = scenario;
  s.mode = TestMode::kAccuracyOnly;
  s.use_token_latencies = tokens;
  RunRecord record;
  record.settings = derived(s);
  record.phase = QueryPhase::kAccuracy;
  for (uint64_t i = 0; i < 3; ++i) {
    SampleRecord sample = completed_sample(i, milliseconds(0), milliseconds(1), milliseconds(5), 2);
    sample.qsl_index = 10 + i;
    sample.in_accuracy_log = true;
    sample.completion_rank = 2 - i;  // completed in reverse
    sample.data = {std::byte{0xAB}, std::byte{static_cast<unsigned char>(i)}};
    sample.first_token_data = {std::byte{0xAB}};
    record.samples.push_back(sample);
  }
  return record;
}

TEST(AccuracyLog, EmptyLogIsTwoBrackets) {
  RunRecord record = accuracy_record(Scenario::kOffline, true);
  for (SampleRecord& sample : record.samples)
    sample.in_accuracy_log = false;
  EXPECT_EQ(render_accuracy_log(record), "[\n]\n");
}

TEST(AccuracyLog, NonTokenEntriesInCompletionOrder) {
  EXPECT_EQ(render_accuracy_log(accuracy_record(Scenario::kServer, false)),
            "[\n"
            "{ \"seq_id\" : 2, \"qsl_idx\" : 12, \"data\" : \"AB02\" },\n"
            "{ \"seq_id\" : 1, \"qsl_idx\" : 11, \"data\" : \"AB01\" },\n"
            "{ \"seq_id\" : 0, \"qsl_idx\" : 10, \"data\" : \"AB00\" }\n"
            "]\n");
}

TEST(AccuracyLog, OfflineTokenModeAddsTokenCount) {
  const std::string text = render_accuracy_log(accuracy_record(Scenario::kOffline, true));
  EXPECT_NE(
      text.find("{ \"seq_id\" : 2, \"qsl_idx\" : 12, \"data\" : \"AB02\", \"token_count\" : 2 }"),
      std::string::npos);
  EXPECT_EQ(text.find("token_data"), std::string::npos);
}

TEST(AccuracyLog, StreamingScenariosAddFirstTokenData) {
  const std::string text = render_accuracy_log(accuracy_record(Scenario::kSingleStream, true));
  EXPECT_NE(text.find("{ \"seq_id\" : 0, \"qsl_idx\" : 10, \"data\" : \"AB00\", \"token_data\" : "
                      "\"AB\", \"token_count\" : 2 }"),
            std::string::npos);
}

// The checker JSON-parses every line after the prefix; so must we, including for the values
// LoadGen would have left unescaped.
TEST(DetailLog, EveryLineIsValidJsonAfterThePrefix) {
  TestSettings s;
  s.scenario = Scenario::kServer;
  s.use_token_latencies = true;
  s.min_duration_ms = 100;
  RunRecord record;
  record.settings = derived(s);
  record.sut_name = "SUT \"quoted\"\\path";
  record.qsl_name = "QSL";
  record.settings_diagnostics.push_back(
      loadgen_error("error_invalid_config", "user.conf", 3,
                    "Multiple conf files are used. This is not valid for official submission."));
  record.settings_diagnostics.push_back(conf_warning("user.conf", 4, "ignored"));
  for (uint64_t i = 0; i < 20; ++i) {
    record.samples.push_back(
        completed_sample(i, milliseconds(10 * i), milliseconds(3), milliseconds(30), 9));
  }
  record.queries_issued = 20;
  record.loaded_set = {3, 1, 2};
  record.errors.push_back({milliseconds(5), "Number of tokens need to be greater than 1"});
  record.warnings.push_back("PerfClock and system_clock differ\nby more than 0.1%!");
  const PerformanceResult result = compute_performance_result(record);
  const std::string detail = render_detail_log(record, result, mlbench_log_identity());

  std::istringstream lines(detail);
  int errors = 0;
  int warnings = 0;
  std::vector<std::string> keys;
  for (std::string line; std::getline(lines, line);) {
    ASSERT_TRUE(line.starts_with(":::MLLOG {")) << line;
    const auto entry = nlohmann::json::parse(line.substr(9));
    keys.push_back(entry.at("key"));
    errors += entry.at("metadata").at("is_error").get<bool>() ? 1 : 0;
    warnings += entry.at("metadata").at("is_warning").get<bool>() ? 1 : 0;
    if (entry.at("key") == "sut_name") {
      EXPECT_EQ(entry.at("value"), record.sut_name);
    }
    if (entry.at("key") == "loaded_qsl_set") {
      EXPECT_EQ(entry.at("value"), nlohmann::json({3, 1, 2}));
    }
    if (entry.at("key") == "num_errors") {
      EXPECT_EQ(entry.at("value"), 2);
    }
    EXPECT_TRUE(entry.at("metadata").at("file").get<std::string>().starts_with("src/loadgen/"));
  }
  EXPECT_EQ(errors, 2);  // the settings error and the runtime error; not the warning diagnostic
  EXPECT_EQ(warnings, 1);
  // The settings error comes where LoadGen logs it: after the QSL lines, before requested_*.
  const auto position = [&](std::string_view key) {
    return std::find(keys.begin(), keys.end(), key) - keys.begin();
  };
  EXPECT_EQ(position("error_invalid_config"), position("qsl_reported_performance_count") + 1);
  EXPECT_EQ(position("requested_scenario"), position("error_invalid_config") + 1);
  EXPECT_LT(position("error_runtime"), position("logger_swap_request_slots_retry_count"));
  EXPECT_EQ(keys.back(), "num_errors");
  EXPECT_NE(std::find(keys.begin(), keys.end(), "result_overlatency_query_count"), keys.end());
}

TEST(DetailLog, IdentityNamesUsAfterTheLoadGenVersion) {
  const DetailLogIdentity identity = mlbench_log_identity();
  EXPECT_TRUE(identity.loadgen_version.starts_with("6.0.17 @ mlbench "))
      << identity.loadgen_version;
}

TEST(LogFile, WritesAtomicallyAndReplaces) {
  const auto dir =
      std::filesystem::temp_directory_path() / fmt::format("mlbench_log_file_test_{}", ::getpid());
  std::filesystem::create_directories(dir);
  const auto path = dir / "mlperf_log_summary.txt";
  ASSERT_TRUE(write_file_atomically(path, "first\n").ok());
  ASSERT_TRUE(write_file_atomically(path, "second\n").ok());
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), "second\n");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir), {}), 1);  // no temp left
  const auto failed = write_file_atomically(dir / "missing" / "x.txt", "x");
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, ErrorCode::kIo);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace mlbench::loadgen
