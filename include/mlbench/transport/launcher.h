#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mlbench/core/result.h"

namespace mlbench::transport {

// Where and how to reach one node. Filled in by the orchestrator from config.yaml; transport
// knows nothing of the config file. What is left empty (or 0) here comes from the ssh config
// file's Host block for `host`, as ssh would take it; `~` always means $HOME.
struct Endpoint {
  std::string name;           // the node's name, for messages
  std::string host;           // empty for the local launcher; may be a Host alias of the ssh config
  int port = 0;               // 0: the ssh config's Port, else 22
  std::string user;           // empty: the ssh config's User, else the local user
  std::string identity_file;  // empty: the SSH agent, then the ssh config's and default keys
  std::string known_hosts_file;  // empty: the ssh config's UserKnownHostsFile, else
                                 // $HOME/.ssh/known_hosts
  // Read before connecting (a missing file is fine), then /etc/ssh/ssh_config. Empty:
  // $HOME/.ssh/config.
  std::string ssh_config_file;
  bool accept_new_host_keys = false;  // host_key_policy accept-new; strict otherwise
  std::chrono::seconds connect_timeout{10};
  std::chrono::seconds keepalive_interval{15};
};

struct Command {
  std::vector<std::string> argv;  // argv[0] is the program; never pasted into a shell unquoted
  std::string working_dir;        // empty: the default directory of the session
};

// Output arrives line by line as the process writes it (a final line without '\n' is
// delivered at exit). Called from the thread that called run().
struct OutputHandlers {
  std::function<void(std::string_view line)> on_stdout_line;
  std::function<void(std::string_view line)> on_stderr_line;
};

struct ProcessOutcome {
  int exit_code = -1;      // -1 when it did not exit normally
  int signal = 0;          // the signal that ended it, if one did
  bool timed_out = false;  // we stopped it because `timeout` passed
  bool cancelled = false;  // we stopped it because `cancel` was set
};

struct RunLimits {
  std::chrono::milliseconds timeout{std::chrono::hours(4)};
  const std::atomic<bool>* cancel = nullptr;
  // After SIGTERM to the process group, how long to wait before SIGKILL.
  std::chrono::milliseconds kill_grace{std::chrono::seconds(5)};
  // Once set (a second Ctrl-C), a command being stopped gets SIGKILL without waiting out the
  // rest of kill_grace. It does not stop a command by itself: `cancel` or the timeout does.
  const std::atomic<bool>* kill_now = nullptr;
};

struct RemoteFile {
  std::string name;  // relative to the listed directory
  uint64_t size = 0;
};

// A connection to one node. Not thread-safe: one thread drives one session.
class NodeSession {
 public:
  virtual ~NodeSession() = default;

  // Runs the command in its own process group and returns once it has exited. On timeout or
  // cancellation the whole group gets SIGTERM, then SIGKILL after the grace period, so no
  // runner is left behind. Fails only when the command could not be started or the connection
  // broke; a command that exits non-zero is a ProcessOutcome, not an error.
  virtual Result<ProcessOutcome> run(const Command& command, const OutputHandlers& output,
                                     const RunLimits& limits) = 0;

  // Copies a file to the node: written to a temporary name, size-checked, then renamed, so a
  // half-copied file never takes the real name. The copy gets `mode` (permission bits) when
  // given, else the local file's.
  virtual Result<void> upload(const std::string& local_path, const std::string& remote_path,
                              std::optional<uint32_t> mode = std::nullopt) = 0;
  // The other way, with the same guarantees.
  virtual Result<void> download(const std::string& remote_path, const std::string& local_path) = 0;
  // The regular files directly inside a directory on the node.
  virtual Result<std::vector<RemoteFile>> list_files(const std::string& remote_dir) = 0;
  // mkdir -p on the node.
  virtual Result<void> make_directories(const std::string& remote_dir) = 0;

  // Where the session went, as "host:port" after the ssh config was applied; empty when the
  // node is this machine.
  virtual std::string address() const { return {}; }
};

// Opens sessions to nodes: local (this machine) or ssh (libssh).
class Launcher {
 public:
  virtual ~Launcher() = default;
  virtual Result<std::unique_ptr<NodeSession>> connect(const Endpoint& endpoint) = 0;
};

}  // namespace mlbench::transport
