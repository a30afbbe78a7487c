#include "runner/accuracy_command.h"

#include <fmt/format.h>

#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "mlbench/dataset/cnn_eval.h"
#include "mlbench/model/tokenizer.h"

namespace mlbench::runner {
namespace {

namespace fs = std::filesystem;

constexpr const char* kAccuracyLogName = "mlperf_log_accuracy.json";

// transformers applies clean_up_tokenization_spaces in batch_decode when tokenizer_config.json
// says so (Llama 3.1's does); without the file, the tokenizers library's plain decode.
Result<accuracy::AccuracyOptions> read_decode_options(const fs::path& model_dir) {
  const fs::path dir = fs::is_directory(model_dir) ? model_dir : model_dir.parent_path();
  const fs::path config = dir / "tokenizer_config.json";
  accuracy::AccuracyOptions options;
  std::ifstream in(config);
  if (!in) return options;
  nlohmann::json root;
  try {
    root = nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& error) {
    return fail(ErrorCode::kParse, fmt::format("not valid JSON: {}", error.what()),
                config.string());
  }
  const auto cleanup = root.is_object() ? root.find("clean_up_tokenization_spaces") : root.end();
  if (root.is_object() && cleanup != root.end()) {
    if (!cleanup->is_boolean()) {
      return fail(ErrorCode::kParse, "'clean_up_tokenization_spaces' is not true or false",
                  config.string());
    }
    options.clean_up_tokenization_spaces = cleanup->get<bool>();
  }
  return options;
}

Result<std::vector<std::string>> read_references(const fs::path& dataset) {
  auto loaded = dataset::load_cnn_eval(dataset);
  if (!loaded) return loaded.failure();
  std::vector<std::string> references;
  references.reserve(loaded->samples.size());
  for (dataset::Sample& sample : loaded->samples)
    references.push_back(std::move(sample.output));
  return references;
}

// Ten significant digits: the thresholds are products like 38.7792 * 0.99, whose shortest
// round-trip form (38.391408000000006) says less than the rounded one.
std::string describe_check(const accuracy::TargetCheck& check) {
  if (check.high) {
    return fmt::format("{} {:.10g} outside {:.10g}..{:.10g}", check.metric, check.measured,
                       check.low, *check.high);
  }
  return fmt::format("{} {:.10g} < {:.10g}", check.metric, check.measured, check.low);
}

struct AccuracyArgs {
  std::string log;
  std::string dataset;
  std::string model_dir;
  std::string out_dir;  // empty: beside the log
  std::string target = "datacenter";
};

ExitCode run_accuracy(const AccuracyArgs& args) {
  const fs::path out_dir =
      args.out_dir.empty() ? fs::path(args.log).parent_path() : fs::path(args.out_dir);
  if (!out_dir.empty()) {
    std::error_code error;
    fs::create_directories(out_dir, error);
    if (error) {
      return cli::report_error(Error{
          ErrorCode::kIo, fmt::format("cannot create: {}", error.message()), out_dir.string()});
    }
  }
  auto outcome = score_accuracy_log(args.log, args.dataset, args.model_dir, out_dir);
  if (!outcome) return cli::report_error(outcome.error());
  const std::string txt = accuracy::render_accuracy_txt(outcome->report);
  fmt::print("{}", txt.substr(0, txt.find('\n') + 1));
  for (const std::string& line : describe_verdicts(outcome->report))
    fmt::print("{}\n", line);
  fmt::print("wrote {} in {}\n", fmt::join(outcome->files, ", "),
             out_dir.empty() ? "." : out_dir.string());
  for (const accuracy::TargetVerdict& verdict : outcome->report.verdicts) {
    if (verdict.target == args.target) {
      return verdict.passed ? ExitCode::kOk : ExitCode::kInvalidResult;
    }
  }
  return ExitCode::kInvalidResult;
}

}  // namespace

Result<AccuracyOutcome> score_accuracy_log(const fs::path& log, const fs::path& dataset,
                                           const fs::path& model_dir, const fs::path& out_dir) {
  // The cheap checks first: a bad log is reported before a large data set is read.
  auto parsed = accuracy::read_accuracy_log(log);
  if (!parsed) return parsed.failure();
  auto options = read_decode_options(model_dir);
  if (!options) return options.failure();
  auto tokenizer = model::Tokenizer::load(model_dir);
  if (!tokenizer) return tokenizer.failure();
  auto references = read_references(dataset);
  if (!references) return references.failure();
  auto report = accuracy::evaluate_accuracy_log(*parsed, *references, *tokenizer, *options);
  if (!report) {
    // Name the log in front of the entry, so the message says which file to look at.
    Error error = report.error();
    error.where =
        error.where.empty() ? log.string() : fmt::format("{}: {}", log.string(), error.where);
    return fail(std::move(error));
  }
  auto files = accuracy::write_accuracy_files(*report, out_dir);
  if (!files) return files.failure();
  return AccuracyOutcome{std::move(*report), std::move(*files)};
}

Result<AccuracyOutcome> run_accuracy_pass(const fs::path& out_dir, const fs::path& dataset,
                                          const fs::path& model_dir) {
  return score_accuracy_log(out_dir / kAccuracyLogName, dataset, model_dir, out_dir);
}

std::vector<std::string> describe_verdicts(const accuracy::AccuracyReport& report) {
  std::vector<std::string> lines;
  for (const accuracy::TargetVerdict& verdict : report.verdicts) {
    std::vector<std::string> missed;
    for (const accuracy::TargetCheck& check : verdict.checks) {
      if (!check.passed) missed.push_back(describe_check(check));
    }
    const std::string samples = verdict.gen_num_matches
                                    ? fmt::format("all {} samples", verdict.expected_gen_num)
                                    : fmt::format("{} samples scored, the target's data set has {}",
                                                  report.scores.gen_num, verdict.expected_gen_num);
    lines.push_back(verdict.passed ? fmt::format("{} target: passed ({})", verdict.target, samples)
                                   : fmt::format("{} target: missed: {} ({})", verdict.target,
                                                 fmt::join(missed, "; "), samples));
  }
  return lines;
}

cli::CommandSpec accuracy_command() {
  return {
      "accuracy", "Score mlperf_log_accuracy.json with ROUGE as MLPerf's evaluation.py does",
      [](CLI::App& sub, const cli::GlobalOptions&) -> cli::CommandHandler {
        auto args = std::make_shared<AccuracyArgs>();
        sub.add_option("--log", args->log, "mlperf_log_accuracy.json of an accuracy run")
            ->required();
        sub.add_option("--dataset", args->dataset, "The cnn_eval.json the run used")->required();
        sub.add_option("--model", args->model_dir,
                       "Model directory holding tokenizer.json (or the file itself)")
            ->required();
        sub.add_option("--out", args->out_dir,
                       "Where accuracy.txt and accuracy.json go (default: beside the log)");
        sub.add_option("--target", args->target, "The target that decides the exit code")
            ->check(CLI::IsMember({"datacenter", "edge"}))
            ->capture_default_str();
        sub.footer(
            "Prints evaluation.py's result line and each target's verdict. Exit 0 when the "
            "chosen target is met, 2 when it is missed, 1 on bad input.");
        return [args] { return run_accuracy(*args); };
      }};
}

}  // namespace mlbench::runner
