#pragma once

// How LoadGen turns conf value text into numbers. It checks a value only once, at parse time
// (it must read fully as strtoul or as strtod), and later converts it per key with strtoull or
// strtod without checking; these helpers reproduce both steps and describe any surprise.

#include <cstdint>
#include <optional>
#include <string>

namespace mlbench::loadgen::detail {

// LoadGen's parse-time test: the whole text reads as strtoul(…, 0) or as strtod.
bool loadgen_accepts_value(const std::string& text);

template <typename T>
struct Reading {
  T value{};
  // Set when LoadGen's value is probably not what the author meant (e.g. "6e5" read as 6).
  std::optional<std::string> surprise;
};

// strtoull(text, nullptr, 0) * multiplier, wrapping like LoadGen's uint64 arithmetic.
Reading<uint64_t> read_unsigned_like_loadgen(const std::string& text, uint64_t multiplier);

// strtod(text, nullptr) * multiplier.
Reading<double> read_double_like_loadgen(const std::string& text, double multiplier);

}  // namespace mlbench::loadgen::detail
