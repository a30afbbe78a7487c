#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "mlbench/model/tokenizer.h"

#include "model/tokenizer/bpe_trainer.h"

namespace mlbench::model {
namespace {

TEST(TrainBpe, Llama3SpecialTokenNamesByOffset) {
  // Llama 3.1's tokenizer.json, ids 128000 + offset.
  const std::pair<std::size_t, std::string_view> names[] = {
      {0, "<|begin_of_text|>"},
      {1, "<|end_of_text|>"},
      {2, "<|reserved_special_token_0|>"},
      {3, "<|reserved_special_token_1|>"},
      {4, "<|finetune_right_pad_id|>"},
      {5, "<|reserved_special_token_2|>"},
      {6, "<|start_header_id|>"},
      {7, "<|end_header_id|>"},
      {8, "<|eom_id|>"},
      {9, "<|eot_id|>"},
      {10, "<|python_tag|>"},
      {11, "<|reserved_special_token_3|>"},
      {255, "<|reserved_special_token_247|>"},
  };
  for (const auto& [offset, name] : names)
    EXPECT_EQ(llama3_special_token_name(offset), name) << offset;
}

TEST(TrainBpe, MergesTheMostFrequentPairFirstAndBreaksTiesByBytes) {
  // "ab" three times, "cd" three times, "xy" once: ab and cd tie, ab sorts first.
  const auto trained = tokenizer::train_bpe({{"ab", 3}, {"cd", 3}, {"xy", 1}}, 256 + 2);
  ASSERT_EQ(trained.merges.size(), 2u);
  EXPECT_EQ(trained.merges[0], (std::pair<std::string, std::string>{"a", "b"}));
  EXPECT_EQ(trained.merges[1], (std::pair<std::string, std::string>{"c", "d"}));
  ASSERT_EQ(trained.tokens.size(), 258u);
  EXPECT_EQ(trained.tokens[256], "ab");
  EXPECT_EQ(trained.tokens[0], "!");  // byte-level order: "!" is id 0, as in GPT-2 and Llama 3
}

TEST(TrainBpe, StopsWhenNothingIsLeftToMerge) {
  const auto trained = tokenizer::train_bpe({{"aaaa", 1}}, 1000);
  // aa, then aa+aa: the word is one token.
  EXPECT_EQ(trained.merges.size(), 2u);
  EXPECT_EQ(trained.tokens.back(), "aaaa");
}

TEST(TrainBpe, AMergeMakingAKnownTokenReusesItsId) {
  // "abc" can arise as ab+c and as a+bc; the second merge must not add a second "abc".
  const auto trained =
      tokenizer::train_bpe({{"ab", 10}, {"bc", 9}, {"abc", 1}, {"xbc", 5}, {"abx", 5}}, 1000);
  std::size_t abc = 0;
  for (const std::string& token : trained.tokens)
    abc += token == "abc";
  EXPECT_EQ(abc, 1u);
}

TEST(TrainBpe, WritesATokenizerJsonThatLoadsAndRoundTrips) {
  const std::vector<std::string> texts = {
      "The council met on Tuesday. The council voted.\n\nThe vote was 7-2, the council said.",
      "Don't WORRY, it's 2024: café naïve 中文 😀"};
  const auto json_text = train_byte_level_bpe(texts, {.vocab_size = 300, .special_tokens = 16});
  ASSERT_TRUE(json_text.ok()) << json_text.error().describe();
  const auto tokenizer = Tokenizer::from_json(*json_text, "trained");
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.error().describe();
  EXPECT_EQ(tokenizer->vocab_size(), 300u);
  EXPECT_EQ(tokenizer->token_to_id("<|begin_of_text|>"), 284);
  EXPECT_EQ(tokenizer->token_to_id("<|eot_id|>"), 293);
  for (const std::string& text : texts) {
    const auto ids = tokenizer->encode(text);
    ASSERT_TRUE(ids.ok());
    EXPECT_EQ(ids->front(), 284);
    const auto back = tokenizer->decode(*ids, {.skip_special_tokens = true});
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, text);
  }
  const auto json = nlohmann::json::parse(*json_text);
  EXPECT_EQ(json["model"]["ignore_merges"], true);
  EXPECT_EQ(json["pre_tokenizer"]["pretokenizers"][0]["pattern"]["Regex"],
            std::string(kLlama3SplitPattern));
  EXPECT_EQ(json["decoder"]["type"], "ByteLevel");
}

TEST(TrainBpe, FillsIdsTheTextCannotReachWithPlaceholdersEncodeNeverEmits) {
  const std::vector<std::string> texts = {"hello hello"};
  const auto json_text = train_byte_level_bpe(texts, {.vocab_size = 300, .special_tokens = 16});
  ASSERT_TRUE(json_text.ok()) << json_text.error().describe();
  const auto tokenizer = Tokenizer::from_json(*json_text);
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.error().describe();
  const auto placeholder = tokenizer->token_to_id("<unused_283>");
  ASSERT_EQ(placeholder, 283);
  const TokenId one[] = {283};
  EXPECT_EQ(tokenizer->decode(one).value(), "<unused_283>");
  const auto ids = tokenizer->encode("<unused_283>", {.add_special_tokens = false});
  ASSERT_TRUE(ids.ok());
  EXPECT_THAT(*ids, ::testing::Not(::testing::Contains(283)));
  for (TokenId id = 0; id < 300; ++id) {
    const TokenId single[] = {id};
    EXPECT_TRUE(tokenizer->decode(single).ok()) << id;
  }
}

TEST(TrainBpe, RefusesWhatCannotBeATokenizer) {
  const std::vector<std::string> texts = {"x"};
  EXPECT_EQ(train_byte_level_bpe(texts, {.vocab_size = 260, .special_tokens = 16}).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(train_byte_level_bpe(texts, {.vocab_size = 512, .special_tokens = 0}).error().code,
            ErrorCode::kInvalidArgument);
  const std::vector<std::string> bad = {"ok", "\xFF\xFE"};
  const auto result = train_byte_level_bpe(bad);
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(result.error().message, ::testing::HasSubstr("training text 1 is not valid UTF-8"));
}

}  // namespace
}  // namespace mlbench::model
