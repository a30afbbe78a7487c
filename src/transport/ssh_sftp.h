#pragma once

#include <libssh/libssh.h>
#include <libssh/sftp.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mlbench/core/result.h"
#include "mlbench/transport/launcher.h"

#include "transport/ssh_handles.h"

namespace mlbench::transport {

// File operations of NodeSession over the SFTP subsystem. `where` names the node in errors.

Result<SftpSessionPtr> open_sftp(ssh_session session, const std::string& where);

// Both copies go to a temporary name in the destination's directory, are size-checked against
// the source, and only then renamed to the real name; on any failure the temporary is removed.
// An upload's copy gets `mode` when given (set explicitly, so the server's umask cannot take
// the execute bit off a program), else the local file's permission bits less the umask.
Result<void> sftp_upload(sftp_session sftp, const std::string& local_path,
                         const std::string& remote_path, const std::string& where,
                         std::optional<uint32_t> mode = std::nullopt);
Result<void> sftp_download(sftp_session sftp, const std::string& remote_path,
                           const std::string& local_path, const std::string& where);

// Regular files directly inside remote_dir, sorted by name.
Result<std::vector<RemoteFile>> sftp_list_files(sftp_session sftp, const std::string& remote_dir,
                                                const std::string& where);

// mkdir -p: creates each missing component; an existing directory is fine.
Result<void> sftp_make_directories(sftp_session sftp, const std::string& remote_dir,
                                   const std::string& where);

}  // namespace mlbench::transport
