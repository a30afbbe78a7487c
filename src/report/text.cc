#include "report/text.h"

#include <fmt/format.h>

#include <charconv>
#include <fstream>
#include <sstream>

namespace mlbench::report::text {

Result<std::string> read_file(const std::filesystem::path& path) {
  std::error_code error;
  if (!std::filesystem::exists(path, error)) {
    return fail(ErrorCode::kNotFound, "file is missing", path.string());
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorCode::kIo, "cannot open for reading", path.string());
  std::stringstream content;
  content << in.rdbuf();
  if (in.bad()) return fail(ErrorCode::kIo, "read failed", path.string());
  return content.str();
}

std::vector<std::string_view> lines(std::string_view text) {
  std::vector<std::string_view> result;
  size_t begin = 0;
  while (begin < text.size()) {
    size_t end = text.find('\n', begin);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(begin, end - begin);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    result.push_back(line);
    begin = end + 1;
  }
  return result;
}

std::string_view trim(std::string_view text) {
  const size_t first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const size_t last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

std::optional<int64_t> parse_int(std::string_view text) {
  int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) return {};
  return value;
}

std::optional<double> parse_double(std::string_view text) {
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) return {};
  return value;
}

std::string where(const std::string& file, size_t line) {
  return fmt::format("{}:{}", file, line);
}

}  // namespace mlbench::report::text
