#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace mlbench::testing {

struct ProcessResult {
  int exit_code = -1;  // -1 when killed by a signal
  int signal = 0;      // the signal that ended it, if any
  bool timed_out = false;
  std::string out;  // stdout
  std::string err;  // stderr
};

struct ProcessOptions {
  std::string cwd;                            // empty: the test's working directory
  std::map<std::string, std::string> env;     // added to (or replacing in) the environment
  std::chrono::milliseconds timeout{30'000};  // killed with SIGKILL after this
};

// Runs argv[0] (a path) with the arguments and collects both output streams. Bounded by
// `timeout`, so a hanging binary fails the test instead of hanging the suite.
ProcessResult run_process(const std::vector<std::string>& argv, const ProcessOptions& options = {});

// Path of one of our built binaries ("mlbench", "mlbench-runner").
std::string binary_path(const std::string& name);

// Path inside the source tree.
std::string source_path(const std::string& relative);

}  // namespace mlbench::testing
