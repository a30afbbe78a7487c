#include "runner/model_commands.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <charconv>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "mlbench/model/forward_cpu.h"
#include "mlbench/model/generate.h"
#include "mlbench/model/make_model.h"
#include "mlbench/model/tokenizer.h"

namespace mlbench::runner {
namespace {

using cli::CommandHandler;
using cli::CommandSpec;
using cli::GlobalOptions;

Result<std::vector<std::int32_t>> parse_token_list(const std::string& text) {
  std::vector<std::int32_t> tokens;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    std::string_view item(text.data() + start, comma - start);
    while (!item.empty() && item.front() == ' ')
      item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ')
      item.remove_suffix(1);
    std::int32_t value = 0;
    const auto [end, error] = std::from_chars(item.data(), item.data() + item.size(), value);
    if (item.empty() || error != std::errc{} || end != item.data() + item.size() || value < 0) {
      return fail(ErrorCode::kInvalidArgument,
                  fmt::format("--tokens: '{}' is not a token id (expected e.g. 1,2,3)", item));
    }
    tokens.push_back(value);
    start = comma + 1;
  }
  return tokens;
}

Result<void> write_logits(const std::string& path, std::span<const float> logits) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "wb"),
                                                       &std::fclose);
  // fmt's shortest round-trip form: reading the JSON back gives the exact floats.
  const std::string text = fmt::format("[{}]\n", fmt::join(logits, ","));
  if (!file || std::fwrite(text.data(), 1, text.size(), file.get()) != text.size() ||
      std::fflush(file.get()) != 0) {
    return fail(ErrorCode::kIo, "cannot write the logits", path);
  }
  return {};
}

struct GenerateArgs {
  std::string model_dir;
  std::string tokens;
  std::string prompt;
  int max_new_tokens = 128;
  std::string logits_path;
  int threads = 0;
};

// The prompt's token ids: --tokens as given, or --prompt encoded with DIR/tokenizer.json (the
// tokenizer's template puts <|begin_of_text|> in front).
Result<std::vector<std::int32_t>> prompt_tokens(const GenerateArgs& args) {
  if (args.prompt.empty() == args.tokens.empty()) {
    return fail(ErrorCode::kInvalidArgument, "give exactly one of --tokens and --prompt",
                "generate");
  }
  if (!args.tokens.empty()) return parse_token_list(args.tokens);
  const auto path = std::filesystem::path(args.model_dir) / "tokenizer.json";
  std::error_code ignored;
  if (!std::filesystem::exists(path, ignored)) {
    return fail(ErrorCode::kNotFound,
                "the model directory has no tokenizer.json, which --prompt needs; pass the "
                "token ids with --tokens instead",
                path.string());
  }
  auto tokenizer = model::Tokenizer::load(path);
  if (!tokenizer) return tokenizer.failure();
  return tokenizer->encode(args.prompt);
}

ExitCode run_generate(const GenerateArgs& args) {
  auto prompt = prompt_tokens(args);
  if (!prompt) return cli::report_error(prompt.error());
  auto model = model::CpuModel::load(args.model_dir, {.threads = args.threads});
  if (!model) return cli::report_error(model.error());
  model::GenerateOptions options;
  options.max_new_tokens = args.max_new_tokens;
  auto stop_ids = model::stop_token_ids(args.model_dir, model->config());
  if (!stop_ids) return cli::report_error(stop_ids.error());
  options.eos_token_ids = std::move(*stop_ids);

  auto generation = model::generate_greedy(*model, *prompt, options);
  if (!generation) return cli::report_error(generation.error());
  if (!args.logits_path.empty()) {
    if (auto ok = write_logits(args.logits_path, generation->prompt_logits); !ok) {
      return cli::report_error(ok.error());
    }
  }
  fmt::print("[{}]\n", fmt::join(generation->tokens, ","));
  return ExitCode::kOk;
}

struct MakeModelArgs {
  std::string preset;
  std::string out;
  std::uint64_t seed = 0;
  int shards = 1;
  std::string dtype = "bf16";
};

ExitCode run_make_model(const MakeModelArgs& args) {
  auto config = model::preset_config(args.preset);
  if (!config) return cli::report_error(config.error());
  model::RandomModelOptions options;
  options.seed = args.seed;
  options.shards = args.shards;
  options.dtype = args.dtype == "f32"   ? model::DType::kF32
                  : args.dtype == "f16" ? model::DType::kF16
                                        : model::DType::kBF16;
  if (auto ok = model::write_random_model(args.out, *config, options); !ok) {
    return cli::report_error(ok.error());
  }
  fmt::print("wrote {} model to {}\n", args.preset, args.out);
  return ExitCode::kOk;
}

}  // namespace

CommandSpec make_model_command() {
  return {
      "make-model", "Write a random-weight Llama-3-style model (config and weights)",
      [](CLI::App& sub, const GlobalOptions&) -> CommandHandler {
        auto args = std::make_shared<MakeModelArgs>();
        sub.add_option("--preset", args->preset, "tiny, small or llama-3.1-8b (16 GB)")
            ->required()
            ->check(CLI::IsMember({"tiny", "small", "llama-3.1-8b"}));
        sub.add_option("--out", args->out, "The model directory to write")->required();
        sub.add_option("--seed", args->seed, "Seed of the random weights")->capture_default_str();
        sub.add_option("--shards", args->shards, "Number of safetensors files")
            ->check(CLI::Range(1, 1000))
            ->capture_default_str();
        sub.add_option("--dtype", args->dtype, "Weight type")
            ->check(CLI::IsMember({"bf16", "f16", "f32"}))
            ->capture_default_str();
        return [args] { return run_make_model(*args); };
      }};
}

CommandSpec generate_command() {
  return {"generate", "Greedy-decode a prompt and print the new token ids as JSON",
          [](CLI::App& sub, const GlobalOptions&) -> CommandHandler {
            auto args = std::make_shared<GenerateArgs>();
            sub.add_option("--model", args->model_dir, "The model directory")->required();
            sub.add_option("--tokens", args->tokens, "Prompt token ids, e.g. 1,2,3");
            sub.add_option("--prompt", args->prompt,
                           "Prompt text, tokenised with the model directory's tokenizer.json");
            sub.add_option("--max-new-tokens", args->max_new_tokens, "At most this many new tokens")
                ->check(CLI::Range(1, 1 << 20))
                ->capture_default_str();
            sub.add_option("--logits", args->logits_path,
                           "Write the logits at the prompt's last position here as JSON");
            sub.add_option("--threads", args->threads, "CPU threads (0: all)")
                ->check(CLI::Range(0, 1024))
                ->capture_default_str();
            return [args] { return run_generate(*args); };
          }};
}

}  // namespace mlbench::runner
