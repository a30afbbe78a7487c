// mlbench-runner tokenize / detokenize, end to end on the small tokenizer.json.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "model/tokenizer/small_tokenizer.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace mlbench::model {
namespace {

using ::testing::HasSubstr;

class TokenizeCommand : public ::testing::Test {
 protected:
  TokenizeCommand() { dir_.write("model/tokenizer.json", testing::small_tokenizer_json().dump()); }

  // Runs the runner with `input` on stdin (the test helper gives /dev/null, so a shell feeds it).
  mlbench::testing::ProcessResult run(const std::vector<std::string>& args,
                                      const std::string& input) {
    const std::string input_file = dir_.write("stdin", input);
    std::string command = "exec \"$0\"";
    for (std::size_t i = 0; i < args.size(); ++i)
      command += " \"$" + std::to_string(i + 1) + "\"";
    command += " < \"$INPUT_FILE\"";
    std::vector<std::string> argv = {"/bin/sh", "-c", command,
                                     mlbench::testing::binary_path("mlbench-runner")};
    argv.insert(argv.end(), args.begin(), args.end());
    mlbench::testing::ProcessOptions options;
    options.env = {{"INPUT_FILE", input_file}};
    return mlbench::testing::run_process(argv, options);
  }

  std::string model() const { return (dir_.path() / "model").string(); }

  mlbench::testing::TempDir dir_;
};

TEST_F(TokenizeCommand, PrintsIdsWithAndWithoutBos) {
  const auto with_bos = run({"tokenize", "--model", model()}, "hello world");
  ASSERT_EQ(with_bos.exit_code, 0) << with_bos.err;
  EXPECT_EQ(with_bos.out, "[300,259,264]\n");
  const auto without = run({"tokenize", "--model", model(), "--no-special-tokens"}, "hello");
  EXPECT_EQ(without.out, "[259]\n");
}

TEST_F(TokenizeCommand, DetokenizePrintsTextExactly) {
  const auto text = run({"detokenize", "--model", model()}, "[300, 259, 264, 10]");
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_EQ(text.out, "<|bos|>hello world\n");
  const auto skipped =
      run({"detokenize", "--model", model(), "--skip-special-tokens"}, "[300,259]");
  EXPECT_EQ(skipped.out, "hello");
}

TEST_F(TokenizeCommand, BadInputFailsClearly) {
  const auto not_json = run({"detokenize", "--model", model()}, "[1, 2");
  EXPECT_EQ(not_json.exit_code, 1);
  EXPECT_THAT(not_json.err, HasSubstr("expected a JSON array of token ids"));
  const auto bad_id = run({"detokenize", "--model", model()}, "[1, -4]");
  EXPECT_EQ(bad_id.exit_code, 1);
  EXPECT_THAT(bad_id.err, HasSubstr("element 1 is -4"));
  const auto unknown = run({"detokenize", "--model", model()}, "[299]");
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.err, HasSubstr("token id 299 is not in the vocabulary"));
  const auto bad_text = run({"tokenize", "--model", model()}, "ok\xFF");
  EXPECT_EQ(bad_text.exit_code, 1);
  EXPECT_THAT(bad_text.err, HasSubstr("not valid UTF-8"));
  const auto no_model = run({"tokenize", "--model", dir_.path().string()}, "x");
  EXPECT_EQ(no_model.exit_code, 1);
  EXPECT_THAT(no_model.err, HasSubstr("cannot open tokenizer.json"));
  for (const char* command : {"tokenize", "detokenize"}) {
    const auto missing = run({command}, "");
    EXPECT_EQ(missing.exit_code, 1) << command;
    EXPECT_THAT(missing.err, HasSubstr("--model")) << command;
  }
}

}  // namespace
}  // namespace mlbench::model
