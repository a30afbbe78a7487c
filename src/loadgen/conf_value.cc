#include "conf_value.h"

#include <fmt/format.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace mlbench::loadgen::detail {
namespace {

bool reads_fully(const std::string& text, const char* end) {
  return end == text.c_str() + text.size();
}

// "010" and "-07": base-0 strtoull reads these as octal, strtod as decimal.
bool looks_octal(const std::string& text) {
  size_t digits = (!text.empty() && (text[0] == '+' || text[0] == '-')) ? 1 : 0;
  return text.size() > digits + 1 && text[digits] == '0' && text[digits + 1] >= '0' &&
         text[digits + 1] <= '9';
}

}  // namespace

bool loadgen_accepts_value(const std::string& text) {
  char* end = nullptr;
  (void)std::strtoul(text.c_str(), &end, 0);
  if (reads_fully(text, end)) return true;
  (void)std::strtod(text.c_str(), &end);
  return reads_fully(text, end);
}

Reading<uint64_t> read_unsigned_like_loadgen(const std::string& text, uint64_t multiplier) {
  Reading<uint64_t> reading;
  char* end = nullptr;
  errno = 0;
  const unsigned long long parsed = std::strtoull(text.c_str(), &end, 0);
  const bool out_of_range = errno == ERANGE;
  // Unsigned multiplication wraps, exactly as LoadGen's does.
  reading.value = static_cast<uint64_t>(parsed) * multiplier;

  if (!reads_fully(text, end)) {
    reading.surprise = fmt::format(
        "'{}' is not an integer; LoadGen reads only its leading integer here, giving {}", text,
        reading.value);
  } else if (out_of_range) {
    reading.surprise = fmt::format("'{}' does not fit in 64 bits; LoadGen saturates it to {}", text,
                                   reading.value);
  } else if (!text.empty() && text[0] == '-' && parsed != 0) {
    reading.surprise =
        fmt::format("'{}' is negative; LoadGen wraps it around to {}", text, reading.value);
  } else if (looks_octal(text)) {
    reading.surprise = fmt::format("'{}' has a leading 0, so LoadGen reads it as octal, giving {}",
                                   text, reading.value);
  } else if (multiplier != 0 && reading.value / multiplier != parsed) {
    reading.surprise =
        fmt::format("'{}' times the unit factor {} overflows 64 bits; LoadGen wraps it to {}", text,
                    multiplier, reading.value);
  }
  return reading;
}

Reading<double> read_double_like_loadgen(const std::string& text, double multiplier) {
  Reading<double> reading;
  reading.value = std::strtod(text.c_str(), nullptr) * multiplier;
  if (!std::isfinite(reading.value)) {
    reading.surprise = fmt::format("'{}' gives the non-finite value {}", text, reading.value);
  }
  return reading;
}

}  // namespace mlbench::loadgen::detail
