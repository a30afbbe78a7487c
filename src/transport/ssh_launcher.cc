#include "mlbench/transport/ssh_launcher.h"

#include "transport/ssh_connect.h"
#include "transport/ssh_node_session.h"

namespace mlbench::transport {

Result<std::unique_ptr<NodeSession>> SshLauncher::connect(const Endpoint& endpoint) {
  Result<SshSessionPtr> session = open_ssh_session(endpoint);
  if (!session) return session.failure();
  return std::unique_ptr<NodeSession>(
      std::make_unique<SshNodeSession>(endpoint, std::move(session).value()));
}

}  // namespace mlbench::transport
