#include "mlbench/accuracy/accuracy_run.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "mlbench/accuracy/rouge.h"
#include "mlbench/accuracy/sentence_splitter.h"
#include "mlbench/loadgen/log_file.h"

namespace mlbench::accuracy {
namespace {

using nlohmann::json;

std::string describe(const LoggedSample& sample) {
  return fmt::format("entry {} (seq_id {}, qsl_idx {})", sample.entry, sample.seq_id,
                     sample.qsl_idx);
}

// Python's len() of a str: code points. The text is well-formed UTF-8 (decoding replaces bad
// bytes), so counting the bytes that do not continue a sequence counts the code points.
std::uint64_t code_points(std::string_view text) {
  std::uint64_t count = 0;
  for (const char c : text)
    count += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return count;
}

// Python's str() of a float, as evaluation.py's round(...) values print: shortest round trip,
// always with a decimal point.
std::string python_float(double value) {
  std::string text = fmt::format("{}", value);
  if (text.find_first_of(".eEn") == std::string::npos) text += ".0";
  return text;
}

TargetCheck at_least(std::string metric, double measured, double target) {
  const double low = target * kRougeShare;
  return {std::move(metric), measured, low, std::nullopt, measured >= low};
}

json check_json(const TargetCheck& check) {
  json out = {{"measured", check.measured}, {"min", check.low}, {"passed", check.passed}};
  if (check.high) out["max"] = *check.high;
  return out;
}

}  // namespace

Result<std::vector<std::string>> decode_predictions(std::span<const LoggedSample> samples,
                                                    const model::Tokenizer& tokenizer,
                                                    const AccuracyOptions& options) {
  model::DecodeOptions decode;
  decode.skip_special_tokens = true;
  decode.clean_up_tokenization_spaces = options.clean_up_tokenization_spaces;
  const std::size_t vocabulary = tokenizer.vocab_size();
  std::vector<std::string> predictions;
  predictions.reserve(samples.size());
  for (const LoggedSample& sample : samples) {
    for (std::size_t i = 0; i < sample.token_ids.size(); ++i) {
      const std::int32_t id = sample.token_ids[i];
      if (id < 0 || static_cast<std::size_t>(id) >= vocabulary) {
        return fail(ErrorCode::kParse,
                    fmt::format("token {} is id {}, outside the tokenizer's vocabulary of {} (was "
                                "the log written with another model?)",
                                i, id, vocabulary),
                    describe(sample));
      }
    }
    auto text = tokenizer.decode(sample.token_ids, decode);
    if (!text) {
      return fail(ErrorCode::kParse, fmt::format("cannot decode: {}", text.error().message),
                  describe(sample));
    }
    predictions.push_back(std::move(*text));
  }
  return predictions;
}

Result<AccuracyScores> score_for_mlperf(std::span<const std::string> predictions,
                                        std::span<const std::string> references) {
  if (predictions.size() != references.size()) {
    return fail(
        ErrorCode::kInvalidArgument,
        fmt::format("{} predictions but {} references", predictions.size(), references.size()),
        "accuracy");
  }
  RougeScorer scorer;
  std::vector<RougeScores> scores;
  scores.reserve(predictions.size());
  AccuracyScores result;
  for (std::size_t i = 0; i < predictions.size(); ++i) {
    const std::string prediction = postprocess_for_rouge(predictions[i]);
    scores.push_back(scorer.score(postprocess_for_rouge(references[i]), prediction));
    result.gen_len += code_points(prediction);
  }
  auto summary = summarize_for_mlperf(scores);
  if (!summary) return summary.failure();
  result.rouge = *summary;
  result.gen_num = predictions.size();
  return result;
}

TargetVerdict judge(const AccuracyScores& scores, const AccuracyTarget& target) {
  TargetVerdict verdict;
  verdict.target = std::string(target.name);
  verdict.checks.push_back(at_least("rouge1", scores.rouge.rouge1, target.rouge1));
  verdict.checks.push_back(at_least("rouge2", scores.rouge.rouge2, target.rouge2));
  verdict.checks.push_back(at_least("rougeL", scores.rouge.rouge_l, target.rouge_l));
  verdict.checks.push_back(at_least("rougeLsum", scores.rouge.rouge_lsum, target.rouge_lsum));
  const double gen_len = static_cast<double>(scores.gen_len);
  const double low = static_cast<double>(target.gen_len) * kGenLenLowShare;
  const double high = static_cast<double>(target.gen_len) * kGenLenHighShare;
  verdict.checks.push_back({"gen_len", gen_len, low, high, gen_len >= low && gen_len <= high});
  verdict.passed = true;
  for (const TargetCheck& check : verdict.checks)
    verdict.passed = verdict.passed && check.passed;
  verdict.expected_gen_num = target.gen_num;
  verdict.gen_num_matches = scores.gen_num == target.gen_num;
  return verdict;
}

Result<AccuracyReport> evaluate_accuracy_log(const AccuracyLog& log,
                                             std::span<const std::string> references,
                                             const model::Tokenizer& tokenizer,
                                             const AccuracyOptions& options) {
  if (log.samples.empty()) {
    return fail(ErrorCode::kParse,
                "the accuracy log has no entries: nothing to score (was the run in accuracy "
                "mode, and did any sample complete?)");
  }
  std::vector<std::string> targets;
  targets.reserve(log.samples.size());
  for (const LoggedSample& sample : log.samples) {
    if (sample.qsl_idx >= references.size()) {
      return fail(ErrorCode::kParse,
                  fmt::format("qsl_idx {} is beyond the data set, which has {} samples (is it "
                              "the data set the run used?)",
                              sample.qsl_idx, references.size()),
                  describe(sample));
    }
    targets.push_back(references[sample.qsl_idx]);
  }
  auto predictions = decode_predictions(log.samples, tokenizer, options);
  if (!predictions) return predictions.failure();
  auto scores = score_for_mlperf(*predictions, targets);
  if (!scores) return scores.failure();
  AccuracyReport report;
  report.scores = *scores;
  report.log_entries = log.entries;
  report.log_sha256 = log.sha256;
  report.verdicts = {judge(*scores, kLlama31_8bDatacenter), judge(*scores, kLlama31_8bEdge)};
  return report;
}

std::string render_accuracy_txt(const AccuracyReport& report) {
  const AccuracyScores& s = report.scores;
  return fmt::format(
      "{{'rouge1': '{}', 'rouge2': '{}', 'rougeL': '{}', 'rougeLsum': '{}', 'gen_len': {}, "
      "'gen_num': {}}}\nhash={}\n",
      python_float(s.rouge.rouge1), python_float(s.rouge.rouge2), python_float(s.rouge.rouge_l),
      python_float(s.rouge.rouge_lsum), s.gen_len, s.gen_num, report.log_sha256);
}

std::string render_accuracy_json(const AccuracyReport& report) {
  const AccuracyScores& s = report.scores;
  json targets = json::object();
  for (const TargetVerdict& verdict : report.verdicts) {
    json checks = json::object();
    for (const TargetCheck& check : verdict.checks)
      checks[check.metric] = check_json(check);
    targets[verdict.target] = {{"passed", verdict.passed},
                               {"checks", checks},
                               {"gen_num_expected", verdict.expected_gen_num},
                               {"gen_num_matches", verdict.gen_num_matches}};
  }
  // The headline verdict is the first target's (datacenter), the one the runner's exit code
  // follows; a reader that knows nothing of targets still sees pass or fail.
  const TargetVerdict& headline = report.verdicts.front();
  const json out = {
      {"passed", headline.passed},
      {"verdict", fmt::format("{} ({})", headline.passed ? "pass" : "fail", headline.target)},
      {"rouge1", s.rouge.rouge1},
      {"rouge2", s.rouge.rouge2},
      {"rougeL", s.rouge.rouge_l},
      {"rougeLsum", s.rouge.rouge_lsum},
      {"gen_len", s.gen_len},
      {"gen_num", s.gen_num},
      {"log_entries", report.log_entries},
      {"accuracy_log_sha256", report.log_sha256},
      {"targets", targets}};
  return out.dump(2) + "\n";
}

Result<std::vector<std::string>> write_accuracy_files(const AccuracyReport& report,
                                                      const std::filesystem::path& out_dir) {
  const std::pair<const char*, std::string> files[] = {
      {"accuracy.txt", render_accuracy_txt(report)},
      {"accuracy.json", render_accuracy_json(report)},
  };
  std::vector<std::string> written;
  for (const auto& [name, text] : files) {
    if (auto ok = loadgen::write_file_atomically(out_dir / name, text); !ok) return ok.failure();
    written.emplace_back(name);
  }
  return written;
}

}  // namespace mlbench::accuracy
