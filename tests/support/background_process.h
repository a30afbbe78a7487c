#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "support/subprocess.h"

namespace mlbench::testing {

// One of our binaries started without waiting for it, for tests that act on it while it runs
// (send SIGINT, kill a server under it). stdout and stderr go to files in `output_dir`. The
// process is SIGKILLed on destruction if it is still running.
class BackgroundProcess {
 public:
  BackgroundProcess(const std::vector<std::string>& argv, const std::filesystem::path& output_dir);
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  bool started() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  void signal(int number) const;
  // Waits (bounded) for the exit; timed_out is set and the process killed if it does not come.
  ProcessResult wait(std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  std::filesystem::path out_path_;
  std::filesystem::path err_path_;
};

// Polls `condition` every 20 ms until it holds or `timeout` passes; returns whether it held.
bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout);

// The pids of live processes whose command line contains `needle` (through /proc).
std::vector<pid_t> processes_with_argument(const std::string& needle);

}  // namespace mlbench::testing
