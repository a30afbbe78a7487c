#include "transport/ssh_connect.h"

#include <fmt/format.h>

#include <string>

#include "transport/ssh_auth.h"
#include "transport/ssh_known_hosts.h"

namespace mlbench::transport {
namespace {

std::string where(const Endpoint& endpoint) {
  return fmt::format("{}:{}", endpoint.host, endpoint.port);
}

// ssh_options_parse_config() may overwrite options set before it, so it runs right after the
// host (which selects the Host block) and the endpoint's explicit settings are applied after
// it: config.yaml wins over ~/.ssh/config, ~/.ssh/config over libssh's defaults.
Result<void> apply_options(ssh_session session, const Endpoint& endpoint,
                           const std::string& ssh_config_file) {
  const auto set = [&](ssh_options_e option, const void* value, const char* what) -> Result<void> {
    if (ssh_options_set(session, option, value) != SSH_OK) {
      return fail(ErrorCode::kInvalidArgument,
                  fmt::format("bad SSH option {}: {}", what, ssh_get_error(session)),
                  endpoint.name);
    }
    return {};
  };
  Result<void> done = set(SSH_OPTIONS_HOST, endpoint.host.c_str(), "host");
  if (!done) return done;
  const char* config = ssh_config_file.empty() ? nullptr : ssh_config_file.c_str();
  if (ssh_options_parse_config(session, config) != SSH_OK) {
    return fail(ErrorCode::kConfig,
                fmt::format("cannot parse the ssh config: {}", ssh_get_error(session)),
                endpoint.name);
  }
  // ssh_connect() would parse the config again and undo what follows.
  const int no = 0;
  const unsigned int port = static_cast<unsigned int>(endpoint.port);
  const long timeout = static_cast<long>(endpoint.connect_timeout.count());
  const long timeout_usec = 0;
  if (!(done = set(SSH_OPTIONS_PROCESS_CONFIG, &no, "ProcessConfig"))) return done;
  if (!(done = set(SSH_OPTIONS_PORT, &port, "port"))) return done;
  // Bounds the TCP connect, the wait for the banner and every later blocking call.
  if (!(done = set(SSH_OPTIONS_TIMEOUT, &timeout, "timeout"))) return done;
  if (!(done = set(SSH_OPTIONS_TIMEOUT_USEC, &timeout_usec, "timeout"))) return done;
  if (!endpoint.user.empty() && !(done = set(SSH_OPTIONS_USER, endpoint.user.c_str(), "user"))) {
    return done;
  }
  if (!endpoint.known_hosts_file.empty() &&
      !(done = set(SSH_OPTIONS_KNOWNHOSTS, endpoint.known_hosts_file.c_str(), "known_hosts"))) {
    return done;
  }
  return {};
}

}  // namespace

Result<SshSessionPtr> open_ssh_session(const Endpoint& endpoint,
                                       const std::string& ssh_config_file) {
  SshSessionPtr session(ssh_new());
  if (!session) return fail(ErrorCode::kInternal, "ssh_new failed", endpoint.name);
  if (Result<void> options = apply_options(session.get(), endpoint, ssh_config_file); !options) {
    return options.failure();
  }
  if (ssh_connect(session.get()) != SSH_OK) {
    return fail(ErrorCode::kConnection,
                fmt::format("cannot connect (within {} s): {}", endpoint.connect_timeout.count(),
                            ssh_get_error(session.get())),
                where(endpoint));
  }
  if (Result<void> trusted = verify_host_key(session.get(), endpoint); !trusted) {
    return trusted.failure();
  }
  if (Result<void> login = authenticate(session.get(), endpoint); !login) return login.failure();
  return session;
}

}  // namespace mlbench::transport
