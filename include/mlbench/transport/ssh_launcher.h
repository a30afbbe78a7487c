#pragma once

#include <memory>

#include "mlbench/transport/launcher.h"

namespace mlbench::transport {

// Opens sessions to nodes over SSH (libssh). Reads ~/.ssh/config, but what the Endpoint sets
// explicitly (port, user, identity file, known_hosts file, timeouts) wins over it. Host keys
// are checked against the known_hosts file: strict by default, accept-new when the endpoint
// asks; a changed key is always refused. Authenticates with the agent, then the identity file
// or the default keys; never with a password. Holds no state, so one launcher may serve many
// threads, each driving its own sessions.
class SshLauncher final : public Launcher {
 public:
  Result<std::unique_ptr<NodeSession>> connect(const Endpoint& endpoint) override;
};

}  // namespace mlbench::transport
