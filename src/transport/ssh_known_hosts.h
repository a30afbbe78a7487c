#pragma once

#include <libssh/libssh.h>

#include "mlbench/core/result.h"
#include "mlbench/transport/launcher.h"

namespace mlbench::transport {

// Checks the key the server just presented against the known_hosts file. Strict: an unknown
// key is refused. accept-new: an unknown key is recorded in the file and trusted. A key that
// differs from the recorded one is refused under both, because that is exactly the attack host
// key checking exists for. Refusals are kAuthentication and name host:port, the key's SHA256
// fingerprint, the known_hosts file and the fix.
Result<void> verify_host_key(ssh_session session, const Endpoint& endpoint);

}  // namespace mlbench::transport
