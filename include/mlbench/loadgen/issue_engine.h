#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>

#include "mlbench/core/result.h"
#include "mlbench/loadgen/query_plan.h"
#include "mlbench/loadgen/run_record.h"
#include "mlbench/loadgen/system_under_test.h"

namespace mlbench::loadgen {

// How many samples a run will issue.
struct IssueTotal {
  uint64_t samples = 0;
  // false: an estimate. A SingleStream performance run ends once min_query_count and
  // min_duration are both met, which depends on how fast the SUT answers; a Server run with
  // max_duration ends where issuing reaches it, which depends on how late the queries go out.
  bool exact = true;

  bool operator==(const IssueTotal&) const = default;
};

// A snapshot for live progress displays; taken off the issue path.
struct RunProgress {
  uint64_t samples_issued = 0;
  uint64_t samples_completed = 0;
  uint64_t tokens_completed = 0;
  std::chrono::nanoseconds elapsed{0};
  std::optional<IssueTotal> total;  // what run_phase expects to issue, as of this snapshot
};

// The samples a run of `sets` will issue, from the rules alone (before anything is issued):
//   Offline, and every accuracy run: every generated sample of every set (exact);
//   Server: every generated query — its schedule already covers min_query_count and
//     min_duration — up to max_query_count (exact), or, when max_duration falls inside the
//     schedule, the queries scheduled up to it and the one issued past it (an estimate);
//   SingleStream performance: min_query_count queries (up to max_query_count and what was
//     generated); exact when min_duration is 0, else an estimate that can only grow, which
//     projected_issue_total refines as the run goes.
// An interrupted run issues fewer; the total is still what was planned.
IssueTotal planned_issue_total(const EffectiveSettings& settings, std::span<const PlannedSet> sets);

// `planned` after `samples_issued` samples in `elapsed`: for an estimated SingleStream
// performance total, the samples the pace so far reaches by min_duration when that is more;
// never fewer than already issued, never more than were generated (or max_query_count allows).
// Every other total is returned as planned.
IssueTotal projected_issue_total(const EffectiveSettings& settings,
                                 std::span<const PlannedSet> sets, const IssueTotal& planned,
                                 uint64_t samples_issued, std::chrono::nanoseconds elapsed);

struct IssueOptions {
  std::string qsl_name = "mlbench QSL";
  // After the last query is issued, how long to wait for the SUT to finish every sample. Our
  // own bound (LoadGen waits forever): a stuck SUT ends the run as kCompletionTimedOut with
  // everything measured so far kept.
  std::chrono::milliseconds completion_timeout{std::chrono::minutes(30)};
  // Called every `progress_interval` from a separate thread while the run lasts, with the
  // planned (or projected) total of the run.
  std::function<void(const RunProgress&)> on_progress;
  std::chrono::milliseconds progress_interval{500};
  // Called once, on the issuing thread, with the time point the run's clock counts from (every
  // `t_ns` and record offset is since it), before the first query is issued, so that others
  // (GPU telemetry) can stamp on the same clock. Keep it short: issuing waits for it.
  std::function<void(std::chrono::steady_clock::time_point)> on_start;
  // Set from outside (a signal handler's flag) to stop issuing; the run ends kInterrupted.
  const std::atomic<bool>* stop_requested = nullptr;
};

// Issues the planned sets of one phase to the SUT the way LoadGen's scenario rules say, on one
// clock, set after set (an accuracy run has several; the next starts once every sample of the
// previous one is answered), and records what happened in one RunRecord. Server issues each
// query at its scheduled time from this thread; SingleStream issues the next query when the
// previous one has completed and stops once min_query_count and min_duration are met; Offline
// issues one query holding every sample. The issue path only stores timestamps into pre-sized
// records: no formatting, no I/O, no allocation per sample. Fails only for inputs that cannot
// be run (no queries, mixed phases, MultiStream); a run that goes wrong still returns its
// RunRecord, with the reason in `end_reason` and `errors`.
Result<RunRecord> run_phase(const EffectiveSettings& settings, QslCounts qsl,
                            std::span<const PlannedSet> sets, SystemUnderTest& sut,
                            const IssueOptions& options);

}  // namespace mlbench::loadgen
