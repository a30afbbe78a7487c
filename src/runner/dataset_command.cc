#include "runner/dataset_command.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <optional>

#include "mlbench/dataset/articles.h"
#include "mlbench/loadgen/log_file.h"
#include "mlbench/model/tokenizer.h"

namespace mlbench::runner {
namespace {

struct MakeDatasetArgs {
  std::string articles;
  std::string tokenizer;
  std::string out;
  std::optional<std::size_t> max_samples;
};

ExitCode run_make_dataset(const MakeDatasetArgs& args) {
  // Everything is read and checked before anything is written, so a bad line leaves no file.
  auto articles = dataset::load_articles(args.articles, args.max_samples);
  if (!articles) return cli::report_error(articles.error());
  auto tokenizer = model::Tokenizer::load(args.tokenizer);
  if (!tokenizer) return cli::report_error(tokenizer.error());
  auto built = dataset::build_cnn_eval(*articles, [&](std::string_view prompt) {
    return tokenizer->encode(prompt, {.add_special_tokens = true});
  });
  if (!built) {
    return cli::report_error(Error{built.error().code, built.error().message,
                                   fmt::format("{} ({})", args.articles, built.error().where)});
  }
  const std::filesystem::path out_dir = std::filesystem::path(args.out).parent_path();
  std::error_code error;
  if (!out_dir.empty()) std::filesystem::create_directories(out_dir, error);
  if (error) {
    return cli::report_error(
        Error{ErrorCode::kIo, fmt::format("cannot create: {}", error.message()), out_dir.string()});
  }
  if (auto written = loadgen::write_file_atomically(args.out, dataset::cnn_eval_to_json(*built));
      !written) {
    return cli::report_error(written.error());
  }
  std::size_t shortest = SIZE_MAX;
  std::size_t longest = 0;
  std::size_t total = 0;
  for (const dataset::Sample& sample : built->samples) {
    shortest = std::min(shortest, sample.tok_input.size());
    longest = std::max(longest, sample.tok_input.size());
    total += sample.tok_input.size();
  }
  fmt::print("wrote {} samples to {} (prompt tokens: min {}, mean {:.1f}, max {})\n",
             built->samples.size(), args.out, shortest,
             static_cast<double>(total) / static_cast<double>(built->samples.size()), longest);
  return ExitCode::kOk;
}

}  // namespace

cli::CommandSpec make_dataset_command() {
  return {"make-dataset", "Build a cnn_eval.json from articles and summaries",
          [](CLI::App& sub, const cli::GlobalOptions&) -> cli::CommandHandler {
            auto args = std::make_shared<MakeDatasetArgs>();
            sub.add_option("--articles", args->articles,
                           "JSON lines of {\"article\": ..., \"summary\": ...}")
                ->required();
            sub.add_option("--tokenizer", args->tokenizer,
                           "Directory holding tokenizer.json (or the file)")
                ->required();
            sub.add_option("--out", args->out, "The cnn_eval.json to write")->required();
            sub.add_option("--max-samples", args->max_samples, "Use only the first N articles")
                ->check(CLI::PositiveNumber);
            sub.footer(
                "Each article goes into MLPerf's CNN-DailyMail prompt and is tokenised with "
                "<|begin_of_text|> in front, as MLPerf's download script does; the file has "
                "MLPerf's shape ({instruction, input, tok_input, output} records).");
            return [args] { return run_make_dataset(*args); };
          }};
}

}  // namespace mlbench::runner
