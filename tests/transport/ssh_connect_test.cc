#include "transport/ssh_connect.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>

#include "support/temp_dir.h"
#include "transport/ssh_test_node.h"

namespace mlbench::transport {
namespace {

using Clock = std::chrono::steady_clock;
using ConnectTest = SshNodeTest;

std::string describe(const Result<std::unique_ptr<NodeSession>>& session) {
  return session.ok() ? "connected" : session.error().describe();
}

// The base64 body of a known_hosts line: what identifies the key.
std::string key_body(const std::string& line) {
  return line.substr(line.rfind(' ') + 1);
}

TEST_F(ConnectTest, StrictRefusesAnUnknownHostKeyAndSaysHowToFixIt) {
  const std::string known_hosts = server().write_known_hosts("empty_known_hosts", "");
  const auto session = SshLauncher().connect(endpoint_for(server(), known_hosts));
  ASSERT_FALSE(session.ok());
  EXPECT_EQ(session.error().code, ErrorCode::kAuthentication);
  const std::string text = session.error().describe();
  EXPECT_NE(text.find(server().address() + ":" + std::to_string(server().port())),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("SHA256:"), std::string::npos) << text;
  EXPECT_NE(text.find(known_hosts), std::string::npos) << text;
  EXPECT_NE(text.find("ssh-keyscan"), std::string::npos) << text;
  EXPECT_NE(text.find("accept-new"), std::string::npos) << text;
  EXPECT_EQ(testing::read_file(known_hosts), "");
}

TEST_F(ConnectTest, AcceptNewRecordsAnUnknownHostKeyThenStrictTrustsIt) {
  const std::string known_hosts = (server().dir() / "new_known_hosts").string();
  Endpoint endpoint = endpoint_for(server(), known_hosts);
  endpoint.accept_new_host_keys = true;
  ASSERT_TRUE(SshLauncher().connect(endpoint).ok());
  const std::string recorded = testing::read_file(known_hosts);
  EXPECT_NE(recorded.find(key_body(server().known_hosts_line())), std::string::npos) << recorded;

  endpoint.accept_new_host_keys = false;
  const auto again = SshLauncher().connect(endpoint);
  EXPECT_TRUE(again.ok()) << describe(again);
}

TEST_F(ConnectTest, ChangedHostKeyIsRefusedUnderBothPolicies) {
  const std::string content = server().wrong_known_hosts_line() + "\n";
  const std::string known_hosts = server().write_known_hosts("changed_known_hosts", content);
  for (const bool accept_new : {false, true}) {
    Endpoint endpoint = endpoint_for(server(), known_hosts);
    endpoint.accept_new_host_keys = accept_new;
    const auto session = SshLauncher().connect(endpoint);
    ASSERT_FALSE(session.ok()) << "accept_new=" << accept_new;
    EXPECT_EQ(session.error().code, ErrorCode::kAuthentication);
    EXPECT_NE(session.error().message.find("CHANGED"), std::string::npos)
        << session.error().message;
    EXPECT_NE(session.error().message.find("ssh-keygen -R"), std::string::npos);
    EXPECT_EQ(testing::read_file(known_hosts), content);  // accept-new did not overwrite it
  }
}

TEST_F(ConnectTest, UnauthorizedUserKeyIsRefused) {
  Endpoint endpoint = trusted_endpoint(server());
  endpoint.identity_file = server().unauthorized_key();
  const auto session = SshLauncher().connect(endpoint);
  ASSERT_FALSE(session.ok());
  EXPECT_EQ(session.error().code, ErrorCode::kAuthentication) << session.error().describe();
}

TEST_F(ConnectTest, MissingIdentityFileIsAnAuthenticationError) {
  Endpoint endpoint = trusted_endpoint(server());
  endpoint.identity_file = (server().dir() / "no_such_key").string();
  const auto session = SshLauncher().connect(endpoint);
  ASSERT_FALSE(session.ok());
  EXPECT_EQ(session.error().code, ErrorCode::kAuthentication);
}

// ssh_config applies where the endpoint is silent, and the endpoint wins where it is not.
TEST_F(ConnectTest, SshConfigFillsGapsButTheEndpointWins) {
  const std::string host_block = "Host " + server().address() + "\n";
  const std::string misleading = server().write_known_hosts(
      "ssh_config_misleading", host_block + "  Port 1\n  User no-such-user-mlbench\n" +
                                   "  UserKnownHostsFile /nonexistent/known_hosts\n");
  Endpoint explicit_endpoint = trusted_endpoint(server());
  explicit_endpoint.ssh_config_file = misleading;
  const auto explicit_wins = SshLauncher().connect(explicit_endpoint);
  EXPECT_TRUE(explicit_wins.ok()) << explicit_wins.error().describe();

  // With no user in the endpoint, the config's user is the one that logs in.
  Endpoint no_user = explicit_endpoint;
  no_user.user.clear();
  const auto wrong_user = SshLauncher().connect(no_user);
  ASSERT_FALSE(wrong_user.ok());
  EXPECT_EQ(wrong_user.error().code, ErrorCode::kAuthentication);
  EXPECT_NE(wrong_user.error().message.find("no-such-user-mlbench"), std::string::npos)
      << wrong_user.error().message;

  const std::string right_user = server().write_known_hosts(
      "ssh_config_user", host_block + "  User " + server().user() + "\n");
  no_user.ssh_config_file = right_user;
  const auto config_user = SshLauncher().connect(no_user);
  EXPECT_TRUE(config_user.ok()) << config_user.error().describe();
}

// A port that was free a moment ago: nothing listens there.
int closed_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  socklen_t length = sizeof addr;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length);
  close(fd);
  return ntohs(addr.sin_port);
}

TEST(SshConnectFailureTest, ClosedPortFailsFastAsConnectionError) {
  Endpoint endpoint;
  endpoint.host = "127.0.0.1";
  endpoint.port = closed_port();
  endpoint.connect_timeout = std::chrono::seconds(5);
  const auto start = Clock::now();
  const auto session = SshLauncher().connect(endpoint);
  ASSERT_FALSE(session.ok());
  EXPECT_EQ(session.error().code, ErrorCode::kConnection);
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(1));
}

TEST(SshConnectFailureTest, SilentListenerHitsTheConnectTimeout) {
  // Listening without ever accepting: the kernel completes the TCP handshake, and no SSH banner
  // ever comes.
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  socklen_t length = sizeof addr;
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(fd, 4), 0);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length);

  Endpoint endpoint;
  endpoint.host = "127.0.0.1";
  endpoint.port = ntohs(addr.sin_port);
  endpoint.connect_timeout = std::chrono::seconds(1);
  const auto start = Clock::now();
  const auto session = SshLauncher().connect(endpoint);
  const auto took = Clock::now() - start;
  close(fd);
  ASSERT_FALSE(session.ok());
  EXPECT_EQ(session.error().code, ErrorCode::kConnection) << session.error().describe();
  EXPECT_GE(took, std::chrono::milliseconds(900));
  EXPECT_LT(took, std::chrono::seconds(3));
}

}  // namespace
}  // namespace mlbench::transport
