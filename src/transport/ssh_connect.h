#pragma once

#include <string>

#include "mlbench/core/result.h"
#include "mlbench/transport/launcher.h"

#include "transport/ssh_handles.h"

namespace mlbench::transport {

// A connected, host-key-checked libssh session (blocking mode), not yet logged in (ssh_auth.h
// does that), or why not: kConnection (unreachable, refused, no SSH banner within
// connect_timeout), kAuthentication (host key refused), kConfig (the ssh config file cannot be
// parsed). The
// endpoint's ssh config file is read, then /etc/ssh/ssh_config; what the endpoint sets wins.
Result<SshSessionPtr> open_ssh_session(const Endpoint& endpoint);

// `~/...` with $HOME (unchanged without HOME or without a leading `~/`). libssh itself
// expands `~` from the password database, which a changed HOME does not move.
std::string expand_home_dir(const std::string& path);

}  // namespace mlbench::transport
