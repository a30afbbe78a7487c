#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "mlbench/accuracy/accuracy_run.h"
#include "mlbench/core/result.h"

#include "cli/command.h"

namespace mlbench::runner {

struct AccuracyOutcome {
  accuracy::AccuracyReport report;  // scores, and the datacenter and edge verdicts
  std::vector<std::string> files;   // names written into the output directory
};

// Scores an MLPerf accuracy log as the reference's evaluation.py does and writes accuracy.txt and
// accuracy.json into `out_dir`. `dataset` is the cnn_eval.json the run used; `model_dir` holds
// tokenizer.json (and tokenizer_config.json, whose clean_up_tokenization_spaces is honoured).
Result<AccuracyOutcome> score_accuracy_log(const std::filesystem::path& log,
                                           const std::filesystem::path& dataset,
                                           const std::filesystem::path& model_dir,
                                           const std::filesystem::path& out_dir);

// What `mlbench-runner run` does after an accuracy-mode run: scores
// out_dir/mlperf_log_accuracy.json and writes the two files beside it.
Result<AccuracyOutcome> run_accuracy_pass(const std::filesystem::path& out_dir,
                                          const std::filesystem::path& dataset,
                                          const std::filesystem::path& model_dir);

// One line per target: "datacenter target: passed" or what missed, and the sample count.
std::vector<std::string> describe_verdicts(const accuracy::AccuracyReport& report);

// `mlbench-runner accuracy --log mlperf_log_accuracy.json --dataset FILE --model DIR [--out DIR]
// [--target datacenter|edge]`: exit 0 when the chosen target is met, 2 when it is missed.
cli::CommandSpec accuracy_command();

}  // namespace mlbench::runner
