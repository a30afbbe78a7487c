#include "transport/ssh_sftp.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <random>

namespace mlbench::transport {
namespace {

// Large enough to keep a synchronous round trip per chunk cheap, small enough for any server's
// packet limit (OpenSSH takes up to 256 KiB).
constexpr size_t kChunk = 64 * 1024;

std::string sftp_error_text(sftp_session sftp) {
  switch (sftp_get_error(sftp)) {
    case SSH_FX_OK: return ssh_get_error(sftp->session);
    case SSH_FX_EOF: return "unexpected end of file";
    case SSH_FX_NO_SUCH_FILE: return "no such file or directory";
    case SSH_FX_PERMISSION_DENIED: return "permission denied";
    case SSH_FX_FAILURE: return "the server reported a failure";
    case SSH_FX_BAD_MESSAGE: return "bad message";
    case SSH_FX_NO_CONNECTION:
    case SSH_FX_CONNECTION_LOST: return "connection lost";
    case SSH_FX_OP_UNSUPPORTED: return "operation not supported";
    case SSH_FX_FILE_ALREADY_EXISTS: return "file already exists";
    default: return ssh_get_error(sftp->session);
  }
}

Failure sftp_failure(sftp_session sftp, const std::string& what, const std::string& where) {
  const ErrorCode code =
      sftp_get_error(sftp) == SSH_FX_NO_SUCH_FILE ? ErrorCode::kNotFound : ErrorCode::kIo;
  return fail(code, fmt::format("{}: {}", what, sftp_error_text(sftp)), where);
}

Failure local_failure(const std::string& what, const std::string& where) {
  const ErrorCode code = errno == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo;
  return fail(code, fmt::format("{}: {}", what, std::strerror(errno)), where);
}

// "dir/.name.mlbench-1a2b3c4d": hidden, in the destination's directory so that the final rename
// stays within one file system.
std::string temporary_name(const std::string& path) {
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "" : path.substr(0, slash + 1);
  const std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  std::random_device random;
  return fmt::format("{}.{}.mlbench-{:08x}", dir, base, random());
}

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }
  int release_and_close() {
    const int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

// Removes a temporary file unless the copy reached its real name.
class RemoteTemporary {
 public:
  RemoteTemporary(sftp_session sftp, std::string path) : sftp_(sftp), path_(std::move(path)) {}
  ~RemoteTemporary() {
    if (!kept_) sftp_unlink(sftp_, path_.c_str());
  }
  RemoteTemporary(const RemoteTemporary&) = delete;
  RemoteTemporary& operator=(const RemoteTemporary&) = delete;
  const std::string& path() const { return path_; }
  void keep() { kept_ = true; }

 private:
  sftp_session sftp_;
  std::string path_;
  bool kept_ = false;
};

class LocalTemporary {
 public:
  explicit LocalTemporary(std::string path) : path_(std::move(path)) {}
  ~LocalTemporary() {
    if (!kept_) ::unlink(path_.c_str());
  }
  LocalTemporary(const LocalTemporary&) = delete;
  LocalTemporary& operator=(const LocalTemporary&) = delete;
  const std::string& path() const { return path_; }
  void keep() { kept_ = true; }

 private:
  std::string path_;
  bool kept_ = false;
};

Result<uint64_t> remote_size(sftp_session sftp, const std::string& path, const std::string& where) {
  const SftpAttributesPtr attributes(sftp_stat(sftp, path.c_str()));
  if (!attributes) return sftp_failure(sftp, fmt::format("cannot stat {}", path), where);
  return attributes->size;
}

// SFTP v3 rename (all OpenSSH offers without extensions libssh 0.10 lacks) refuses to replace
// an existing file, so an existing target is removed first. The real name then briefly does
// not exist, but it never names a partial file.
Result<void> remote_replace(sftp_session sftp, const std::string& from, const std::string& to,
                            const std::string& where) {
  if (sftp_rename(sftp, from.c_str(), to.c_str()) == SSH_OK) return {};
  const SftpAttributesPtr existing(sftp_lstat(sftp, to.c_str()));
  if (existing && existing->type != SSH_FILEXFER_TYPE_DIRECTORY &&
      sftp_unlink(sftp, to.c_str()) == SSH_OK &&
      sftp_rename(sftp, from.c_str(), to.c_str()) == SSH_OK) {
    return {};
  }
  return sftp_failure(sftp, fmt::format("cannot rename {} to {}", from, to), where);
}

Result<void> write_all(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(ErrorCode::kIo, std::strerror(errno));
    data += n;
    size -= static_cast<size_t>(n);
  }
  return {};
}

Result<uint64_t> copy_local_to_remote(int fd, sftp_file file, sftp_session sftp,
                                      const std::string& what, const std::string& where) {
  std::array<char, kChunk> buffer;
  uint64_t copied = 0;
  while (true) {
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return local_failure(fmt::format("cannot read {}", what), where);
    if (n == 0) return copied;
    size_t offset = 0;
    while (offset < static_cast<size_t>(n)) {
      const ssize_t written =
          sftp_write(file, buffer.data() + offset, static_cast<size_t>(n) - offset);
      if (written <= 0) return sftp_failure(sftp, fmt::format("cannot write {}", what), where);
      offset += static_cast<size_t>(written);
    }
    copied += static_cast<uint64_t>(n);
  }
}

Result<uint64_t> copy_remote_to_local(sftp_file file, int fd, sftp_session sftp,
                                      const std::string& what, const std::string& where) {
  std::array<char, kChunk> buffer;
  uint64_t copied = 0;
  while (true) {
    const ssize_t n = sftp_read(file, buffer.data(), buffer.size());
    if (n < 0) return sftp_failure(sftp, fmt::format("cannot read {}", what), where);
    if (n == 0) return copied;
    if (Result<void> written = write_all(fd, buffer.data(), static_cast<size_t>(n)); !written) {
      return fail(ErrorCode::kIo, fmt::format("cannot write {}: {}", what, written.error().message),
                  where);
    }
    copied += static_cast<uint64_t>(n);
  }
}

}  // namespace

Result<SftpSessionPtr> open_sftp(ssh_session session, const std::string& where) {
  SftpSessionPtr sftp(sftp_new(session));
  if (!sftp || sftp_init(sftp.get()) != SSH_OK) {
    return fail(ErrorCode::kConnection,
                fmt::format("cannot start SFTP (is the sftp subsystem enabled?): {}",
                            ssh_get_error(session)),
                where);
  }
  return sftp;
}

Result<void> sftp_upload(sftp_session sftp, const std::string& local_path,
                         const std::string& remote_path, const std::string& where,
                         std::optional<uint32_t> mode) {
  FileDescriptor local(::open(local_path.c_str(), O_RDONLY | O_CLOEXEC));
  struct stat local_stat {};
  if (local.get() < 0 || ::fstat(local.get(), &local_stat) != 0) {
    return local_failure(fmt::format("cannot open {}", local_path), where);
  }
  RemoteTemporary temporary(sftp, temporary_name(remote_path));
  SftpFilePtr file(sftp_open(sftp, temporary.path().c_str(), O_WRONLY | O_CREAT | O_EXCL,
                             local_stat.st_mode & 0777));
  if (!file) {
    temporary.keep();  // not created, so not ours to remove
    return sftp_failure(sftp, fmt::format("cannot create {}", temporary.path()), where);
  }
  const Result<uint64_t> copied =
      copy_local_to_remote(local.get(), file.get(), sftp, temporary.path(), where);
  if (!copied) return copied.failure();
  if (sftp_close(file.release()) != SSH_OK) {
    return sftp_failure(sftp, fmt::format("cannot finish writing {}", temporary.path()), where);
  }
  if (mode && sftp_chmod(sftp, temporary.path().c_str(), *mode & 07777) != SSH_OK) {
    return sftp_failure(sftp, fmt::format("cannot set the mode of {}", temporary.path()), where);
  }
  const Result<uint64_t> size = remote_size(sftp, temporary.path(), where);
  if (!size) return size.failure();
  if (*size != *copied || *copied != static_cast<uint64_t>(local_stat.st_size)) {
    return fail(ErrorCode::kIo,
                fmt::format("upload of {} is incomplete: {} bytes read, {} on the node, {} "
                            "expected",
                            local_path, *copied, *size, local_stat.st_size),
                where);
  }
  if (Result<void> renamed = remote_replace(sftp, temporary.path(), remote_path, where); !renamed) {
    return renamed;
  }
  temporary.keep();
  return {};
}

Result<void> sftp_download(sftp_session sftp, const std::string& remote_path,
                           const std::string& local_path, const std::string& where) {
  SftpFilePtr file(sftp_open(sftp, remote_path.c_str(), O_RDONLY, 0));
  if (!file) return sftp_failure(sftp, fmt::format("cannot open {}", remote_path), where);
  const SftpAttributesPtr attributes(sftp_fstat(file.get()));
  if (!attributes) return sftp_failure(sftp, fmt::format("cannot stat {}", remote_path), where);

  std::string pattern = temporary_name(local_path) + "XXXXXX";
  const int fd = ::mkstemp(pattern.data());
  if (fd < 0)
    return local_failure(fmt::format("cannot create a file next to {}", local_path), where);
  FileDescriptor local(fd);
  LocalTemporary temporary(pattern);

  const Result<uint64_t> copied =
      copy_remote_to_local(file.get(), local.get(), sftp, remote_path, where);
  if (!copied) return copied.failure();
  struct stat local_stat {};
  // mkstemp made it 0600; take the node's mode when the server says what it is.
  const bool has_mode = (attributes->flags & SSH_FILEXFER_ATTR_PERMISSIONS) != 0;
  if ((has_mode && ::fchmod(local.get(), attributes->permissions & 0777) != 0) ||
      ::fsync(local.get()) != 0 || ::fstat(local.get(), &local_stat) != 0 ||
      local.release_and_close() != 0) {
    return local_failure(fmt::format("cannot finish writing {}", temporary.path()), where);
  }
  if (*copied != attributes->size || static_cast<uint64_t>(local_stat.st_size) != *copied) {
    return fail(ErrorCode::kIo,
                fmt::format("download of {} is incomplete: {} bytes copied, {} expected",
                            remote_path, *copied, attributes->size),
                where);
  }
  if (::rename(temporary.path().c_str(), local_path.c_str()) != 0) {
    return local_failure(fmt::format("cannot rename {} to {}", temporary.path(), local_path),
                         where);
  }
  temporary.keep();
  return {};
}

Result<std::vector<RemoteFile>> sftp_list_files(sftp_session sftp, const std::string& remote_dir,
                                                const std::string& where) {
  const SftpDirPtr dir(sftp_opendir(sftp, remote_dir.c_str()));
  if (!dir) return sftp_failure(sftp, fmt::format("cannot list {}", remote_dir), where);
  std::vector<RemoteFile> files;
  while (true) {
    const SftpAttributesPtr entry(sftp_readdir(sftp, dir.get()));
    if (!entry) break;
    if (entry->type == SSH_FILEXFER_TYPE_REGULAR && entry->name != nullptr) {
      files.push_back(RemoteFile{entry->name, entry->size});
    }
  }
  if (!sftp_dir_eof(dir.get())) {
    return sftp_failure(sftp, fmt::format("cannot list {}", remote_dir), where);
  }
  std::sort(files.begin(), files.end(),
            [](const RemoteFile& a, const RemoteFile& b) { return a.name < b.name; });
  return files;
}

Result<void> sftp_make_directories(sftp_session sftp, const std::string& remote_dir,
                                   const std::string& where) {
  std::string prefix = remote_dir.starts_with('/') ? "/" : "";
  size_t start = 0;
  while (start <= remote_dir.size()) {
    size_t end = remote_dir.find('/', start);
    if (end == std::string::npos) end = remote_dir.size();
    const std::string component = remote_dir.substr(start, end - start);
    start = end + 1;
    if (component.empty() || component == ".") continue;
    if (!prefix.empty() && !prefix.ends_with('/')) prefix += '/';
    prefix += component;

    SftpAttributesPtr existing(sftp_stat(sftp, prefix.c_str()));
    if (!existing && sftp_mkdir(sftp, prefix.c_str(), 0755) != SSH_OK) {
      // Someone else may have made it meanwhile; only a directory there is fine.
      existing.reset(sftp_stat(sftp, prefix.c_str()));
      if (!existing) return sftp_failure(sftp, fmt::format("cannot create {}", prefix), where);
    }
    if (existing && existing->type != SSH_FILEXFER_TYPE_DIRECTORY) {
      return fail(ErrorCode::kIo, fmt::format("{} exists and is not a directory", prefix), where);
    }
  }
  return {};
}

}  // namespace mlbench::transport
