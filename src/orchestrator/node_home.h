#pragma once

#include <atomic>
#include <string>

#include "mlbench/core/result.h"
#include "mlbench/transport/launcher.h"

namespace mlbench::orchestrator::detail {

// Node-side paths of config.yaml may start with `~/`: the node user's home, which only the
// node knows. It is asked for once per node, right after connecting, and every such path of the
// node's job is made absolute before anything else uses it.

// Whether `path` (or an argv word) is one of those.
bool uses_home(const std::string& path);

// "~/x" -> "<home>/x"; anything else unchanged.
std::string rehome(const std::string& path, const std::string& home);

// $HOME as the runner's shell sees it, from one command: not the SFTP login directory, which
// sshd's `SetEnv HOME=...` or a ForceCommand can make differ. Fails (kConfig, where "HOME")
// when the node reports an empty or relative home.
Result<std::string> ask_home(transport::NodeSession& session, const std::atomic<bool>* cancel);

}  // namespace mlbench::orchestrator::detail
