#include "mlbench/accuracy/sentence_splitter.h"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "mlbench/accuracy/rouge.h"
#include "mlbench/accuracy/rouge_summary.h"

#include "accuracy/rouge_testdata.h"

namespace mlbench::accuracy {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<std::string> split(std::string_view text) {
  std::vector<std::string> out;
  for (const std::string_view sentence : split_sentences(text))
    out.emplace_back(sentence);
  return out;
}

TEST(SentenceSplitter, SplitsAfterPeriodsQuestionAndExclamationMarks) {
  EXPECT_THAT(split("The storm hit at dawn. Nobody was hurt! Was it luck? Maybe."),
              ElementsAre("The storm hit at dawn.", "Nobody was hurt!", "Was it luck?", "Maybe."));
  EXPECT_THAT(split("Really?! Yes."), ElementsAre("Really?!", "Yes."));
}

TEST(SentenceSplitter, KeepsKnownAbbreviationsInsideTheSentence) {
  EXPECT_THAT(split("Mr. Smith met Dr. Jones on Jan. 5 in Washington. They talked."),
              ElementsAre("Mr. Smith met Dr. Jones on Jan. 5 in Washington.", "They talked."));
  EXPECT_THAT(split("Acme Inc. said profits rose. Shares fell."),
              ElementsAre("Acme Inc. said profits rose.", "Shares fell."));
  EXPECT_THAT(split("She served in the U.S. Army for years."),
              ElementsAre("She served in the U.S. Army for years."));
}

TEST(SentenceSplitter, BreaksAfterAnAbbreviationWhenAFrequentSentenceStarterFollows) {
  EXPECT_THAT(split("He moved to the U.S. The move paid off."),
              ElementsAre("He moved to the U.S.", "The move paid off."));
  EXPECT_THAT(split("It was made by Acme Corp. But nobody bought it."),
              ElementsAre("It was made by Acme Corp.", "But nobody bought it."));
}

TEST(SentenceSplitter, TreatsInitialsBeforeNamesAsPartOfTheName) {
  EXPECT_THAT(split("John F. Kennedy was elected in 1960. He was 43."),
              ElementsAre("John F. Kennedy was elected in 1960.", "He was 43."));
  // The example in nltk's documentation.
  EXPECT_THAT(split("Punkt knows that the periods in Mr. Smith and Johann S. Bach\n"
                    "do not mark sentence boundaries.  And sometimes sentences\n"
                    "can start with non-capitalized words.  i is a good variable\nname."),
              ElementsAre("Punkt knows that the periods in Mr. Smith and Johann S. Bach\n"
                          "do not mark sentence boundaries.",
                          "And sometimes sentences\ncan start with non-capitalized words.",
                          "i is a good variable\nname."));
}

TEST(SentenceSplitter, BreaksAfterAnInitialWhenACommonWordFollows) {
  EXPECT_THAT(split("They chose plan B. The rest agreed."),
              ElementsAre("They chose plan B.", "The rest agreed."));
}

TEST(SentenceSplitter, NumbersBreakBeforeCapitalsButNotBeforeLowercase) {
  EXPECT_THAT(split("Sales grew in 2010. Then they fell."),
              ElementsAre("Sales grew in 2010.", "Then they fell."));
  EXPECT_THAT(split("He finished 3. in the race."), ElementsAre("He finished 3. in the race."));
}

TEST(SentenceSplitter, NeverBreaksInsideDecimalsOrDottedNames) {
  EXPECT_THAT(split("Growth was 3.5 percent, or $1.2 billion, at example.com today."),
              ElementsAre("Growth was 3.5 percent, or $1.2 billion, at example.com today."));
}

TEST(SentenceSplitter, KeepsClosingQuotesAndBracketsWithTheirSentence) {
  EXPECT_THAT(split("He said \"Stop.\" Then he left."),
              ElementsAre("He said \"Stop.\"", "Then he left."));
  EXPECT_THAT(split("It ended (finally.) Everyone went home."),
              ElementsAre("It ended (finally.)", "Everyone went home."));
  // nltk's documentation, realign_boundaries=True.
  EXPECT_THAT(split("(How does it deal with this parenthesis?)  \"It should be part of the\n"
                    "previous sentence.\" \"(And the same with this one.)\" ('And this one!')\n"
                    "\"('(And (this)) '?)\" [(and this. )]"),
              ElementsAre("(How does it deal with this parenthesis?)",
                          "\"It should be part of the\nprevious sentence.\"",
                          "\"(And the same with this one.)\"", "('And this one!')",
                          "\"('(And (this)) '?)\"", "[(and this. )]"));
}

TEST(SentenceSplitter, EllipsesBreakOnlyBeforeASentenceStarter) {
  EXPECT_THAT(split("He waited... The bus never came."),
              ElementsAre("He waited...", "The bus never came."));
  EXPECT_THAT(split("He waited... and waited."), ElementsAre("He waited... and waited."));
}

TEST(SentenceSplitter, KeepsNewlinesInsideASentenceAndDropsSpaceBetweenSentences) {
  EXPECT_THAT(split("one\ntwo\nthree"), ElementsAre("one\ntwo\nthree"));
  EXPECT_THAT(split("First one.   \n\n  Second one.  "), ElementsAre("First one.", "Second one."));
}

TEST(SentenceSplitter, ReadsWhitespaceAndCaseOutsideAscii) {
  // U+00A0 (no-break space) is whitespace to Python, and É an uppercase letter.
  EXPECT_THAT(split("Le café ouvre.\u00A0Élise arrive."),
              ElementsAre("Le café ouvre.", "Élise arrive."));
}

TEST(SentenceSplitter, EmptyAndBlankTextsHaveNoSentences) {
  EXPECT_THAT(split(""), IsEmpty());
  EXPECT_THAT(split(" \n\t "), IsEmpty());
  EXPECT_THAT(split("..."), ElementsAre("..."));
}

TEST(PostprocessForRouge, StripsAndPutsEverySentenceOnItsOwnLine) {
  EXPECT_EQ(postprocess_for_rouge("  The storm hit. Nobody was hurt.\n"),
            "The storm hit.\nNobody was hurt.");
  EXPECT_EQ(postprocess_for_rouge("Mr. Smith left."), "Mr. Smith left.");
  EXPECT_EQ(postprocess_for_rouge("\n \n"), "");
}

// How far ROUGE-Lsum moves on the rouge_score vectors when the texts go through MLPerf's
// post-processing (our splitter) instead of being split on their newlines as given. Only the
// sentence boundaries change, so ROUGE-1, ROUGE-2 and ROUGE-L must not move at all.
TEST(PostprocessForRouge, MovesOnlyRougeLsumOnTheTestVectors) {
  MLBENCH_REQUIRE_ROUGE_TESTDATA(dir);
  const auto rows = testing::read_json_lines(dir / "pairs.jsonl");
  std::vector<RougeScores> as_given;
  std::vector<RougeScores> split_ourselves;
  double largest_move = 0.0;
  RougeScorer scorer;
  for (const auto& row : rows) {
    const std::string reference = row.at("reference").get<std::string>();
    const std::string prediction = row.at("prediction").get<std::string>();
    as_given.push_back(scorer.score(reference, prediction));
    split_ourselves.push_back(
        scorer.score(postprocess_for_rouge(reference), postprocess_for_rouge(prediction)));
    largest_move = std::max(largest_move, std::abs(split_ourselves.back().rouge_lsum.fmeasure -
                                                   as_given.back().rouge_lsum.fmeasure));
  }
  const auto before = summarize_for_mlperf(as_given);
  const auto after = summarize_for_mlperf(split_ourselves);
  ASSERT_TRUE(before.ok() && after.ok());
  EXPECT_EQ(after->rouge1, before->rouge1);
  EXPECT_EQ(after->rouge2, before->rouge2);
  EXPECT_EQ(after->rouge_l, before->rouge_l);
  const std::string figure = fmt::format(
      "rougeLsum over {} pairs: {} with the newlines as given, {} split by our Punkt splitter "
      "({:+.4f}); largest move of one pair's F: {:.4f}",
      rows.size(), before->rouge_lsum, after->rouge_lsum, after->rouge_lsum - before->rouge_lsum,
      largest_move);
  RecordProperty("rouge_lsum_move", figure);
  fmt::print("{}\n", figure);
}

}  // namespace
}  // namespace mlbench::accuracy
