#include "mlbench/dataset/articles.h"

#include <fmt/format.h>

#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "mlbench/dataset/prompt.h"

namespace mlbench::dataset {
namespace {

using nlohmann::json;

Result<Article> parse_article_line(std::string_view line, const std::string& where) {
  const json record = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (record.is_discarded()) {
    return fail(ErrorCode::kParse, "not valid JSON (expected {\"article\": ..., \"summary\": ...})",
                where);
  }
  if (!record.is_object()) {
    return fail(ErrorCode::kParse,
                fmt::format("is a JSON {}, expected an object {{\"article\", \"summary\"}}",
                            record.type_name()),
                where);
  }
  Article article;
  for (const auto& [key, field] :
       {std::pair{"article", &article.article}, std::pair{"summary", &article.summary}}) {
    const auto it = record.find(key);
    if (it == record.end()) return fail(ErrorCode::kParse, fmt::format("no \"{}\"", key), where);
    if (!it->is_string()) {
      return fail(ErrorCode::kParse,
                  fmt::format("\"{}\" is {}, expected a string", key, it->type_name()), where);
    }
    *field = it->get<std::string>();
    if (field->find_first_not_of(" \t\r\n") == std::string::npos) {
      return fail(ErrorCode::kParse, fmt::format("\"{}\" is empty", key), where);
    }
  }
  return article;
}

}  // namespace

Result<std::vector<Article>> parse_articles(std::string_view jsonl, std::string_view where,
                                            std::optional<std::size_t> max_articles) {
  if (max_articles && *max_articles == 0) {
    return fail(ErrorCode::kInvalidArgument, "max_articles is 0: keep at least one",
                std::string(where));
  }
  std::vector<Article> articles;
  std::size_t line_number = 0;
  while (!jsonl.empty() && (!max_articles || articles.size() < *max_articles)) {
    const std::size_t end = std::min(jsonl.find('\n'), jsonl.size());
    const std::string_view line = jsonl.substr(0, end);
    jsonl.remove_prefix(std::min(end + 1, jsonl.size()));
    ++line_number;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    auto article = parse_article_line(line, fmt::format("{}:{}", where, line_number));
    if (!article) return article.failure();
    articles.push_back(std::move(*article));
  }
  if (articles.empty()) {
    return fail(ErrorCode::kParse,
                "holds no articles (expected JSON lines of {\"article\", \"summary\"})",
                std::string(where));
  }
  return articles;
}

Result<std::vector<Article>> load_articles(const std::filesystem::path& path,
                                           std::optional<std::size_t> max_articles) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorCode::kNotFound, "cannot open the articles file", path.string());
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) return fail(ErrorCode::kIo, "reading the articles file failed", path.string());
  return parse_articles(text, path.string(), max_articles);
}

std::vector<Article> sample_articles() {
  auto articles = parse_articles(sample_articles_jsonl(), "data/sample/articles.jsonl");
  // The text is ours and checked by the tests; failing here is a broken build.
  return articles ? std::move(*articles) : std::vector<Article>{};
}

Result<Dataset> build_cnn_eval(std::span<const Article> articles, const PromptEncoder& encode) {
  Dataset dataset;
  dataset.samples.reserve(articles.size());
  for (std::size_t i = 0; i < articles.size(); ++i) {
    auto ids = encode(cnn_dailymail_prompt(articles[i].article));
    if (!ids) {
      return fail(ids.error().code, fmt::format("tokenising the prompt: {}", ids.error().message),
                  fmt::format("article {}", i));
    }
    dataset.samples.push_back(Sample{.input = articles[i].article,
                                     .tok_input = std::move(*ids),
                                     .output = articles[i].summary,
                                     .instruction = std::string(kCnnDailyMailPrompt)});
  }
  return dataset;
}

std::string cnn_eval_to_json(const Dataset& dataset) {
  json records = json::array();
  for (const Sample& sample : dataset.samples) {
    json record = {
        {"input", sample.input}, {"tok_input", sample.tok_input}, {"output", sample.output}};
    if (sample.instruction) record["instruction"] = {{"llama", *sample.instruction}};
    records.push_back(std::move(record));
  }
  return records.dump(4, ' ', /*ensure_ascii=*/false) + "\n";
}

}  // namespace mlbench::dataset
