#include "mlbench/accuracy/accuracy_log_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "accuracy/sha256.h"

namespace mlbench::accuracy {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// The layout LoadGen's AsyncLog::LogAccuracy writes (Server: token_data before token_count).
// Ids: 1, 256, -1, 128009 (0x0001F409) little-endian.
const std::string kLog =
    "[\n"
    "{ \"seq_id\" : 0, \"qsl_idx\" : 2, \"data\" : \"0100000000010000\", \"token_data\" : "
    "\"01000000\", \"token_count\" : 2 },\n"
    "{ \"seq_id\" : 1, \"qsl_idx\" : 0, \"data\" : \"ffffffff09f40100\", \"token_data\" : "
    "\"FFFFFFFF\", \"token_count\" : 2 },\n"
    "{ \"seq_id\" : 2, \"qsl_idx\" : 2, \"data\" : \"05000000\", \"token_count\" : 1 }\n"
    "]\n";

TEST(AccuracyLogReader, DecodesLittleEndianInt32IdsAndKeepsTheFirstAnswerPerSample) {
  const auto log = parse_accuracy_log(kLog, "log.json");
  ASSERT_TRUE(log.ok()) << log.error().describe();
  EXPECT_EQ(log->entries, 3u);
  ASSERT_EQ(log->samples.size(), 2u);
  EXPECT_EQ(log->samples[0].qsl_idx, 2u);
  EXPECT_EQ(log->samples[0].seq_id, 0u);
  EXPECT_THAT(log->samples[0].token_ids, ElementsAre(1, 256));
  EXPECT_EQ(log->samples[1].qsl_idx, 0u);
  EXPECT_EQ(log->samples[1].entry, 1u);
  EXPECT_THAT(log->samples[1].token_ids, ElementsAre(-1, 128009));
  EXPECT_EQ(log->sha256, sha256_hex(kLog));
}

TEST(AccuracyLogReader, AnEmptyLogHasNoSamples) {
  const auto log = parse_accuracy_log("[\n]\n", "log.json");
  ASSERT_TRUE(log.ok());
  EXPECT_TRUE(log->samples.empty());
  EXPECT_EQ(log->entries, 0u);
}

Error parse_error(const std::string& text) {
  const auto log = parse_accuracy_log(text, "log.json");
  EXPECT_FALSE(log.ok());
  return log.ok() ? Error{} : log.error();
}

TEST(AccuracyLogReader, ATruncatedOrNonJsonLogIsRefusedNamingTheFile) {
  const Error truncated = parse_error(kLog.substr(0, kLog.size() / 2));
  EXPECT_EQ(truncated.code, ErrorCode::kParse);
  EXPECT_EQ(truncated.where, "log.json");
  EXPECT_THAT(truncated.message, HasSubstr("not valid JSON"));
  EXPECT_THAT(parse_error("seq_id qsl_idx").message, HasSubstr("not valid JSON"));
  EXPECT_THAT(parse_error("").message, HasSubstr("not valid JSON"));
  EXPECT_THAT(parse_error("{\"qsl_idx\": 1}").message, HasSubstr("not a JSON list"));
}

TEST(AccuracyLogReader, BadEntriesAreNamedByIndexSeqIdAndQslIdx) {
  const Error odd = parse_error(
      "[{\"seq_id\": 0, \"qsl_idx\": 0, \"data\": \"00000000\"},"
      " {\"seq_id\": 5, \"qsl_idx\": 3, \"data\": \"0000000\"}]");
  EXPECT_EQ(odd.where, "log.json: entry 1 (seq_id 5, qsl_idx 3)");
  EXPECT_THAT(odd.message, HasSubstr("7 hex digits, an odd number"));

  const Error partial = parse_error("[{\"seq_id\": 1, \"qsl_idx\": 4, \"data\": \"000000\"}]");
  EXPECT_EQ(partial.where, "log.json: entry 0 (seq_id 1, qsl_idx 4)");
  EXPECT_THAT(partial.message, HasSubstr("3 bytes, not a whole number of 4-byte int32"));

  const Error not_hex = parse_error("[{\"seq_id\": 1, \"qsl_idx\": 4, \"data\": \"0000000g\"}]");
  EXPECT_THAT(not_hex.message, HasSubstr("'g' at offset 7 is not a hex digit"));

  const Error no_index = parse_error("[{\"seq_id\": 9, \"data\": \"00000000\"}]");
  EXPECT_EQ(no_index.where, "log.json: entry 0 (seq_id 9)");
  EXPECT_THAT(no_index.message, HasSubstr("'qsl_idx' is missing"));

  const Error negative = parse_error("[{\"qsl_idx\": -1, \"data\": \"\"}]");
  EXPECT_THAT(negative.message, HasSubstr("'qsl_idx' is missing or not a non-negative integer"));

  const Error no_data = parse_error("[{\"seq_id\": 2, \"qsl_idx\": 7}]");
  EXPECT_EQ(no_data.where, "log.json: entry 0 (seq_id 2, qsl_idx 7)");
  EXPECT_THAT(no_data.message, HasSubstr("'data' is missing"));

  EXPECT_EQ(parse_error("[3]").where, "log.json: entry 0");
}

TEST(AccuracyLogReader, ReadingAMissingFileSaysWhich) {
  const auto log = read_accuracy_log("/nonexistent/mlperf_log_accuracy.json");
  ASSERT_FALSE(log.ok());
  EXPECT_EQ(log.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(log.error().where, "/nonexistent/mlperf_log_accuracy.json");
}

}  // namespace
}  // namespace mlbench::accuracy
