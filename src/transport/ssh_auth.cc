#include "transport/ssh_auth.h"

#include <fmt/format.h>

#include <cstdlib>
#include <string>

#include "transport/ssh_address.h"
#include "transport/ssh_connect.h"
#include "transport/ssh_handles.h"

namespace mlbench::transport {
namespace {

std::string login_name(ssh_session session) {
  char* user = nullptr;
  if (ssh_options_get(session, SSH_OPTIONS_USER, &user) != SSH_OK || user == nullptr) return "?";
  std::string copy = user;
  ssh_string_free_char(user);
  return copy;
}

// Reports a denied login the same way whichever key was tried.
Failure denied(ssh_session session, const std::string& tried) {
  return fail(ErrorCode::kAuthentication,
              fmt::format("the node refused {} for user {}; check that its public key is in "
                          "that user's ~/.ssh/authorized_keys on the node",
                          tried, login_name(session)),
              address_of(session).label());
}

Result<void> authenticate_with_file(ssh_session session, const Endpoint& endpoint) {
  ssh_key raw_key = nullptr;
  const std::string identity_file = expand_home_dir(endpoint.identity_file);
  // No passphrase and no prompt callback: an encrypted key fails here and belongs in the agent.
  if (ssh_pki_import_privkey_file(identity_file.c_str(), nullptr, nullptr, nullptr, &raw_key) !=
      SSH_OK) {
    return fail(ErrorCode::kAuthentication,
                fmt::format("cannot read the private key {} (missing, unreadable, or protected "
                            "by a passphrase: load such keys into ssh-agent instead)",
                            identity_file),
                endpoint.name);
  }
  const SshKeyPtr key(raw_key);
  const int rc = ssh_userauth_publickey(session, nullptr, key.get());
  if (rc == SSH_AUTH_SUCCESS) return {};
  if (rc == SSH_AUTH_ERROR) {
    return fail(ErrorCode::kConnection, fmt::format("login failed: {}", ssh_get_error(session)),
                address_of(session).label());
  }
  return denied(session, fmt::format("the key {}", identity_file));
}

}  // namespace

Result<void> authenticate(ssh_session session, const Endpoint& endpoint) {
  const char* agent = std::getenv("SSH_AUTH_SOCK");
  if (agent != nullptr && *agent != '\0' &&
      ssh_userauth_agent(session, nullptr) == SSH_AUTH_SUCCESS) {
    return {};
  }
  if (!endpoint.identity_file.empty()) return authenticate_with_file(session, endpoint);

  // Tries the agent again (harmless) and every identity the options and ssh_config name.
  const int rc = ssh_userauth_publickey_auto(session, nullptr, nullptr);
  if (rc == SSH_AUTH_SUCCESS) return {};
  if (rc == SSH_AUTH_ERROR) {
    return fail(ErrorCode::kConnection, fmt::format("login failed: {}", ssh_get_error(session)),
                address_of(session).label());
  }
  return denied(session, "the agent's keys and the default keys (~/.ssh/id_*)");
}

}  // namespace mlbench::transport
