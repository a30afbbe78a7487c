#pragma once

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "support/temp_dir.h"

namespace mlbench::testing {

// A real OpenSSH sshd for integration tests, on a loopback address (127.0.0.2, 127.0.0.3, ...)
// and a free port: its own sshd_config, generated ed25519 host key, a generated user key pair
// in authorized_keys, `UsePAM no`, `StrictModes no`, run in the foreground (-D -e) with its log
// in a file of its temp dir. Logs in only the user running the tests (as non-root, sshd can
// log in no one else). Everything it started is killed on destruction.
// A port the kernel just handed out on `address`, so most likely still free a moment later
// (0 when none could be had).
int free_port(const std::string& address);

class SshdServer {
 public:
  // Starts sshd and waits (bounded) until it accepts connections. Returns nullptr and sets
  // `why_not` when sshd is not installed or does not come up; tests then skip. At LogLevel
  // DEBUG1 and above the log shows global requests such as keepalives, but sshd then also
  // writes debug lines into each session's stderr. `extra_config` is appended to sshd_config
  // as written (e.g. "SetEnv HOME=/tmp/x\n"), for tests of what a node's sshd may change.
  static std::unique_ptr<SshdServer> start(const std::string& address, std::string* why_not,
                                           const std::string& log_level = "VERBOSE",
                                           const std::string& extra_config = "");
  // The same inside network namespace `netns` (which must exist and own `address`), listening
  // on `port`: sshd runs under `ip netns exec`, so cutting the namespace's link partitions it.
  static std::unique_ptr<SshdServer> start_in_namespace(const std::string& netns,
                                                        const std::string& address, int port,
                                                        std::string* why_not);
  ~SshdServer();
  SshdServer(const SshdServer&) = delete;
  SshdServer& operator=(const SshdServer&) = delete;

  const std::string& address() const { return address_; }
  int port() const { return port_; }
  const std::filesystem::path& dir() const { return dir_.path(); }
  std::string user() const;

  // The private key authorized_keys lets in, and one it does not.
  std::string client_key() const { return (dir() / "client_ed25519").string(); }
  std::string unauthorized_key() const { return (dir() / "stranger_ed25519").string(); }
  // The server's host key as a known_hosts line ("[127.0.0.2]:2222 ssh-ed25519 AAAA..."), and
  // a line for the same host with a different key, as after a reinstall or an attack.
  std::string known_hosts_line() const;
  std::string wrong_known_hosts_line() const;
  // A known_hosts file (inside dir()) holding `content`.
  std::string write_known_hosts(const std::string& name, const std::string& content) const;
  // Lets the holder of another private key in too (a public key file, `<key>.pub`), so that
  // several servers accept one client key, as a cluster does.
  void authorize_key(const std::string& private_key) const;

  // SIGKILLs sshd and every process it started (connection handlers, their shells and
  // commands), as a node crash would; idempotent.
  void kill_all();
  std::string log() const;

 private:
  SshdServer(std::string address, std::string log_level, std::string extra_config);
  static std::unique_ptr<SshdServer> prepare(const std::string& address,
                                             const std::string& log_level,
                                             const std::string& extra_config, std::string* why_not);
  bool launch(int port, std::string* why_not);

  std::string address_;
  std::string log_level_;
  std::string extra_config_;
  int port_ = 0;
  pid_t pid_ = -1;
  std::vector<std::string> wrapper_;  // words before sshd's own argv (ip netns exec NS)
  TempDir dir_;
};

}  // namespace mlbench::testing
