#include "model/tokenizer/pre_tokenizer.h"

#include <gtest/gtest.h>

namespace mlbench::model::tokenizer {
namespace {

constexpr std::string_view kLlama3Pattern =
    R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

std::vector<std::string> split(std::string_view pattern, std::string_view text) {
  auto splitter = RegexSplitter::compile(pattern);
  EXPECT_TRUE(splitter.ok());
  std::vector<std::string_view> pieces;
  EXPECT_TRUE(splitter->split(text, pieces).ok());
  return {pieces.begin(), pieces.end()};
}

using Pieces = std::vector<std::string>;

TEST(RegexSplitter, Llama3Pattern) {
  EXPECT_EQ(split(kLlama3Pattern, "Hello, world!"), (Pieces{"Hello", ",", " world", "!"}));
  EXPECT_EQ(split(kLlama3Pattern, "I'M 1234567"), (Pieces{"I", "'M", " ", "123", "456", "7"}));
  EXPECT_EQ(split(kLlama3Pattern, "a   b"), (Pieces{"a", "  ", " b"}));
  EXPECT_EQ(split(kLlama3Pattern, "x \n\n y"), (Pieces{"x", " \n\n", " y"}));
  EXPECT_EQ(split(kLlama3Pattern, "ok...\n\nnext"), (Pieces{"ok", "...\n\n", "next"}));
  EXPECT_EQ(split(kLlama3Pattern, "中文 😀!"), (Pieces{"中文", " 😀!"}));
  EXPECT_EQ(split(kLlama3Pattern, "end   "), (Pieces{"end", "   "}));
}

TEST(RegexSplitter, WhitespaceIsOniguruma) {
  // Hugging Face's regex engine counts U+0085 as \s and U+FEFF not; JavaScript is the reverse.
  EXPECT_EQ(split(R"(\s+)", "a\u0085b"), (Pieces{"a", "\u0085", "b"}));
  EXPECT_EQ(split(R"(\s+)", "a\uFEFFb"), (Pieces{"a\uFEFFb"}));
}

TEST(RegexSplitter, GapsBetweenMatchesArePieces) {
  EXPECT_EQ(split(R"(\d+)", "ab12cd3"), (Pieces{"ab", "12", "cd", "3"}));
  EXPECT_EQ(split(R"(x*)", "ab"), (Pieces{"ab"}));  // empty matches make no pieces
}

TEST(RegexSplitter, LongRunsDoNotFail) {
  const std::string spaces(200000, ' ');
  EXPECT_EQ(split(kLlama3Pattern, spaces + "x"), (Pieces{spaces.substr(1), " x"}));
}

TEST(RegexSplitter, ReportsCompileErrors) {
  auto bad = RegexSplitter::compile("(?<");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kParse);
}

}  // namespace
}  // namespace mlbench::model::tokenizer
