#include "mlbench/model/gpu_list.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace mlbench::model {
namespace {

constexpr std::string_view kWhere = "--gpus";
constexpr std::string_view kFix = "give GPU indices separated by commas, as in --gpus 0,1";

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

Result<int> parse_index(std::string_view piece, std::string_view whole) {
  if (piece.empty()) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("'{}' has an empty entry; {}", whole, kFix), std::string(kWhere));
  }
  int index = -1;
  const char* end = piece.data() + piece.size();
  const auto parsed = std::from_chars(piece.data(), end, index);
  if (parsed.ec == std::errc::result_out_of_range) {
    return fail(ErrorCode::kInvalidArgument, fmt::format("GPU index '{}' is out of range", piece),
                std::string(kWhere));
  }
  if (parsed.ec != std::errc{} || parsed.ptr != end || index < 0) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("'{}' is not a GPU index (0, 1, ...); {}", piece, kFix),
                std::string(kWhere));
  }
  return index;
}

}  // namespace

Result<std::vector<int>> parse_gpu_list(std::string_view text) {
  if (trim(text).empty()) return std::vector<int>{0};
  std::vector<int> gpus;
  std::size_t begin = 0;
  while (true) {
    const std::size_t comma = text.find(',', begin);
    const std::string_view piece =
        trim(text.substr(begin, comma == std::string_view::npos ? comma : comma - begin));
    auto index = parse_index(piece, text);
    if (!index) return index.failure();
    if (std::find(gpus.begin(), gpus.end(), *index) != gpus.end()) {
      return fail(ErrorCode::kInvalidArgument,
                  fmt::format("GPU {} is named twice in '{}'; each GPU runs one engine, so name it "
                              "once",
                              *index, text),
                  std::string(kWhere));
    }
    gpus.push_back(*index);
    if (comma == std::string_view::npos) return gpus;
    begin = comma + 1;
  }
}

}  // namespace mlbench::model
