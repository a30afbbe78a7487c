#include "mlbench/dataset/cnn_eval.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/temp_dir.h"

namespace mlbench::dataset {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// One record in the shape MLPerf's download script writes (indent 4, instruction as an object).
constexpr const char* kMlperfShaped = R"([
    {
        "instruction": {
            "llama": "Summarize the following news article in 128 tokens. Please output the summary only, without any other text.\n\nArticle:\n{input}\n\nSummary:"
        },
        "input": "The council voted on Tuesday to reopen the bridge.",
        "tok_input": [
            128000,
            9370,
            5730
        ],
        "output": "The bridge reopens.\nThe council voted."
    },
    {
        "instruction": {
            "llama": "Summarize {input}"
        },
        "input": "Second article, with \u00e9 and \u4e2d.",
        "tok_input": [128000, 1],
        "output": "Second."
    }
])";

Result<Dataset> load_text(const testing::TempDir& dir, const std::string& text,
                          const LoadOptions& options = {}) {
  return load_cnn_eval(dir.write("cnn_eval.json", text), options);
}

// A list holding `record` after one good record, so errors must name index 1.
std::string after_good_record(const std::string& record) {
  return R"([{"input": "a", "tok_input": [1, 2], "output": "b"}, )" + record + "]";
}

std::string error_of(const Result<Dataset>& result) {
  EXPECT_FALSE(result.ok());
  return result.ok() ? std::string() : result.error().describe();
}

TEST(CnnEval, LoadsMlperfShapedFile) {
  testing::TempDir dir;
  const auto dataset = load_text(dir, kMlperfShaped);
  ASSERT_TRUE(dataset.ok()) << dataset.error().describe();
  EXPECT_EQ(dataset->source, dir.path() / "cnn_eval.json");
  ASSERT_EQ(dataset->samples.size(), 2u);
  const Sample& first = dataset->samples[0];
  EXPECT_EQ(first.input, "The council voted on Tuesday to reopen the bridge.");
  EXPECT_THAT(first.tok_input, ElementsAre(128000, 9370, 5730));
  EXPECT_EQ(first.output, "The bridge reopens.\nThe council voted.");
  ASSERT_TRUE(first.instruction.has_value());
  EXPECT_THAT(*first.instruction, HasSubstr("\n\nArticle:\n{input}\n\nSummary:"));
  EXPECT_EQ(dataset->samples[1].input, "Second article, with \xC3\xA9 and \xE4\xB8\xAD.");
  EXPECT_EQ(dataset->samples[1].instruction, "Summarize {input}");
}

TEST(CnnEval, InstructionIsOptionalOrAPlainString) {
  testing::TempDir dir;
  const auto dataset = load_text(dir, R"([{"input": "a", "tok_input": [5], "output": "b"},
      {"input": "c", "tok_input": [6], "output": "d", "instruction": "T {input}"},
      {"input": "e", "tok_input": [7], "output": "f", "instruction": null}])");
  ASSERT_TRUE(dataset.ok()) << dataset.error().describe();
  ASSERT_EQ(dataset->samples.size(), 3u);
  EXPECT_FALSE(dataset->samples[0].instruction.has_value());
  EXPECT_EQ(dataset->samples[1].instruction, "T {input}");
  EXPECT_FALSE(dataset->samples[2].instruction.has_value());
}

TEST(CnnEval, MaxSamplesKeepsTheFirstRecords) {
  testing::TempDir dir;
  auto one = load_text(dir, kMlperfShaped, {.max_samples = 1});
  ASSERT_TRUE(one.ok()) << one.error().describe();
  ASSERT_EQ(one->samples.size(), 1u);
  EXPECT_EQ(one->samples[0].output, "The bridge reopens.\nThe council voted.");
  auto more = load_text(dir, kMlperfShaped, {.max_samples = 50});
  ASSERT_TRUE(more.ok());
  EXPECT_EQ(more->samples.size(), 2u);
  // Records past the cut are not read, so a bad one there does not matter.
  auto cut = load_text(dir, after_good_record("42"), {.max_samples = 1});
  ASSERT_TRUE(cut.ok()) << cut.error().describe();
  EXPECT_EQ(cut->samples.size(), 1u);
}

TEST(CnnEval, MaxSamplesZeroIsRefused) {
  testing::TempDir dir;
  const auto result = load_text(dir, kMlperfShaped, {.max_samples = 0});
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(error_of(result), HasSubstr("max_samples is 0"));
}

TEST(CnnEval, VocabSizeBoundsEveryId) {
  testing::TempDir dir;
  EXPECT_TRUE(load_text(dir, kMlperfShaped, {.vocab_size = 128256}).ok());
  const auto result = load_text(dir, kMlperfShaped, {.vocab_size = 512});
  EXPECT_EQ(result.error().code, ErrorCode::kParse);
  EXPECT_THAT(error_of(result),
              AllOf(HasSubstr("cnn_eval.json: record 0"), HasSubstr("\"tok_input\""),
                    HasSubstr("element 0 is token 128000"), HasSubstr("[0, 512)")));
  // The last id of the vocabulary is in, one past it is out.
  EXPECT_TRUE(load_text(dir, R"([{"input": "a", "tok_input": [0, 511], "output": "b"}])",
                        {.vocab_size = 512})
                  .ok());
}

TEST(CnnEval, MissingFileSaysSo) {
  testing::TempDir dir;
  const auto result = load_cnn_eval(dir.path() / "absent.json");
  EXPECT_EQ(result.error().code, ErrorCode::kNotFound);
  EXPECT_THAT(error_of(result), HasSubstr("absent.json"));
}

TEST(CnnEval, InvalidJsonNamesLineAndColumn) {
  testing::TempDir dir;
  const auto result = load_text(dir, "[\n  {\"input\": \"a\",\n   \"tok_input\": [1,, 2]}\n]");
  EXPECT_EQ(result.error().code, ErrorCode::kParse);
  EXPECT_THAT(error_of(result),
              AllOf(HasSubstr("cnn_eval.json:3:18"), HasSubstr("not valid JSON")));
}

TEST(CnnEval, TopLevelMustBeANonEmptyList) {
  testing::TempDir dir;
  EXPECT_THAT(error_of(load_text(dir, R"({"input": "a"})")),
              AllOf(HasSubstr("cnn_eval.json"), HasSubstr("top level is object"),
                    HasSubstr("expected a list")));
  EXPECT_THAT(error_of(load_text(dir, "[]")), HasSubstr("holds no records"));
}

TEST(CnnEval, RecordMustBeAnObject) {
  testing::TempDir dir;
  EXPECT_THAT(error_of(load_text(dir, after_good_record(R"(["input"])"))),
              AllOf(HasSubstr("record 1"), HasSubstr("is array, expected an object")));
}

TEST(CnnEval, MissingFieldsAreNamed) {
  testing::TempDir dir;
  EXPECT_THAT(error_of(load_text(dir, after_good_record(R"({"tok_input": [1], "output": "b"})"))),
              AllOf(HasSubstr("record 1"), HasSubstr("\"input\" is missing")));
  EXPECT_THAT(error_of(load_text(dir, after_good_record(R"({"input": "a", "output": "b"})"))),
              AllOf(HasSubstr("record 1"), HasSubstr("\"tok_input\" is missing")));
  EXPECT_THAT(error_of(load_text(dir, after_good_record(R"({"input": "a", "tok_input": [1]})"))),
              AllOf(HasSubstr("record 1"), HasSubstr("\"output\" is missing")));
}

TEST(CnnEval, WrongTypesAreNamed) {
  testing::TempDir dir;
  EXPECT_THAT(error_of(load_text(
                  dir, after_good_record(R"({"input": 3, "tok_input": [1], "output": "b"})"))),
              AllOf(HasSubstr("record 1"), HasSubstr("\"input\" is number, expected a string")));
  EXPECT_THAT(error_of(load_text(
                  dir, after_good_record(R"({"input": "a", "tok_input": "1 2", "output": "b"})"))),
              HasSubstr("\"tok_input\" is string, expected a list of token ids"));
  EXPECT_THAT(error_of(load_text(
                  dir, after_good_record(R"({"input": "a", "tok_input": [1], "output": null})"))),
              HasSubstr("\"output\" is null, expected a string"));
  EXPECT_THAT(
      error_of(load_text(
          dir, after_good_record(
                   R"({"input": "a", "tok_input": [1], "output": "b", "instruction": 7})"))),
      HasSubstr("\"instruction\" is number"));
  EXPECT_THAT(
      error_of(load_text(
          dir,
          after_good_record(
              R"({"input": "a", "tok_input": [1], "output": "b", "instruction": {"gpt": "x"}})"))),
      HasSubstr("\"instruction\" is an object without a string \"llama\" template"));
}

TEST(CnnEval, TokInputMustBeNonEmptyInt32Ids) {
  testing::TempDir dir;
  const auto with_tokens = [&](const std::string& tokens) {
    return error_of(load_text(
        dir, after_good_record(R"({"input": "a", "output": "b", "tok_input": )" + tokens + "}")));
  };
  EXPECT_THAT(with_tokens("[]"), AllOf(HasSubstr("record 1"), HasSubstr("\"tok_input\" is empty")));
  EXPECT_THAT(with_tokens("[1, 2.5]"), HasSubstr("element 1 is number (2.5), expected an int32"));
  EXPECT_THAT(with_tokens("[1, \"2\"]"), HasSubstr("element 1 is string"));
  EXPECT_THAT(with_tokens("[-1]"), HasSubstr("element 0 is -1, not a token id"));
  EXPECT_THAT(with_tokens("[2147483648]"), HasSubstr("element 0 is 2147483648, not a token id"));
  EXPECT_THAT(with_tokens("[1, 99999999999999999999]"), HasSubstr("element 1"));
  // The largest int32 is a well-formed id when no vocabulary is given.
  EXPECT_TRUE(load_text(dir, R"([{"input": "a", "tok_input": [2147483647], "output": "b"}])").ok());
}

}  // namespace
}  // namespace mlbench::dataset
