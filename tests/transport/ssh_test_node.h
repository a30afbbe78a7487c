#pragma once

// Shared by the SSH integration tests: one real sshd per test suite, endpoints for it, and a
// helper that runs a command and collects its lines.

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "mlbench/transport/ssh_launcher.h"

#include "support/sshd_fixture.h"

namespace mlbench::transport {

inline Endpoint endpoint_for(const testing::SshdServer& server,
                             const std::string& known_hosts_file) {
  Endpoint endpoint;
  endpoint.name = "test-node";
  endpoint.host = server.address();
  endpoint.port = server.port();
  endpoint.user = server.user();
  endpoint.identity_file = server.client_key();
  endpoint.known_hosts_file = known_hosts_file;
  endpoint.connect_timeout = std::chrono::seconds(5);
  return endpoint;
}

// A strict endpoint whose known_hosts file already trusts the server.
inline Endpoint trusted_endpoint(const testing::SshdServer& server) {
  return endpoint_for(
      server, server.write_known_hosts("trusted_known_hosts", server.known_hosts_line() + "\n"));
}

struct Collected {
  std::vector<std::string> out;
  std::vector<std::string> err;
};

inline Result<ProcessOutcome> run_collecting(NodeSession& session, const Command& command,
                                             Collected& collected, const RunLimits& limits = {}) {
  OutputHandlers handlers;
  handlers.on_stdout_line = [&](std::string_view line) { collected.out.emplace_back(line); };
  handlers.on_stderr_line = [&](std::string_view line) { collected.err.emplace_back(line); };
  return session.run(command, handlers, limits);
}

class SshNodeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = testing::SshdServer::start("127.0.0.2", &why_not_); }
  static void TearDownTestSuite() { server_.reset(); }
  void SetUp() override {
    if (!server_) GTEST_SKIP() << "no sshd: " << why_not_;
  }

  static const testing::SshdServer& server() { return *server_; }

  std::unique_ptr<NodeSession> connect() {
    Result<std::unique_ptr<NodeSession>> session =
        SshLauncher().connect(trusted_endpoint(*server_));
    EXPECT_TRUE(session.ok()) << (session.ok() ? "" : session.error().describe()) << "\n"
                              << server_->log();
    return session.ok() ? std::move(session).value() : nullptr;
  }

 private:
  static inline std::unique_ptr<testing::SshdServer> server_;
  static inline std::string why_not_;
};

}  // namespace mlbench::transport
