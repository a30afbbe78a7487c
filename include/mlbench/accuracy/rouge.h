#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mlbench/core/result.h"

namespace mlbench::accuracy {

struct RougeScore {
  double precision = 0.0;
  double recall = 0.0;
  double fmeasure = 0.0;
};

// The four scores MLPerf's llama3.1-8b accuracy check reads, as rouge_score 0.1.2 computes them
// with use_stemmer=True: rouge1, rouge2, rougeL, and rougeLsum over sentences split on "\n".
struct RougeScores {
  RougeScore rouge1;
  RougeScore rouge2;
  RougeScore rouge_l;
  RougeScore rouge_lsum;
};

// Scores pairs the way rouge_score's RougeScorer(["rouge1", "rouge2", "rougeL", "rougeLsum"],
// use_stemmer=True).score(target, prediction) does, to the last bit. It is a class because it
// owns a cache of stems and scratch buffers that later pairs reuse; it is not thread-safe, so use
// one per thread. The cache holds every distinct word seen, which for natural text stays small.
class RougeScorer {
 public:
  RougeScorer();
  ~RougeScorer();
  RougeScorer(RougeScorer&&) noexcept;
  RougeScorer& operator=(RougeScorer&&) noexcept;

  // `target` is the reference summary, `prediction` the model's output, both UTF-8 (invalid bytes
  // separate words). Never fails: texts without words score zero.
  RougeScores score(std::string_view target, std::string_view prediction);

 private:
  struct Workspace;
  std::unique_ptr<Workspace> workspace_;
};

// One pair, without keeping a cache: for a single call or a test.
RougeScores score_rouge(std::string_view target, std::string_view prediction);

// targets[i] against predictions[i], with one scorer. Fails when the lengths differ.
Result<std::vector<RougeScores>> score_rouge_pairs(std::span<const std::string> targets,
                                                   std::span<const std::string> predictions);

}  // namespace mlbench::accuracy
