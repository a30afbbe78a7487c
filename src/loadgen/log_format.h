#pragma once

#include <chrono>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

// How LoadGen prints values into its log files, reproduced with fmt (no iostreams).

namespace mlbench::loadgen::log_format {

// A double as an ostream with default flags prints it: %g with 6 significant digits
// ("30.1146", "2e+08", "40"). Non-finite values print as Python's json reads them.
std::string ostream_double(double value);

// LoadGen's DoubleToString(value, precision): fixed notation ("7.56", "90.0").
std::string fixed(double value, int precision = 2);

// A JSON string literal, quoted and escaped. (LoadGen quotes without escaping; escaping only
// differs where LoadGen would have written invalid JSON.)
std::string json_string(std::string_view text);

// Bytes as uppercase hex, two characters each, without quotes.
std::string upper_hex(std::span<const std::byte> bytes);

// "2026-11-22T14:51:53Z" (LoadGen's test_datetime).
std::string iso8601_utc(std::chrono::system_clock::time_point time);
// "11-22-2026 14:51:53.403" in UTC (LoadGen's power_begin / power_end).
std::string power_timestamp(std::chrono::system_clock::time_point time);

}  // namespace mlbench::loadgen::log_format
