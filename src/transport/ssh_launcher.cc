#include "mlbench/transport/ssh_launcher.h"

#include "transport/ssh_auth.h"
#include "transport/ssh_connect.h"
#include "transport/ssh_node_session.h"

namespace mlbench::transport {

Result<std::unique_ptr<NodeSession>> SshLauncher::connect(const Endpoint& endpoint) {
  Result<SshSessionPtr> session = open_ssh_session(endpoint);
  if (!session) return session.failure();
  Result<void> login;
  if (first_login_done_.load()) {
    login = authenticate(session->get(), endpoint);
  } else {
    const std::lock_guard lock(first_login_mutex_);
    login = authenticate(session->get(), endpoint);
    first_login_done_.store(true);  // whatever its answer, the key files it read are in place
  }
  if (!login) return login.failure();
  return std::unique_ptr<NodeSession>(
      std::make_unique<SshNodeSession>(endpoint, std::move(session).value()));
}

}  // namespace mlbench::transport
