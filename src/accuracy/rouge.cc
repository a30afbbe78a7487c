#include "mlbench/accuracy/rouge.h"

#include <fmt/format.h>

#include "mlbench/accuracy/rouge_tokenizer.h"

#include "accuracy/rouge_metrics.h"
#include "accuracy/stem_vocabulary.h"

namespace mlbench::accuracy {
namespace {

// rouge_score tokenises the whole text for rouge1/2/L and each "\n"-separated line for rougeLsum.
// A word never spans a newline, so the whole text's tokens are the lines' tokens in order, and
// one pass gives both.
void tokenize_into_ids(std::string_view text, StemVocabulary& vocabulary, std::string& word,
                       TokenizedText& out) {
  out.tokens.clear();
  out.sentence_ends.clear();
  std::size_t line_begin = 0;
  while (line_begin <= text.size()) {
    std::size_t line_end = text.find('\n', line_begin);
    if (line_end == std::string_view::npos) line_end = text.size();
    const std::string_view line = text.substr(line_begin, line_end - line_begin);
    std::size_t position = 0;
    while (const auto next = read_rouge_word(line, position, word)) {
      position = *next;
      out.tokens.push_back(vocabulary.id_of(word));
    }
    // Lines without tokens add nothing to any score, so they need no sentence of their own.
    const std::size_t previous_end = out.sentence_ends.empty() ? 0 : out.sentence_ends.back();
    if (out.tokens.size() > previous_end) out.sentence_ends.push_back(out.tokens.size());
    line_begin = line_end + 1;
  }
}

}  // namespace

struct RougeScorer::Workspace {
  StemVocabulary vocabulary;
  std::string word;
  TokenizedText target;
  TokenizedText prediction;
  MetricScratch scratch;
};

RougeScorer::RougeScorer() : workspace_(std::make_unique<Workspace>()) {}
RougeScorer::~RougeScorer() = default;
RougeScorer::RougeScorer(RougeScorer&&) noexcept = default;
RougeScorer& RougeScorer::operator=(RougeScorer&&) noexcept = default;

RougeScores RougeScorer::score(std::string_view target, std::string_view prediction) {
  Workspace& w = *workspace_;
  tokenize_into_ids(target, w.vocabulary, w.word, w.target);
  tokenize_into_ids(prediction, w.vocabulary, w.word, w.prediction);
  RougeScores scores;
  scores.rouge1 = rouge_n(w.target.tokens, w.prediction.tokens, 1, w.scratch);
  scores.rouge2 = rouge_n(w.target.tokens, w.prediction.tokens, 2, w.scratch);
  scores.rouge_l = rouge_l(w.target.tokens, w.prediction.tokens, w.scratch);
  scores.rouge_lsum = rouge_lsum(w.target, w.prediction, w.scratch);
  return scores;
}

RougeScores score_rouge(std::string_view target, std::string_view prediction) {
  RougeScorer scorer;
  return scorer.score(target, prediction);
}

Result<std::vector<RougeScores>> score_rouge_pairs(std::span<const std::string> targets,
                                                   std::span<const std::string> predictions) {
  if (targets.size() != predictions.size()) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("{} targets but {} predictions", targets.size(), predictions.size()),
                "ROUGE");
  }
  RougeScorer scorer;
  std::vector<RougeScores> scores;
  scores.reserve(targets.size());
  for (std::size_t i = 0; i < targets.size(); ++i) {
    scores.push_back(scorer.score(targets[i], predictions[i]));
  }
  return scores;
}

}  // namespace mlbench::accuracy
