// Runs the real `mlbench-runner rouge` on the rouge_score vectors in shared/testdata.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace mlbench {
namespace {

using ::testing::HasSubstr;

const std::string kRougeData = std::string(MLBENCH_SOURCE_DIR) + "/../shared/testdata/rouge";

testing::ProcessResult rouge(const std::string& pairs) {
  return testing::run_process({testing::binary_path("mlbench-runner"), "rouge", "--pairs", pairs});
}

TEST(RunnerRouge, ScoresEveryVectorAsRougeScoreDoes) {
  if (!std::filesystem::exists(kRougeData + "/pairs.jsonl")) {
    GTEST_SKIP() << "no rouge_score vectors at " << kRougeData
                 << " (shared/ is not beside the tree)";
  }
  const auto result = rouge(kRougeData + "/pairs.jsonl");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const std::string expected_text = testing::read_file(kRougeData + "/pairs.jsonl");
  std::istringstream expected_lines(expected_text);
  std::istringstream actual_lines(result.out);
  std::string expected_line;
  std::string actual_line;
  int compared = 0;
  while (std::getline(expected_lines, expected_line)) {
    ASSERT_TRUE(std::getline(actual_lines, actual_line));
    const auto expected = nlohmann::json::parse(expected_line);
    const auto actual = nlohmann::json::parse(actual_line);
    EXPECT_EQ(actual.at("prediction"), expected.at("prediction"));
    for (const char* metric : {"rouge1", "rouge2", "rougeL", "rougeLsum"}) {
      for (const char* part : {"p", "r", "f"}) {
        EXPECT_NEAR(actual.at(metric).at(part).get<double>(),
                    expected.at(metric).at(part).get<double>(), 1e-9)
            << "line " << compared + 1 << " " << metric << "." << part;
      }
    }
    ++compared;
  }
  EXPECT_EQ(compared, 160);
  ASSERT_TRUE(std::getline(actual_lines, actual_line));
  const auto aggregate = nlohmann::json::parse(actual_line).at("aggregate");
  const auto reference = nlohmann::json::parse(testing::read_file(kRougeData + "/aggregate.json"))
                             .at("mlperf_style_mean_f_x100");
  for (const char* metric : {"rouge1", "rouge2", "rougeL", "rougeLsum"}) {
    EXPECT_DOUBLE_EQ(aggregate.at(metric).get<double>(), reference.at(metric).get<double>())
        << metric;
  }
  EXPECT_EQ(aggregate.at("pairs"), 160);
}

TEST(RunnerRouge, BadLinesAreNamedByFileAndLine) {
  testing::TempDir dir;
  const std::string path =
      dir.write("pairs.jsonl",
                "{\"prediction\": \"a b\", \"reference\": \"a c\"}\n{\"prediction\": \"x\"}\n");
  const auto result = rouge(path);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_THAT(result.err, HasSubstr(path + ":2: 'reference' is missing or not a string"));
  EXPECT_EQ(result.out, "") << "nothing is printed before the whole file is known to be good";

  EXPECT_EQ(rouge((dir.path() / "missing.jsonl").string()).exit_code, 1);
  const std::string empty = dir.write("empty.jsonl", "");
  EXPECT_EQ(rouge(empty).exit_code, 1);
}

}  // namespace
}  // namespace mlbench
