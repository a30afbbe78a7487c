// --gpus parsing: the lists the runner accepts and how it refuses the rest.
#include "mlbench/model/gpu_list.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace mlbench::model {
namespace {

using ::testing::HasSubstr;

TEST(GpuList, EmptyMeansGpuZero) {
  for (const char* text : {"", "  "}) {
    auto gpus = parse_gpu_list(text);
    ASSERT_TRUE(gpus.ok()) << gpus.error().describe();
    EXPECT_EQ(*gpus, std::vector{0}) << "'" << text << "'";
  }
}

TEST(GpuList, ReadsIndicesInTheOrderGiven) {
  const struct {
    const char* text;
    std::vector<int> want;
  } cases[] = {
      {"0", {0}},         {"3", {3}},        {"0,1", {0, 1}},
      {"2,3", {2, 3}},    {"1,0", {1, 0}},   {"0, 1", {0, 1}},
      {" 4 ,5 ", {4, 5}}, {"10,2", {10, 2}}, {"0,1,2,3,4,5,6,7", {0, 1, 2, 3, 4, 5, 6, 7}},
  };
  for (const auto& c : cases) {
    auto gpus = parse_gpu_list(c.text);
    ASSERT_TRUE(gpus.ok()) << c.text << ": " << gpus.error().describe();
    EXPECT_EQ(*gpus, c.want) << c.text;
  }
}

TEST(GpuList, RefusesWhatIsNotAListOfDistinctIndices) {
  const struct {
    const char* text;
    const char* message;
  } cases[] = {
      {"a", "'a' is not a GPU index"},
      {"-1", "'-1' is not a GPU index"},
      {"+1", "'+1' is not a GPU index"},
      {"0,a", "'a' is not a GPU index"},
      {"1.5", "'1.5' is not a GPU index"},
      {"1 2", "'1 2' is not a GPU index"},
      {"0x1", "'0x1' is not a GPU index"},
      {"0,,1", "'0,,1' has an empty entry"},
      {"0,", "'0,' has an empty entry"},
      {",1", "',1' has an empty entry"},
      {"0, ,1", "has an empty entry"},
      {"0,0", "GPU 0 is named twice in '0,0'"},
      {"1,2,01", "GPU 1 is named twice"},
      {"99999999999", "GPU index '99999999999' is out of range"},
  };
  for (const auto& c : cases) {
    auto gpus = parse_gpu_list(c.text);
    ASSERT_FALSE(gpus.ok()) << c.text;
    EXPECT_EQ(gpus.error().code, ErrorCode::kInvalidArgument) << c.text;
    EXPECT_EQ(gpus.error().where, "--gpus") << c.text;
    EXPECT_THAT(gpus.error().message, HasSubstr(c.message)) << c.text;
  }
  // Each refusal of a malformed piece says what a good value looks like.
  EXPECT_THAT(parse_gpu_list("a").error().message, HasSubstr("as in --gpus 0,1"));
  EXPECT_THAT(parse_gpu_list("0,,1").error().message, HasSubstr("as in --gpus 0,1"));
  EXPECT_THAT(parse_gpu_list("0,0").error().message, HasSubstr("name it once"));
}

}  // namespace
}  // namespace mlbench::model
