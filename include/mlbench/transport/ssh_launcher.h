#pragma once

#include <atomic>
#include <memory>
#include <mutex>

#include "mlbench/transport/launcher.h"

namespace mlbench::transport {

// Opens sessions to nodes over SSH (libssh). Reads ~/.ssh/config, but what the Endpoint sets
// explicitly (port, user, identity file, known_hosts file, timeouts) wins over it. Host keys
// are checked against the known_hosts file: strict by default, accept-new when the endpoint
// asks; a changed key is always refused. Authenticates with the agent, then the identity file
// or the default keys; never with a password. One launcher may serve many threads, each driving
// its own sessions.
class SshLauncher final : public Launcher {
 public:
  Result<std::unique_ptr<NodeSession>> connect(const Endpoint& endpoint) override;

 private:
  // libssh's key discovery writes a missing `<key>.pub` beside a private key it reads, so two
  // first logins at once can read each other's half-written file ("Failed to import public
  // key"). The launcher's first login runs alone; after it, those files exist.
  std::mutex first_login_mutex_;
  std::atomic<bool> first_login_done_{false};
};

}  // namespace mlbench::transport
