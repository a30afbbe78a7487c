#include "model/tokenizer/utf8.h"

#include <gtest/gtest.h>

namespace mlbench::model::tokenizer {
namespace {

// Expected values are what Python's bytes.decode("utf-8", errors="replace") returns.
TEST(Utf8Lossy, ReplacesEachMaximalSubpartOnce) {
  EXPECT_EQ(decode_utf8_lossy("plain"), "plain");
  EXPECT_EQ(decode_utf8_lossy("\xE4\xB8\xAD"), "中");
  EXPECT_EQ(decode_utf8_lossy("\xE4\xB8"), "\uFFFD");                  // truncated
  EXPECT_EQ(decode_utf8_lossy("\xF0\x9F\x98!"), "\uFFFD!");            // truncated 4-byte
  EXPECT_EQ(decode_utf8_lossy("\x80\xBF"), "\uFFFD\uFFFD");            // lone continuations
  EXPECT_EQ(decode_utf8_lossy("\xC0\xAF"), "\uFFFD\uFFFD");            // overlong lead
  EXPECT_EQ(decode_utf8_lossy("\xE0\x80\xAF"), "\uFFFD\uFFFD\uFFFD");  // overlong 3-byte
  EXPECT_EQ(decode_utf8_lossy("\xED\xA0\x80"), "\uFFFD\uFFFD\uFFFD");  // surrogate
  EXPECT_EQ(decode_utf8_lossy("\xF4\x90\x80\x80"), "\uFFFD\uFFFD\uFFFD\uFFFD");  // > U+10FFFF
  EXPECT_EQ(decode_utf8_lossy("\xF8\x88\x80\x80\x80"), "\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD");
  EXPECT_EQ(decode_utf8_lossy("\xE2\x82"
                              "A"),
            "\uFFFD"
            "A");
}

TEST(Utf8Valid, FindsFirstBadByte) {
  EXPECT_EQ(valid_utf8_prefix("hello, 世界 😀"), std::string_view("hello, 世界 😀").size());
  EXPECT_EQ(valid_utf8_prefix("0123456789abcdef\xFF"), 16u);
  EXPECT_EQ(valid_utf8_prefix("ab\xED\xA0\x80"), 2u);
  EXPECT_EQ(valid_utf8_prefix("abc\xE4\xB8"), 3u);
  EXPECT_EQ(valid_utf8_prefix(""), 0u);
}

TEST(Utf8, CodePointsRoundTrip) {
  for (const char32_t code_point : {U'A', U'\u00E9', U'\u4E2D', U'\U0001F600', U'\U0010FFFF'}) {
    std::string text;
    append_utf8(text, code_point);
    std::size_t at = 0;
    EXPECT_EQ(next_code_point(text, at), code_point);
    EXPECT_EQ(at, text.size());
  }
}

}  // namespace
}  // namespace mlbench::model::tokenizer
