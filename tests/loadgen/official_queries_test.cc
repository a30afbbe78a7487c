// Compares generated queries with what the official LoadGen 6.0.17 issued for the same settings
// and seeds (vectors in data/, produced as data/README.md describes).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "mlbench/loadgen/effective_settings.h"
#include "mlbench/loadgen/query_plan.h"

#include "support/subprocess.h"

namespace mlbench::loadgen {
namespace {

using nlohmann::json;

struct OfficialRun {
  std::string name;
  TestSettings settings;
  QslCounts qsl;
  json generated;                             // one entry per loadable set
  std::vector<std::vector<uint64_t>> issued;  // QSL indices, one list per IssueQuery call
};

// The harness's settings, as TestSettings field names. Any other key fails the test, so a
// vector can never silently test less than it says.
TestSettings settings_from(const json& keys) {
  TestSettings s;
  for (const auto& [key, value] : keys.items()) {
    if (key == "scenario") {
      s.scenario = *scenario_from_string(value.get<std::string>());
    } else if (key == "mode") {
      s.mode = value == "accuracy" ? TestMode::kAccuracyOnly : TestMode::kPerformanceOnly;
    } else if (key == "qsl_rng_seed") {
      s.qsl_rng_seed = value;
    } else if (key == "sample_index_rng_seed") {
      s.sample_index_rng_seed = value;
    } else if (key == "schedule_rng_seed") {
      s.schedule_rng_seed = value;
    } else if (key == "min_duration_ms") {
      s.min_duration_ms = value;
    } else if (key == "min_query_count") {
      s.min_query_count = value;
    } else if (key == "server_target_qps") {
      s.server_target_qps = value;
    } else if (key == "offline_expected_qps") {
      s.offline_expected_qps = value;
    } else if (key == "single_stream_expected_latency_ns") {
      s.single_stream_expected_latency_ns = value;
    } else if (key == "multi_stream_expected_latency_ns") {
      s.multi_stream_expected_latency_ns = value;
    } else if (key == "multi_stream_samples_per_query") {
      s.multi_stream_samples_per_query = value;
    } else if (key == "sample_concatenate_permutation") {
      s.sample_concatenate_permutation = value.get<int>() != 0;
    } else if (key == "performance_issue_unique") {
      s.performance_issue_unique = value.get<int>() != 0;
    } else if (key == "performance_issue_same") {
      s.performance_issue_same = value.get<int>() != 0;
    } else if (key == "performance_issue_same_index") {
      s.performance_issue_same_index = value;
    } else {
      ADD_FAILURE() << "unknown settings key in test vector: " << key;
    }
  }
  return s;
}

std::vector<OfficialRun> load_official_runs() {
  std::vector<OfficialRun> runs;
  for (const auto& entry :
       std::filesystem::directory_iterator(testing::source_path("tests/loadgen/data"))) {
    if (entry.path().extension() != ".json") continue;
    std::ifstream file(entry.path());
    const json doc = json::parse(file);
    OfficialRun run;
    run.name = entry.path().stem().string();
    run.settings = settings_from(doc.at("settings"));
    run.qsl = {doc.at("qsl").at("total"), doc.at("qsl").at("performance")};
    run.generated = doc.at("generated");
    run.issued = doc.at("issued").get<std::vector<std::vector<uint64_t>>>();
    runs.push_back(std::move(run));
  }
  return runs;
}

TEST(OfficialQueries, VectorsArePresent) {
  EXPECT_GE(load_official_runs().size(), 17u);
}

TEST(OfficialQueries, IssueTheSamplesOfficialLoadGenIssued) {
  for (const OfficialRun& run : load_official_runs()) {
    SCOPED_TRACE(run.name);
    auto derived = derive_effective_settings(run.settings, run.qsl);
    ASSERT_TRUE(derived.ok()) << derived.error().describe();
    auto plan = plan_queries(derived->settings, run.qsl);
    ASSERT_TRUE(plan.ok()) << plan.error().describe();

    // LoadGen's own account of each GenerateQueries call.
    ASSERT_EQ(plan->size(), run.generated.size());
    std::vector<std::vector<uint64_t>> ours;
    for (size_t i = 0; i < plan->size(); ++i) {
      const GeneratedQueries& generated = (*plan)[i].generated;
      EXPECT_EQ(generated.queries.size(), run.generated[i].at("query_count").get<uint64_t>());
      EXPECT_EQ(generated.samples_per_query,
                run.generated[i].at("samples_per_query").get<uint64_t>());
      EXPECT_EQ(generated.duration.count(), run.generated[i].at("duration_ns").get<int64_t>());
      for (const Query& query : generated.queries)
        ours.push_back(query.sample_indices);
    }

    // Everything generated is issued, except that SingleStream/MultiStream performance runs
    // may stop early; what was issued must then be our leading queries.
    const bool may_stop_early = derived->settings.scenario != Scenario::kServer &&
                                derived->settings.scenario != Scenario::kOffline &&
                                derived->settings.mode == TestMode::kPerformanceOnly;
    if (may_stop_early) {
      ASSERT_LE(run.issued.size(), ours.size());
      ours.resize(run.issued.size());
    }
    ASSERT_EQ(ours.size(), run.issued.size());
    // Report the first difference rather than two vectors of hundreds of queries.
    const auto [mismatch, _] = std::mismatch(ours.begin(), ours.end(), run.issued.begin());
    EXPECT_EQ(mismatch, ours.end()) << "first difference at query " << (mismatch - ours.begin());
  }
}

}  // namespace
}  // namespace mlbench::loadgen
