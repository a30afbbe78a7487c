#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mlbench/core/result.h"

// Small text helpers the report's parsers share.
namespace mlbench::report::text {

// The whole file; kNotFound when it does not exist, kIo when it cannot be read.
Result<std::string> read_file(const std::filesystem::path& path);

// Splits at '\n', dropping one trailing '\r' per line and the empty piece after a final '\n'.
// Views point into `text`.
std::vector<std::string_view> lines(std::string_view text);

std::string_view trim(std::string_view text);

// Whole-string numbers only: "12x", "" and " 1" are nullopt.
std::optional<int64_t> parse_int(std::string_view text);
std::optional<double> parse_double(std::string_view text);

// "file:line" for Error::where (lines count from 1).
std::string where(const std::string& file, size_t line);

}  // namespace mlbench::report::text
