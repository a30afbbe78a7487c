#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "mlbench/core/result.h"

namespace mlbench::accuracy {

// One answer from mlperf_log_accuracy.json, its data decoded to token ids.
struct LoggedSample {
  std::size_t entry = 0;  // position in the log's list, from 0
  std::uint64_t seq_id = 0;
  std::uint64_t qsl_idx = 0;
  std::vector<std::int32_t> token_ids;
};

struct AccuracyLog {
  // One per qsl_idx, the first the log holds, in log order: what MLPerf's evaluation.py scores.
  std::vector<LoggedSample> samples;
  std::size_t entries = 0;  // entries in the log, repeats included
  std::string sha256;       // of the log's bytes, for accuracy.txt's hash= line
};

// mlperf_log_accuracy.json as LoadGen writes it: a JSON list of {"seq_id", "qsl_idx", "data"
// [, "token_data", "token_count"]}, `data` the response bytes in hex, which for llama3.1-8b are
// int32 little-endian token ids. Fails, naming the entry (its index, seq_id and qsl_idx), on text
// that is not JSON (a log cut short), an entry without qsl_idx or data, hex of odd length or with
// a non-hex digit, and data that is not a whole number of int32 ids. `where` names the log.
Result<AccuracyLog> parse_accuracy_log(std::string_view text, std::string_view where);
Result<AccuracyLog> read_accuracy_log(const std::filesystem::path& path);

// Hex (either case) to int32 little-endian values; the message says what is wrong.
Result<std::vector<std::int32_t>> token_ids_from_hex(std::string_view hex);

}  // namespace mlbench::accuracy
