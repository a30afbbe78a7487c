#pragma once

// Small RunRecords for tests: a settings derivation plus samples with chosen times.

#include <chrono>
#include <cstdint>

#include "mlbench/loadgen/effective_settings.h"
#include "mlbench/loadgen/run_record.h"

namespace mlbench::loadgen::testing {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;

inline EffectiveSettings derived(const TestSettings& requested, QslCounts qsl = {100, 100}) {
  auto result = derive_effective_settings(requested, qsl);
  return result.value().settings;
}

// A completed sample issued (and scheduled) at `issued`, first token after `ttft`, done after
// `latency`, with `tokens` output tokens.
inline SampleRecord completed_sample(uint64_t sequence, nanoseconds issued, nanoseconds ttft,
                                     nanoseconds latency, int64_t tokens) {
  SampleRecord sample;
  sample.sequence_id = sequence;
  sample.query_id = sequence;
  sample.qsl_index = sequence % 100;
  sample.scheduled = issued;
  sample.issued = issued;
  sample.first_token = issued + ttft;
  sample.completed = issued + latency;
  sample.n_tokens = tokens;
  sample.completion_rank = sequence;
  return sample;
}

}  // namespace mlbench::loadgen::testing
