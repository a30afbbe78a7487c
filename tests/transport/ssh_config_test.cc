// Nodes named the way ssh names them: a Host alias of the ssh config file gives the address,
// port, user, key and known_hosts file; `~` and libssh's defaults follow $HOME.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "support/temp_dir.h"
#include "transport/ssh_test_node.h"

namespace mlbench::transport {
namespace {

namespace fs = std::filesystem;
using SshConfigTest = SshNodeTest;

// HOME pointed at a temporary directory for the scope, restored after.
class ScopedHome {
 public:
  ScopedHome() {
    if (const char* old = std::getenv("HOME")) old_ = old;
    fs::create_directories(home_.path() / ".ssh");
    setenv("HOME", home_.path().c_str(), 1);
  }
  ~ScopedHome() {
    if (old_) {
      setenv("HOME", old_->c_str(), 1);
    } else {
      unsetenv("HOME");
    }
  }
  ScopedHome(const ScopedHome&) = delete;
  ScopedHome& operator=(const ScopedHome&) = delete;
  const testing::TempDir& dir() const { return home_; }

 private:
  testing::TempDir home_;
  std::optional<std::string> old_;
};

// Only what config.yaml's `{name: jw2, host: jw2}` gives.
Endpoint alias_endpoint(const std::string& alias) {
  Endpoint endpoint;
  endpoint.name = alias;
  endpoint.host = alias;
  endpoint.connect_timeout = std::chrono::seconds(5);
  return endpoint;
}

std::string host_block(const testing::SshdServer& server, const std::string& alias,
                       const std::string& extra) {
  return "Host " + alias + "\n  HostName " + server.address() + "\n  Port " +
         std::to_string(server.port()) + "\n  User " + server.user() + "\n" + extra;
}

std::string message(const Result<std::unique_ptr<NodeSession>>& session) {
  return session.ok() ? "connected" : session.error().describe();
}

TEST_F(SshConfigTest, AliasGivesAddressPortUserKeyAndKnownHosts) {
  const std::string known_hosts =
      server().write_known_hosts("alias_known_hosts", server().known_hosts_line() + "\n");
  Endpoint endpoint = alias_endpoint("jw2");
  endpoint.ssh_config_file = server().write_known_hosts(
      "alias_ssh_config", host_block(server(), "jw2",
                                     "  IdentityFile " + server().client_key() +
                                         "\n  UserKnownHostsFile " + known_hosts + "\n"));
  const auto session = SshLauncher().connect(endpoint);
  ASSERT_TRUE(session.ok()) << message(session) << "\n" << server().log();
  // What was really used, not the alias.
  EXPECT_EQ((*session)->address(), server().address() + ":" + std::to_string(server().port()));
  Collected collected;
  ASSERT_TRUE(run_collecting(**session, {{"echo", "hello"}, {}}, collected).ok());
  EXPECT_EQ(collected.out, std::vector<std::string>{"hello"});
}

TEST_F(SshConfigTest, ChangedHostKeyThroughAnAliasIsRefusedUnderItsRealName) {
  const std::string known_hosts = server().write_known_hosts(
      "alias_wrong_known_hosts", server().wrong_known_hosts_line() + "\n");
  Endpoint endpoint = alias_endpoint("jw2");
  endpoint.identity_file = server().client_key();
  endpoint.ssh_config_file = server().write_known_hosts(
      "alias_wrong_ssh_config",
      host_block(server(), "jw2", "  UserKnownHostsFile " + known_hosts + "\n"));
  const auto session = SshLauncher().connect(endpoint);
  ASSERT_FALSE(session.ok());
  EXPECT_EQ(session.error().code, ErrorCode::kAuthentication);
  const std::string text = session.error().describe();
  const std::string real_name = "[" + server().address() + "]:" + std::to_string(server().port());
  EXPECT_NE(text.find("CHANGED"), std::string::npos) << text;
  EXPECT_NE(text.find(real_name), std::string::npos) << text;
  EXPECT_NE(text.find(known_hosts), std::string::npos) << text;
  EXPECT_EQ(text.find("jw2:"), std::string::npos) << text;
}

// The same alias is not trusted through a known_hosts entry for the alias's name: ssh keys
// known_hosts by HostName too.
TEST_F(SshConfigTest, KnownHostsEntryForTheAliasNameDoesNotCount) {
  const std::string line = server().known_hosts_line();
  const std::string alias_line =
      "[jw2]:" + std::to_string(server().port()) + line.substr(line.find(' '));
  const std::string known_hosts =
      server().write_known_hosts("alias_name_known_hosts", alias_line + "\n");
  Endpoint endpoint = alias_endpoint("jw2");
  endpoint.identity_file = server().client_key();
  endpoint.known_hosts_file = known_hosts;
  endpoint.ssh_config_file =
      server().write_known_hosts("alias_name_ssh_config", host_block(server(), "jw2", ""));
  const auto session = SshLauncher().connect(endpoint);
  ASSERT_FALSE(session.ok());
  EXPECT_NE(session.error().message.find("host key not known"), std::string::npos)
      << session.error().message;
}

// ~/.ssh/config, `~` in it, %d and the default known_hosts all mean $HOME, not the password
// database's home (which libssh would use on its own).
TEST_F(SshConfigTest, HomeMeansTheHomeVariable) {
  const ScopedHome home;
  const fs::path ssh_dir = home.dir().path() / ".ssh";
  fs::copy_file(server().client_key(), ssh_dir / "id_node");
  home.dir().write("kh/known_hosts", server().known_hosts_line() + "\n");
  home.dir().write(".ssh/config", host_block(server(), "jw2",
                                             "  IdentityFile %d/id_node\n"
                                             "  UserKnownHostsFile ~/kh/known_hosts\n"));
  const auto session = SshLauncher().connect(alias_endpoint("jw2"));
  EXPECT_TRUE(session.ok()) << message(session);

  // Without UserKnownHostsFile: $HOME/.ssh/known_hosts, and strict still holds.
  home.dir().write(".ssh/config", host_block(server(), "jw2", "  IdentityFile %d/id_node\n"));
  const auto unknown = SshLauncher().connect(alias_endpoint("jw2"));
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find((ssh_dir / "known_hosts").string()), std::string::npos)
      << unknown.error().message;
  home.dir().write(".ssh/known_hosts", server().known_hosts_line() + "\n");
  const auto known = SshLauncher().connect(alias_endpoint("jw2"));
  EXPECT_TRUE(known.ok()) << message(known);
}

TEST_F(SshConfigTest, MissingSshConfigFileIsFine) {
  Endpoint endpoint = trusted_endpoint(server());
  endpoint.ssh_config_file = (server().dir() / "no_such_ssh_config").string();
  const auto session = SshLauncher().connect(endpoint);
  EXPECT_TRUE(session.ok()) << message(session);
}

// libssh writes `<key>.pub` beside a private key that has none, during the login that reads it;
// many first logins at once must not read each other's half-written file. The window is the
// moment libssh takes to write it, so without the launcher's gate this fails only sometimes (it
// failed a CI run under ASan, where the window is wider); with the gate it cannot.
TEST_F(SshConfigTest, ManyFirstLoginsWithAKeyWithoutItsPubFileAllSucceed) {
  const testing::TempDir keys;
  const fs::path key = keys.path() / "id_without_pub";
  fs::copy_file(server().client_key(), key);
  fs::permissions(key, fs::perms::owner_read | fs::perms::owner_write);
  const std::string known_hosts =
      server().write_known_hosts("race_known_hosts", server().known_hosts_line() + "\n");
  Endpoint endpoint = alias_endpoint("jw2");
  endpoint.ssh_config_file = server().write_known_hosts(
      "race_ssh_config", host_block(server(), "jw2",
                                    "  IdentityFile " + key.string() + "\n  UserKnownHostsFile " +
                                        known_hosts + "\n"));
  SshLauncher launcher;
  constexpr int kLogins = 16;
  std::vector<std::string> outcomes(kLogins);
  std::vector<std::thread> threads;
  for (int i = 0; i < kLogins; ++i) {
    threads.emplace_back([&, i] { outcomes[i] = message(launcher.connect(endpoint)); });
  }
  for (std::thread& thread : threads)
    thread.join();
  for (const std::string& outcome : outcomes)
    EXPECT_EQ(outcome, "connected") << server().log();
}

}  // namespace
}  // namespace mlbench::transport
