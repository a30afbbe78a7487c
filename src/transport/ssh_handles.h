#pragma once

// Owning handles for libssh objects, so that every early return frees what it opened.

#include <libssh/libssh.h>
#include <libssh/sftp.h>

#include <memory>

namespace mlbench::transport {

struct SshSessionDeleter {
  void operator()(ssh_session session) const {
    ssh_disconnect(session);
    ssh_free(session);
  }
};
struct SshChannelDeleter {
  void operator()(ssh_channel channel) const { ssh_channel_free(channel); }
};
struct SshKeyDeleter {
  void operator()(ssh_key key) const { ssh_key_free(key); }
};
struct SshEventDeleter {
  void operator()(ssh_event event) const { ssh_event_free(event); }
};
struct SftpSessionDeleter {
  void operator()(sftp_session sftp) const { sftp_free(sftp); }
};
struct SftpFileDeleter {
  void operator()(sftp_file file) const { sftp_close(file); }
};
struct SftpDirDeleter {
  void operator()(sftp_dir dir) const { sftp_closedir(dir); }
};
struct SftpAttributesDeleter {
  void operator()(sftp_attributes attributes) const { sftp_attributes_free(attributes); }
};

using SshSessionPtr = std::unique_ptr<ssh_session_struct, SshSessionDeleter>;
using SshChannelPtr = std::unique_ptr<ssh_channel_struct, SshChannelDeleter>;
using SshKeyPtr = std::unique_ptr<ssh_key_struct, SshKeyDeleter>;
using SshEventPtr = std::unique_ptr<ssh_event_struct, SshEventDeleter>;
using SftpSessionPtr = std::unique_ptr<sftp_session_struct, SftpSessionDeleter>;
using SftpFilePtr = std::unique_ptr<sftp_file_struct, SftpFileDeleter>;
using SftpDirPtr = std::unique_ptr<sftp_dir_struct, SftpDirDeleter>;
using SftpAttributesPtr = std::unique_ptr<sftp_attributes_struct, SftpAttributesDeleter>;

}  // namespace mlbench::transport
