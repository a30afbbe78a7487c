#include "mlbench/report/accuracy_result.h"

#include <fmt/format.h>

#include <cctype>
#include <nlohmann/json.hpp>

#include "report/text.h"

namespace mlbench::report {
namespace {

using ordered = nlohmann::ordered_json;

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

void read_verdict(AccuracyResult& result, const std::string& name, const ordered& value,
                  const std::string& file) {
  if (value.is_boolean()) {
    result.passed = value.get<bool>();
    result.verdict = *result.passed ? "pass" : "fail";
    return;
  }
  if (value.is_string()) {
    result.verdict = value.get<std::string>();
    const std::string text = lower(result.verdict);
    if (text.starts_with("pass"))
      result.passed = true;
    else if (text.starts_with("fail"))
      result.passed = false;
    return;
  }
  result.problems.push_back(
      Error{ErrorCode::kParse, fmt::format("'{}' must be a string or a boolean", name), file});
}

void flatten(AccuracyResult& result, const std::string& prefix, const ordered& object,
             const std::string& file) {
  for (const auto& [key, value] : object.items()) {
    const std::string name = prefix.empty() ? key : prefix + "." + key;
    if (prefix.empty() && (key == "verdict" || key == "passed")) {
      read_verdict(result, name, value, file);
    } else if (value.is_object()) {
      flatten(result, name, value, file);
    } else if (value.is_number()) {
      result.metrics.emplace_back(name, value.get<double>());
    } else if (value.is_string()) {
      const std::string text = value.get<std::string>();
      if (const auto number = text::parse_double(text))
        result.metrics.emplace_back(name, *number);
      else
        result.texts.emplace_back(name, text);
    } else if (value.is_boolean()) {
      result.texts.emplace_back(name, value.get<bool>() ? "true" : "false");
    }
    // Lists (per-sample scores, say) are left to the tools that wrote them.
  }
}

}  // namespace

AccuracyResult parse_accuracy_result(std::string_view content, const std::string& file) {
  AccuracyResult result;
  const ordered json = ordered::parse(content, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object()) {
    result.problems.push_back(
        Error{ErrorCode::kParse, "not a JSON object (truncated or damaged)", file});
    return result;
  }
  flatten(result, "", json, file);
  return result;
}

}  // namespace mlbench::report
