#include "mlbench/report/accuracy_log.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <unordered_set>

#include "report/text.h"

namespace mlbench::report {
namespace {

size_t line_of_byte(std::string_view text, size_t byte) {
  byte = std::min(byte, text.size());
  return 1 + static_cast<size_t>(std::count(text.begin(), text.begin() + byte, '\n'));
}

bool is_hex(const std::string& data) {
  return data.size() % 2 == 0 && std::all_of(data.begin(), data.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
         });
}

}  // namespace

AccuracyLogSummary parse_accuracy_log(std::string_view content, const std::string& file) {
  AccuracyLogSummary summary;
  nlohmann::json log;
  try {
    log = nlohmann::json::parse(content);
  } catch (const nlohmann::json::parse_error& error) {
    summary.problems.push_back(Error{
        ErrorCode::kParse, fmt::format("not valid JSON (truncated or damaged): {}", error.what()),
        text::where(file, line_of_byte(content, error.byte))});
    return summary;
  }
  if (!log.is_array()) {
    summary.problems.push_back(
        Error{ErrorCode::kParse, "not a JSON list of responses (LoadGen writes '[ ... ]')", file});
    return summary;
  }
  std::unordered_set<int64_t> samples;
  uint64_t tokens = 0;
  bool has_tokens = false;
  // Entries are one per line after the opening '[' (LoadGen's layout), so entry i is on line
  // i + 2; good enough to point at it.
  for (size_t i = 0; i < log.size(); ++i) {
    const nlohmann::json& entry = log[i];
    auto problem = [&](std::string message) {
      summary.problems.push_back(Error{ErrorCode::kParse,
                                       fmt::format("entry {}: {}", i, std::move(message)),
                                       text::where(file, i + 2)});
    };
    if (!entry.is_object()) {
      problem("not a JSON object");
      continue;
    }
    const auto qsl = entry.find("qsl_idx");
    const auto seq = entry.find("seq_id");
    const auto data = entry.find("data");
    if (qsl == entry.end() || !qsl->is_number_integer() || seq == entry.end() ||
        !seq->is_number_integer()) {
      problem("'seq_id' and 'qsl_idx' must be integers");
      continue;
    }
    if (data == entry.end() || !data->is_string() || !is_hex(data->get<std::string>())) {
      problem("'data' must be a string of hex digits, two per byte");
      continue;
    }
    if (const auto count = entry.find("token_count"); count != entry.end()) {
      if (!count->is_number_integer() || count->get<int64_t>() < 0) {
        problem("'token_count' must be a non-negative integer");
        continue;
      }
      tokens += count->get<uint64_t>();
      has_tokens = true;
    }
    ++summary.entries;
    samples.insert(qsl->get<int64_t>());
  }
  summary.unique_samples = samples.size();
  if (has_tokens) summary.token_count = tokens;
  return summary;
}

}  // namespace mlbench::report
