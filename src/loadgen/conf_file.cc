#include "mlbench/loadgen/conf_file.h"

#include <fmt/format.h>

#include <optional>
#include <utility>

#include "conf_value.h"

namespace mlbench::loadgen {
namespace {

constexpr std::string_view kConfigErrorKey = "error_invalid_config";

// The characters `istream >> std::string` stops at in the "C" locale.
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

std::vector<std::string> split_tokens(std::string_view line) {
  std::vector<std::string> tokens;
  size_t pos = 0;
  while (pos < line.size()) {
    while (pos < line.size() && is_space(line[pos]))
      ++pos;
    const size_t start = pos;
    while (pos < line.size() && !is_space(line[pos]))
      ++pos;
    if (pos > start) tokens.emplace_back(line.substr(start, pos - start));
  }
  return tokens;
}

// Lines as std::getline yields them: split on '\n', a final line without '\n' still counts.
std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = text.find('\n', start);
    if (end == std::string_view::npos) {
      lines.push_back(text.substr(start));
      break;
    }
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

class LineParser {
 public:
  LineParser(ConfFile& conf, int line_number) : conf_(conf), line_(line_number) {}

  // Follows LoadGen's per-line state machine (key, then "=", then value) token by token, so
  // the same lines are accepted, ignored or refused.
  void parse(const std::vector<std::string>& tokens) {
    for (const std::string& token : tokens) {
      if (token == "#" && state_ != State::kValue) return warn_if_dangling();
      switch (state_) {
        case State::kKey:
          key_ = token;
          state_ = State::kEquals;
          break;
        case State::kEquals:
          if (token != "=") return refuse_missing_equals(token);
          state_ = State::kValue;
          break;
        case State::kValue:
          if (!detail::loadgen_accepts_value(token)) return refuse_value(token);
          store(token);
          break;  // LoadGen keeps reading: a further number on the line replaces this one
      }
    }
    warn_if_dangling();
  }

 private:
  enum class State { kKey, kEquals, kValue };

  bool key_is_comment() const { return key_.starts_with('#'); }

  void store(const std::string& value) {
    if (stored_value_) {
      warn(fmt::format("'{}' follows the value '{}'; LoadGen uses the last number on the line",
                       value, *stored_value_));
    } else if (auto previous = conf_.entries.find(key_); previous != conf_.entries.end()) {
      warn(fmt::format("'{}' is set again; this line replaces line {}", key_,
                       previous->second.line));
    }
    conf_.entries.insert_or_assign(key_, ConfEntry{value, line_});
    stored_value_ = value;
  }

  // A line LoadGen drops without a word: a lone token (often `key=value` without spaces) or a
  // key and "=" with no value.
  void warn_if_dangling() {
    if (state_ == State::kEquals && !key_is_comment()) {
      const bool glued = key_.find('=') != std::string::npos;
      warn(glued ? fmt::format("line ignored: '{}' needs spaces around '=' (LoadGen reads "
                               "`key = value` only)",
                               key_)
                 : fmt::format("line ignored: '{}' has no '= value'", key_));
    } else if (state_ == State::kValue && !stored_value_) {
      warn(fmt::format("line ignored: '{}' has no value after '='", key_));
    }
  }

  void refuse_missing_equals(const std::string& token) {
    conf_.rejected = true;
    conf_.diagnostics.push_back(loadgen_error(kConfigErrorKey, conf_.name, line_,
                                              fmt::format("expected 'key=value', line={}", line_)));
    if (key_is_comment()) {
      warn(fmt::format("'{}' starts a comment only when '#' stands alone, followed by a space",
                       key_));
    } else {
      warn(fmt::format("expected '=' after '{}', found '{}'", key_, token));
    }
  }

  void refuse_value(const std::string& token) {
    conf_.rejected = true;
    conf_.diagnostics.push_back(
        loadgen_error(kConfigErrorKey, conf_.name, line_,
                      fmt::format("value needs to be integer or double, line={}", line_)));
    if (token.starts_with('#')) {
      warn("a comment after a value is not allowed; put comments on their own line");
    } else {
      warn(fmt::format("'{}' is not a number", token));
    }
  }

  void warn(std::string message) {
    conf_.diagnostics.push_back(conf_warning(conf_.name, line_, std::move(message)));
  }

  ConfFile& conf_;
  const int line_;
  State state_ = State::kKey;
  std::string key_;
  std::optional<std::string> stored_value_;
};

}  // namespace

ConfFile parse_conf(std::string_view text, std::string name) {
  ConfFile conf;
  conf.name = std::move(name);
  int line_number = 0;
  for (std::string_view line : split_lines(text)) {
    LineParser(conf, ++line_number).parse(split_tokens(line));
  }
  if (conf.rejected) {
    // LoadGen parses every line before applying any, and applies nothing if one was bad.
    conf.entries.clear();
    conf.diagnostics.push_back(conf_warning(
        conf.name, 0,
        "LoadGen ignores this whole file because of the error(s) above; none of its settings "
        "apply"));
  }
  return conf;
}

}  // namespace mlbench::loadgen
