#pragma once

#include <string>

#include "mlbench/core/result.h"
#include "mlbench/transport/launcher.h"

#include "transport/ssh_handles.h"

namespace mlbench::transport {

// A connected, host-key-checked, authenticated libssh session (blocking mode), or why not:
// kConnection (unreachable, refused, no SSH banner within connect_timeout), kAuthentication
// (host key or user key refused). `ssh_config_file` empty: ~/.ssh/config, then
// /etc/ssh/ssh_config; tests name a file of their own instead.
Result<SshSessionPtr> open_ssh_session(const Endpoint& endpoint,
                                       const std::string& ssh_config_file = {});

}  // namespace mlbench::transport
