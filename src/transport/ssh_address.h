#pragma once

#include <libssh/libssh.h>

#include <string>

namespace mlbench::transport {

// Where a session really goes once the ssh config has been applied: the HostName and Port of
// the node's Host block, or what the endpoint set. Host keys are looked up under this name, as
// ssh looks them up (libssh 0.10 ignores HostKeyAlias), and messages name it.
struct SshAddress {
  std::string host;
  int port = 22;

  // "host:port", "[v6]:port" for IPv6 literals: what node.json and messages show.
  std::string label() const;
  // How known_hosts writes it: bare for port 22, "[host]:port" otherwise.
  std::string known_hosts_name() const;
};

// Read back from the session's options; valid after the options are applied.
SshAddress address_of(ssh_session session);

}  // namespace mlbench::transport
