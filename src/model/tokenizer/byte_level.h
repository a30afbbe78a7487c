#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mlbench::model::tokenizer {

// GPT-2's byte-level alphabet, which Llama 3 keeps: every byte stands for one printable code
// point, so a vocabulary of strings can hold arbitrary bytes. Bytes 33–126, 161–172 and 174–255
// stand for themselves; the other 68 take 256, 257, … in byte order.
char32_t byte_to_code_point(std::uint8_t byte);

// A vocabulary string written in that alphabet, turned back into the bytes it stands for.
// nullopt when some character is outside the alphabet (such a token, e.g. an added one, stands
// for its own UTF-8 bytes). `token` must be well-formed UTF-8.
std::optional<std::string> byte_level_to_bytes(std::string_view token);

// Bytes written in the alphabet: the form tokenizer.json uses for vocabulary and merges.
std::string bytes_to_byte_level(std::string_view bytes);

}  // namespace mlbench::model::tokenizer
