#include "orchestrator/collect.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <string_view>

#include "mlbench/report/run_layout.h"

namespace mlbench::orchestrator::detail {
namespace {

namespace fs = std::filesystem;

bool written_by_controller(std::string_view name) {
  constexpr std::array<std::string_view, 3> kOwn = {report::kNodeOutcomeFile, report::kEventsFile,
                                                    report::kRunnerLogFile};
  return std::find(kOwn.begin(), kOwn.end(), name) != kOwn.end();
}

// A name from the node becomes a path here only if it cannot climb out of the directory.
bool is_plain_name(std::string_view name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string_view::npos;
}

}  // namespace

Result<void> collect_files(transport::NodeSession& session, const std::string& remote_dir,
                           const std::string& local_dir,
                           std::chrono::steady_clock::time_point deadline) {
  Result<std::vector<transport::RemoteFile>> listed = session.list_files(remote_dir);
  if (!listed) return listed.failure();
  size_t copied = 0;
  for (const transport::RemoteFile& file : *listed) {
    if (written_by_controller(file.name) || !is_plain_name(file.name)) continue;
    if (std::chrono::steady_clock::now() >= deadline) {
      return fail(
          ErrorCode::kTimeout,
          fmt::format("collect_timeout_s passed after {} of {} files", copied, listed->size()),
          remote_dir);
    }
    const std::string remote = (fs::path(remote_dir) / file.name).string();
    const std::string local = (fs::path(local_dir) / file.name).string();
    if (Result<void> downloaded = session.download(remote, local); !downloaded) {
      return downloaded;
    }
    ++copied;
  }
  return {};
}

std::vector<std::string> missing_files(const std::string& dir,
                                       const std::vector<std::string>& expected) {
  std::vector<std::string> missing;
  for (const std::string& name : expected) {
    std::error_code error;
    if (!is_plain_name(name) || !fs::is_regular_file(fs::path(dir) / name, error)) {
      missing.push_back(name);
    }
  }
  return missing;
}

}  // namespace mlbench::orchestrator::detail
