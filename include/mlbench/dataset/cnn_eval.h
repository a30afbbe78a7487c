#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "mlbench/core/result.h"

namespace mlbench::dataset {

// One record of MLPerf's cnn_eval.json: the article (`input`; MLPerf's file holds the bare article
// and the prompt template separately), the whole prompt tokenised (`tok_input`, what the SUT is
// fed), and the reference summary (`output`) that ROUGE scores against. `instruction` is the
// prompt template with an {input} slot: MLPerf writes it as {"llama": template}, others as a
// plain string; either loads as the template text.
struct Sample {
  std::string input;
  std::vector<std::int32_t> tok_input;
  std::string output;
  std::optional<std::string> instruction;
};

struct Dataset {
  std::filesystem::path source;
  std::vector<Sample> samples;  // in file order: index i is QSL index i
};

struct LoadOptions {
  std::optional<std::size_t> max_samples;  // keep only the first N records
  // When set, every tok_input id must be in [0, vocab_size): a dataset tokenised for another
  // model is refused before it reaches the SUT.
  std::optional<std::int64_t> vocab_size;
};

// Reads a cnn_eval.json (a JSON list of {input, tok_input, output[, instruction]}). Errors name
// the file, the record index and the field, and say what is wrong.
Result<Dataset> load_cnn_eval(const std::filesystem::path& path, const LoadOptions& options = {});

}  // namespace mlbench::dataset
