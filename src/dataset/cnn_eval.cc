#include "mlbench/dataset/cnn_eval.h"

#include <fmt/format.h>

#include <fstream>
#include <iterator>
#include <limits>
#include <nlohmann/json.hpp>

namespace mlbench::dataset {
namespace {

using nlohmann::json;

// The key MLPerf's download script files the prompt template under: {"llama": "...{input}..."}.
constexpr const char* kInstructionModelKey = "llama";

// Every error of one record says the same three things: the file, the record, the field.
Failure bad_record(const std::filesystem::path& path, std::size_t index, std::string_view field,
                   std::string what) {
  return fail(ErrorCode::kParse, fmt::format("field \"{}\" {}", field, what),
              fmt::format("{}: record {}", path.string(), index));
}

std::string_view type_name(const json& node) {
  return node.type_name();  // "null", "object", "array", "string", "number", "boolean"
}

// Byte offset to 1-based line and column, for the JSON parser's error.
std::string line_and_column(const std::string& text, std::size_t offset) {
  offset = std::min(offset, text.size());
  std::size_t line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return fmt::format("{}:{}", line, offset - line_start + 1);
}

Result<json> parse_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
      return fail(ErrorCode::kNotFound, "no such dataset file (build one with make-dataset)",
                  path.string());
    }
    return fail(ErrorCode::kIo, "cannot open the dataset file", path.string());
  }
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) return fail(ErrorCode::kIo, "reading the dataset file failed", path.string());
  try {
    return json::parse(text);
  } catch (const json::parse_error& error) {
    // nlohmann's byte position points one past the offending character.
    const std::size_t offset = error.byte > 0 ? error.byte - 1 : 0;
    return fail(
        ErrorCode::kParse,
        fmt::format("not valid JSON (expected a cnn_eval.json list of records): {}", error.what()),
        fmt::format("{}:{}", path.string(), line_and_column(text, offset)));
  }
}

Result<std::string> read_string(const json& record, const std::filesystem::path& path,
                                std::size_t index, const char* field) {
  const auto it = record.find(field);
  if (it == record.end()) return bad_record(path, index, field, "is missing");
  if (!it->is_string()) {
    return bad_record(path, index, field, fmt::format("is {}, expected a string", type_name(*it)));
  }
  return it->get<std::string>();
}

Result<std::vector<std::int32_t>> read_tokens(const json& record, const std::filesystem::path& path,
                                              std::size_t index, const LoadOptions& options) {
  const auto it = record.find("tok_input");
  if (it == record.end()) return bad_record(path, index, "tok_input", "is missing");
  if (!it->is_array()) {
    return bad_record(path, index, "tok_input",
                      fmt::format("is {}, expected a list of token ids", type_name(*it)));
  }
  if (it->empty()) {
    return bad_record(path, index, "tok_input", "is empty: a prompt needs at least one token");
  }
  std::vector<std::int32_t> ids;
  ids.reserve(it->size());
  for (std::size_t k = 0; k < it->size(); ++k) {
    const json& id = (*it)[k];
    // Integral floats ("12.0") are refused too: a writer that produces them is broken.
    if (!id.is_number_integer()) {
      return bad_record(path, index, "tok_input",
                        fmt::format("element {} is {} ({}), expected an int32 token id", k,
                                    type_name(id), id.dump()));
    }
    const bool is_unsigned = id.is_number_unsigned();
    const auto value = is_unsigned ? 0 : id.get<std::int64_t>();
    if ((is_unsigned && id.get<std::uint64_t>() >
                            static_cast<std::uint64_t>(std::numeric_limits<std::int32_t>::max())) ||
        (!is_unsigned && value < 0)) {
      return bad_record(
          path, index, "tok_input",
          fmt::format("element {} is {}, not a token id (ids are int32, >= 0)", k, id.dump()));
    }
    const auto token = static_cast<std::int32_t>(is_unsigned ? id.get<std::uint64_t>() : value);
    if (options.vocab_size && token >= *options.vocab_size) {
      return bad_record(
          path, index, "tok_input",
          fmt::format("element {} is token {}, outside the model's vocabulary [0, {}): the "
                      "dataset was tokenised for another model (rebuild it with make-dataset "
                      "and this model's tokenizer)",
                      k, token, *options.vocab_size));
    }
    ids.push_back(token);
  }
  return ids;
}

// MLPerf's download script writes {"llama": template}; other writers a plain string.
Result<std::optional<std::string>> read_instruction(const json& record,
                                                    const std::filesystem::path& path,
                                                    std::size_t index) {
  const auto it = record.find("instruction");
  if (it == record.end() || it->is_null()) return std::optional<std::string>{};
  if (it->is_string()) return std::optional<std::string>{it->get<std::string>()};
  if (it->is_object()) {
    const auto model = it->find(kInstructionModelKey);
    if (model != it->end() && model->is_string()) {
      return std::optional<std::string>{model->get<std::string>()};
    }
    return bad_record(
        path, index, "instruction",
        fmt::format("is an object without a string \"{}\" template", kInstructionModelKey));
  }
  return bad_record(path, index, "instruction",
                    fmt::format("is {}, expected a string or {{\"{}\": string}}", type_name(*it),
                                kInstructionModelKey));
}

Result<Sample> read_sample(const json& record, const std::filesystem::path& path, std::size_t index,
                           const LoadOptions& options) {
  if (!record.is_object()) {
    return fail(
        ErrorCode::kParse,
        fmt::format("is {}, expected an object {{input, tok_input, output}}", type_name(record)),
        fmt::format("{}: record {}", path.string(), index));
  }
  Sample sample;
  auto input = read_string(record, path, index, "input");
  if (!input) return input.failure();
  sample.input = std::move(*input);
  auto tokens = read_tokens(record, path, index, options);
  if (!tokens) return tokens.failure();
  sample.tok_input = std::move(*tokens);
  auto output = read_string(record, path, index, "output");
  if (!output) return output.failure();
  sample.output = std::move(*output);
  auto instruction = read_instruction(record, path, index);
  if (!instruction) return instruction.failure();
  sample.instruction = std::move(*instruction);
  return sample;
}

}  // namespace

Result<Dataset> load_cnn_eval(const std::filesystem::path& path, const LoadOptions& options) {
  if (options.max_samples && *options.max_samples == 0) {
    return fail(ErrorCode::kInvalidArgument, "max_samples is 0: keep at least one sample",
                path.string());
  }
  if (options.vocab_size && *options.vocab_size <= 0) {
    return fail(
        ErrorCode::kInvalidArgument,
        fmt::format("vocab_size is {}: a vocabulary has at least one token", *options.vocab_size),
        path.string());
  }
  auto root = parse_file(path);
  if (!root) return root.failure();
  if (!root->is_array()) {
    return fail(ErrorCode::kParse,
                fmt::format("the top level is {}, expected a list of records "
                            "[{{\"input\", \"tok_input\", \"output\"}}, ...]",
                            type_name(*root)),
                path.string());
  }
  if (root->empty()) return fail(ErrorCode::kParse, "the list holds no records", path.string());

  const std::size_t count = std::min(root->size(), options.max_samples.value_or(root->size()));
  Dataset dataset;
  dataset.source = path;
  dataset.samples.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    auto sample = read_sample((*root)[i], path, i, options);
    if (!sample) return sample.failure();
    dataset.samples.push_back(std::move(*sample));
  }
  return dataset;
}

}  // namespace mlbench::dataset
