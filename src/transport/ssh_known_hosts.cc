#include "transport/ssh_known_hosts.h"

#include <fmt/format.h>

#include <string>

#include "transport/ssh_address.h"
#include "transport/ssh_handles.h"

namespace mlbench::transport {
namespace {

// The file libssh really reads: the endpoint's, the ssh config's, or the default, expanded.
std::string known_hosts_path(ssh_session session) {
  char* path = nullptr;
  if (ssh_options_get(session, SSH_OPTIONS_KNOWNHOSTS, &path) == SSH_OK && path != nullptr) {
    std::string copy = path;
    ssh_string_free_char(path);
    return copy;
  }
  return "~/.ssh/known_hosts";
}

struct ServerKey {
  std::string type;         // "ssh-ed25519"
  std::string fingerprint;  // "SHA256:..."
};

Result<ServerKey> server_key(ssh_session session, const std::string& where) {
  ssh_key raw_key = nullptr;
  if (ssh_get_server_publickey(session, &raw_key) != SSH_OK) {
    return fail(ErrorCode::kConnection,
                fmt::format("the server sent no host key: {}", ssh_get_error(session)), where);
  }
  const SshKeyPtr key(raw_key);
  unsigned char* hash = nullptr;
  size_t hash_length = 0;
  if (ssh_get_publickey_hash(key.get(), SSH_PUBLICKEY_HASH_SHA256, &hash, &hash_length) != 0) {
    return fail(ErrorCode::kInternal, "could not hash the server's host key", where);
  }
  char* fingerprint = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hash_length);
  ssh_clean_pubkey_hash(&hash);
  if (fingerprint == nullptr) {
    return fail(ErrorCode::kInternal, "could not format the host key's fingerprint", where);
  }
  ServerKey result{ssh_key_type_to_char(ssh_key_type(key.get())), fingerprint};
  ssh_string_free_char(fingerprint);
  return result;
}

}  // namespace

Result<void> verify_host_key(ssh_session session, const Endpoint& endpoint) {
  // What libssh checks against: the ssh config's HostName and Port, not an alias.
  const SshAddress address = address_of(session);
  const std::string where = address.label();
  const Result<ServerKey> key = server_key(session, where);
  if (!key) return key.failure();
  const std::string file = known_hosts_path(session);
  const std::string name = address.known_hosts_name();

  switch (ssh_session_is_known_server(session)) {
    case SSH_KNOWN_HOSTS_OK: return {};
    case SSH_KNOWN_HOSTS_CHANGED:
    case SSH_KNOWN_HOSTS_OTHER:
      return fail(ErrorCode::kAuthentication,
                  fmt::format("host key CHANGED: the server now presents {} {}, which does not "
                              "match the key recorded for {} in {}. This can mean someone is "
                              "intercepting the connection. If the node was reinstalled, check "
                              "the fingerprint and remove the old entry with `ssh-keygen -R '{}' "
                              "-f {}`",
                              key->type, key->fingerprint, name, file, name, file),
                  where);
    case SSH_KNOWN_HOSTS_UNKNOWN:
    case SSH_KNOWN_HOSTS_NOT_FOUND:
      if (endpoint.accept_new_host_keys) {
        if (ssh_session_update_known_hosts(session) != SSH_OK) {
          return fail(ErrorCode::kIo,
                      fmt::format("could not record the host key {} in {}: {}", key->fingerprint,
                                  file, ssh_get_error(session)),
                      where);
        }
        return {};
      }
      return fail(
          ErrorCode::kAuthentication,
          fmt::format("host key not known: the server presents {} {}, and {} has no "
                      "entry for {}. Check the fingerprint, then add the key with "
                      "`ssh-keyscan -p {} {} >> {}` (or connect once with ssh), or set "
                      "host_key_policy: accept-new",
                      key->type, key->fingerprint, file, name, address.port, address.host, file),
          where);
    case SSH_KNOWN_HOSTS_ERROR: break;
  }
  return fail(
      ErrorCode::kIo,
      fmt::format("could not check the host key against {}: {}", file, ssh_get_error(session)),
      where);
}

}  // namespace mlbench::transport
