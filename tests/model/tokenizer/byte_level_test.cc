#include "model/tokenizer/byte_level.h"

#include <gtest/gtest.h>

#include <set>

namespace mlbench::model::tokenizer {
namespace {

TEST(ByteLevel, AlphabetIsGpt2s) {
  EXPECT_EQ(byte_to_code_point('A'), U'A');
  EXPECT_EQ(byte_to_code_point(' '), U'\u0120');   // "Ġ"
  EXPECT_EQ(byte_to_code_point('\n'), U'\u010A');  // "Ċ"
  EXPECT_EQ(byte_to_code_point(0), U'\u0100');
  EXPECT_EQ(byte_to_code_point(0xAD), U'\u0143');  // the last of the 68 remapped bytes
  std::set<char32_t> seen;
  for (unsigned byte = 0; byte < 256; ++byte)
    seen.insert(byte_to_code_point(byte));
  EXPECT_EQ(seen.size(), 256u);
}

TEST(ByteLevel, RoundTripsEveryByte) {
  std::string all;
  for (unsigned byte = 0; byte < 256; ++byte)
    all.push_back(static_cast<char>(byte));
  EXPECT_EQ(byte_level_to_bytes(bytes_to_byte_level(all)), all);
  EXPECT_EQ(bytes_to_byte_level(" hello\n"), "ĠhelloĊ");
}

TEST(ByteLevel, RejectsCharactersOutsideTheAlphabet) {
  EXPECT_EQ(byte_level_to_bytes("a b"), std::nullopt);  // a raw space is not in the alphabet
  EXPECT_EQ(byte_level_to_bytes("中"), std::nullopt);
  EXPECT_EQ(byte_level_to_bytes("<|eot_id|>"), "<|eot_id|>");
}

}  // namespace
}  // namespace mlbench::model::tokenizer
