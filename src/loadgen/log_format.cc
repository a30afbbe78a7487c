#include "log_format.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <cmath>

namespace mlbench::loadgen::log_format {

std::string ostream_double(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  // fmt's `g` defaults to precision 6, as ostream does, and rounds exactly as printf does.
  return fmt::format("{:g}", value);
}

std::string fixed(double value, int precision) {
  return fmt::format("{:.{}f}", value, precision);
}

std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(static_cast<unsigned char>(c)));
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

std::string upper_hex(std::span<const std::byte> bytes) {
  static constexpr std::string_view kDigits = "0123456789ABCDEF";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const std::byte b : bytes) {
    const auto value = std::to_integer<unsigned>(b);
    out += kDigits[value >> 4];
    out += kDigits[value & 0x0F];
  }
  return out;
}

std::string iso8601_utc(std::chrono::system_clock::time_point time) {
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", std::chrono::floor<std::chrono::seconds>(time));
}

std::string power_timestamp(std::chrono::system_clock::time_point time) {
  const auto seconds = std::chrono::floor<std::chrono::seconds>(time);
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(time - seconds);
  return fmt::format("{:%m-%d-%Y %H:%M:%S}.{:03}", seconds, millis.count());
}

}  // namespace mlbench::loadgen::log_format
