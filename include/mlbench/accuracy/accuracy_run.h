#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mlbench/accuracy/accuracy_log_reader.h"
#include "mlbench/accuracy/rouge_summary.h"
#include "mlbench/core/result.h"
#include "mlbench/model/tokenizer.h"

namespace mlbench::accuracy {

// An MLPerf accuracy target for llama3.1-8b (the reference's scores on the full data set).
struct AccuracyTarget {
  std::string_view name;
  double rouge1 = 0.0;
  double rouge2 = 0.0;
  double rouge_l = 0.0;
  double rouge_lsum = 0.0;
  std::uint64_t gen_len = 0;  // characters of all predictions together
  std::size_t gen_num = 0;    // samples in the data set
};

inline constexpr AccuracyTarget kLlama31_8bDatacenter{"datacenter", 38.7792, 15.9075, 24.4957,
                                                      35.793,       8167644, 13368};
inline constexpr AccuracyTarget kLlama31_8bEdge{"edge", 39.06,   16.1147, 24.6375,
                                                36.124, 3051113, 5000};

// The submission checker's rule: every ROUGE at least 99% of its target, gen_len within 90% to
// 110% of its target. gen_num is not judged (the checker reads the sample count from the logs);
// a verdict says whether it matches.
inline constexpr double kRougeShare = 0.99;
inline constexpr double kGenLenLowShare = 0.9;
inline constexpr double kGenLenHighShare = 1.1;

// What evaluation.py prints: ROUGE means (F x 100, rounded to 4 places), gen_len and gen_num.
struct AccuracyScores {
  MlperfRougeSummary rouge;
  std::uint64_t gen_len = 0;
  std::size_t gen_num = 0;
};

struct TargetCheck {
  std::string metric;  // "rouge1", "rouge2", "rougeL", "rougeLsum", "gen_len"
  double measured = 0.0;
  double low = 0.0;
  std::optional<double> high;  // gen_len only
  bool passed = false;
};

struct TargetVerdict {
  std::string target;  // "datacenter", "edge"
  bool passed = false;
  std::vector<TargetCheck> checks;
  std::size_t expected_gen_num = 0;
  bool gen_num_matches = false;
};

struct AccuracyOptions {
  // transformers' decode clean-up (" ." -> "."), which evaluation.py gets when the model's
  // tokenizer_config.json turns it on, as Llama 3.1's does.
  bool clean_up_tokenization_spaces = false;
};

struct AccuracyReport {
  AccuracyScores scores;
  std::size_t log_entries = 0;  // entries in the accuracy log, repeats included
  std::string log_sha256;
  std::vector<TargetVerdict> verdicts;  // datacenter, then edge
};

// Each sample's token ids to text, special tokens skipped. Fails, naming the sample's entry, on an
// id outside the tokenizer's vocabulary.
Result<std::vector<std::string>> decode_predictions(std::span<const LoggedSample> samples,
                                                    const model::Tokenizer& tokenizer,
                                                    const AccuracyOptions& options = {});

// Post-processes both sides as evaluation.py does (postprocess_for_rouge), scores every pair with
// ROUGE and sums the predictions' characters (Unicode code points, as Python's len counts).
// Fails on lists of different lengths or on empty ones.
Result<AccuracyScores> score_for_mlperf(std::span<const std::string> predictions,
                                        std::span<const std::string> references);

TargetVerdict judge(const AccuracyScores& scores, const AccuracyTarget& target);

// The whole of evaluation.py on a parsed log: `references[i]` is the data set's `output` for QSL
// index i. Fails on a qsl_idx with no reference, naming its entry, and on undecodable ids.
Result<AccuracyReport> evaluate_accuracy_log(const AccuracyLog& log,
                                             std::span<const std::string> references,
                                             const model::Tokenizer& tokenizer,
                                             const AccuracyOptions& options = {});

// accuracy.txt as the submission checker reads it: evaluation.py's result line, e.g.
//   {'rouge1': '38.7792', 'rouge2': '15.9075', 'rougeL': '24.4957', 'rougeLsum': '35.793',
//    'gen_len': 8167644, 'gen_num': 13368}
// (one line), then `hash=<sha256 of mlperf_log_accuracy.json>`.
std::string render_accuracy_txt(const AccuracyReport& report);
// accuracy.json: the same figures and both verdicts, for mlbench's report.
std::string render_accuracy_json(const AccuracyReport& report);

// Writes accuracy.txt and accuracy.json into `out_dir` (each atomically) and returns their names.
Result<std::vector<std::string>> write_accuracy_files(const AccuracyReport& report,
                                                      const std::filesystem::path& out_dir);

}  // namespace mlbench::accuracy
