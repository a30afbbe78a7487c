#include "mlbench/loadgen/accuracy_log.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <vector>

#include "log_format.h"

namespace mlbench::loadgen {
namespace {

// Samples that never completed have no rank; they go last.
constexpr uint64_t kNever = std::numeric_limits<uint64_t>::max();

// LoadGen writes an entry when a sample completes, so the file is in completion order.
std::vector<const SampleRecord*> in_completion_order(const RunRecord& record) {
  std::vector<const SampleRecord*> logged;
  for (const SampleRecord& sample : record.samples) {
    if (sample.in_accuracy_log) logged.push_back(&sample);
  }
  std::stable_sort(logged.begin(), logged.end(), [](const SampleRecord* a, const SampleRecord* b) {
    return a->completion_rank.value_or(kNever) < b->completion_rank.value_or(kNever);
  });
  return logged;
}

std::string quoted_hex(const std::vector<std::byte>& bytes) {
  return "\"" + log_format::upper_hex(bytes) + "\"";
}

}  // namespace

std::string render_accuracy_log(const RunRecord& record) {
  const bool tokens = record.settings.use_token_latencies;
  // LoadGen asks the SUT for first tokens in every scenario but Offline, and logs them.
  const bool first_tokens = tokens && record.settings.scenario != Scenario::kOffline;
  std::string text = "[";
  bool first = true;
  for (const SampleRecord* sample : in_completion_order(record)) {
    text += first ? "\n{ " : ",\n{ ";
    first = false;
    fmt::format_to(std::back_inserter(text), "\"seq_id\" : {}, \"qsl_idx\" : {}, \"data\" : {}",
                   sample->sequence_id, sample->qsl_index, quoted_hex(sample->data));
    if (first_tokens) {
      fmt::format_to(std::back_inserter(text), ", \"token_data\" : {}",
                     quoted_hex(sample->first_token_data));
    }
    if (tokens)
      fmt::format_to(std::back_inserter(text), ", \"token_count\" : {}", sample->n_tokens);
    text += " }";
  }
  text += "\n]\n";
  return text;
}

}  // namespace mlbench::loadgen
