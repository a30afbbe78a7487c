#include "runner/tokenize_command.h"

#include <fmt/format.h>

#include <cstdio>
#include <iostream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>

#include "mlbench/model/tokenizer.h"

namespace mlbench::runner {
namespace {

struct TokenizeOptions {
  std::string model_dir;
  bool no_special_tokens = false;
  bool skip_special_tokens = false;
  bool clean_up_spaces = false;
};

std::string read_stdin() {
  return {std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
}

void add_model_option(CLI::App& sub, TokenizeOptions& options) {
  sub.add_option("--model", options.model_dir, "Directory holding tokenizer.json (or the file)")
      ->required();
}

Result<model::Tokenizer> load_tokenizer(const TokenizeOptions& options) {
  return model::Tokenizer::load(options.model_dir);
}

ExitCode run_tokenize(const TokenizeOptions& options) {
  auto tokenizer = load_tokenizer(options);
  if (!tokenizer) return cli::report_error(tokenizer.error());
  auto ids = tokenizer->encode(read_stdin(), {.add_special_tokens = !options.no_special_tokens});
  if (!ids) return cli::report_error(Error{ids.error().code, ids.error().message, "stdin"});
  fmt::print("[{}]\n", fmt::join(*ids, ","));
  return ExitCode::kOk;
}

Result<std::vector<model::TokenId>> parse_ids(const std::string& text) {
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& error) {
    return fail(ErrorCode::kParse,
                fmt::format("expected a JSON array of token ids: {}", error.what()), "stdin");
  }
  if (!json.is_array())
    return fail(ErrorCode::kParse, "expected a JSON array of token ids", "stdin");
  std::vector<model::TokenId> ids;
  ids.reserve(json.size());
  for (std::size_t i = 0; i < json.size(); ++i) {
    const nlohmann::json& id = json[i];
    if (!id.is_number_integer() || id.get<std::int64_t>() < 0 ||
        id.get<std::int64_t>() > 0x7FFFFFFF) {
      return fail(ErrorCode::kParse, fmt::format("element {} is {}, not a token id", i, id.dump()),
                  "stdin");
    }
    ids.push_back(id.get<model::TokenId>());
  }
  return ids;
}

ExitCode run_detokenize(const TokenizeOptions& options) {
  auto tokenizer = load_tokenizer(options);
  if (!tokenizer) return cli::report_error(tokenizer.error());
  auto ids = parse_ids(read_stdin());
  if (!ids) return cli::report_error(ids.error());
  auto text = tokenizer->decode(*ids, {.skip_special_tokens = options.skip_special_tokens,
                                       .clean_up_tokenization_spaces = options.clean_up_spaces});
  if (!text) return cli::report_error(Error{text.error().code, text.error().message, "stdin"});
  std::fwrite(text->data(), 1, text->size(), stdout);
  return ExitCode::kOk;
}

}  // namespace

cli::CommandSpec tokenize_command() {
  return {"tokenize", "Text on stdin to token ids (a JSON array)",
          [](CLI::App& sub, const cli::GlobalOptions&) -> cli::CommandHandler {
            auto options = std::make_shared<TokenizeOptions>();
            add_model_option(sub, *options);
            sub.add_flag("--no-special-tokens", options->no_special_tokens,
                         "Do not add <|begin_of_text|> (special tokens in the text still count)");
            return [options] { return run_tokenize(*options); };
          }};
}

cli::CommandSpec detokenize_command() {
  return {"detokenize", "Token ids on stdin (a JSON array) to text",
          [](CLI::App& sub, const cli::GlobalOptions&) -> cli::CommandHandler {
            auto options = std::make_shared<TokenizeOptions>();
            add_model_option(sub, *options);
            sub.add_flag("--skip-special-tokens", options->skip_special_tokens,
                         "Leave special tokens (<|eot_id|>, …) out of the text");
            sub.add_flag("--clean-up-spaces", options->clean_up_spaces,
                         "transformers' clean_up_tokenization_spaces (\" .\" -> \".\", …)");
            return [options] { return run_detokenize(*options); };
          }};
}

}  // namespace mlbench::runner
