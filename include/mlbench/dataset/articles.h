#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mlbench/core/result.h"
#include "mlbench/dataset/cnn_eval.h"

namespace mlbench::dataset {

// One news article and its reference summary: a line {"article": ..., "summary": ...} of an
// articles file such as data/sample/articles.jsonl.
struct Article {
  std::string article;
  std::string summary;
};

// Parses JSON lines of articles; blank lines are skipped, other keys are allowed. Errors name
// `where`:line and say what is wrong. At most `max_articles` are read when given.
Result<std::vector<Article>> parse_articles(std::string_view jsonl, std::string_view where,
                                            std::optional<std::size_t> max_articles = {});
Result<std::vector<Article>> load_articles(const std::filesystem::path& path,
                                           std::optional<std::size_t> max_articles = {});

// The sample set shipped in data/sample/articles.jsonl, compiled into the library so that an
// installed binary has it without the source tree (the embedded default run, the tiny preset's
// tokenizer).
std::string_view sample_articles_jsonl();
std::vector<Article> sample_articles();

// Turns a prompt into token ids (a model's tokenizer, with its special tokens added).
using PromptEncoder = std::function<Result<std::vector<std::int32_t>>(std::string_view prompt)>;

// MLPerf's preprocessing: each article goes into the CNN-DailyMail prompt, which `encode`
// tokenises; the summary is the reference. Errors name the article's index.
Result<Dataset> build_cnn_eval(std::span<const Article> articles, const PromptEncoder& encode);

// The dataset as MLPerf's download script writes cnn_eval.json: a list of {"instruction":
// {"llama": template}, "input": article, "tok_input": ids, "output": summary}, indented by 4,
// UTF-8 kept as is. load_cnn_eval reads it back to the same samples.
std::string cnn_eval_to_json(const Dataset& dataset);

}  // namespace mlbench::dataset
