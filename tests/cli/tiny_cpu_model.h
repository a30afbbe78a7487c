#pragma once

#include <fmt/format.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/subprocess.h"

namespace mlbench::testing {

// The tiny random model (`mlbench-runner make-model --preset tiny`, seeded) in `dir`.
inline ProcessResult make_tiny_model(const std::filesystem::path& dir) {
  return run_process({binary_path("mlbench-runner"), "make-model", "--preset", "tiny", "--seed",
                      "1", "--out", dir.string()});
}

// A cnn_eval.json's records with short prompts (7 to 17 tokens) below the tiny model's special
// tokens (496 and up; 496 is its <|begin_of_text|>), so that a CPU run of a few samples takes
// well under a second, even under the sanitizers.
inline nlohmann::json short_prompt_records(int count) {
  nlohmann::json records = nlohmann::json::array();
  for (int i = 0; i < count; ++i) {
    std::vector<int> tokens = {496};
    for (int t = 0; t < 6 + i % 11; ++t)
      tokens.push_back((i * 53 + t * 29 + 7) % 496);
    records.push_back({{"input", fmt::format("article {}", i)},
                       {"tok_input", tokens},
                       {"output", fmt::format("summary {}", i)}});
  }
  return records;
}

}  // namespace mlbench::testing
