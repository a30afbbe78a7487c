#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace mlbench::model::tokenizer {

// Length in bytes of the longest prefix of `text` that is well-formed UTF-8 (RFC 3629: no
// overlong forms, no surrogates, nothing above U+10FFFF). Equal to text.size() when all of it is.
std::size_t valid_utf8_prefix(std::string_view bytes);

// Bytes to text the way Python's bytes.decode("utf-8", errors="replace") does it: each maximal
// ill-formed subpart (Unicode §3.9, "U+FFFD substitution of maximal subparts") becomes one U+FFFD.
// Rust's String::from_utf8_lossy and WHATWG's TextDecoder follow the same rule, so Hugging Face's
// decoders and Tokenizers.js agree with it.
std::string decode_utf8_lossy(std::string_view bytes);

// Reads the code point at `at` of well-formed UTF-8 and moves `at` past it.
char32_t next_code_point(std::string_view text, std::size_t& at);

// Appends the UTF-8 encoding of a code point below 0x110000.
void append_utf8(std::string& out, char32_t code_point);

}  // namespace mlbench::model::tokenizer
