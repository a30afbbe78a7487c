#include "transport/ssh_node_session.h"

#include <fmt/format.h>

#include "transport/ssh_address.h"
#include "transport/ssh_exec.h"
#include "transport/ssh_sftp.h"

namespace mlbench::transport {

SshNodeSession::SshNodeSession(Endpoint endpoint, SshSessionPtr session)
    : endpoint_(std::move(endpoint)),
      address_(address_of(session.get()).label()),
      session_(std::move(session)) {}

SshNodeSession::~SshNodeSession() = default;

std::string SshNodeSession::where() const {
  return endpoint_.name.empty() ? address_ : endpoint_.name;
}

std::string SshNodeSession::address() const {
  return address_;
}

Result<sftp_session> SshNodeSession::sftp() {
  if (!sftp_) {
    Result<SftpSessionPtr> opened = open_sftp(session_.get(), where());
    if (!opened) return opened.failure();
    sftp_ = std::move(opened).value();
  }
  return sftp_.get();
}

Result<ProcessOutcome> SshNodeSession::run(const Command& command, const OutputHandlers& output,
                                           const RunLimits& limits) {
  return run_remote_command(session_.get(), endpoint_, command, output, limits);
}

Result<void> SshNodeSession::upload(const std::string& local_path, const std::string& remote_path,
                                    std::optional<uint32_t> mode) {
  const Result<sftp_session> sftp_handle = sftp();
  if (!sftp_handle) return sftp_handle.failure();
  return sftp_upload(*sftp_handle, local_path, remote_path, where(), mode);
}

Result<void> SshNodeSession::download(const std::string& remote_path,
                                      const std::string& local_path) {
  const Result<sftp_session> sftp_handle = sftp();
  if (!sftp_handle) return sftp_handle.failure();
  return sftp_download(*sftp_handle, remote_path, local_path, where());
}

Result<std::vector<RemoteFile>> SshNodeSession::list_files(const std::string& remote_dir) {
  const Result<sftp_session> sftp_handle = sftp();
  if (!sftp_handle) return sftp_handle.failure();
  return sftp_list_files(*sftp_handle, remote_dir, where());
}

Result<void> SshNodeSession::make_directories(const std::string& remote_dir) {
  const Result<sftp_session> sftp_handle = sftp();
  if (!sftp_handle) return sftp_handle.failure();
  return sftp_make_directories(*sftp_handle, remote_dir, where());
}

}  // namespace mlbench::transport
