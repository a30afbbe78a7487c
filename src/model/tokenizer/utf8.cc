#include "model/tokenizer/utf8.h"

#include <cstdint>

namespace mlbench::model::tokenizer {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

// How many bytes of a well-formed sequence start at `at` (1 to 4), or, when the sequence is
// ill-formed, minus the length of its maximal subpart (the bytes that could still have begun a
// valid sequence), which is at least 1.
int scan_sequence(std::string_view bytes, std::size_t at) {
  const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(bytes[i]); };
  const std::uint8_t lead = byte(at);
  if (lead < 0x80) return 1;
  int length = 0;
  std::uint8_t low = 0x80;  // the second byte's range depends on the lead (Table 3-7)
  std::uint8_t high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return -1;
  }
  for (int i = 1; i < length; ++i) {
    if (at + i >= bytes.size()) return -i;
    const std::uint8_t next = byte(at + i);
    const bool in_range = i == 1 ? (next >= low && next <= high) : (next >= 0x80 && next <= 0xBF);
    if (!in_range) return -i;
  }
  return length;
}

}  // namespace

std::size_t valid_utf8_prefix(std::string_view bytes) {
  std::size_t at = 0;
  while (at < bytes.size()) {
    // ASCII dominates real text: skip it eight bytes at a time.
    while (at + 8 <= bytes.size()) {
      std::uint64_t word = 0;
      for (int i = 0; i < 8; ++i) {
        word |= static_cast<std::uint64_t>(static_cast<std::uint8_t>(bytes[at + i])) << (8 * i);
      }
      if (word & 0x8080808080808080ULL) break;
      at += 8;
    }
    if (at >= bytes.size()) break;
    const int length = scan_sequence(bytes, at);
    if (length < 0) return at;
    at += static_cast<std::size_t>(length);
  }
  return bytes.size();
}

std::string decode_utf8_lossy(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  std::size_t at = 0;
  while (at < bytes.size()) {
    const int length = scan_sequence(bytes, at);
    if (length > 0) {
      out.append(bytes.substr(at, static_cast<std::size_t>(length)));
      at += static_cast<std::size_t>(length);
    } else {
      out.append(kReplacement);
      at += static_cast<std::size_t>(-length);
    }
  }
  return out;
}

char32_t next_code_point(std::string_view text, std::size_t& at) {
  const auto byte = [&](std::size_t i) -> char32_t { return static_cast<std::uint8_t>(text[i]); };
  const char32_t lead = byte(at);
  if (lead < 0x80) {
    at += 1;
    return lead;
  }
  if (lead < 0xE0) {
    const char32_t value = ((lead & 0x1F) << 6) | (byte(at + 1) & 0x3F);
    at += 2;
    return value;
  }
  if (lead < 0xF0) {
    const char32_t value =
        ((lead & 0x0F) << 12) | ((byte(at + 1) & 0x3F) << 6) | (byte(at + 2) & 0x3F);
    at += 3;
    return value;
  }
  const char32_t value = ((lead & 0x07) << 18) | ((byte(at + 1) & 0x3F) << 12) |
                         ((byte(at + 2) & 0x3F) << 6) | (byte(at + 3) & 0x3F);
  at += 4;
  return value;
}

void append_utf8(std::string& out, char32_t code_point) {
  const auto push = [&out](unsigned value) { out.push_back(static_cast<char>(value)); };
  if (code_point < 0x80) {
    push(code_point);
  } else if (code_point < 0x800) {
    push(0xC0 | (code_point >> 6));
    push(0x80 | (code_point & 0x3F));
  } else if (code_point < 0x10000) {
    push(0xE0 | (code_point >> 12));
    push(0x80 | ((code_point >> 6) & 0x3F));
    push(0x80 | (code_point & 0x3F));
  } else {
    push(0xF0 | (code_point >> 18));
    push(0x80 | ((code_point >> 12) & 0x3F));
    push(0x80 | ((code_point >> 6) & 0x3F));
    push(0x80 | (code_point & 0x3F));
  }
}

}  // namespace mlbench::model::tokenizer
