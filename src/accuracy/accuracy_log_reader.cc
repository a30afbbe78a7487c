#include "mlbench/accuracy/accuracy_log_reader.h"

#include <fmt/format.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <optional>
#include <unordered_set>

#include "accuracy/sha256.h"

namespace mlbench::accuracy {
namespace {

using nlohmann::json;

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::uint64_t> unsigned_field(const json& entry, const char* key) {
  const auto found = entry.find(key);
  if (found == entry.end() || !found->is_number_unsigned()) return std::nullopt;
  return found->get<std::uint64_t>();
}

// "entry 4 (seq_id 9, qsl_idx 17)", with whatever of the two the entry has.
std::string describe_entry(std::size_t index, const json& entry) {
  std::string text = fmt::format("entry {}", index);
  if (!entry.is_object()) return text;
  const auto seq_id = unsigned_field(entry, "seq_id");
  const auto qsl_idx = unsigned_field(entry, "qsl_idx");
  if (seq_id && qsl_idx) return fmt::format("{} (seq_id {}, qsl_idx {})", text, *seq_id, *qsl_idx);
  if (seq_id) return fmt::format("{} (seq_id {})", text, *seq_id);
  if (qsl_idx) return fmt::format("{} (qsl_idx {})", text, *qsl_idx);
  return text;
}

Result<LoggedSample> read_entry(std::size_t index, const json& entry, std::string_view where) {
  const auto entry_error = [&](std::string message) {
    return fail(ErrorCode::kParse, std::move(message),
                fmt::format("{}: {}", where, describe_entry(index, entry)));
  };
  if (!entry.is_object()) return entry_error("not a JSON object");
  const auto qsl_idx = unsigned_field(entry, "qsl_idx");
  if (!qsl_idx) return entry_error("'qsl_idx' is missing or not a non-negative integer");
  const auto data = entry.find("data");
  if (data == entry.end() || !data->is_string()) {
    return entry_error("'data' is missing or not a string");
  }
  auto ids = token_ids_from_hex(data->get_ref<const std::string&>());
  if (!ids) return entry_error(fmt::format("'data': {}", ids.error().message));
  LoggedSample sample;
  sample.entry = index;
  sample.seq_id = unsigned_field(entry, "seq_id").value_or(0);
  sample.qsl_idx = *qsl_idx;
  sample.token_ids = std::move(*ids);
  return sample;
}

}  // namespace

Result<std::vector<std::int32_t>> token_ids_from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) {
    return fail(ErrorCode::kParse,
                fmt::format("{} hex digits, an odd number (each byte takes two)", hex.size()));
  }
  if (hex.size() % 8 != 0) {
    return fail(ErrorCode::kParse, fmt::format("{} bytes, not a whole number of 4-byte int32 "
                                               "token ids",
                                               hex.size() / 2));
  }
  std::vector<std::int32_t> ids(hex.size() / 8);
  for (std::size_t i = 0; i < ids.size(); ++i) {
    std::uint32_t value = 0;
    for (std::size_t byte = 0; byte < 4; ++byte) {
      const std::size_t at = 8 * i + 2 * byte;
      const int high = hex_digit(hex[at]);
      const int low = hex_digit(hex[at + 1]);
      if (high < 0 || low < 0) {
        const std::size_t bad = high < 0 ? at : at + 1;
        return fail(ErrorCode::kParse,
                    fmt::format("'{}' at offset {} is not a hex digit", hex[bad], bad));
      }
      // Little-endian: the first byte is the lowest.
      value |= static_cast<std::uint32_t>(high * 16 + low) << (8 * byte);
    }
    std::int32_t id = 0;
    std::memcpy(&id, &value, sizeof id);
    ids[i] = id;
  }
  return ids;
}

Result<AccuracyLog> parse_accuracy_log(std::string_view text, std::string_view where) {
  json root;
  try {
    root = json::parse(text);
  } catch (const json::parse_error& error) {
    return fail(ErrorCode::kParse,
                fmt::format("not valid JSON (a log cut short by a crash or a full disk reads "
                            "like this): {}",
                            error.what()),
                std::string(where));
  }
  if (!root.is_array()) {
    return fail(ErrorCode::kParse, "not a JSON list of {seq_id, qsl_idx, data} entries",
                std::string(where));
  }
  AccuracyLog log;
  log.entries = root.size();
  log.sha256 = sha256_hex(text);
  std::unordered_set<std::uint64_t> seen;
  for (std::size_t i = 0; i < root.size(); ++i) {
    auto sample = read_entry(i, root[i], where);
    if (!sample) return sample.failure();
    // evaluation.py keeps the first answer for each sample and drops the rest.
    if (seen.insert(sample->qsl_idx).second) log.samples.push_back(std::move(*sample));
  }
  return log;
}

Result<AccuracyLog> read_accuracy_log(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorCode::kNotFound, "cannot open the accuracy log", path.string());
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) return fail(ErrorCode::kIo, "cannot read the accuracy log", path.string());
  return parse_accuracy_log(text, path.string());
}

}  // namespace mlbench::accuracy
