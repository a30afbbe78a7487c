#include "mlbench/accuracy/porter_stemmer.h"

#include <gtest/gtest.h>

#include <string>

#include "accuracy/rouge_testdata.h"

namespace mlbench::accuracy {
namespace {

TEST(PorterStemmer, MatchesNltkOnEveryTestVector) {
  MLBENCH_REQUIRE_ROUGE_TESTDATA(dir);
  const auto rows = testing::read_json_lines(dir / "stems.jsonl");
  ASSERT_EQ(rows.size(), 3000u);
  int mismatches = 0;
  for (const auto& row : rows) {
    const auto word = row.at("word").get<std::string>();
    const auto expected = row.at("stem").get<std::string>();
    const std::string actual = porter_stem(word);
    if (actual != expected && ++mismatches <= 20) {
      ADD_FAILURE() << word << ": expected " << expected << ", got " << actual;
    }
  }
  EXPECT_EQ(mismatches, 0);
}

TEST(PorterStemmer, ClassicExamples) {
  EXPECT_EQ(porter_stem("caresses"), "caress");
  EXPECT_EQ(porter_stem("ponies"), "poni");
  EXPECT_EQ(porter_stem("relational"), "relat");
  EXPECT_EQ(porter_stem("hopping"), "hop");
  EXPECT_EQ(porter_stem("filing"), "file");
  EXPECT_EQ(porter_stem("conflated"), "conflat");
  EXPECT_EQ(porter_stem("controll"), "control");
}

TEST(PorterStemmer, NltkExtensions) {
  EXPECT_EQ(porter_stem("ties"), "tie");     // 4-letter -ies
  EXPECT_EQ(porter_stem("died"), "die");     // 4-letter -ied
  EXPECT_EQ(porter_stem("cried"), "cri");    // longer -ied
  EXPECT_EQ(porter_stem("happy"), "happi");  // y after a consonant
  EXPECT_EQ(porter_stem("enjoy"), "enjoy");  // y after a vowel stays
  EXPECT_EQ(porter_stem("skies"), "sky");    // irregular forms
  EXPECT_EQ(porter_stem("dying"), "die");
  EXPECT_EQ(porter_stem("news"), "news");
  EXPECT_EQ(porter_stem("succeed"), "succeed");
}

TEST(PorterStemmer, LeavesWordsOfTwoLettersOrFewerAlone) {
  EXPECT_EQ(porter_stem(""), "");
  EXPECT_EQ(porter_stem("a"), "a");
  EXPECT_EQ(porter_stem("is"), "is");
}

TEST(PorterStemmer, SurvivesPathologicalWords) {
  EXPECT_FALSE(porter_stem(std::string(200000, 'y')).empty());
  EXPECT_FALSE(porter_stem(std::string(200000, 'a') + "ational").empty());
  EXPECT_EQ(porter_stem("1234567"), "1234567");
}

}  // namespace
}  // namespace mlbench::accuracy
