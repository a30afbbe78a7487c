// A network partition mid-run: jw3's sshd lives in a network namespace reached through a veth
// pair, and the link is cut while its runner runs. Needs root (CI runs the tests as root);
// skips, saying why, where a namespace cannot be made.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "orchestrator/cluster_fixture.h"

namespace mlbench::orchestrator {
namespace {

using std::chrono::seconds;
using ::testing::HasSubstr;

bool ip(const std::vector<std::string>& args, std::string* why_not = nullptr) {
  std::vector<std::string> argv = {"/usr/sbin/ip"};
  argv.insert(argv.end(), args.begin(), args.end());
  testing::ProcessOptions options;
  options.timeout = seconds(10);
  const testing::ProcessResult result = testing::run_process(argv, options);
  if (result.exit_code != 0 && why_not != nullptr) *why_not = result.err;
  return result.exit_code == 0;
}

// A namespace with one veth pair to it: host side 10.213.<k>.1, namespace side .2. Removed
// (with the pair) on destruction.
class NetworkNamespace {
 public:
  NetworkNamespace() {
    const int k = static_cast<int>(getpid() % 200) + 1;
    name_ = "mlbt" + std::to_string(getpid());
    host_link_ = "mlbh" + std::to_string(getpid() % 100000);
    const std::string inner_link = "mlbn" + std::to_string(getpid() % 100000);
    host_address_ = "10.213." + std::to_string(k) + ".1";
    address_ = "10.213." + std::to_string(k) + ".2";
    if (geteuid() != 0) {
      why_not_ = "needs root to create a network namespace";
      return;
    }
    if (access("/usr/sbin/ip", X_OK) != 0) {
      why_not_ = "iproute2 (`ip`) is not installed";
      return;
    }
    if (!ip({"netns", "add", name_}, &why_not_)) return;
    created_ = true;
    ok_ = ip({"link", "add", host_link_, "type", "veth", "peer", "name", inner_link}, &why_not_) &&
          ip({"link", "set", inner_link, "netns", name_}, &why_not_) &&
          ip({"addr", "add", host_address_ + "/24", "dev", host_link_}, &why_not_) &&
          ip({"link", "set", host_link_, "up"}, &why_not_) &&
          ip({"netns", "exec", name_, "ip", "addr", "add", address_ + "/24", "dev", inner_link},
             &why_not_) &&
          ip({"netns", "exec", name_, "ip", "link", "set", inner_link, "up"}, &why_not_) &&
          ip({"netns", "exec", name_, "ip", "link", "set", "lo", "up"}, &why_not_);
  }
  ~NetworkNamespace() {
    if (!created_) return;
    ip({"link", "del", host_link_});
    ip({"netns", "del", name_});
  }

  bool ok() const { return ok_; }
  const std::string& why_not() const { return why_not_; }
  const std::string& name() const { return name_; }
  const std::string& address() const { return address_; }
  // Packets to and from the namespace are dropped from now on; the TCP connection sees no
  // error, only silence.
  bool cut() { return ip({"link", "set", host_link_, "down"}); }

 private:
  std::string name_, host_link_, host_address_, address_, why_not_;
  bool created_ = false;
  bool ok_ = false;
};

class PartitionTest : public ClusterTest {
 protected:
  void SetUp() override {
    ClusterTest::SetUp();
    if (IsSkipped()) return;
    netns_ = std::make_unique<NetworkNamespace>();
    if (!netns_->ok()) GTEST_SKIP() << "no network namespace: " << netns_->why_not();
    std::string why_not;
    jw3_netns_ =
        testing::SshdServer::start_in_namespace(netns_->name(), netns_->address(), 2222, &why_not);
    if (!jw3_netns_) GTEST_SKIP() << "no sshd in the namespace: " << why_not;
    jw3_netns_->authorize_key(jw2_->client_key());
    nodes_[1] = {"jw3", netns_->address(), 2222};
    known_hosts_ = dir_.write(
        "known_hosts", jw2_->known_hosts_line() + "\n" + jw3_netns_->known_hosts_line() + "\n");
    settings_["heartbeat_timeout_s"] = "3";
  }
  void TearDown() override {
    jw3_netns_.reset();  // before the namespace goes
    netns_.reset();
  }

  std::unique_ptr<NetworkNamespace> netns_;
  std::unique_ptr<testing::SshdServer> jw3_netns_;
};

TEST_F(PartitionTest, PartitionedNodeFailsOnTheHeartbeatAndTheOtherFinishes) {
  testing::BackgroundProcess mlbench(run_args(), dir_.path());
  ASSERT_TRUE(mlbench.started());
  ASSERT_TRUE(testing::wait_until([&] { return has_progress("jw3"); }, seconds(30)))
      << testing::read_file(dir_.path() / "process.err");
  ASSERT_TRUE(netns_->cut());
  const auto result = mlbench.wait(seconds(60));
  EXPECT_EQ(result.exit_code, 3) << result.out << result.err;
  const nlohmann::json jw2 = node_json("jw2");
  EXPECT_EQ(jw2.at("status"), "ok") << jw2.dump();
  const nlohmann::json jw3 = node_json("jw3");
  EXPECT_EQ(jw3.at("status"), "failed");
  EXPECT_THAT(jw3.at("error").get<std::string>(), HasSubstr("no output from the runner for 3 s"));
  EXPECT_THAT(result.out, HasSubstr("node jw3: failed"));
  EXPECT_THAT(testing::read_file(node_dir("jw3") / "events.jsonl"), HasSubstr("\"progress\""));
  expect_report_lists_every_node();
  expect_reported_ok("jw2");
  expect_reported_not_ok("jw3", "failed",
                         "no output from the runner for 3 s (heartbeat_timeout_s)");
  expect_reported_result_kept("jw3");
}

}  // namespace
}  // namespace mlbench::orchestrator
