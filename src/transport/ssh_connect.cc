#include "transport/ssh_connect.h"

#include <fmt/format.h>

#include <cstdlib>
#include <string>

#include "transport/ssh_address.h"
#include "transport/ssh_known_hosts.h"

namespace mlbench::transport {
namespace {

constexpr const char* kGlobalSshConfig = "/etc/ssh/ssh_config";

std::string home_dir() {
  const char* home = std::getenv("HOME");
  return home != nullptr ? home : "";
}

class OptionSetter {
 public:
  OptionSetter(ssh_session session, const Endpoint& endpoint)
      : session_(session), endpoint_(endpoint) {}

  Result<void> operator()(ssh_options_e option, const void* value, const char* what) const {
    if (ssh_options_set(session_, option, value) != SSH_OK) {
      return fail(ErrorCode::kInvalidArgument,
                  fmt::format("bad SSH option {}: {}", what, ssh_get_error(session_)),
                  endpoint_.name);
    }
    return {};
  }

 private:
  ssh_session session_;
  const Endpoint& endpoint_;
};

// The user's file, then the system's; for each option the first value found wins, as in ssh.
Result<void> parse_ssh_configs(ssh_session session, const Endpoint& endpoint) {
  const std::string file = endpoint.ssh_config_file.empty()
                               ? (home_dir().empty() ? "" : home_dir() + "/.ssh/config")
                               : expand_home_dir(endpoint.ssh_config_file);
  for (const std::string& path : {file, std::string(kGlobalSshConfig)}) {
    if (path.empty()) continue;
    // libssh skips a file it cannot open, which is what a missing ~/.ssh/config should mean.
    if (ssh_options_parse_config(session, path.c_str()) != SSH_OK) {
      return fail(ErrorCode::kConfig,
                  fmt::format("cannot parse the ssh config {}: {}", path, ssh_get_error(session)),
                  endpoint.name);
    }
  }
  return {};
}

// A UserKnownHostsFile of the ssh config is honoured, with its `~` meaning $HOME as well.
Result<void> rehome_known_hosts(ssh_session session, const OptionSetter& set) {
  char* raw = nullptr;
  if (ssh_options_get(session, SSH_OPTIONS_KNOWNHOSTS, &raw) != SSH_OK || raw == nullptr) {
    return {};
  }
  const std::string from_config = raw;
  ssh_string_free_char(raw);
  const std::string expanded = expand_home_dir(from_config);
  if (expanded == from_config) return {};
  return set(SSH_OPTIONS_KNOWNHOSTS, expanded.c_str(), "known_hosts");
}

// ssh_options_parse_config() may overwrite options set before it, so it runs right after the
// host (which selects the Host block) and the endpoint's explicit settings are applied after
// it: config.yaml wins over the ssh config, the ssh config over libssh's defaults. The ssh
// directory is set first so that libssh's defaults (%d/known_hosts, %d/id_*) follow $HOME.
Result<void> apply_options(ssh_session session, const Endpoint& endpoint) {
  const OptionSetter set(session, endpoint);
  Result<void> done = set(SSH_OPTIONS_HOST, endpoint.host.c_str(), "host");
  if (!done) return done;
  if (const std::string home = home_dir(); !home.empty()) {
    const std::string ssh_dir = home + "/.ssh";
    if (!(done = set(SSH_OPTIONS_SSH_DIR, ssh_dir.c_str(), "ssh directory"))) return done;
  }
  if (!(done = parse_ssh_configs(session, endpoint))) return done;
  // ssh_connect() would parse the config again and undo what follows.
  const int no = 0;
  const unsigned int port = static_cast<unsigned int>(endpoint.port);
  const long timeout = static_cast<long>(endpoint.connect_timeout.count());
  const long timeout_usec = 0;
  if (!(done = set(SSH_OPTIONS_PROCESS_CONFIG, &no, "ProcessConfig"))) return done;
  if (endpoint.port > 0 && !(done = set(SSH_OPTIONS_PORT, &port, "port"))) return done;
  // Bounds the TCP connect, the wait for the banner and every later blocking call.
  if (!(done = set(SSH_OPTIONS_TIMEOUT, &timeout, "timeout"))) return done;
  if (!(done = set(SSH_OPTIONS_TIMEOUT_USEC, &timeout_usec, "timeout"))) return done;
  if (!endpoint.user.empty() && !(done = set(SSH_OPTIONS_USER, endpoint.user.c_str(), "user"))) {
    return done;
  }
  if (endpoint.known_hosts_file.empty()) return rehome_known_hosts(session, set);
  const std::string known_hosts = expand_home_dir(endpoint.known_hosts_file);
  return set(SSH_OPTIONS_KNOWNHOSTS, known_hosts.c_str(), "known_hosts");
}

}  // namespace

std::string expand_home_dir(const std::string& path) {
  const std::string home = home_dir();
  if (home.empty() || !path.starts_with("~/")) return path;
  return home + path.substr(1);
}

Result<SshSessionPtr> open_ssh_session(const Endpoint& endpoint) {
  SshSessionPtr session(ssh_new());
  if (!session) return fail(ErrorCode::kInternal, "ssh_new failed", endpoint.name);
  if (Result<void> options = apply_options(session.get(), endpoint); !options) {
    return options.failure();
  }
  if (ssh_connect(session.get()) != SSH_OK) {
    return fail(ErrorCode::kConnection,
                fmt::format("cannot connect (within {} s): {}", endpoint.connect_timeout.count(),
                            ssh_get_error(session.get())),
                address_of(session.get()).label());
  }
  if (Result<void> trusted = verify_host_key(session.get(), endpoint); !trusted) {
    return trusted.failure();
  }
  return session;
}

}  // namespace mlbench::transport
