#include "accuracy/stem_vocabulary.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mlbench::accuracy {
namespace {

TEST(StemVocabulary, WordsWithTheSameTokenShareAnId) {
  StemVocabulary vocabulary;
  const auto run = vocabulary.id_of("run");
  EXPECT_EQ(vocabulary.id_of("running"), run);
  EXPECT_EQ(vocabulary.id_of("runs"), run);
  EXPECT_NE(vocabulary.id_of("ran"), run);
  EXPECT_EQ(vocabulary.size(), 2u);
}

TEST(StemVocabulary, OnlyWordsLongerThanThreeCharactersAreStemmed) {
  StemVocabulary vocabulary;
  // "was" would stem to "wa" but is too short to be stemmed; "wa" itself is another token.
  EXPECT_NE(vocabulary.id_of("was"), vocabulary.id_of("wa"));
}

TEST(StemVocabulary, LongWordsTakeTheUnpackedPath) {
  StemVocabulary vocabulary;
  const auto long_word = vocabulary.id_of("internationalizations");  // 21 characters
  EXPECT_EQ(vocabulary.id_of("internationalizations"), long_word);
  EXPECT_EQ(vocabulary.id_of("internationalization"), long_word);  // 20: same stem
  EXPECT_EQ(vocabulary.id_of("fifteencharsxyz"), vocabulary.id_of("fifteencharsxyz"));
}

TEST(StemVocabulary, IdsSurviveTableGrowth) {
  StemVocabulary vocabulary;
  std::vector<std::uint32_t> ids;
  for (int i = 0; i < 20000; ++i)
    ids.push_back(vocabulary.id_of("w" + std::to_string(i)));
  for (int i = 0; i < 20000; ++i) {
    ASSERT_EQ(vocabulary.id_of("w" + std::to_string(i)), ids[i]) << i;
  }
  EXPECT_EQ(vocabulary.size(), 20000u);
}

}  // namespace
}  // namespace mlbench::accuracy
