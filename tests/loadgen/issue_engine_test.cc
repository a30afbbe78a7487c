#include "mlbench/loadgen/issue_engine.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <mutex>
#include <set>

#include "mlbench/loadgen/query_plan.h"
#include "mlbench/loadgen/simulated_sut.h"

namespace mlbench::loadgen {
namespace {

using namespace std::chrono_literals;

TestSettings fast_settings(Scenario scenario, TestMode mode) {
  TestSettings s;
  s.scenario = scenario;
  s.mode = mode;
  s.min_duration_ms = 200;
  s.min_query_count = 20;
  s.server_target_qps = 400;
  s.offline_expected_qps = 100;
  s.single_stream_expected_latency_ns = 1'000'000;
  s.use_token_latencies = true;
  return s;
}

struct Planned {
  EffectiveSettings settings;
  QslCounts qsl;
  PlannedSet set;
};

Planned plan(const TestSettings& s, QslCounts qsl) {
  auto derived = derive_effective_settings(s, qsl);
  EXPECT_TRUE(derived.ok()) << derived.error().describe();
  auto sets = plan_queries(derived->settings, qsl);
  EXPECT_TRUE(sets.ok()) << sets.error().describe();
  return {derived->settings, qsl, sets->front()};
}

SimulatedSutOptions quick_sut(Scenario scenario) {
  SimulatedSutOptions options;
  options.workers = 8;
  options.min_ttft = 200us;
  options.max_ttft = 600us;
  options.time_per_output_token = 5us;
  options.report_first_token = scenario != Scenario::kOffline;
  return options;
}

RunRecord run(const Planned& planned, SystemUnderTest& sut, IssueOptions options = {}) {
  options.completion_timeout = 20s;
  auto record = run_phase(planned.settings, planned.qsl, std::span(&planned.set, 1), sut, options);
  EXPECT_TRUE(record.ok()) << record.error().describe();
  return std::move(record).value();
}

void expect_every_sample_answered(const RunRecord& record, bool with_first_token) {
  std::set<uint64_t> ranks;
  for (const SampleRecord& sample : record.samples) {
    ASSERT_TRUE(sample.completed) << "sample " << sample.sequence_id;
    EXPECT_GE(*sample.completed, sample.issued);
    EXPECT_GE(sample.issued, sample.scheduled);
    EXPECT_EQ(sample.n_tokens, simulate_answer(SimulatedSutOptions{}, sample.qsl_index).n_tokens);
    if (with_first_token) {
      ASSERT_TRUE(sample.first_token);
      EXPECT_LE(*sample.first_token, *sample.completed);
    }
    ranks.insert(sample.completion_rank.value());
  }
  EXPECT_EQ(ranks.size(), record.samples.size()) << "completion ranks must be distinct";
}

TEST(IssueEngine, OfflineIssuesOneQueryHoldingEverySample) {
  const auto planned = plan(fast_settings(Scenario::kOffline, TestMode::kPerformanceOnly),
                            {.total = 64, .performance = 32});
  SimulatedSut sut(quick_sut(Scenario::kOffline));
  const RunRecord record = run(planned, sut);
  EXPECT_EQ(record.queries_issued, 1u);
  EXPECT_EQ(record.end_reason, EndReason::kMinimumsMet);  // LoadGen's "Ending naturally"
  EXPECT_EQ(record.samples.size(), planned.set.generated.queries[0].sample_indices.size());
  EXPECT_TRUE(record.errors.empty()) << record.errors.front().message;
  expect_every_sample_answered(record, /*with_first_token=*/false);
  for (const SampleRecord& sample : record.samples)
    EXPECT_EQ(sample.scheduled, 0ns);
}

TEST(IssueEngine, ServerIssuesEveryQueryNoEarlierThanItsSchedule) {
  const auto planned = plan(fast_settings(Scenario::kServer, TestMode::kPerformanceOnly),
                            {.total = 64, .performance = 32});
  SimulatedSut sut(quick_sut(Scenario::kServer));
  const RunRecord record = run(planned, sut);
  EXPECT_EQ(record.queries_issued, planned.set.generated.queries.size());
  EXPECT_EQ(record.end_reason, EndReason::kAllQueriesIssued);
  EXPECT_TRUE(record.errors.empty()) << record.errors.front().message;
  expect_every_sample_answered(record, /*with_first_token=*/true);
  for (const SampleRecord& sample : record.samples) {
    EXPECT_EQ(sample.scheduled, planned.set.generated.queries[sample.query_id].scheduled_offset);
  }
}

TEST(IssueEngine, SingleStreamStopsOnceMinimumsAreMetAndIssuesOneAtATime) {
  const auto planned = plan(fast_settings(Scenario::kSingleStream, TestMode::kPerformanceOnly),
                            {.total = 64, .performance = 32});
  SimulatedSut sut(quick_sut(Scenario::kSingleStream));
  const RunRecord record = run(planned, sut);
  EXPECT_EQ(record.end_reason, EndReason::kMinimumsMet);
  EXPECT_GE(record.queries_issued, planned.settings.min_query_count);
  EXPECT_GE(record.samples.back().issued, planned.settings.target_duration);
  expect_every_sample_answered(record, /*with_first_token=*/true);
  for (size_t i = 1; i < record.samples.size(); ++i) {
    // The next query goes out only after the previous one completed.
    EXPECT_GE(record.samples[i].issued, *record.samples[i - 1].completed);
  }
}

TEST(IssueEngine, AccuracyRunLogsEverySampleWithItsData) {
  const auto planned = plan(fast_settings(Scenario::kServer, TestMode::kAccuracyOnly),
                            {.total = 40, .performance = 40});
  SimulatedSut sut(quick_sut(Scenario::kServer));
  const RunRecord record = run(planned, sut);
  ASSERT_EQ(record.samples.size(), 40u);
  std::set<uint64_t> indices;
  for (const SampleRecord& sample : record.samples) {
    indices.insert(sample.qsl_index);
    EXPECT_TRUE(sample.in_accuracy_log);
    EXPECT_EQ(sample.data.size(), static_cast<size_t>(sample.n_tokens) * 4);
    EXPECT_EQ(sample.first_token_data.size(), 4u);
  }
  EXPECT_EQ(indices.size(), 40u);
}

// A SUT that misbehaves on purpose: answers in the wrong order, twice, or never.
class ScriptedSut final : public SystemUnderTest {
 public:
  enum class Fault { kNone, kCompleteWithoutFirstToken, kOneToken, kTwice, kNeverComplete };
  explicit ScriptedSut(Fault fault) : fault_(fault) {}
  std::string name() const override { return "scripted"; }
  void cancel_outstanding() override {}  // answers synchronously: nothing is ever in flight
  void issue(std::span<const IssuedSample> samples, ResponseSink& sink) override {
    const std::byte token[4] = {};
    for (const IssuedSample& sample : samples) {
      if (fault_ == Fault::kNeverComplete && sample.response_id % 2 == 1) continue;
      if (fault_ != Fault::kCompleteWithoutFirstToken) sink.first_token(sample.response_id, token);
      sink.complete(sample.response_id, token, fault_ == Fault::kOneToken ? 1 : 2);
      if (fault_ == Fault::kTwice) sink.complete(sample.response_id, token, 2);
    }
  }

 private:
  Fault fault_;
};

Planned small_server_run() {
  return plan(fast_settings(Scenario::kServer, TestMode::kAccuracyOnly),
              {.total = 4, .performance = 4});
}

TEST(IssueEngine, AccuracyRunIssuesEveryLoadableSetInTurnOnOneClock) {
  const auto settings = fast_settings(Scenario::kOffline, TestMode::kAccuracyOnly);
  const QslCounts qsl{.total = 40, .performance = 16};
  auto derived = derive_effective_settings(settings, qsl);
  ASSERT_TRUE(derived.ok());
  auto sets = plan_queries(derived->settings, qsl);
  ASSERT_TRUE(sets.ok());
  ASSERT_EQ(sets->size(), 3u);  // 16 + 16 + 8
  SimulatedSut sut(quick_sut(Scenario::kOffline));
  auto record = run_phase(derived->settings, qsl, *sets, sut, {});
  ASSERT_TRUE(record.ok()) << record.error().describe();
  EXPECT_EQ(record->loaded_set.size(), 40u);
  ASSERT_EQ(record->samples.size(), 40u);
  EXPECT_EQ(record->queries_issued, 3u);
  std::set<uint64_t> indices;
  for (const SampleRecord& sample : record->samples)
    indices.insert(sample.qsl_index);
  EXPECT_EQ(indices.size(), 40u);
  // The second set starts only after the first one is fully answered.
  uint64_t first_set_done = 0;
  for (size_t i = 0; i < 16; ++i) {
    first_set_done = std::max<uint64_t>(first_set_done, record->samples[i].completed->count());
  }
  EXPECT_GE(static_cast<uint64_t>(record->samples[16].issued.count()), first_set_done);
}

TEST(IssueEngine, RecordsLoadGensErrorForCompletionBeforeFirstToken) {
  ScriptedSut sut(ScriptedSut::Fault::kCompleteWithoutFirstToken);
  const RunRecord record = run(small_server_run(), sut);
  ASSERT_EQ(record.errors.size(), 4u);
  EXPECT_EQ(record.errors[0].message,
            "Attempted to record a sample latency before it's first token latency");
}

TEST(IssueEngine, RecordsOneTokenAnswersAsZeroTokensWithAnError) {
  ScriptedSut sut(ScriptedSut::Fault::kOneToken);
  const RunRecord record = run(small_server_run(), sut);
  ASSERT_EQ(record.errors.size(), 4u);
  EXPECT_EQ(record.errors[0].message, "Number of tokens need to be greater than 1");
  EXPECT_EQ(record.samples[0].n_tokens, 0);
}

TEST(IssueEngine, DoubleCompletionIsAnErrorAndCountedOnce) {
  ScriptedSut sut(ScriptedSut::Fault::kTwice);
  const RunRecord record = run(small_server_run(), sut);
  ASSERT_EQ(record.errors.size(), 4u);
  EXPECT_EQ(record.errors[0].message, "Attempted to complete a sample twice.");
  EXPECT_EQ(record.end_reason, EndReason::kAllQueriesIssued);
}

TEST(IssueEngine, StuckSutEndsTheRunAtTheTimeoutAndKeepsWhatCompleted) {
  ScriptedSut sut(ScriptedSut::Fault::kNeverComplete);
  const auto planned = small_server_run();
  IssueOptions options;
  options.completion_timeout = 300ms;
  auto record = run_phase(planned.settings, planned.qsl, std::span(&planned.set, 1), sut, options);
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->end_reason, EndReason::kCompletionTimedOut);
  ASSERT_EQ(record->samples.size(), 4u);
  EXPECT_TRUE(record->samples[0].completed);
  EXPECT_FALSE(record->samples[1].completed);
  // The log writers report the unanswered samples; the engine only stops waiting for them.
  EXPECT_TRUE(record->errors.empty());
}

TEST(IssueEngine, StopFlagInterruptsAndKeepsWhatWasIssued) {
  const auto planned = plan(fast_settings(Scenario::kServer, TestMode::kPerformanceOnly),
                            {.total = 64, .performance = 32});
  SimulatedSut sut(quick_sut(Scenario::kServer));
  std::atomic<bool> stop{false};
  std::atomic<int> calls{0};
  IssueOptions options;
  options.stop_requested = &stop;
  options.progress_interval = 20ms;
  options.on_progress = [&](const RunProgress& progress) {
    ++calls;
    if (progress.samples_completed >= 5) stop = true;
  };
  const RunRecord record = run(planned, sut, options);
  EXPECT_EQ(record.end_reason, EndReason::kInterrupted);
  EXPECT_GT(calls.load(), 0);
  EXPECT_LT(record.samples.size(), planned.set.generated.queries.size());
  EXPECT_GE(record.samples.size(), 5u);
}

// Notes the clock each time a query reaches the SUT, then hands it on.
class ClockedSut : public SystemUnderTest {
 public:
  explicit ClockedSut(SystemUnderTest& inner) : inner_(inner) {}
  std::string name() const override { return inner_.name(); }
  void issue(std::span<const IssuedSample> samples, ResponseSink& sink) override {
    issued_at.push_back(std::chrono::steady_clock::now());  // only the issue thread calls this
    inner_.issue(samples, sink);
  }
  void flush() override { inner_.flush(); }
  void cancel_outstanding() override { inner_.cancel_outstanding(); }

  std::vector<std::chrono::steady_clock::time_point> issued_at;

 private:
  SystemUnderTest& inner_;
};

TEST(IssueEngine, OnStartGivesTheRunsClockOnceBeforeTheFirstIssue) {
  for (const Scenario scenario : {Scenario::kOffline, Scenario::kServer}) {
    const auto planned =
        plan(fast_settings(scenario, TestMode::kPerformanceOnly), {.total = 64, .performance = 32});
    SimulatedSut simulated(quick_sut(scenario));
    ClockedSut sut(simulated);
    std::vector<std::chrono::steady_clock::time_point> starts;
    IssueOptions options;
    options.on_start = [&](std::chrono::steady_clock::time_point start) {
      EXPECT_TRUE(sut.issued_at.empty()) << "on_start after a query was issued";
      starts.push_back(start);
    };
    const auto before = std::chrono::steady_clock::now();
    const RunRecord record = run(planned, sut, options);
    ASSERT_EQ(starts.size(), 1u) << to_string(scenario);
    ASSERT_FALSE(sut.issued_at.empty());
    EXPECT_LE(before, starts[0]);
    EXPECT_LE(starts[0], sut.issued_at.front());
    // The record's offsets count from that same time point: the first issue, stamped just
    // before the SUT saw it, is no later on that clock than the SUT saw it.
    EXPECT_LE(starts[0] + record.samples.front().issued, sut.issued_at.front());
  }
}

// --- The total a run announces with its progress ---------------------------------------------

IssueTotal total_of(const Planned& planned) {
  return planned_issue_total(planned.settings, std::span(&planned.set, 1));
}

// Runs `planned` and returns every total its progress callback was given.
std::vector<IssueTotal> totals_seen(const Planned& planned, Scenario scenario, RunRecord* out) {
  SimulatedSut sut(quick_sut(scenario));
  std::mutex mutex;
  std::vector<IssueTotal> seen;
  IssueOptions options;
  options.progress_interval = 5ms;
  options.on_progress = [&](const RunProgress& progress) {
    const std::lock_guard lock(mutex);
    EXPECT_TRUE(progress.total.has_value());
    if (progress.total) seen.push_back(*progress.total);
  };
  *out = run(planned, sut, options);
  return seen;
}

TEST(IssueTotal, OfflineAndServerAnnounceExactlyWhatTheyIssue) {
  for (const Scenario scenario : {Scenario::kOffline, Scenario::kServer}) {
    SCOPED_TRACE(to_string(scenario));
    const auto planned =
        plan(fast_settings(scenario, TestMode::kPerformanceOnly), {.total = 64, .performance = 32});
    const IssueTotal total = total_of(planned);
    EXPECT_TRUE(total.exact);
    RunRecord record;
    const std::vector<IssueTotal> seen = totals_seen(planned, scenario, &record);
    EXPECT_EQ(total.samples, record.samples.size());
    for (const IssueTotal& announced : seen)
      EXPECT_EQ(announced, total);
    if (scenario == Scenario::kServer) {
      EXPECT_FALSE(seen.empty()) << "the run lasts 200 ms";
    }
  }
}

TEST(IssueTotal, AccuracyRunsCountEverySetExactly) {
  const QslCounts qsl{.total = 40, .performance = 16};
  for (const Scenario scenario : {Scenario::kOffline, Scenario::kServer, Scenario::kSingleStream}) {
    SCOPED_TRACE(to_string(scenario));
    auto derived = derive_effective_settings(fast_settings(scenario, TestMode::kAccuracyOnly), qsl);
    ASSERT_TRUE(derived.ok());
    auto sets = plan_queries(derived->settings, qsl);
    ASSERT_TRUE(sets.ok());
    EXPECT_EQ(planned_issue_total(derived->settings, *sets), (IssueTotal{.samples = 40}));
  }
}

TEST(IssueTotal, ServerCutByMaxQueryCountIsExactAndByMaxDurationAnEstimate) {
  auto planned = plan(fast_settings(Scenario::kServer, TestMode::kPerformanceOnly),
                      {.total = 64, .performance = 32});
  ASSERT_GT(planned.set.generated.queries.size(), 10u);
  planned.settings.max_query_count = 7;
  EXPECT_EQ(total_of(planned), (IssueTotal{.samples = 7, .exact = true}));
  planned.settings.max_query_count = 0;
  planned.settings.max_duration = std::chrono::milliseconds(50);
  uint64_t scheduled_within = 0;
  for (const Query& query : planned.set.generated.queries)
    scheduled_within += query.scheduled_offset <= 50ms ? 1 : 0;
  // The engine stops after the first query it issues past max_duration.
  EXPECT_EQ(total_of(planned), (IssueTotal{.samples = scheduled_within + 1, .exact = false}));
}

TEST(IssueTotal, SingleStreamIsAnEstimateThatOnlyGrows) {
  const auto planned = plan(fast_settings(Scenario::kSingleStream, TestMode::kPerformanceOnly),
                            {.total = 64, .performance = 32});
  const IssueTotal planned_total = total_of(planned);
  EXPECT_FALSE(planned_total.exact);
  EXPECT_EQ(planned_total.samples, planned.settings.min_query_count);
  RunRecord record;
  const std::vector<IssueTotal> seen = totals_seen(planned, Scenario::kSingleStream, &record);
  EXPECT_GE(record.samples.size(), planned_total.samples);
  for (const IssueTotal& announced : seen) {
    EXPECT_FALSE(announced.exact);
    EXPECT_GE(announced.samples, planned_total.samples);
    EXPECT_LE(announced.samples, planned.set.generated.queries.size());
  }
}

TEST(IssueTotal, SingleStreamProjectsItsPaceToMinDuration) {
  const auto planned = plan(fast_settings(Scenario::kSingleStream, TestMode::kPerformanceOnly),
                            {.total = 64, .performance = 32});
  const std::span sets(&planned.set, 1);
  const IssueTotal at_start = total_of(planned);
  const auto quarter = std::chrono::nanoseconds(planned.settings.target_duration) / 4;
  const uint64_t generated = planned.set.generated.queries.size();
  ASSERT_GT(generated, 4 * 30u);
  // 30 samples in a quarter of min_duration: about 120 by its end.
  EXPECT_EQ(projected_issue_total(planned.settings, sets, at_start, 30, quarter),
            (IssueTotal{.samples = 120, .exact = false}));
  // A slow start projects less than min_query_count: the minimum stands.
  EXPECT_EQ(projected_issue_total(planned.settings, sets, at_start, 1, quarter).samples,
            at_start.samples);
  // Never more than were generated.
  EXPECT_EQ(projected_issue_total(planned.settings, sets, at_start, 30, 1ns).samples, generated);
  // Nothing issued yet: the plan.
  EXPECT_EQ(projected_issue_total(planned.settings, sets, at_start, 0, 0ns), at_start);
}

TEST(IssueTotal, SingleStreamWithoutMinDurationStopsAtMinQueryCountExactly) {
  TestSettings settings = fast_settings(Scenario::kSingleStream, TestMode::kPerformanceOnly);
  settings.min_duration_ms = 0;
  const auto planned = plan(settings, {.total = 64, .performance = 32});
  const IssueTotal total = total_of(planned);
  EXPECT_TRUE(total.exact);
  // Exact totals are not projected.
  EXPECT_EQ(projected_issue_total(planned.settings, std::span(&planned.set, 1), total, 3, 1ns),
            total);
  RunRecord record;
  totals_seen(planned, Scenario::kSingleStream, &record);
  EXPECT_EQ(record.samples.size(), total.samples);
}

TEST(IssueEngine, RefusesAnEmptyPlan) {
  Planned planned = small_server_run();
  planned.set.generated.queries.clear();
  ScriptedSut sut(ScriptedSut::Fault::kNone);
  auto record = run_phase(planned.settings, planned.qsl, std::span(&planned.set, 1), sut, {});
  ASSERT_FALSE(record.ok());
  EXPECT_EQ(record.error().code, ErrorCode::kInvalidArgument);
}

TEST(SimulatedSut, AnswersAreDeterministicPerSampleAndWithinBounds) {
  SimulatedSutOptions options;
  for (uint64_t index = 0; index < 200; ++index) {
    const auto a = simulate_answer(options, index);
    const auto b = simulate_answer(options, index);
    EXPECT_EQ(a.token_ids, b.token_ids);
    EXPECT_GE(a.n_tokens, options.min_output_tokens);
    EXPECT_LE(a.n_tokens, options.max_output_tokens);
    EXPECT_GE(a.time_to_first_token, options.min_ttft);
    EXPECT_LE(a.time_to_first_token, options.max_ttft);
    EXPECT_EQ(a.token_ids.back(), 128009);
  }
  options.seed = 2;
  bool any_different = false;
  for (uint64_t index = 0; index < 20; ++index) {
    any_different |= simulate_answer(options, index).n_tokens !=
                     simulate_answer(SimulatedSutOptions{}, index).n_tokens;
  }
  EXPECT_TRUE(any_different) << "the seed must change the draws";
}

}  // namespace
}  // namespace mlbench::loadgen
