// The keys the fan-out reads (retries, heartbeat, kill grace) and dataset.sha256.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "mlbench/config/snapshot.h"

#include "config_test_support.h"

namespace mlbench::config {
namespace {

using ::testing::ElementsAre;
using testing::errors_of;
using ::testing::HasSubstr;
using testing::load;

TEST(FanoutKeys, DefaultsAreWhatAUserWouldExpect) {
  const LoadOutcome outcome = load("runner: {backend: sim}\n");
  ASSERT_TRUE(outcome.config.has_value());
  EXPECT_EQ(outcome.config->cluster.ssh.connect_retries, 2);
  EXPECT_EQ(outcome.config->cluster.ssh.retry_backoff_ms, 1000);
  EXPECT_EQ(outcome.config->cluster.heartbeat_timeout_s, 300);
  EXPECT_EQ(outcome.config->cluster.kill_grace_s, 10);
  EXPECT_EQ(outcome.config->dataset.sha256, "");
}

TEST(FanoutKeys, ReadsEveryKey) {
  const LoadOutcome outcome = load(R"yaml(cluster:
  ssh: {connect_retries: 0, retry_backoff_ms: 250}
  heartbeat_timeout_s: 0
  kill_grace_s: 3
runner: {backend: sim}
dataset: {sha256: 9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08}
)yaml");
  ASSERT_TRUE(outcome.config.has_value()) << testing::formatted(outcome.diagnostics)[0];
  EXPECT_EQ(outcome.config->cluster.ssh.connect_retries, 0);
  EXPECT_EQ(outcome.config->cluster.ssh.retry_backoff_ms, 250);
  EXPECT_EQ(outcome.config->cluster.heartbeat_timeout_s, 0);
  EXPECT_EQ(outcome.config->cluster.kill_grace_s, 3);
  // Lower case, as sha256sum prints it.
  EXPECT_EQ(outcome.config->dataset.sha256,
            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
}

TEST(FanoutKeys, BadValuesNameTheKeyAndTheFix) {
  EXPECT_THAT(errors_of("cluster: {ssh: {connect_retries: -1}}\nrunner: {backend: sim}\n"),
              ElementsAre(HasSubstr("test.yaml:1:34: cluster.ssh.connect_retries:")));
  EXPECT_THAT(errors_of("cluster: {heartbeat_timeout_s: 1.5}\nrunner: {backend: sim}\n"),
              ElementsAre(HasSubstr("cluster.heartbeat_timeout_s: expected an integer")));
  EXPECT_THAT(errors_of("runner: {backend: sim}\ndataset: {sha256: abc}\n"),
              ElementsAre("test.yaml:2:19: dataset.sha256: expected a SHA-256 digest, got 'abc' "
                          "(write the 64 hex digits `sha256sum FILE` prints)"));
}

TEST(ConfigSnapshot, HoldsEffectiveValuesInTheShapeOfTheFile) {
  const LoadOutcome outcome = load("runner: {backend: sim}\ncluster: {kill_grace_s: 4}\n");
  ASSERT_TRUE(outcome.config.has_value());
  const nlohmann::json snapshot = to_json(*outcome.config);
  EXPECT_EQ(snapshot.at("runner").at("backend"), "sim");
  EXPECT_EQ(snapshot.at("cluster").at("kill_grace_s"), 4);
  EXPECT_EQ(snapshot.at("cluster").at("ssh").at("host_key_policy"), "strict");
  EXPECT_EQ(snapshot.at("nodes")[0].at("name"), "local");
  EXPECT_EQ(snapshot.at("report").at("out_dir"), "/cfg/runs");
}

}  // namespace
}  // namespace mlbench::config
