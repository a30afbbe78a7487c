// Basic behaviour on a tokenizer.json the test writes itself, so it runs without npm.
#include "model/tokenizer/small_tokenizer.h"

#include <gtest/gtest.h>

#include <functional>

#include "mlbench/model/tokenizer.h"

#include "support/temp_dir.h"

namespace mlbench::model {
namespace {

using testing::small_token_id;
using testing::small_tokenizer_json;
using Ids = std::vector<TokenId>;

Tokenizer make(const nlohmann::json& json) {
  auto tokenizer = Tokenizer::from_json(json.dump(), "small tokenizer.json");
  EXPECT_TRUE(tokenizer.ok()) << tokenizer.error().describe();
  return std::move(tokenizer).value();
}

Ids encode(const Tokenizer& tokenizer, std::string_view text, bool add_special_tokens = false) {
  auto ids = tokenizer.encode(text, {.add_special_tokens = add_special_tokens});
  EXPECT_TRUE(ids.ok()) << ids.error().describe();
  return ids.ok() ? *ids : Ids{};
}

std::string decode(const Tokenizer& tokenizer, const Ids& ids, DecodeOptions options = {}) {
  auto text = tokenizer.decode(ids, options);
  EXPECT_TRUE(text.ok()) << text.error().describe();
  return text.ok() ? *text : std::string();
}

TEST(SmallTokenizer, MergesByRank) {
  const Tokenizer tokenizer = make(small_tokenizer_json());
  EXPECT_EQ(encode(tokenizer, "hello"), Ids{small_token_id("hello")});
  EXPECT_EQ(encode(tokenizer, "hello world"),
            (Ids{small_token_id("hello"), small_token_id("Ġworld")}));
  // "hel" never becomes one token: "he" + "l", because "ll" is not there to merge.
  EXPECT_EQ(encode(tokenizer, "hel"), (Ids{small_token_id("he"), 'l'}));
  // Equal ranks merge leftmost first.
  EXPECT_EQ(encode(tokenizer, "aaa"), (Ids{small_token_id("aa"), 'a'}));
  EXPECT_EQ(encode(tokenizer, "aaaaa"), (Ids{small_token_id("aa"), small_token_id("aa"), 'a'}));
}

TEST(SmallTokenizer, LongPieceMergesInOrder) {
  const Tokenizer tokenizer = make(small_tokenizer_json());
  const Ids ids = encode(tokenizer, std::string(10001, 'a'));
  ASSERT_EQ(ids.size(), 5001u);
  EXPECT_EQ(ids.front(), small_token_id("aa"));
  EXPECT_EQ(ids.back(), 'a');
}

TEST(SmallTokenizer, PreTokenizerSplitsDigitsSpacesAndContractions) {
  const Tokenizer tokenizer = make(small_tokenizer_json());
  // Digits go in groups of three: "123" then "45"; "12" merges inside the first group only.
  EXPECT_EQ(encode(tokenizer, "12345"), (Ids{small_token_id("12"), '3', '4', '5'}));
  // Two spaces before a word: the first stands alone (byte 32 is written "Ġ", id 32 here).
  EXPECT_EQ(encode(tokenizer, "  world"), (Ids{32, small_token_id("Ġworld")}));
  // "'S" is a contraction in any case, so it does not join the letters before it.
  EXPECT_EQ(encode(tokenizer, "HE'S"), (Ids{'H', 'E', '\'', 'S'}));
}

TEST(SmallTokenizer, IgnoreMergesTakesWholePieceFromVocab) {
  nlohmann::json json = small_tokenizer_json();
  json["model"]["vocab"]["abc"] = 400;  // reachable by no merge
  EXPECT_EQ(encode(make(json), "abc"), Ids{400});
  json["model"]["ignore_merges"] = false;
  EXPECT_EQ(encode(make(json), "abc"), (Ids{'a', 'b', 'c'}));
}

TEST(SmallTokenizer, TemplateAddsBosOnlyWithSpecialTokens) {
  const Tokenizer tokenizer = make(small_tokenizer_json());
  EXPECT_EQ(encode(tokenizer, "hello", true), (Ids{300, small_token_id("hello")}));
  EXPECT_EQ(encode(tokenizer, "", true), Ids{300});
  EXPECT_EQ(encode(tokenizer, ""), Ids{});
}

TEST(SmallTokenizer, AddedTokensMatchLongestFirstEvenWithoutSpecialTokens) {
  const Tokenizer tokenizer = make(small_tokenizer_json());
  EXPECT_EQ(encode(tokenizer, "a<|bos|>b"), (Ids{'a', 300, 'b'}));
  EXPECT_EQ(encode(tokenizer, "<|eot|>x"), Ids{302});
  EXPECT_EQ(encode(tokenizer, "<|eot|>y"), (Ids{301, 'y'}));
  EXPECT_EQ(encode(tokenizer, "<|eot|"), (Ids{'<', '|', 'e', 'o', 't', '|'}));
}

TEST(SmallTokenizer, AddedTokenStripFlagsSwallowWhitespace) {
  nlohmann::json json = small_tokenizer_json();
  json["added_tokens"][1]["lstrip"] = true;
  json["added_tokens"][1]["rstrip"] = true;
  EXPECT_EQ(encode(make(json), "a  <|eot|> \tb"), (Ids{'a', 301, 'b'}));
}

TEST(SmallTokenizer, DecodeRoundTripsAndSkipsSpecials) {
  const Tokenizer tokenizer = make(small_tokenizer_json());
  const std::string text = "hello world\n\t<|eot|> 12345 — ünïcödé 中文 😀";
  const Ids ids = encode(tokenizer, text, true);
  EXPECT_EQ(decode(tokenizer, ids), "<|bos|>" + text);
  EXPECT_EQ(decode(tokenizer, ids, {.skip_special_tokens = true}),
            "hello world\n\t 12345 — ünïcödé 中文 😀");
}

TEST(SmallTokenizer, DecodeReplacesInvalidUtf8) {
  const Tokenizer tokenizer = make(small_tokenizer_json());
  // The first two bytes of 中 (E4 B8 AD), then "a": one U+FFFD for the cut character.
  EXPECT_EQ(decode(tokenizer, {0xE4, 0xB8, 'a'}), "\uFFFDa");
  EXPECT_EQ(decode(tokenizer, {0xFF, 0x80}), "\uFFFD\uFFFD");
}

TEST(SmallTokenizer, DecodeCleanUpIsOptional) {
  const Tokenizer tokenizer = make(small_tokenizer_json());
  const Ids ids = encode(tokenizer, "Yes , I do n't .");
  EXPECT_EQ(decode(tokenizer, ids), "Yes , I do n't .");
  EXPECT_EQ(decode(tokenizer, ids, {.clean_up_tokenization_spaces = true}), "Yes, I don't.");
}

TEST(SmallTokenizer, RefusesUnknownIdAndInvalidText) {
  const Tokenizer tokenizer = make(small_tokenizer_json());
  auto decoded = tokenizer.decode(Ids{5000});
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().code, ErrorCode::kInvalidArgument);
  auto encoded = tokenizer.encode("ok\xC3(");
  ASSERT_FALSE(encoded.ok());
  EXPECT_EQ(encoded.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(encoded.error().message.find("offset 2"), std::string::npos);
}

TEST(SmallTokenizer, LooksUpTokens) {
  const Tokenizer tokenizer = make(small_tokenizer_json());
  EXPECT_EQ(tokenizer.vocab_size(), 303u);
  EXPECT_EQ(tokenizer.token_to_id("Ġworld"), small_token_id("Ġworld"));
  EXPECT_EQ(tokenizer.token_to_id("<|eot|>"), 301);
  EXPECT_EQ(tokenizer.id_to_token(301), "<|eot|>");
  EXPECT_EQ(tokenizer.id_to_token(299), std::nullopt);
  EXPECT_EQ(tokenizer.token_to_id("nope"), std::nullopt);
}

TEST(SmallTokenizer, LoadsFromDirectoryOrFile) {
  mlbench::testing::TempDir dir;
  const std::string file = dir.write("tokenizer.json", small_tokenizer_json().dump());
  EXPECT_TRUE(Tokenizer::load(dir.path()).ok());
  EXPECT_TRUE(Tokenizer::load(file).ok());
  auto missing = Tokenizer::load(dir.path() / "nowhere");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

// Each unsupported feature is refused by name, never ignored.
struct Refusal {
  std::string name;
  std::function<void(nlohmann::json&)> edit;
  std::string expected;  // in the message
};

class SmallTokenizerRefuses : public ::testing::TestWithParam<Refusal> {};

TEST_P(SmallTokenizerRefuses, WithANamedReason) {
  nlohmann::json json = small_tokenizer_json();
  GetParam().edit(json);
  auto tokenizer = Tokenizer::from_json(json.dump());
  ASSERT_FALSE(tokenizer.ok());
  EXPECT_NE(tokenizer.error().message.find(GetParam().expected), std::string::npos)
      << tokenizer.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Features, SmallTokenizerRefuses,
    ::testing::Values(
        Refusal{"model", [](auto& j) { j["model"]["type"] = "WordPiece"; }, "WordPiece"},
        Refusal{"normalizer",
                [](auto& j) {
                  j["normalizer"] = {{"type", "NFC"}};
                },
                "NFC"},
        Refusal{"pre_tokenizer",
                [](auto& j) {
                  j["pre_tokenizer"] = {{"type", "Metaspace"}};
                },
                "Metaspace"},
        Refusal{"decoder",
                [](auto& j) {
                  j["decoder"] = {{"type", "WordPiece"}};
                },
                "decoder \"WordPiece\""},
        Refusal{"post_processor",
                [](auto& j) {
                  j["post_processor"] = {{"type", "BertProcessing"}};
                },
                "BertProcessing"},
        Refusal{"dropout", [](auto& j) { j["model"]["dropout"] = 0.1; }, "dropout"},
        Refusal{"byte_fallback", [](auto& j) { j["model"]["byte_fallback"] = true; },
                "byte_fallback"},
        Refusal{"single_word", [](auto& j) { j["added_tokens"][0]["single_word"] = true; },
                "single_word"},
        Refusal{"truncation",
                [](auto& j) {
                  j["truncation"] = {{"max_length", 8}};
                },
                "truncation"},
        Refusal{"split_behavior",
                [](auto& j) { j["pre_tokenizer"]["pretokenizers"][0]["behavior"] = "Removed"; },
                "Removed"},
        Refusal{"bad_merge", [](auto& j) { j["model"]["merges"].push_back("q zz"); },
                "not in the vocabulary"},
        Refusal{"bad_regex",
                [](auto& j) {
                  j["pre_tokenizer"]["pretokenizers"][0]["pattern"]["Regex"] = "(unclosed";
                },
                "does not compile"},
        Refusal{"not_json", [](auto& j) { j = "just a string"; }, "not a JSON object"}),
    [](const auto& param_info) { return param_info.param.name; });

}  // namespace
}  // namespace mlbench::model
