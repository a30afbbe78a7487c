// A sharded BF16 checkpoint written by another program (a stdlib-only Python script) loads, and
// the CPU forward pass over it matches the float64 reference: the loader and the forward pass are
// checked against files mlbench did not write.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>

#include "mlbench/model/forward_cpu.h"
#include "mlbench/model/generate.h"

#include "model/reference_forward.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace mlbench::model {
namespace {

std::string find_python3() {
  for (const char* dir : {"/usr/bin", "/usr/local/bin", "/bin"}) {
    const std::string path = std::string(dir) + "/python3";
    if (::access(path.c_str(), X_OK) == 0) return path;
  }
  return {};
}

std::size_t argmax_double(const std::vector<double>& logits) {
  return static_cast<std::size_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
}

TEST(HfCheckpoint, ShardedBf16FromAnotherProgramMatchesTheFloat64Reference) {
  const std::string python = find_python3();
  if (python.empty()) GTEST_SKIP() << "python3 not found in /usr/bin, /usr/local/bin or /bin";
  mlbench::testing::TempDir dir;
  const auto written = mlbench::testing::run_process(
      {python, mlbench::testing::source_path("tests/model/write_hf_checkpoint.py"),
       dir.path().string(), "--seed", "42", "--shards", "3"});
  ASSERT_EQ(written.exit_code, 0) << written.err;

  auto weights = ModelWeights::load(dir.path());
  ASSERT_TRUE(weights.ok()) << weights.error().describe();
  EXPECT_EQ(weights->file_count(), 3u);
  EXPECT_FALSE(weights->config().tie_word_embeddings);
  ASSERT_TRUE(weights->config().rope_scaling.has_value());
  auto model = CpuModel::load(dir.path(), {.threads = 2});
  ASSERT_TRUE(model.ok()) << model.error().describe();

  // Past original_max_position_embeddings (16), where llama3 scaling changes the angles.
  const std::vector<std::int32_t> prompt = {90, 3, 17, 42, 8, 8,  33, 1,  59, 20,
                                            11, 5, 77, 64, 2, 30, 45, 12, 9,  81};
  const auto reference = testing::reference_logits(*weights, prompt);
  for (std::size_t length : {1u, 7u, 20u}) {
    KvCache cache;
    const SequenceStep step{&cache, std::span(prompt).first(length)};
    const auto logits = model->forward({&step, 1});
    ASSERT_TRUE(logits.ok());
    const std::vector<double>& want = reference[length - 1];
    double scale = 0.0, worst = 0.0;
    for (std::size_t i = 0; i < want.size(); ++i) {
      scale = std::max(scale, std::abs(want[i]));
      worst = std::max(worst, std::abs(static_cast<double>((*logits)[i]) - want[i]));
    }
    EXPECT_LT(worst / scale, 1e-3) << "prefix of " << length << " tokens";
  }

  // Greedy tokens: our decode with the KV cache against the reference's argmax recomputed over
  // the whole sequence each time. The generation config's extra eos (93) counts too.
  auto eos = load_generation_eos_ids(dir.path());
  ASSERT_TRUE(eos.ok());
  EXPECT_EQ(*eos, (std::vector<std::int64_t>{91, 92, 93}));
  const auto generation = generate_greedy(*model, prompt, {.max_new_tokens = 12});
  ASSERT_TRUE(generation.ok());
  std::vector<std::int32_t> sequence = prompt;
  for (const std::int32_t token : generation->tokens) {
    const auto step_reference = testing::reference_logits(*weights, sequence);
    EXPECT_EQ(token, static_cast<std::int32_t>(argmax_double(step_reference.back())))
        << "after " << sequence.size() - prompt.size() << " generated tokens";
    sequence.push_back(token);
  }
}

}  // namespace
}  // namespace mlbench::model
