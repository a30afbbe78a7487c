#include "transport/ssh_address.h"

#include <fmt/format.h>

namespace mlbench::transport {

std::string SshAddress::label() const {
  if (host.find(':') != std::string::npos) return fmt::format("[{}]:{}", host, port);
  return fmt::format("{}:{}", host, port);
}

std::string SshAddress::known_hosts_name() const {
  if (port == 22) return host;
  return fmt::format("[{}]:{}", host, port);
}

SshAddress address_of(ssh_session session) {
  SshAddress address;
  char* host = nullptr;
  if (ssh_options_get(session, SSH_OPTIONS_HOST, &host) == SSH_OK && host != nullptr) {
    address.host = host;
    ssh_string_free_char(host);
  }
  unsigned int port = 22;
  if (ssh_options_get_port(session, &port) == 0) address.port = static_cast<int>(port);
  return address;
}

}  // namespace mlbench::transport
