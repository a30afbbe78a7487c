#pragma once

#include <libssh/libssh.h>

#include "mlbench/core/result.h"
#include "mlbench/transport/launcher.h"

namespace mlbench::transport {

// Logs in with a public key: the SSH agent first (when SSH_AUTH_SOCK is set), then the
// endpoint's identity file, or, without one, the keys ~/.ssh/config names and the default
// ~/.ssh/id_* keys. Never a password or a prompt: a batch tool has no one to type it.
// Failure is kAuthentication.
Result<void> authenticate(ssh_session session, const Endpoint& endpoint);

}  // namespace mlbench::transport
