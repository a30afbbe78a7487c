#pragma once

#include "mlbench/transport/launcher.h"

#include "transport/ssh_handles.h"

namespace mlbench::transport {

// One authenticated SSH connection to a node. Commands run on channels of it; the SFTP
// subsystem is started on first use and kept for later file operations.
class SshNodeSession final : public NodeSession {
 public:
  SshNodeSession(Endpoint endpoint, SshSessionPtr session);
  ~SshNodeSession() override;

  Result<ProcessOutcome> run(const Command& command, const OutputHandlers& output,
                             const RunLimits& limits) override;
  Result<void> upload(const std::string& local_path, const std::string& remote_path,
                      std::optional<uint32_t> mode = std::nullopt) override;
  Result<void> download(const std::string& remote_path, const std::string& local_path) override;
  Result<std::vector<RemoteFile>> list_files(const std::string& remote_dir) override;
  Result<void> make_directories(const std::string& remote_dir) override;
  std::string address() const override;

 private:
  Result<sftp_session> sftp();
  std::string where() const;

  Endpoint endpoint_;
  std::string address_;  // host:port after the ssh config
  SshSessionPtr session_;
  SftpSessionPtr sftp_;  // after session_, so that it is freed first
};

}  // namespace mlbench::transport
