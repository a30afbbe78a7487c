#include "mlbench/accuracy/rouge_tokenizer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace mlbench::accuracy {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<std::string> words(std::string_view text) {
  return tokenize_for_rouge(text, /*use_stemmer=*/false);
}

TEST(RougeTokenizer, LowercasesAndSplitsOnEverythingButLettersAndDigits) {
  EXPECT_THAT(words("Don't STOP-me now, 3.5%!"),
              ElementsAre("don", "t", "stop", "me", "now", "3", "5"));
  EXPECT_THAT(words("  tabs\tand\nnewlines\r\n"), ElementsAre("tabs", "and", "newlines"));
}

TEST(RougeTokenizer, NonAsciiLettersSeparateWords) {
  EXPECT_THAT(words("café crème"), ElementsAre("caf", "cr", "me"));
  EXPECT_THAT(words("東京tokyo"), ElementsAre("tokyo"));
  EXPECT_THAT(words("ÀB"), ElementsAre("b"));  // À lowercases to à, still not [a-z]
}

TEST(RougeTokenizer, KelvinSignLowercasesToK) {
  EXPECT_THAT(words("\u212AELVIN 5\u212A"), ElementsAre("kelvin", "5k"));
}

TEST(RougeTokenizer, CapitalIWithDotAboveBecomesIThenASeparator) {
  // str.lower() gives "i" + U+0307, and the combining dot is not [a-z0-9].
  EXPECT_THAT(words("\u0130stanbul"), ElementsAre("i", "stanbul"));
  EXPECT_THAT(words("X\u0130\u0130"), ElementsAre("xi", "i"));
}

TEST(RougeTokenizer, InvalidUtf8BytesSeparateWords) {
  EXPECT_THAT(words("ab\xFF"
                    "cd"),
              ElementsAre("ab", "cd"));
  EXPECT_THAT(words("ab\xE2\x84"), ElementsAre("ab"));  // truncated Kelvin sign
  EXPECT_THAT(words("ab\xC4"), ElementsAre("ab"));      // truncated U+0130
  EXPECT_THAT(words("\xE2\x84\xC4\xB0x"), ElementsAre("i", "x"));
  EXPECT_THAT(words("\x80\x80\xBF\xC0\xAF"), IsEmpty());
  EXPECT_THAT(words(std::string("a\0b", 3)), ElementsAre("a", "b"));
}

TEST(RougeTokenizer, EmptyAndPunctuationOnlyTextsHaveNoTokens) {
  EXPECT_THAT(words(""), IsEmpty());
  EXPECT_THAT(words("...!!! ?? -- \n"), IsEmpty());
}

TEST(RougeTokenizer, StemsOnlyWordsLongerThanThreeCharacters) {
  EXPECT_THAT(tokenize_for_rouge("The cats were running; was it?"),
              ElementsAre("the", "cat", "were", "run", "was", "it"));
}

TEST(RougeTokenizer, ReadWordReportsPositions) {
  std::string word;
  const std::string_view text = "Hi, you";
  auto next = read_rouge_word(text, 0, word);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(word, "hi");
  EXPECT_EQ(*next, 2u);
  next = read_rouge_word(text, *next, word);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(word, "you");
  EXPECT_FALSE(read_rouge_word(text, *next, word).has_value());
}

}  // namespace
}  // namespace mlbench::accuracy
