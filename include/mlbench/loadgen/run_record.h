#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mlbench/loadgen/effective_settings.h"
#include "mlbench/loadgen/query_phase.h"
#include "mlbench/loadgen/settings_diagnostic.h"

namespace mlbench::loadgen {

// Everything one run (one QueryPhase of a test) observed, as plain data. The issuing engine
// fills it in; results, validity and the MLPerf log files are computed from it afterwards, so
// nothing on the issue path formats or writes anything.
//
// Times are nanosecond offsets from the moment issuing started (LoadGen's "start" of the
// phase), measured on the steady clock.

// One sample as the engine saw it.
struct SampleRecord {
  uint64_t sequence_id = 0;               // issue order across the phase, from 0 (LoadGen's seq_id)
  uint64_t query_id = 0;                  // which generated query carried it (0-based)
  uint64_t qsl_index = 0;                 // the sample's index in the query sample library
  std::chrono::nanoseconds scheduled{0};  // Server: the schedule; others: the issue time
  std::chrono::nanoseconds issued{0};     // when the query went to the SUT
  std::optional<std::chrono::nanoseconds> first_token;  // unset if the SUT never reported one
  std::optional<std::chrono::nanoseconds> completed;    // unset if it never completed
  // Total output tokens including the first, as LoadGen records it: what the SUT reported,
  // except that 1 is recorded as 0 (LoadGen logs an error and zeroes it). 0 when not reported.
  int64_t n_tokens = 0;
  // Response bytes (int32 little-endian token ids for Llama), kept only for samples that go
  // to the accuracy log (`in_accuracy_log`); empty otherwise.
  std::vector<std::byte> data;
  std::vector<std::byte> first_token_data;
  bool in_accuracy_log = false;
  // Position in completion order (0-based); the accuracy log lists samples in this order.
  std::optional<uint64_t> completion_rank;
};

// One problem LoadGen would log as `error_runtime` (n_tokens 0 or 1, first token missing or
// late, double completion, ...). `message` is LoadGen's text.
struct RuntimeError {
  std::chrono::nanoseconds at{0};
  std::string message;
};

// Why issuing stopped.
enum class EndReason {
  kAllQueriesIssued,      // Server / Offline / accuracy: every generated query went out
  kMinimumsMet,           // SingleStream: min_query_count and min_duration met ("naturally")
  kRanOutOfQueries,       // SingleStream: the pre-generated list ended first (an error)
  kMaxQueryCountReached,  // max_query_count hit (LoadGen logs an error)
  kMaxDurationReached,    // max_duration hit (LoadGen logs an error)
  kCompletionTimedOut,    // our own bound: the SUT did not complete every sample in time
  kInterrupted,           // stopped from outside (SIGINT/SIGTERM)
};

// A short phrase ("interrupted", "completion timed out"), as the runner's result event says it.
std::string_view to_string(EndReason reason);

struct RunRecord {
  EffectiveSettings settings;
  QueryPhase phase = QueryPhase::kPerformance;
  std::vector<SettingsDiagnostic> settings_diagnostics;  // from loading the settings

  std::string sut_name;
  std::string qsl_name;
  QslCounts qsl;
  std::vector<uint64_t> loaded_set;  // LoadGen's loaded_qsl_set, in load order

  // What query generation produced (generated_query_count / _samples_per_query / _duration).
  uint64_t generated_query_count = 0;
  uint64_t generated_samples_per_query = 0;
  std::chrono::nanoseconds generated_query_duration{0};

  // Wall-clock time issuing started (test_datetime, power_begin) and ended (power_end).
  std::chrono::system_clock::time_point started_wall;
  std::chrono::system_clock::time_point ended_wall;

  uint64_t queries_issued = 0;
  std::vector<SampleRecord> samples;  // in issue order: samples[i].sequence_id == i
  std::vector<RuntimeError> errors;
  std::vector<std::string> warnings;  // LoadGen's warning_generic_message texts
  EndReason end_reason = EndReason::kAllQueriesIssued;
};

}  // namespace mlbench::loadgen
