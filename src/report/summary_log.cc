#include "mlbench/report/summary_log.h"

#include <fmt/format.h>

#include "report/text.h"

namespace mlbench::report {
namespace {

enum class Section { kNone, kResults, kAdditionalStats, kParameters };

constexpr std::string_view kRule = "================================================";

// The blocks of free text LoadGen prints under a header line, each item starting with a space.
std::optional<std::string> block_name(std::string_view line) {
  if (line == "Recommendations:") return std::string("recommendations");
  if (line == "TTFT Early Stopping Result:") return std::string("TTFT");
  if (line == "TPOT Early Stopping Result:") return std::string("TPOT");
  if (line == "Early Stopping Result:") return std::string();
  return std::nullopt;
}

// The footer: "No warnings encountered during test." / "1 warning encountered. See detailed
// log." / "No errors encountered during test." / "3 ERRORS encountered. See detailed log."
std::optional<uint64_t> footer_count(std::string_view line, std::string_view none,
                                     std::string_view one, std::string_view many) {
  if (line == none) return 0;
  const size_t space = line.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  const auto count = text::parse_int(line.substr(0, space));
  if (!count || *count < 0) return std::nullopt;
  const std::string_view rest = line.substr(space + 1);
  for (std::string_view noun : {one, many}) {
    if (rest.starts_with(noun) && rest.substr(noun.size()).starts_with(" encountered.")) {
      return static_cast<uint64_t>(*count);
    }
  }
  return std::nullopt;
}

class SummaryParser {
 public:
  SummaryParser(SummaryLog& log, const std::string& file) : log_(log), file_(file) {}

  void line(size_t number, std::string_view raw) {
    line_ = number;
    if (raw == kRule) return;
    if (raw == "MLPerf Results Summary") return enter(Section::kResults);
    if (raw == "Additional Stats") return enter(Section::kAdditionalStats);
    if (raw == "Test Parameters Used") return enter(Section::kParameters);

    if (block_) {
      if (raw.starts_with(' ')) return block_line(raw);
      block_.reset();
    }
    if (auto name = block_name(raw)) {
      block_ = std::move(*name);
      if (*block_ != "recommendations") log_.early_stopping[*block_];
      return;
    }
    if (auto warnings =
            footer_count(raw, "No warnings encountered during test.", "warning", "warnings")) {
      log_.warning_count = *warnings;
      return;
    }
    if (auto errors = footer_count(raw, "No errors encountered during test.", "ERROR", "ERRORS")) {
      log_.error_count = *errors;
      log_.complete = true;
      return;
    }
    const std::string_view trimmed = text::trim(raw);
    if (trimmed.empty()) return;
    const size_t colon = trimmed.find(':');
    if (colon == std::string_view::npos) return;  // free text (the equal-issue warning lines)
    key_value(text::trim(trimmed.substr(0, colon)), text::trim(trimmed.substr(colon + 1)));
  }

  void finish(size_t line_count) {
    if (!log_.complete) {
      problem(line_count,
              "the file ends without LoadGen's closing line ('No errors encountered during "
              "test.' or 'N ERRORS encountered'): it is truncated; copy it again from the node");
    }
    if (saw_header_ && !log_.valid && log_.mode != "AccuracyOnly") {
      problem(line_count, "no 'Result is : VALID|INVALID' line: the results block is missing");
    }
  }

 private:
  void enter(Section section) {
    section_ = section;
    block_.reset();
    if (section == Section::kResults) saw_header_ = true;
  }

  void block_line(std::string_view raw) {
    const std::string_view trimmed = text::trim(raw);
    if (*block_ == "recommendations") {
      if (trimmed.starts_with("* ")) log_.recommendations.emplace_back(trimmed.substr(2));
      return;
    }
    std::string& text = log_.early_stopping[*block_];
    if (!text.empty()) text += '\n';
    text += trimmed;
  }

  void key_value(std::string_view key, std::string_view value) {
    if (section_ == Section::kResults) {
      if (key == "SUT name") return set_text(log_.sut_name, value);
      if (key == "Scenario") return set_text(log_.scenario, value);
      if (key == "Mode") return set_text(log_.mode, value);
      if (key == "Result is") return verdict(value);
      if (key.ends_with("satisfied")) return condition(key, value);
    }
    if (section_ == Section::kParameters && key.starts_with("WARNING")) return;
    if (section_ == Section::kNone) return;
    if (value.empty()) return;  // a sub-heading such as MultiStream's "Per-query latency:"
    number(key, value);
  }

  void set_text(std::string& field, std::string_view value) {
    if (field.empty()) field = std::string(value);
  }

  void verdict(std::string_view value) {
    if (log_.valid) return;
    if (value == "VALID")
      log_.valid = true;
    else if (value == "INVALID")
      log_.valid = false;
    else
      problem(line_, fmt::format("'Result is' is '{}'; LoadGen writes VALID or INVALID", value));
  }

  void condition(std::string_view key, std::string_view value) {
    for (const auto& [name, met] : log_.conditions) {
      if (name == key) return;
    }
    if (value == "Yes")
      log_.conditions.emplace_back(std::string(key), true);
    else if (value == "NO")
      log_.conditions.emplace_back(std::string(key), false);
    else
      problem(line_, fmt::format("'{}' is '{}'; LoadGen writes Yes or NO", key, value));
  }

  void number(std::string_view key, std::string_view value) {
    if (log_.numbers.contains(key)) return;
    const bool integral = key.ends_with("(ns)") || key.ends_with("(ms)");
    std::optional<double> parsed;
    if (integral) {
      if (const auto whole = text::parse_int(value)) parsed = static_cast<double>(*whole);
    } else {
      parsed = text::parse_double(value);
    }
    if (!parsed) {
      problem(line_, fmt::format("'{}' is '{}', not {}", key, value,
                                 integral ? "an integer" : "a number"));
      return;
    }
    log_.numbers.emplace(std::string(key), *parsed);
    log_.number_lines.emplace(std::string(key), line_);
  }

  void problem(size_t line, std::string message) {
    log_.problems.push_back(Error{ErrorCode::kParse, std::move(message), text::where(file_, line)});
  }

  SummaryLog& log_;
  const std::string& file_;
  Section section_ = Section::kNone;
  std::optional<std::string> block_;
  bool saw_header_ = false;
  size_t line_ = 0;
};

}  // namespace

std::optional<double> SummaryLog::number(std::string_view key) const {
  const auto found = numbers.find(key);
  if (found == numbers.end()) return std::nullopt;
  return found->second;
}

SummaryLog parse_summary_log(std::string_view content, const std::string& file) {
  SummaryLog log;
  SummaryParser parser(log, file);
  const std::vector<std::string_view> lines = text::lines(content);
  for (size_t i = 0; i < lines.size(); ++i)
    parser.line(i + 1, lines[i]);
  parser.finish(lines.size());
  return log;
}

}  // namespace mlbench::report
