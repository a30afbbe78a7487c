#include "mlbench/orchestrator/preflight.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <sstream>
#include <thread>

#include "mlbench/core/version.h"
#include "mlbench/orchestrator/connect.h"
#include "mlbench/orchestrator/execute_run.h"

#include "orchestrator/node_command.h"
#include "orchestrator/node_home.h"
#include "orchestrator/runner_install.h"

namespace mlbench::orchestrator {
namespace {

using detail::capture;
using detail::Captured;
using std::chrono::seconds;

// Scripts for /bin/sh -c; their arguments come after them as separate, quoted words ($1).
constexpr const char* kModelScript =
    "[ -d \"$1\" ] || { echo \"no such directory\" >&2; exit 1; }; "
    "[ -f \"$1/config.json\" ] || { echo \"no config.json in it\" >&2; exit 1; }; "
    "du -sb \"$1\" | cut -f1";
constexpr const char* kFileScript =
    "[ -f \"$1\" ] || { echo \"no such file\" >&2; exit 1; }; stat -c %s \"$1\"";
constexpr const char* kDiskScript =
    "d=$1; while [ ! -d \"$d\" ]; do d=$(dirname \"$d\"); done; df -Pk \"$d\" | tail -n 1";

Result<Captured> script(transport::NodeSession& session, const char* text, const std::string& arg,
                        const std::atomic<bool>* cancel) {
  return capture(session, {"/bin/sh", "-c", text, "sh", arg}, cancel);
}

std::string human_bytes(uint64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(units)) {
    value /= 1024;
    ++unit;
  }
  return unit == 0 ? fmt::format("{} B", bytes) : fmt::format("{:.1f} {}", value, units[unit]);
}

std::optional<uint64_t> parse_number(std::string_view text) {
  uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

PreflightCheck make_check(std::string name, bool ok, std::string value, std::string detail = {}) {
  return PreflightCheck{std::move(name), ok, false, std::move(value), std::move(detail)};
}

class NodeChecker {
 public:
  NodeChecker(transport::NodeSession& session, const config::Config& config,
              const config::Node& node, const std::atomic<bool>* cancel)
      : session_(session), config_(config), node_(node), cancel_(cancel) {}

  PreflightCheck runner() {
    const std::string& path = config_.runner.path;
    Result<detail::RunnerFound> found = detail::find_runner(session_, path, cancel_);
    if (!found) return make_check("runner", false, "FAIL", found.error().message);
    if (found->matches_controller()) {
      const std::string note = found->commit == git_commit()
                                   ? std::string()
                                   : fmt::format("same version, other commit ({} here, {} there)",
                                                 git_commit(), found->commit);
      return make_check("runner", true, found->version, note);
    }
    const std::string value = found->present ? found->version : "FAIL";
    const std::string what =
        found->present
            ? fmt::format("runner version {} differs from mlbench {}", found->version, version())
            : fmt::format("{}: {}", path, found->problem);
    // Only a run over SSH uploads; a local runner is the one beside mlbench or on PATH.
    if (config_.runner.upload == config::RunnerUpload::kNever ||
        config_.cluster.launcher == config::LauncherKind::kLocal) {
      return make_check("runner", false, value,
                        fmt::format("{}; install the same version on the node, or set "
                                    "runner.upload: if_needed",
                                    what));
    }
    Result<std::string> source =
        detail::upload_source(session_, path, detail::runner_setup(config_), cancel_);
    if (!source) {
      return make_check(
          "runner", false, value,
          fmt::format("{}, and it cannot be uploaded: {}", what, source.error().describe()));
    }
    return make_check("runner", true, "upload",
                      fmt::format("{}; `mlbench run` uploads {} there (runner.upload: if_needed)",
                                  what, *source));
  }

  PreflightCheck gpus() {
    if (config_.runner.backend != config::Backend::kCuda) {
      return make_check("gpus", true,
                        fmt::format("none ({})", config::to_string(config_.runner.backend)));
    }
    Result<Captured> listed = capture(
        session_, {"nvidia-smi", "--query-gpu=index,name", "--format=csv,noheader"}, cancel_);
    if (!listed) return make_check("gpus", false, "FAIL", listed.error().message);
    if (!listed->succeeded() || listed->out.empty()) {
      return make_check("gpus", false, "FAIL",
                        fmt::format("nvidia-smi found no GPU: {}", listed->why()));
    }
    std::vector<int> seen;
    for (const std::string& line : listed->out) {
      if (auto index = parse_number(line.substr(0, line.find(',')))) {
        seen.push_back(static_cast<int>(*index));
      }
    }
    for (const int wanted : node_.gpus) {
      if (std::find(seen.begin(), seen.end(), wanted) == seen.end()) {
        return make_check(
            "gpus", false, fmt::format("{} GPUs", seen.size()),
            fmt::format("nodes.gpus names GPU {}, which nvidia-smi does not list", wanted));
      }
    }
    return make_check("gpus", true, fmt::format("{} GPUs", seen.size()), listed->out.front());
  }

  PreflightCheck model() {
    if (config_.runner.backend == config::Backend::kSim) {
      return make_check("model", true, "not needed (sim)");
    }
    return sized("model", kModelScript, config_.model.path);
  }

  PreflightCheck dataset() {
    if (config_.runner.backend == config::Backend::kSim) {
      return make_check("dataset", true, "not needed (sim)");
    }
    PreflightCheck check = sized("dataset", kFileScript, config_.dataset.path);
    if (!check.ok || config_.dataset.sha256.empty()) return check;
    Result<Captured> summed = capture(session_, {"sha256sum", config_.dataset.path}, cancel_);
    if (!summed || !summed->succeeded() || summed->out.empty()) {
      return make_check(
          "dataset", false, "FAIL",
          fmt::format("sha256sum failed: {}", summed ? summed->why() : summed.error().message));
    }
    const std::string digest = summed->out.front().substr(0, 64);
    if (digest != config_.dataset.sha256) {
      return make_check("dataset", false, "sha256 differs",
                        fmt::format("{} has sha256 {}, dataset.sha256 says {}",
                                    config_.dataset.path, digest, config_.dataset.sha256));
    }
    check.value += ", sha256 ok";
    return check;
  }

  PreflightCheck disk() {
    Result<Captured> df = script(session_, kDiskScript, config_.runner.workdir, cancel_);
    if (!df) return make_check("disk", false, "FAIL", df.error().message);
    if (!df->succeeded() || df->out.empty()) {
      return make_check("disk", false, "FAIL", fmt::format("df failed: {}", df->why()));
    }
    // POSIX df -P: filesystem, 1024-blocks, used, available, capacity, mounted on.
    std::istringstream fields(df->out.back());
    std::string filesystem, total, used, available;
    fields >> filesystem >> total >> used >> available;
    const std::optional<uint64_t> kib = parse_number(available);
    if (!kib) return make_check("disk", false, "FAIL", "cannot read df's output");
    const uint64_t free_bytes = *kib * 1024;
    const std::string value = human_bytes(free_bytes) + " free";
    if (free_bytes < kMinFreeDiskBytes) {
      return make_check("disk", false, value,
                        fmt::format("less than {} free for runner.workdir {}",
                                    human_bytes(kMinFreeDiskBytes), config_.runner.workdir));
    }
    return make_check("disk", true, value);
  }

 private:
  PreflightCheck sized(const std::string& name, const char* text, const std::string& path) {
    Result<Captured> ran = script(session_, text, path, cancel_);
    if (!ran) return make_check(name, false, "FAIL", ran.error().message);
    if (!ran->succeeded() || ran->out.empty()) {
      return make_check(name, false, "missing", fmt::format("{}: {}", path, ran->why()));
    }
    const std::optional<uint64_t> bytes = parse_number(ran->out.back());
    return make_check(name, true, bytes ? human_bytes(*bytes) : ran->out.back());
  }

  transport::NodeSession& session_;
  const config::Config& config_;
  const config::Node& node_;
  const std::atomic<bool>* cancel_;
};

PreflightCheck skipped(std::string name) {
  return PreflightCheck{std::move(name), false, true, std::string(1, '-'), {}};
}

// The config as this node sees it: its `~/` paths under the node user's $HOME, asked for only
// when some path needs it.
Result<config::Config> with_node_home(transport::NodeSession& session, const config::Config& config,
                                      const std::atomic<bool>* cancel) {
  config::Config copy = config;
  std::vector<std::string*> paths = {&copy.runner.path, &copy.runner.workdir, &copy.model.path,
                                     &copy.dataset.path};
  if (config.cluster.launcher == config::LauncherKind::kLocal ||
      std::none_of(paths.begin(), paths.end(),
                   [](const std::string* path) { return detail::uses_home(*path); })) {
    return copy;
  }
  Result<std::string> home = detail::ask_home(session, cancel);
  if (!home) return home.failure();
  for (std::string* path : paths)
    *path = detail::rehome(*path, *home);
  return copy;
}

}  // namespace

bool NodePreflight::ok() const {
  return std::all_of(checks.begin(), checks.end(),
                     [](const PreflightCheck& check) { return check.ok; });
}

std::vector<std::string> preflight_check_names() {
  return {"reach", "auth", "runner", "gpus", "model", "dataset", "disk"};
}

NodePreflight preflight_node(transport::Launcher& launcher, const config::Config& config,
                             const config::Node& node, const std::atomic<bool>* cancel) {
  NodePreflight result;
  result.node = node.name;
  const RetryPolicy policy{
      .retries = config.cluster.ssh.connect_retries,
      .backoff = std::chrono::milliseconds(config.cluster.ssh.retry_backoff_ms)};
  int attempts = 0;
  Result<std::unique_ptr<transport::NodeSession>> session =
      connect_with_retries(launcher, endpoint_for(config, node), policy, cancel, {}, &attempts);
  if (!session) {
    const bool refused = session.error().code == ErrorCode::kAuthentication;
    result.checks.push_back(
        refused ? make_check("reach", true, "ok")
                : make_check("reach", false, "FAIL",
                             fmt::format("{} (after {} attempt{})", session.error().message,
                                         attempts, attempts == 1 ? "" : "s")));
    result.checks.push_back(refused ? make_check("auth", false, "FAIL", session.error().message)
                                    : skipped("auth"));
    for (const std::string& name : preflight_check_names()) {
      if (name != "reach" && name != "auth") result.checks.push_back(skipped(name));
    }
    return result;
  }
  result.checks.push_back(make_check("reach", true, "ok"));
  result.checks.push_back(make_check("auth", true, "ok"));
  const Result<config::Config> on_node = with_node_home(**session, config, cancel);
  if (!on_node) {
    result.checks.push_back(make_check("runner", false, "FAIL", on_node.error().describe()));
    NodeChecker checker(**session, config, node, cancel);
    result.checks.push_back(checker.gpus());
    for (const char* name : {"model", "dataset", "disk"})
      result.checks.push_back(skipped(name));
    return result;
  }
  NodeChecker checker(**session, *on_node, node, cancel);
  result.checks.push_back(checker.runner());
  result.checks.push_back(checker.gpus());
  result.checks.push_back(checker.model());
  result.checks.push_back(checker.dataset());
  result.checks.push_back(checker.disk());
  return result;
}

std::vector<NodePreflight> preflight_nodes(transport::Launcher& launcher,
                                           const config::Config& config,
                                           const std::vector<config::Node>& nodes,
                                           const std::atomic<bool>* cancel) {
  std::vector<NodePreflight> results(nodes.size());
  std::atomic<size_t> next{0};
  const size_t width = std::min<size_t>(
      static_cast<size_t>(std::max(1, config.cluster.ssh.max_parallel)), nodes.size());
  std::vector<std::jthread> workers;
  for (size_t w = 0; w < width; ++w) {
    workers.emplace_back([&] {
      for (size_t i = next++; i < nodes.size(); i = next++) {
        results[i] = preflight_node(launcher, config, nodes[i], cancel);
      }
    });
  }
  workers.clear();  // joins
  return results;
}

}  // namespace mlbench::orchestrator
