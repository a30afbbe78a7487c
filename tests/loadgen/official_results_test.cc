// Oracle test for the results and log writers: rebuild each official LoadGen 6.0.17 run in
// shared/testdata/loadgen as a RunRecord (its settings.txt describes the simulated SUT exactly;
// our bit-exact query generation gives the loaded set and the issue order), render our three
// files, and compare them with LoadGen's: the summary line for line with measured numbers
// masked, the detail log key for key, the accuracy log byte for byte.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "mlbench/loadgen/accuracy_log.h"
#include "mlbench/loadgen/detail_log.h"
#include "mlbench/loadgen/load_settings.h"
#include "mlbench/loadgen/performance_result.h"
#include "mlbench/loadgen/query_plan.h"
#include "mlbench/loadgen/summary_log.h"

namespace mlbench::loadgen {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;

const fs::path kTestdata = fs::path(MLBENCH_SOURCE_DIR "/../shared/testdata/loadgen");

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  return lines;
}

// ---- The simulated SUT of settings.txt ----------------------------------------------------

int64_t sim_tokens(uint64_t i) {
  return 16 + static_cast<int64_t>((37 * i) % 113);
}
nanoseconds sim_ttft(uint64_t i) {
  return milliseconds(15) + milliseconds(5) * (i % 5);
}
nanoseconds sim_decode(uint64_t i) {
  return microseconds(1500) * (sim_tokens(i) - 1);
}

std::vector<std::byte> sim_output(uint64_t i) {
  std::vector<std::byte> bytes;
  const int64_t n = sim_tokens(i);
  for (int64_t k = 0; k < n; ++k) {
    const auto token = static_cast<uint32_t>(
        k + 1 == n ? 128009 : 1000 + (7919 * i + 104729 * static_cast<uint64_t>(k)) % 120000);
    for (int shift = 0; shift < 32; shift += 8) {
      bytes.push_back(static_cast<std::byte>((token >> shift) & 0xFF));
    }
  }
  return bytes;
}

struct OfficialRun {
  std::string name;
  std::string scenario;
  std::string mode;
  int workers;
  std::string user_conf;
};

std::string user_conf_of(const std::string& settings_txt) {
  const std::string marker = "user.conf used (verbatim):\n";
  const std::string rule = "--------------------------\n";
  size_t start = settings_txt.find(rule, settings_txt.find(marker)) + rule.size();
  return settings_txt.substr(start, settings_txt.find(rule, start) - start);
}

const auto kStartWall = std::chrono::sys_days{std::chrono::year{2026} / 11 / 22} +
                        std::chrono::hours(14) + std::chrono::minutes(51) +
                        std::chrono::seconds(53);

// Issues the run's planned queries to K simulated workers: Offline puts every sample of a
// query in the FIFO at once; SingleStream issues the next query when the previous completes
// and stops once min_query_count and min_duration are met.
RunRecord simulate(const fs::path& dir, Scenario scenario, TestMode mode, int workers) {
  const std::string settings_txt = read_text(dir / "settings.txt");
  const QslCounts qsl{13368, 64};
  auto loaded = load_settings(SettingsRequest{"llama3_1-8b", scenario, mode, qsl},
                              ConfText{"user.conf", user_conf_of(settings_txt)});
  EXPECT_TRUE(loaded.ok());
  RunRecord record;
  record.settings = loaded->effective;
  record.settings_diagnostics = loaded->diagnostics;
  record.phase = mode == TestMode::kAccuracyOnly ? QueryPhase::kAccuracy : QueryPhase::kPerformance;
  record.sut_name = "SimLlama31_8B_SUT";
  record.qsl_name = "SimCnnDailyMailQSL";
  record.qsl = qsl;
  auto plan = plan_queries(record.settings, qsl);
  EXPECT_TRUE(plan.ok());

  nanoseconds now{0};
  uint64_t query_id = 0;
  for (const PlannedSet& set : *plan) {
    record.loaded_set.insert(record.loaded_set.end(), set.loadable_set.samples.begin(),
                             set.loadable_set.samples.end());
    record.generated_query_count = set.generated.queries.size();
    record.generated_samples_per_query = set.generated.samples_per_query;
    record.generated_query_duration = set.generated.duration;
    std::vector<nanoseconds> worker_free(static_cast<size_t>(workers), now);
    for (const Query& query : set.generated.queries) {
      nanoseconds set_done = now;
      for (const uint64_t index : query.sample_indices) {
        SampleRecord sample;
        sample.sequence_id = record.samples.size();
        sample.query_id = query_id;
        sample.qsl_index = index;
        sample.scheduled = now;
        sample.issued = now;
        auto worker = std::min_element(worker_free.begin(), worker_free.end());
        const nanoseconds start = std::max(*worker, now);
        if (scenario != Scenario::kOffline) sample.first_token = start + sim_ttft(index);
        sample.completed = start + sim_ttft(index) + sim_decode(index);
        *worker = *sample.completed;
        set_done = std::max(set_done, *sample.completed);
        sample.n_tokens = sim_tokens(index);
        sample.in_accuracy_log = record.phase == QueryPhase::kAccuracy;
        if (sample.in_accuracy_log) {
          sample.data = sim_output(index);
          sample.first_token_data.assign(sample.data.begin(), sample.data.begin() + 4);
        }
        record.samples.push_back(std::move(sample));
      }
      ++query_id;
      ++record.queries_issued;
      now = set_done;  // Offline: one query per set; SingleStream: wait for completion
      if (record.phase == QueryPhase::kPerformance && scenario == Scenario::kSingleStream &&
          record.queries_issued >= record.settings.min_query_count &&
          now >= record.settings.target_duration) {
        break;
      }
    }
  }
  record.end_reason = record.phase == QueryPhase::kPerformance ? EndReason::kMinimumsMet
                                                               : EndReason::kAllQueriesIssued;
  std::vector<SampleRecord*> by_completion;
  for (SampleRecord& sample : record.samples)
    by_completion.push_back(&sample);
  std::stable_sort(by_completion.begin(), by_completion.end(),
                   [](auto* a, auto* b) { return *a->completed < *b->completed; });
  for (size_t rank = 0; rank < by_completion.size(); ++rank)
    by_completion[rank]->completion_rank = rank;
  record.started_wall = kStartWall;
  record.ended_wall =
      kStartWall + std::chrono::duration_cast<std::chrono::system_clock::duration>(now);
  return record;
}

// ---- Summary: same lines once measured numbers are masked ---------------------------------

// The numbers of a line: runs of digits with an optional fraction and exponent. (Hand-written:
// std::regex trips GCC 12's maybe-uninitialized warning in the sanitizer build.)
struct NumberToken {
  size_t begin;
  size_t end;
};
std::vector<NumberToken> numbers_in(const std::string& line) {
  const auto digit = [&](size_t i) {
    return i < line.size() && std::isdigit(static_cast<unsigned char>(line[i]));
  };
  std::vector<NumberToken> tokens;
  for (size_t i = 0; i < line.size();) {
    if (!digit(i)) {
      ++i;
      continue;
    }
    const size_t begin = i;
    while (digit(i))
      ++i;
    if (i < line.size() && line[i] == '.' && digit(i + 1)) {
      ++i;
      while (digit(i))
        ++i;
    }
    if (i + 1 < line.size() && line[i] == 'e' && (line[i + 1] == '+' || line[i + 1] == '-') &&
        digit(i + 2)) {
      i += 2;
      while (digit(i))
        ++i;
    }
    tokens.push_back({begin, i});
  }
  return tokens;
}

// Every number becomes "#"; what remains is the layout: keys, order, blank lines, spacing.
std::string masked(const std::string& line) {
  std::string out;
  size_t at = 0;
  for (const NumberToken& token : numbers_in(line)) {
    out += line.substr(at, token.begin - at) + "#";
    at = token.end;
  }
  return out + line.substr(at);
}

// How a number is written: an integer, two decimals (DoubleToString), or anything else.
std::vector<std::string> number_shapes(const std::string& line) {
  std::vector<std::string> shapes;
  for (const NumberToken& number : numbers_in(line)) {
    const std::string token = line.substr(number.begin, number.end - number.begin);
    const size_t dot = token.find('.');
    if (dot == std::string::npos && token.find('e') == std::string::npos) {
      shapes.push_back("int");
    } else if (dot != std::string::npos && token.find('e') == std::string::npos &&
               token.size() - dot - 1 == 2) {
      shapes.push_back("fixed2");
    } else {
      shapes.push_back("general");
    }
  }
  return shapes;
}

// Lines whose numbers LoadGen prints with ostream defaults (%g): their digit count varies
// with the value, so only the masked layout is compared.
bool general_format_line(const std::string& line) {
  return line.starts_with("Samples per second: ") || line.starts_with("Tokens per second: ");
}

void expect_same_summary_layout(const std::string& ours, const std::string& official) {
  const auto our_lines = lines_of(ours);
  const auto official_lines = lines_of(official);
  ASSERT_EQ(our_lines.size(), official_lines.size()) << ours;
  for (size_t i = 0; i < our_lines.size(); ++i) {
    EXPECT_EQ(masked(our_lines[i]), masked(official_lines[i])) << "line " << i + 1;
    if (!general_format_line(official_lines[i])) {
      EXPECT_EQ(number_shapes(our_lines[i]), number_shapes(official_lines[i]))
          << "line " << i + 1 << ": " << our_lines[i] << " vs " << official_lines[i];
    }
  }
  // Settings are not measured: that part must be identical.
  const std::string parameters = "Test Parameters Used";
  EXPECT_EQ(ours.substr(ours.find(parameters)), official.substr(official.find(parameters)));
}

// ---- Detail: same keys in the same order, same value types, same settings -----------------

struct DetailEntry {
  std::string key;
  json value;
  bool is_error = false;
};

std::vector<DetailEntry> parse_detail(const std::string& text) {
  std::vector<DetailEntry> entries;
  for (const std::string& line : lines_of(text)) {
    EXPECT_TRUE(line.starts_with(":::MLLOG ")) << line;
    const json entry = json::parse(line.substr(9));
    entries.push_back({entry.at("key"), entry.at("value"), entry.at("metadata").at("is_error")});
  }
  return entries;
}

std::string type_of(const json& value) {
  if (value.is_number_float()) return "float";
  if (value.is_number()) return "integer";
  return value.type_name();
}

// Values that depend on the moment, the machine or the build rather than on the run's rules.
bool measured_or_build_specific(const std::string& key) {
  static const std::set<std::string> keys = {"loadgen_version",
                                             "loadgen_build_date_local",
                                             "loadgen_build_date_utc",
                                             "loadgen_git_commit_date",
                                             "loadgen_git_log_message",
                                             "loadgen_git_status_message",
                                             "loadgen_file_sha1",
                                             "test_datetime",
                                             "get_sut_name_duration_ns",
                                             "power_begin",
                                             "power_end",
                                             "early_stopping_ttft_result",
                                             "early_stopping_tpot_result",
                                             "early_stopping_latency_ss",
                                             "early_stopping_latency_ms"};
  if (keys.contains(key)) return true;
  static const std::set<std::string> rule_results = {"result_validity", "result_min_duration_met",
                                                     "result_min_queries_met", "result_query_count",
                                                     "result_perf_constraints_met"};
  return key.starts_with("result_") && !rule_results.contains(key);
}

// A float the measurement happened to make whole prints as an integer; both are numbers.
bool compatible_types(const json& ours, const json& theirs) {
  return type_of(ours) == type_of(theirs) || (ours.is_number() && theirs.is_number());
}

void expect_same_detail(const std::string& ours, const std::string& official) {
  const auto our_entries = parse_detail(ours);
  const auto official_entries = parse_detail(official);
  ASSERT_EQ(our_entries.size(), official_entries.size());
  for (size_t i = 0; i < our_entries.size(); ++i) {
    const DetailEntry& a = our_entries[i];
    const DetailEntry& b = official_entries[i];
    ASSERT_EQ(a.key, b.key) << "line " << i + 1;
    EXPECT_EQ(a.is_error, b.is_error) << a.key;
    if (a.key == "loadgen_file_sha1") continue;  // we hash no LoadGen sources
    EXPECT_TRUE(compatible_types(a.value, b.value))
        << a.key << ": " << a.value << " vs " << b.value;
    if (!measured_or_build_specific(a.key)) {
      EXPECT_EQ(a.value, b.value) << a.key << " (line " << i + 1 << ")";
    }
  }
}

class OfficialResults : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kTestdata)) GTEST_SKIP() << "no official LoadGen logs at " << kTestdata;
  }
};

TEST_F(OfficialResults, OfflinePerformance) {
  const fs::path dir = kTestdata / "Offline";
  const RunRecord record = simulate(dir, Scenario::kOffline, TestMode::kPerformanceOnly, 4);
  ASSERT_EQ(record.samples.size(), 448u);
  const PerformanceResult result = compute_performance_result(record);
  EXPECT_TRUE(result.validity.valid());
  // The simulation reproduces LoadGen's measurement up to OS jitter.
  EXPECT_NEAR(result.samples_per_second, 30.1146, 30.1146 * 0.01);
  EXPECT_NEAR(result.tokens_per_second, 2188.96, 2188.96 * 0.01);

  expect_same_summary_layout(render_summary_log(record, result),
                             read_text(dir / "mlperf_log_summary.txt"));
  expect_same_detail(render_detail_log(record, result, mlbench_log_identity()),
                     read_text(dir / "mlperf_log_detail.txt"));
  EXPECT_EQ(render_accuracy_log(record), read_text(dir / "mlperf_log_accuracy.json"));
}

TEST_F(OfficialResults, SingleStreamPerformance) {
  const fs::path dir = kTestdata / "SingleStream";
  const RunRecord record = simulate(dir, Scenario::kSingleStream, TestMode::kPerformanceOnly, 64);
  ASSERT_EQ(record.queries_issued, 128u);
  const PerformanceResult result = compute_performance_result(record);
  EXPECT_TRUE(result.validity.valid());
  EXPECT_NEAR(static_cast<double>(result.latency.at_target_percentile_ns), 204298680,
              204298680 * 0.01);
  EXPECT_NEAR(static_cast<double>(result.first_token->at_target_percentile_ns), 35248618,
              35248618 * 0.01);
  EXPECT_NEAR(static_cast<double>(result.time_per_output_token->mean_ns), 1499963, 1499963 * 0.01);
  EXPECT_NEAR(result.qps_without_loadgen_overhead, 7.54, 0.1);

  const std::string summary = render_summary_log(record, result);
  const std::string official_summary = read_text(dir / "mlperf_log_summary.txt");
  expect_same_summary_layout(summary, official_summary);
  // Early stopping's t depends only on the query count, so those lines match exactly.
  EXPECT_NE(summary.find(" * Processed at least 64 queries (128).\n * Would discard 4 highest"),
            std::string::npos);
  expect_same_detail(render_detail_log(record, result, mlbench_log_identity()),
                     read_text(dir / "mlperf_log_detail.txt"));
}

TEST_F(OfficialResults, OfflineAccuracyFilesMatch) {
  const fs::path dir = kTestdata / "Offline_accuracy";
  const RunRecord record = simulate(dir, Scenario::kOffline, TestMode::kAccuracyOnly, 64);
  ASSERT_EQ(record.samples.size(), 256u);
  const PerformanceResult result = compute_performance_result(record);
  EXPECT_EQ(render_summary_log(record, result), read_text(dir / "mlperf_log_summary.txt"));
  expect_same_detail(render_detail_log(record, result, mlbench_log_identity()),
                     read_text(dir / "mlperf_log_detail.txt"));

  // Our plan gives every sequence id the same sample LoadGen gave it, and our simulated SUT
  // the same bytes; only completion order (timing) can differ.
  const json official = json::parse(read_text(dir / "mlperf_log_accuracy.json"));
  ASSERT_EQ(official.size(), 256u);
  for (const json& entry : official) {
    const SampleRecord& ours = record.samples.at(entry.at("seq_id").get<size_t>());
    EXPECT_EQ(ours.qsl_index, entry.at("qsl_idx").get<uint64_t>());
    EXPECT_EQ(ours.n_tokens, entry.at("token_count").get<int64_t>());
  }
}

// The official entries, rebuilt from the official JSON's own data in its order, must come out
// byte-identical.
TEST_F(OfficialResults, AccuracyLogBytesMatchForTheSameEntries) {
  const fs::path dir = kTestdata / "Offline_accuracy";
  const std::string official_text = read_text(dir / "mlperf_log_accuracy.json");
  const json official = json::parse(official_text);
  RunRecord record = simulate(dir, Scenario::kOffline, TestMode::kAccuracyOnly, 64);
  for (size_t rank = 0; rank < official.size(); ++rank) {
    const json& entry = official[rank];
    SampleRecord& sample = record.samples.at(entry.at("seq_id").get<size_t>());
    sample.completion_rank = rank;
    sample.qsl_index = entry.at("qsl_idx");
    sample.n_tokens = entry.at("token_count");
    const std::string hex = entry.at("data");
    sample.data.clear();
    for (size_t i = 0; i + 1 < hex.size(); i += 2) {
      sample.data.push_back(static_cast<std::byte>(std::stoul(hex.substr(i, 2), nullptr, 16)));
    }
    EXPECT_EQ(sample.data, sim_output(sample.qsl_index))
        << "settings.txt's SUT, sample " << sample.qsl_index;
  }
  EXPECT_EQ(render_accuracy_log(record), official_text);
}

}  // namespace
}  // namespace mlbench::loadgen
