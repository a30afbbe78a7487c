#include "mlbench/report/run_layout.h"

#include <gtest/gtest.h>

#include "support/temp_dir.h"

namespace mlbench::report {
namespace {

TEST(NodeOutcome, RoundTripsThroughNodeJson) {
  testing::TempDir dir;
  const NodeOutcome written{.name = "jw2",
                            .status = NodeStatus::kPartial,
                            .error = "runner killed by signal 9 after 5 of 10 samples",
                            .runner_exit_code = 137,
                            .host = "127.0.0.2",
                            .started_utc = "2026-12-01T19:30:00Z",
                            .ended_utc = "2026-12-01T19:31:00Z"};
  ASSERT_TRUE(write_node_outcome(dir.path(), written));
  const auto read = read_node_outcome(dir.path());
  ASSERT_TRUE(read) << read.error().describe();
  EXPECT_EQ(read->name, "jw2");
  EXPECT_EQ(read->status, NodeStatus::kPartial);
  EXPECT_EQ(read->error, written.error);
  EXPECT_EQ(read->runner_exit_code, 137);
  EXPECT_EQ(read->host, "127.0.0.2");
  EXPECT_EQ(read->ended_utc, "2026-12-01T19:31:00Z");
}

TEST(NodeOutcome, OkNodeHasNullErrorAndNoExitCodeWhenUnknown) {
  const auto json = to_json(NodeOutcome{.name = "local", .status = NodeStatus::kOk});
  EXPECT_TRUE(json.at("error").is_null());
  EXPECT_TRUE(json.at("runner_exit_code").is_null());
  EXPECT_EQ(json.at("status"), "ok");
}

TEST(NodeOutcome, RefusesAnUnknownStatusNamingIt) {
  const auto parsed = node_outcome_from_json({{"name", "jw3"}, {"status", "done"}}, "node.json");
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().where, "node.json");
  EXPECT_NE(parsed.error().message.find("'done'"), std::string::npos);
}

TEST(NodeOutcome, RefusesWrongTypes) {
  EXPECT_FALSE(node_outcome_from_json({{"name", "a"}, {"status", "ok"}, {"error", 3}}, "f"));
  EXPECT_FALSE(
      node_outcome_from_json({{"name", "a"}, {"status", "ok"}, {"runner_exit_code", "0"}}, "f"));
  EXPECT_FALSE(node_outcome_from_json({{"status", "ok"}}, "f"));
  EXPECT_FALSE(node_outcome_from_json(nlohmann::json::array(), "f"));
}

TEST(NodeOutcome, MissingFileIsNotFound) {
  testing::TempDir dir;
  const auto read = read_node_outcome(dir.path());
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace mlbench::report
