#include "runner/rouge_command.h"

#include <fmt/format.h>

#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

#include "mlbench/accuracy/rouge.h"
#include "mlbench/accuracy/rouge_summary.h"

namespace mlbench::runner {
namespace {

using nlohmann::json;

json to_json(const accuracy::RougeScore& score) {
  return {{"p", score.precision}, {"r", score.recall}, {"f", score.fmeasure}};
}

// Reads every line first, so a bad line anywhere is reported before any output is written.
Result<std::vector<json>> read_pairs(const std::string& path) {
  std::ifstream in(path);
  if (!in) return fail(ErrorCode::kNotFound, "cannot open the pairs file", path);
  std::vector<json> pairs;
  int line_number = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_number;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = fmt::format("{}:{}", path, line_number);
    json pair = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!pair.is_object()) {
      return fail(ErrorCode::kParse, "not a JSON object (expected {\"prediction\", \"reference\"})",
                  where);
    }
    for (const char* key : {"prediction", "reference"}) {
      if (!pair.contains(key) || !pair.at(key).is_string()) {
        return fail(ErrorCode::kParse, fmt::format("'{}' is missing or not a string", key), where);
      }
    }
    pairs.push_back(std::move(pair));
  }
  return pairs;
}

ExitCode score_pairs(const std::string& path) {
  auto pairs = read_pairs(path);
  if (!pairs) return cli::report_error(pairs.error());
  accuracy::RougeScorer scorer;
  std::vector<accuracy::RougeScores> all;
  all.reserve(pairs->size());
  for (json& pair : *pairs) {
    const accuracy::RougeScores scores = scorer.score(pair.at("reference").get<std::string>(),
                                                      pair.at("prediction").get<std::string>());
    pair["rouge1"] = to_json(scores.rouge1);
    pair["rouge2"] = to_json(scores.rouge2);
    pair["rougeL"] = to_json(scores.rouge_l);
    pair["rougeLsum"] = to_json(scores.rouge_lsum);
    fmt::print("{}\n", pair.dump(-1, ' ', false, json::error_handler_t::replace));
    all.push_back(scores);
  }
  auto summary = accuracy::summarize_for_mlperf(all);
  if (!summary) return cli::report_error(summary.error());
  // The figures MLPerf's evaluation reports: mean F-measure x 100, rounded to 4 places.
  fmt::print("{}\n", json{{"aggregate",
                           {{"rouge1", summary->rouge1},
                            {"rouge2", summary->rouge2},
                            {"rougeL", summary->rouge_l},
                            {"rougeLsum", summary->rouge_lsum},
                            {"pairs", summary->count}}}}
                         .dump());
  return ExitCode::kOk;
}

}  // namespace

cli::CommandSpec rouge_command() {
  return {
      "rouge", "Score prediction/reference pairs (JSON lines) with ROUGE-1/2/L/Lsum as MLPerf does",
      [](CLI::App& sub, const cli::GlobalOptions&) -> cli::CommandHandler {
        auto path = std::make_shared<std::string>();
        sub.add_option("--pairs", *path, "JSON lines of {\"prediction\": ..., \"reference\": ...}")
            ->required();
        sub.footer(
            "Prints each pair back with rouge1, rouge2, rougeL and rougeLsum {p, r, f} added, "
            "then one {\"aggregate\": ...} line. ROUGE-Lsum splits sentences on the newlines "
            "as given.");
        return [path] { return score_pairs(*path); };
      }};
}

}  // namespace mlbench::runner
