#include "mlbench/model/make_model.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "mlbench/dataset/articles.h"
#include "mlbench/model/tokenizer.h"
#include "mlbench/model/weights.h"

#include "model/test_models.h"
#include "support/temp_dir.h"

namespace mlbench::model {
namespace {

std::int64_t parameters(const LlamaConfig& config) {
  std::int64_t total = 0;
  for (const TensorSpec& spec : expected_tensors(config, DType::kBF16))
    total += spec.numel();
  return total;
}

TEST(MakeModel, PresetsHaveTheAdvertisedSizes) {
  const auto tiny = preset_config("tiny");
  const auto small = preset_config("small");
  const auto full = preset_config("llama-3.1-8b");
  ASSERT_TRUE(tiny.ok() && small.ok() && full.ok());
  EXPECT_GT(parameters(*tiny), 1'000'000);
  EXPECT_LT(parameters(*tiny), 5'000'000);
  EXPECT_EQ(tiny->vocab_size, 512);
  EXPECT_GT(tiny->num_attention_heads, tiny->num_key_value_heads);  // GQA
  EXPECT_TRUE(tiny->rope_scaling.has_value());
  EXPECT_GT(parameters(*small), 80'000'000);
  EXPECT_LT(parameters(*small), 120'000'000);
  EXPECT_EQ(parameters(*full), 8'030'261'248);  // Llama-3.1-8B's published count
  for (const LlamaConfig* c : {&*tiny, &*small, &*full}) {
    EXPECT_LT(*c->bos_token_id, c->vocab_size);
    for (std::int64_t eos : c->eos_token_ids)
      EXPECT_LT(eos, c->vocab_size);
  }
  EXPECT_EQ(preset_config("huge").error().code, ErrorCode::kInvalidArgument);
}

TEST(MakeModel, WrittenConfigReadsBackTheSame) {
  for (const char* preset : {"tiny", "small", "llama-3.1-8b"}) {
    const auto config = preset_config(preset);
    ASSERT_TRUE(config.ok());
    const auto back = parse_config(config_to_json(*config).dump(), "c");
    ASSERT_TRUE(back.ok()) << back.error().describe();
    EXPECT_EQ(config_to_json(*back), config_to_json(*config)) << preset;
  }
}

TEST(MakeModel, WritesConfigGenerationConfigAndWeights) {
  mlbench::testing::TempDir dir;
  const auto config = preset_config("tiny");
  ASSERT_TRUE(config.ok());
  ASSERT_TRUE(write_random_model(dir.path() / "m", *config, {}).ok());
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "m" / "tokenizer.json"));
  const auto generation = nlohmann::json::parse(
      mlbench::testing::read_file(dir.path() / "m" / "generation_config.json"));
  EXPECT_EQ(generation["eos_token_id"], nlohmann::json(config->eos_token_ids));
  const auto weights = ModelWeights::load(dir.path() / "m");
  ASSERT_TRUE(weights.ok()) << weights.error().describe();
  EXPECT_EQ(weights->embedding().dtype, DType::kBF16);
  // Norm weights near 1, matrices small and centred: activations stay sane.
  double norm_sum = 0.0, square_sum = 0.0;
  for (float w : weights->final_norm())
    norm_sum += w;
  const Matrix& q = weights->layers()[0].q;
  for (std::int64_t i = 0; i < q.cols; ++i)
    square_sum += double{q.at(0, i)} * q.at(0, i);
  EXPECT_NEAR(norm_sum / static_cast<double>(weights->final_norm().size()), 1.0, 0.05);
  EXPECT_NEAR(std::sqrt(square_sum / static_cast<double>(q.cols)), 0.02, 0.005);
}

TEST(MakeModel, TheSeedDecidesTheWeights) {
  mlbench::testing::TempDir dir;
  const auto config = model::testing::small_test_config();
  RandomModelOptions options;
  ASSERT_TRUE(write_random_model(dir.path() / "a", config, options).ok());
  ASSERT_TRUE(write_random_model(dir.path() / "b", config, options).ok());
  options.seed = 1;
  ASSERT_TRUE(write_random_model(dir.path() / "c", config, options).ok());
  const auto read = [&](const char* name) {
    return mlbench::testing::read_file(dir.path() / name / "model.safetensors");
  };
  EXPECT_EQ(read("a"), read("b"));
  EXPECT_NE(read("a"), read("c"));
}

TEST(MakeModel, ShardCounts) {
  mlbench::testing::TempDir dir;
  const auto config = model::testing::small_test_config();
  RandomModelOptions options;
  options.shards = 0;
  EXPECT_EQ(write_random_model(dir.path(), config, options).error().code,
            ErrorCode::kInvalidArgument);
  options.shards = 4;
  ASSERT_TRUE(write_random_model(dir.path(), config, options).ok());
  const auto index = nlohmann::json::parse(
      mlbench::testing::read_file(dir.path() / "model.safetensors.index.json"));
  EXPECT_EQ(index["weight_map"].size(), expected_tensors(config, DType::kBF16).size());
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "model-00004-of-00004.safetensors"));
  const auto weights = ModelWeights::load(dir.path());
  ASSERT_TRUE(weights.ok()) << weights.error().describe();
  EXPECT_EQ(weights->file_count(), 4U);
}

TEST(MakeModel, TinyTokenizerHasLlama3SpecialsAtThePresetsIds) {
  mlbench::testing::TempDir dir;
  const auto config = preset_config("tiny");
  ASSERT_TRUE(config.ok());
  ASSERT_TRUE(write_random_model(dir.path(), *config, {}).ok());
  const auto tokenizer = Tokenizer::load(dir.path());
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.error().describe();
  EXPECT_EQ(tokenizer->vocab_size(), 512u);
  EXPECT_EQ(tokenizer->token_to_id("<|begin_of_text|>"), config->bos_token_id);
  EXPECT_EQ(tokenizer->token_to_id("<|end_of_text|>"), config->eos_token_ids[0]);
  EXPECT_EQ(tokenizer->token_to_id("<|eom_id|>"), config->eos_token_ids[1]);
  EXPECT_EQ(tokenizer->token_to_id("<|eot_id|>"), config->eos_token_ids[2]);
  EXPECT_EQ(tokenizer->token_to_id("<|start_header_id|>"), 502);
  EXPECT_EQ(tokenizer->token_to_id("<|reserved_special_token_7|>"), 511);
  // Every id a random model can emit decodes.
  for (TokenId id = 0; id < 512; ++id) {
    const TokenId one[] = {id};
    EXPECT_TRUE(tokenizer->decode(one).ok()) << id;
  }
}

TEST(MakeModel, TinyTokenizerRoundTripsTheSampleTextCompactly) {
  mlbench::testing::TempDir dir;
  const auto config = preset_config("tiny");
  ASSERT_TRUE(write_random_model(dir.path(), *config, {}).ok());
  const auto tokenizer = Tokenizer::load(dir.path());
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.error().describe();
  const auto articles = dataset::sample_articles();
  ASSERT_EQ(articles.size(), 24u);
  std::size_t bytes = 0;
  std::size_t tokens = 0;
  for (const dataset::Article& article : articles) {
    const auto ids = tokenizer->encode(article.article);
    ASSERT_TRUE(ids.ok());
    ASSERT_FALSE(ids->empty());
    EXPECT_EQ(ids->front(), 496);  // <|begin_of_text|> from TemplateProcessing
    for (std::size_t i = 1; i < ids->size(); ++i)
      EXPECT_LT((*ids)[i], 496);
    const auto text = tokenizer->decode(std::span(*ids).subspan(1));
    ASSERT_TRUE(text.ok());
    EXPECT_EQ(*text, article.article);
    bytes += article.article.size();
    tokens += ids->size();
  }
  // 240 merges learnt on this very text: well under one token per two bytes.
  EXPECT_LT(tokens * 2, bytes);
}

TEST(MakeModel, TokenizerIsTheSameEveryTimeAndFollowsTheGivenText) {
  mlbench::testing::TempDir dir;
  const auto config = preset_config("tiny");
  RandomModelOptions options;
  ASSERT_TRUE(write_random_model(dir.path() / "a", *config, options).ok());
  options.seed = 5;  // the seed is for weights only
  ASSERT_TRUE(write_random_model(dir.path() / "b", *config, options).ok());
  const auto read = [&](const char* name) {
    return mlbench::testing::read_file(dir.path() / name / "tokenizer.json");
  };
  EXPECT_EQ(read("a"), read("b"));
  options.tokenizer_text = {"zyzzyva zyzzyva zyzzyva zyzzyva"};
  ASSERT_TRUE(write_random_model(dir.path() / "c", *config, options).ok());
  const auto tokenizer = Tokenizer::load(dir.path() / "c");
  ASSERT_TRUE(tokenizer.ok()) << tokenizer.error().describe();
  const auto ids = tokenizer->encode(" zyzzyva", {.add_special_tokens = false});
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(ids->size(), 1u);  // the only word of the text became one token
}

TEST(MakeModel, NoTokenizerWhereTheVocabularyCannotHoldOne) {
  mlbench::testing::TempDir dir;
  // vocab 64: no room for the 256 byte tokens.
  ASSERT_TRUE(write_random_model(dir.path() / "a", model::testing::small_test_config(), {}).ok());
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "a" / "tokenizer.json"));
  RandomModelOptions options;
  options.write_tokenizer = false;
  ASSERT_TRUE(write_random_model(dir.path() / "b", *preset_config("tiny"), options).ok());
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "b" / "tokenizer.json"));
}

}  // namespace
}  // namespace mlbench::model
