#include "mlbench/loadgen/issue_engine.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <random>
#include <thread>

#include "response_recorder.h"

namespace mlbench::loadgen {
namespace {

using detail::Clock;
using detail::ResponseRecorder;
using std::chrono::nanoseconds;

// Every sample of every generated query of every set, in issue order, so that callbacks can
// find a record by its response id (== sequence id) without locks or allocation during the run.
std::vector<SampleRecord> presized_records(std::span<const PlannedSet> sets) {
  std::vector<SampleRecord> samples;
  uint64_t sequence_id = 0;
  uint64_t query_id = 0;
  for (const PlannedSet& set : sets) {
    for (const Query& query : set.generated.queries) {
      for (const uint64_t qsl_index : query.sample_indices) {
        SampleRecord record;
        record.sequence_id = sequence_id++;
        record.query_id = query_id;
        record.qsl_index = qsl_index;
        samples.push_back(std::move(record));
      }
      ++query_id;
    }
  }
  return samples;
}

// Which samples' responses go to the accuracy log. Accuracy runs log all of them. Performance
// runs log a pseudo-random fraction, decided per sample as LoadGen does: a uniform draw per
// sample from an mt19937 LoadGen never seeds (so 5489), shifted by one seeded offset draw.
void mark_accuracy_log_samples(const EffectiveSettings& settings, QueryPhase phase,
                               std::vector<SampleRecord>& samples) {
  if (phase == QueryPhase::kAccuracy) {
    for (SampleRecord& sample : samples)
      sample.in_accuracy_log = true;
    return;
  }
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::mt19937 offset_rng(static_cast<std::mt19937::result_type>(settings.accuracy_log_rng_seed));
  const double offset = unit(offset_rng);
  double probability = settings.accuracy_log_probability;
  if (settings.accuracy_log_sampling_target > 0) {
    // LoadGen divides the target by the samples it expects the run to need.
    uint64_t expected = static_cast<uint64_t>(
        settings.target_qps * static_cast<double>(settings.min_duration.count()) / 1000.0);
    uint64_t minimum = settings.min_query_count * settings.samples_per_query;
    if (settings.scenario != Scenario::kOffline) {
      expected *= settings.samples_per_query;
    } else {
      minimum = settings.min_sample_count;
    }
    expected = std::max(expected, minimum);
    probability =
        static_cast<double>(settings.accuracy_log_sampling_target) / static_cast<double>(expected);
  }
  std::mt19937 per_sample_rng;  // default-seeded on purpose, see above
  for (SampleRecord& sample : samples) {
    double value = unit(per_sample_rng) + offset;
    if (value >= 1.0) value -= 1.0;
    sample.in_accuracy_log = value <= probability;
  }
}

// The samples of the first `count` queries.
uint64_t samples_in(const std::vector<Query>& queries, uint64_t count) {
  uint64_t samples = 0;
  for (uint64_t q = 0; q < count && q < queries.size(); ++q)
    samples += queries[q].sample_indices.size();
  return samples;
}

// The queries a performance run can issue at most: every generated one, or max_query_count.
uint64_t query_cap(const EffectiveSettings& settings, const std::vector<Query>& queries) {
  const uint64_t generated = queries.size();
  return settings.max_query_count != 0 ? std::min<uint64_t>(generated, settings.max_query_count)
                                       : generated;
}

bool is_estimated_single_stream(const EffectiveSettings& settings, std::span<const PlannedSet> sets,
                                const IssueTotal& planned) {
  return !planned.exact && settings.scenario == Scenario::kSingleStream && !sets.empty() &&
         sets.front().phase == QueryPhase::kPerformance;
}

// Runs the progress callback every interval until destroyed; never touches the issue thread.
class ProgressReporter {
 public:
  ProgressReporter(const IssueOptions& options, const ResponseRecorder& recorder,
                   const std::atomic<uint64_t>& issued, Clock::time_point start,
                   const EffectiveSettings& settings, std::span<const PlannedSet> sets) {
    if (!options.on_progress) return;
    thread_ = std::jthread([&, start, sets, planned = planned_issue_total(settings, sets),
                            interval = options.progress_interval,
                            callback = options.on_progress](std::stop_token stop) {
      std::mutex mutex;
      std::condition_variable_any wake;
      std::unique_lock lock(mutex);
      while (!stop.stop_requested()) {
        wake.wait_for(lock, stop, interval, [] { return false; });
        const uint64_t samples = issued.load(std::memory_order_relaxed);
        const nanoseconds elapsed = Clock::now() - start;
        callback(RunProgress{samples, recorder.completed(), recorder.tokens(), elapsed,
                             projected_issue_total(settings, sets, planned, samples, elapsed)});
      }
    });
  }

 private:
  std::jthread thread_;
};

bool stop_requested(const IssueOptions& options) {
  return options.stop_requested != nullptr && options.stop_requested->load();
}

// State of one issuing loop; the scenario functions below share it.
struct Issuer {
  Issuer(const EffectiveSettings& settings_in, SystemUnderTest& sut_in,
         ResponseRecorder& recorder_in, std::vector<SampleRecord>& samples_in,
         const IssueOptions& options_in, Clock::time_point start_in)
      : settings(settings_in),
        sut(sut_in),
        recorder(recorder_in),
        samples(samples_in),
        options(options_in),
        start(start_in) {}

  const EffectiveSettings& settings;
  const GeneratedQueries* generated = nullptr;  // the loadable set being issued
  SystemUnderTest& sut;
  ResponseRecorder& recorder;
  std::vector<SampleRecord>& samples;
  const IssueOptions& options;
  Clock::time_point start;
  std::atomic<uint64_t> samples_issued{0};
  uint64_t queries_issued = 0;
  std::vector<IssuedSample> batch;  // reused: no allocation per query once warm

  // Stamps the query's samples and hands them to the SUT. The stamps are written before
  // `issue`, so an answer that arrives during the call finds them in place.
  void issue(uint64_t query_id, nanoseconds scheduled, nanoseconds issued_at) {
    const Query& query = generated->queries[query_id];
    const uint64_t first = samples_issued.load(std::memory_order_relaxed);
    batch.clear();
    for (uint64_t i = 0; i < query.sample_indices.size(); ++i) {
      SampleRecord& record = samples[first + i];
      record.scheduled = scheduled;
      record.issued = issued_at;
      batch.push_back(IssuedSample{record.sequence_id, record.qsl_index});
    }
    samples_issued.store(first + batch.size(), std::memory_order_relaxed);
    ++queries_issued;
    sut.issue(batch, recorder);
  }

  nanoseconds since_start() const { return Clock::now() - start; }

  // Waits, at most the completion timeout, until every sample issued so far is answered;
  // nullopt when they all were, otherwise why the wait ended.
  std::optional<EndReason> await_answers() {
    const auto deadline = Clock::now() + options.completion_timeout;
    if (recorder.wait_for_completions(samples_issued.load(), deadline, options.stop_requested)) {
      return std::nullopt;
    }
    return stop_requested(options) ? EndReason::kInterrupted : EndReason::kCompletionTimedOut;
  }

  // LoadGen's checks after each query of a performance run (they do not apply to accuracy runs).
  std::optional<EndReason> limit_reached(nanoseconds issued_at, std::vector<RuntimeError>& errors) {
    if (settings.max_query_count != 0 && queries_issued >= settings.max_query_count) {
      errors.push_back({issued_at, fmt::format("IssueQueryThread 0 Ending early: Max query count "
                                               "reached. query_count {}",
                                               queries_issued)});
      return EndReason::kMaxQueryCountReached;
    }
    if (settings.max_duration.count() != 0 && issued_at > settings.max_duration) {
      errors.push_back({issued_at, fmt::format("IssueQueryThread 0 Ending early: Max test "
                                               "duration reached. duration_ns {}",
                                               issued_at.count())});
      return EndReason::kMaxDurationReached;
    }
    return std::nullopt;
  }
};

EndReason issue_server(Issuer& issuer, QueryPhase phase, std::vector<RuntimeError>& errors) {
  const auto& queries = issuer.generated->queries;
  for (uint64_t q = 0; q < queries.size(); ++q) {
    if (stop_requested(issuer.options)) return EndReason::kInterrupted;
    const auto scheduled = queries[q].scheduled_offset;
    std::this_thread::sleep_until(issuer.start + scheduled);  // returns at once when late
    const auto issued_at = issuer.since_start();
    issuer.issue(q, scheduled, issued_at);
    if (phase == QueryPhase::kAccuracy) continue;
    if (const auto reason = issuer.limit_reached(issued_at, errors)) return *reason;
  }
  return EndReason::kAllQueriesIssued;
}

EndReason issue_single_stream(Issuer& issuer, QueryPhase phase, std::vector<RuntimeError>& errors) {
  const auto& queries = issuer.generated->queries;
  for (uint64_t q = 0; q < queries.size(); ++q) {
    if (q > 0) {
      if (const auto stopped = issuer.await_answers()) return *stopped;
    }
    if (stop_requested(issuer.options)) return EndReason::kInterrupted;
    // Latency counts from the issue: LoadGen's own think time between queries is excluded.
    const auto issued_at = issuer.since_start();
    issuer.issue(q, issued_at, issued_at);
    if (phase == QueryPhase::kAccuracy) continue;
    if (issuer.queries_issued >= issuer.settings.min_query_count &&
        issued_at >= issuer.settings.target_duration) {
      return EndReason::kMinimumsMet;
    }
    if (const auto reason = issuer.limit_reached(issued_at, errors)) return *reason;
  }
  if (phase == QueryPhase::kAccuracy) return EndReason::kAllQueriesIssued;
  errors.push_back({issuer.since_start(),
                    "Ending early: Ran out of generated queries to issue before the minimum "
                    "query count and test duration were reached. Please update the relevant "
                    "expected latency or target qps in the TestSettings so they are more "
                    "accurate."});
  return EndReason::kRanOutOfQueries;
}

EndReason issue_offline(Issuer& issuer, QueryPhase phase) {
  if (stop_requested(issuer.options)) return EndReason::kInterrupted;
  for (uint64_t q = 0; q < issuer.generated->queries.size(); ++q) {
    issuer.issue(q, nanoseconds{0}, issuer.since_start());
  }
  // LoadGen's end-of-run check passes at once for Offline (one query, target duration 0), so a
  // performance run ends "naturally"; accuracy runs skip the check.
  return phase == QueryPhase::kPerformance ? EndReason::kMinimumsMet : EndReason::kAllQueriesIssued;
}

EndReason issue_set(Issuer& issuer, Scenario scenario, QueryPhase phase,
                    std::vector<RuntimeError>& errors) {
  switch (scenario) {
    case Scenario::kServer: return issue_server(issuer, phase, errors);
    case Scenario::kSingleStream: return issue_single_stream(issuer, phase, errors);
    case Scenario::kOffline: return issue_offline(issuer, phase);
    case Scenario::kMultiStream: break;  // refused before issuing
  }
  return EndReason::kAllQueriesIssued;
}

}  // namespace

IssueTotal planned_issue_total(const EffectiveSettings& settings,
                               std::span<const PlannedSet> sets) {
  if (sets.empty()) return {};
  if (sets.front().phase != QueryPhase::kPerformance || settings.scenario == Scenario::kOffline) {
    uint64_t samples = 0;
    for (const PlannedSet& set : sets)
      samples += samples_in(set.generated.queries, set.generated.queries.size());
    return {.samples = samples, .exact = true};
  }
  const std::vector<Query>& queries = sets.front().generated.queries;
  const uint64_t cap = query_cap(settings, queries);
  if (settings.scenario == Scenario::kServer) {
    if (settings.max_duration.count() == 0) return {.samples = samples_in(queries, cap)};
    // The engine stops after the first query it issues past max_duration.
    uint64_t within = 0;
    while (within < cap && queries[within].scheduled_offset <= settings.max_duration)
      ++within;
    if (within >= cap) return {.samples = samples_in(queries, cap)};
    return {.samples = samples_in(queries, within + 1), .exact = false};
  }
  // SingleStream stops after the query that meets both minimums; with min_duration 0 that is
  // the min_query_count-th (at least the first).
  const uint64_t count = std::min(cap, std::max<uint64_t>(settings.min_query_count, 1));
  const bool exact =
      (settings.target_duration.count() == 0 || count == cap) && settings.max_duration.count() == 0;
  return {.samples = samples_in(queries, count), .exact = exact};
}

IssueTotal projected_issue_total(const EffectiveSettings& settings,
                                 std::span<const PlannedSet> sets, const IssueTotal& planned,
                                 uint64_t samples_issued, nanoseconds elapsed) {
  if (!is_estimated_single_stream(settings, sets, planned)) return planned;
  const std::vector<Query>& queries = sets.front().generated.queries;
  const uint64_t cap = samples_in(queries, query_cap(settings, queries));
  uint64_t samples = std::max(planned.samples, samples_issued);
  if (samples_issued > 0 && elapsed.count() > 0) {
    const double by_min_duration =
        static_cast<double>(samples_issued) *
        static_cast<double>(nanoseconds(settings.target_duration).count()) /
        static_cast<double>(elapsed.count());
    samples = by_min_duration >= static_cast<double>(cap)
                  ? cap
                  : std::max(samples, static_cast<uint64_t>(std::ceil(by_min_duration)));
  }
  return {.samples = std::min(samples, cap), .exact = false};
}

Result<RunRecord> run_phase(const EffectiveSettings& settings, QslCounts qsl,
                            std::span<const PlannedSet> sets, SystemUnderTest& sut,
                            const IssueOptions& options) {
  if (sets.empty() || std::any_of(sets.begin(), sets.end(), [](const PlannedSet& set) {
        return set.generated.queries.empty();
      })) {
    return fail(ErrorCode::kInvalidArgument, "no queries were generated, so nothing can be issued",
                "loadgen");
  }
  if (std::any_of(sets.begin(), sets.end(),
                  [&](const PlannedSet& set) { return set.phase != sets.front().phase; })) {
    return fail(ErrorCode::kInternal, "one run issues the sets of one phase only", "loadgen");
  }
  if (settings.scenario == Scenario::kMultiStream) {
    return fail(ErrorCode::kUnsupported, "the MultiStream scenario is not issued by mlbench",
                "loadgen");
  }
  RunRecord record;
  record.settings = settings;
  record.phase = sets.front().phase;
  record.sut_name = sut.name();
  record.qsl_name = options.qsl_name;
  record.qsl = qsl;
  for (const PlannedSet& set : sets) {
    record.loaded_set.insert(record.loaded_set.end(), set.loadable_set.samples.begin(),
                             set.loadable_set.samples.end());
  }
  // Every accuracy set replays the same schedule, so the first set's shape speaks for all.
  record.generated_query_count = sets.front().generated.queries.size();
  record.generated_samples_per_query = sets.front().generated.samples_per_query;
  record.generated_query_duration = sets.front().generated.duration;
  record.samples = presized_records(sets);
  mark_accuracy_log_samples(settings, record.phase, record.samples);

  const ResponseRecorder::Rules rules{
      .needs_first_token = settings.scenario != Scenario::kOffline,
      .use_token_latencies = settings.use_token_latencies,
  };
  const auto start = Clock::now();
  record.started_wall = std::chrono::system_clock::now();
  ResponseRecorder recorder(record.samples, start, rules);
  Issuer issuer(settings, sut, recorder, record.samples, options, start);
  std::vector<RuntimeError> engine_errors;
  if (options.on_start) options.on_start(start);
  {
    ProgressReporter progress(options, recorder, issuer.samples_issued, start, settings, sets);
    for (const PlannedSet& set : sets) {
      issuer.generated = &set.generated;
      record.end_reason = issue_set(issuer, settings.scenario, record.phase, engine_errors);
      // LoadGen loads the next set only once every sample of this one has been answered.
      const bool last_set = &set == &sets.back();
      if (last_set || record.end_reason != EndReason::kAllQueriesIssued) break;
      if (const auto stopped = issuer.await_answers()) {
        record.end_reason = *stopped;
        break;
      }
    }
    sut.flush();

    // The writers report samples that never completed (LoadGen's own error text); here we
    // only stop waiting for them.
    const auto stopped = issuer.await_answers();
    if (stopped && record.end_reason != EndReason::kInterrupted) record.end_reason = *stopped;
  }
  if (recorder.completed() < issuer.samples_issued.load()) sut.cancel_outstanding();
  record.ended_wall = std::chrono::system_clock::now();
  record.errors = recorder.close();
  record.errors.insert(record.errors.end(), engine_errors.begin(), engine_errors.end());
  std::stable_sort(record.errors.begin(), record.errors.end(),
                   [](const RuntimeError& a, const RuntimeError& b) { return a.at < b.at; });
  record.queries_issued = issuer.queries_issued;
  record.samples.resize(issuer.samples_issued.load());
  return record;
}

}  // namespace mlbench::loadgen
