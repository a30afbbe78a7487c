#pragma once

#include "mlbench/transport/launcher.h"

namespace mlbench::transport {

// Runs commands on this machine (fork/exec), for the embedded default and for tests. The
// endpoint's host is ignored; files are copied locally with the same atomic rename as SFTP.
class LocalLauncher final : public Launcher {
 public:
  Result<std::unique_ptr<NodeSession>> connect(const Endpoint& endpoint) override;
};

}  // namespace mlbench::transport
