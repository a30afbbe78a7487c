#include "model/tokenizer/byte_level.h"

#include <array>

#include "model/tokenizer/utf8.h"

namespace mlbench::model::tokenizer {
namespace {

constexpr bool stands_for_itself(unsigned byte) {
  return (byte >= 33 && byte <= 126) || (byte >= 161 && byte <= 172) || (byte >= 174);
}

constexpr std::array<char32_t, 256> make_byte_table() {
  std::array<char32_t, 256> table{};
  char32_t next = 256;
  for (unsigned byte = 0; byte < 256; ++byte) {
    table[byte] = stands_for_itself(byte) ? byte : next++;
  }
  return table;
}

constexpr std::array<char32_t, 256> kByteToCodePoint = make_byte_table();

// The inverse, over the code points 0–323 the alphabet uses; -1 marks the unused ones.
constexpr std::array<std::int16_t, 324> make_inverse_table() {
  std::array<std::int16_t, 324> table{};
  for (auto& entry : table)
    entry = -1;
  for (unsigned byte = 0; byte < 256; ++byte) {
    table[kByteToCodePoint[byte]] = static_cast<std::int16_t>(byte);
  }
  return table;
}

constexpr std::array<std::int16_t, 324> kCodePointToByte = make_inverse_table();

}  // namespace

char32_t byte_to_code_point(std::uint8_t byte) {
  return kByteToCodePoint[byte];
}

std::optional<std::string> byte_level_to_bytes(std::string_view token) {
  std::string bytes;
  bytes.reserve(token.size());
  std::size_t at = 0;
  while (at < token.size()) {
    const char32_t code_point = next_code_point(token, at);
    if (code_point >= kCodePointToByte.size() || kCodePointToByte[code_point] < 0) {
      return std::nullopt;
    }
    bytes.push_back(static_cast<char>(kCodePointToByte[code_point]));
  }
  return bytes;
}

std::string bytes_to_byte_level(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const char byte : bytes)
    append_utf8(out, kByteToCodePoint[static_cast<std::uint8_t>(byte)]);
  return out;
}

}  // namespace mlbench::model::tokenizer
