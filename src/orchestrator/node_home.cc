#include "orchestrator/node_home.h"

#include <fmt/format.h>

#include "orchestrator/node_command.h"

namespace mlbench::orchestrator::detail {

bool uses_home(const std::string& path) {
  return path.starts_with("~/");
}

std::string rehome(const std::string& path, const std::string& home) {
  if (!uses_home(path)) return path;
  std::string base = home;
  while (base.size() > 1 && base.ends_with('/'))
    base.pop_back();
  return base == "/" ? path.substr(1) : base + path.substr(1);
}

Result<std::string> ask_home(transport::NodeSession& session, const std::atomic<bool>* cancel) {
  // printf, not echo: no trailing newline to strip, and a home with backslashes stays as is.
  Result<Captured> asked =
      capture(session, {"sh", "-c", "printf %s \"$HOME\""}, cancel, std::chrono::seconds(30));
  if (!asked) return asked.failure();
  if (!asked->succeeded()) {
    return fail(ErrorCode::kNotFound,
                fmt::format("cannot ask the node for $HOME: {}", asked->why()), "HOME");
  }
  const std::string home = asked->out.empty() ? std::string() : asked->out.front();
  if (asked->out.size() > 1 || !home.starts_with('/')) {
    return fail(ErrorCode::kConfig,
                fmt::format("the node user's $HOME is '{}', not an absolute path, so the `~/` "
                            "paths of config.yaml have no meaning there; set HOME for that user "
                            "on the node, or write full paths",
                            home),
                "HOME");
  }
  return home;
}

}  // namespace mlbench::orchestrator::detail
