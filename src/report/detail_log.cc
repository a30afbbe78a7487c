#include "mlbench/report/detail_log.h"

#include <fmt/format.h>

#include "report/text.h"

namespace mlbench::report {
namespace {

constexpr std::string_view kPrefix = ":::MLLOG ";

// LoadGen prints an empty std::vector as `]` and an empty map as `}` (its ArgValueTransform
// writes the opening bracket only before the first element). Repair just that shape.
std::string repair_empty_containers(std::string_view json) {
  std::string fixed(json);
  for (const auto& [broken, repaired] : {std::pair{"\"value\": ],", "\"value\": [],"},
                                         std::pair{"\"value\": },", "\"value\": {},"}}) {
    const size_t at = fixed.find(broken);
    if (at != std::string::npos) fixed.replace(at, std::string_view(broken).size(), repaired);
  }
  return fixed;
}

std::string as_text(const nlohmann::json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

bool flag(const nlohmann::json& metadata, const char* name) {
  if (!metadata.is_object()) return false;
  const auto found = metadata.find(name);
  return found != metadata.end() && found->is_boolean() && found->get<bool>();
}

void parse_line(DetailLog& log, std::string_view line, size_t number, const std::string& file) {
  auto problem = [&](std::string message) {
    log.problems.push_back(Error{ErrorCode::kParse, std::move(message), text::where(file, number)});
  };
  if (!line.starts_with(kPrefix)) {
    problem(
        fmt::format("does not start with '{}': not a LoadGen detail log line (the official "
                    "checker rejects the file)",
                    text::trim(kPrefix)));
    return;
  }
  const std::string_view body = line.substr(kPrefix.size());
  nlohmann::json entry = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (entry.is_discarded()) {
    entry = nlohmann::json::parse(repair_empty_containers(body), nullptr, false);
  }
  if (entry.is_discarded() || !entry.is_object()) {
    problem("not one complete JSON object after ':::MLLOG' (truncated or damaged line)");
    return;
  }
  const auto key = entry.find("key");
  const auto value = entry.find("value");
  if (key == entry.end() || !key->is_string() || value == entry.end()) {
    problem("the entry has no string 'key' or no 'value'");
    return;
  }
  DetailEntry parsed{.value = std::move(*value), .line = number};
  if (const auto time = entry.find("time_ms"); time != entry.end() && time->is_number()) {
    parsed.time_ms = time->get<double>();
  }
  std::string name = key->get<std::string>();
  const auto metadata = entry.find("metadata");
  if (metadata != entry.end()) {
    if (flag(*metadata, "is_error")) log.errors.push_back({name, as_text(parsed.value), number});
    if (flag(*metadata, "is_warning"))
      log.warnings.push_back({name, as_text(parsed.value), number});
  }
  log.first.try_emplace(std::move(name), std::move(parsed));
}

const DetailEntry* typed(const DetailLog& log, std::string_view key, const std::string& file,
                         std::vector<Error>& problems, bool (nlohmann::json::*is)() const noexcept,
                         std::string_view type) {
  const DetailEntry* entry = log.find(key);
  if (entry == nullptr) return nullptr;
  if ((entry->value.*is)()) return entry;
  problems.push_back(Error{ErrorCode::kParse,
                           fmt::format("'{}' is {}, not {}", key, entry->value.dump(), type),
                           text::where(file, entry->line)});
  return nullptr;
}

}  // namespace

const DetailEntry* DetailLog::find(std::string_view key) const {
  const auto found = first.find(std::string(key));
  return found == first.end() ? nullptr : &found->second;
}

DetailLog parse_detail_log(std::string_view content, const std::string& file) {
  DetailLog log;
  const std::vector<std::string_view> lines = text::lines(content);
  log.line_count = lines.size();
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].empty()) continue;
    parse_line(log, lines[i], i + 1, file);
  }
  if (lines.empty()) {
    log.problems.push_back(
        Error{ErrorCode::kParse, "the file is empty (LoadGen writes at least its header)", file});
  } else if (!content.ends_with('\n')) {
    // LoadGen ends every entry with a newline; a last line without one was cut short, even if
    // it happens to parse.
    log.problems.push_back(Error{ErrorCode::kParse,
                                 "the last line has no newline: the file was cut short",
                                 text::where(file, lines.size())});
  }
  return log;
}

std::optional<int64_t> detail_int(const DetailLog& log, std::string_view key,
                                  const std::string& file, std::vector<Error>& problems) {
  const DetailEntry* entry =
      typed(log, key, file, problems, &nlohmann::json::is_number_integer, "an integer");
  if (entry == nullptr) return std::nullopt;
  if (entry->value.is_number_unsigned()) {
    return static_cast<int64_t>(entry->value.get<uint64_t>());
  }
  return entry->value.get<int64_t>();
}

std::optional<double> detail_number(const DetailLog& log, std::string_view key,
                                    const std::string& file, std::vector<Error>& problems) {
  const DetailEntry* entry =
      typed(log, key, file, problems, &nlohmann::json::is_number, "a number");
  if (entry == nullptr) return std::nullopt;
  return entry->value.get<double>();
}

std::optional<bool> detail_bool(const DetailLog& log, std::string_view key, const std::string& file,
                                std::vector<Error>& problems) {
  const DetailEntry* entry =
      typed(log, key, file, problems, &nlohmann::json::is_boolean, "true or false");
  if (entry == nullptr) return std::nullopt;
  return entry->value.get<bool>();
}

std::optional<std::string> detail_string(const DetailLog& log, std::string_view key,
                                         const std::string& file, std::vector<Error>& problems) {
  const DetailEntry* entry =
      typed(log, key, file, problems, &nlohmann::json::is_string, "a string");
  if (entry == nullptr) return std::nullopt;
  return entry->value.get<std::string>();
}

}  // namespace mlbench::report
