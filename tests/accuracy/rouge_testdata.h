#pragma once

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace mlbench::accuracy::testing {

// The vectors rouge_score and nltk produced live beside the source tree, in ../shared.
inline std::optional<std::filesystem::path> rouge_testdata_dir() {
  const std::filesystem::path dir =
      std::filesystem::path(MLBENCH_SOURCE_DIR) / ".." / "shared" / "testdata" / "rouge";
  if (!std::filesystem::is_directory(dir)) return std::nullopt;
  return dir;
}

inline std::vector<nlohmann::json> read_json_lines(const std::filesystem::path& file) {
  std::vector<nlohmann::json> rows;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) rows.push_back(nlohmann::json::parse(line));
  }
  return rows;
}

inline nlohmann::json read_json(const std::filesystem::path& file) {
  std::ifstream in(file);
  return nlohmann::json::parse(in);
}

}  // namespace mlbench::accuracy::testing

#define MLBENCH_REQUIRE_ROUGE_TESTDATA(dir_variable)                                    \
  const auto dir_variable##_found = ::mlbench::accuracy::testing::rouge_testdata_dir(); \
  if (!dir_variable##_found) {                                                          \
    GTEST_SKIP() << "ROUGE test vectors not found at " MLBENCH_SOURCE_DIR               \
                    "/../shared/testdata/rouge (they come with the shared workspace)";  \
  }                                                                                     \
  const std::filesystem::path& dir_variable = *dir_variable##_found
