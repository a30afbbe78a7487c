#include "orchestrator/runner_install.h"

#include <fmt/format.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "mlbench/config/config.h"
#include "mlbench/core/executable.h"
#include "mlbench/core/version.h"
#include "mlbench/transport/local_launcher.h"

#include "orchestrator/node_command.h"

namespace mlbench::orchestrator::detail {
namespace {

namespace fs = std::filesystem;

constexpr mode_t kProgramMode = 0755;

bool is_bare_name(const std::string& path) {
  return path.find('/') == std::string::npos;
}

RunnerFound parse_info(const std::string& path, const Captured& info) {
  RunnerFound found;
  if (!info.succeeded()) {
    // 127 and 126 are the shell's "not found" and "not executable".
    found.problem = info.outcome.exit_code == 127 ? std::string("not found")
                    : info.outcome.exit_code == 126
                        ? std::string("not executable")
                        : fmt::format("`{} info` failed: {}", path, info.why());
    return found;
  }
  std::string text;
  for (const std::string& line : info.out)
    text += line + "\n";
  const nlohmann::json json = nlohmann::json::parse(text, nullptr, false);
  if (!json.is_object() || !json.contains("version") || !json.at("version").is_string()) {
    found.problem = fmt::format(
        "`{} info` did not print its version as JSON; is runner.path an "
        "mlbench-runner?",
        path);
    return found;
  }
  found.present = true;
  found.version = json.at("version").get<std::string>();
  found.commit = json.value("commit", std::string("unknown"));
  const nlohmann::json cuda = json.value("cuda", nlohmann::json::object());
  found.cuda_built = cuda.is_object() && cuda.value("built", false);
  return found;
}

// The runner installed beside this `mlbench`, as a fresh build tree and an unpacked release
// both have it.
std::string sibling_runner() {
  const fs::path dir = executable_dir();
  if (dir.empty()) return "mlbench-runner";
  return (dir / "mlbench-runner").string();
}

std::string controller_machine() {
  utsname names{};
  if (uname(&names) != 0) return "unknown";
  return names.machine;
}

Result<void> check_local_runner(const std::string& local, const RunnerSetup& setup) {
  if (access(local.c_str(), X_OK) != 0) {
    return fail(ErrorCode::kNotFound,
                fmt::format("there is no runner to upload: {} is missing or not executable; "
                            "build mlbench-runner beside mlbench, or set runner.local_path",
                            local),
                "runner.local_path");
  }
  transport::LocalLauncher launcher;
  Result<std::unique_ptr<transport::NodeSession>> here = launcher.connect({});
  if (!here) return here.failure();
  Result<RunnerFound> found = find_runner(**here, local, nullptr);
  if (!found) return found.failure();
  if (!found->matches_controller()) {
    return fail(ErrorCode::kConfig,
                fmt::format("the runner to upload, {}, is {}, not this controller's version {}",
                            local, found->describe(), version()),
                "runner.local_path");
  }
  if (setup.backend == config::Backend::kCuda && !found->cuda_built) {
    return fail(ErrorCode::kConfig,
                fmt::format("the runner to upload, {}, was built without CUDA and "
                            "runner.backend is cuda; set runner.local_path to a CUDA build",
                            local),
                "runner.local_path");
  }
  return {};
}

Result<void> check_machine(transport::NodeSession& session, const std::string& local,
                           const std::atomic<bool>* cancel) {
  Result<Captured> machine = capture(session, {"uname", "-m"}, cancel, std::chrono::seconds(30));
  if (!machine) return machine.failure();
  const std::string theirs =
      machine->succeeded() && !machine->out.empty() ? machine->out.front() : "unknown";
  const std::string ours = controller_machine();
  if (theirs != ours) {
    return fail(ErrorCode::kUnsupported,
                fmt::format("the node is {} and the runner to upload ({}) is built for {}; "
                            "install mlbench-runner {} for {} on the node, or set "
                            "runner.local_path to a runner built for it",
                            theirs, local, ours, version(), theirs),
                "runner.upload");
  }
  return {};
}

Result<void> upload_runner(transport::NodeSession& session, const std::string& local,
                           const std::string& path) {
  const std::string dir = fs::path(path).parent_path().string();
  if (!dir.empty()) {
    if (Result<void> made = session.make_directories(dir); !made) return made;
  }
  return session.upload(local, path, kProgramMode);
}

}  // namespace

bool RunnerFound::matches_controller() const {
  return present && version == mlbench::version();
}

std::string RunnerFound::describe() const {
  if (present) return fmt::format("version {}", version);
  return problem == "not found" ? std::string("missing") : problem;
}

Result<RunnerFound> find_runner(transport::NodeSession& session, const std::string& path,
                                const std::atomic<bool>* cancel) {
  Result<Captured> info = capture(session, {path, "info"}, cancel, std::chrono::seconds(60));
  if (!info) return info.failure();
  return parse_info(path, *info);
}

RunnerSetup runner_setup(const config::Config& config) {
  return {config.runner.upload, config.runner.local_path, config.runner.backend};
}

Result<std::string> upload_source(transport::NodeSession& session, const std::string& path,
                                  const RunnerSetup& setup, const std::atomic<bool>* cancel) {
  if (is_bare_name(path)) {
    return fail(ErrorCode::kConfig,
                fmt::format("runner.path '{}' is looked up on the node's PATH, so there is no "
                            "place to upload a runner to; set runner.path to a full path on the "
                            "node (such as ~/.local/bin/mlbench-runner), or install "
                            "mlbench-runner {} on the node's PATH",
                            path, version()),
                "runner.path");
  }
  const std::string local = setup.local_path.empty() ? sibling_runner() : setup.local_path;
  if (Result<void> usable = check_local_runner(local, setup); !usable) return usable.failure();
  if (Result<void> same = check_machine(session, local, cancel); !same) return same.failure();
  return local;
}

Result<std::string> ensure_runner(transport::NodeSession& session, const std::string& path,
                                  const RunnerSetup& setup, const std::atomic<bool>* cancel) {
  Result<RunnerFound> found = find_runner(session, path, cancel);
  if (!found) return found.failure();
  if (found->matches_controller()) return std::string();
  // A check cut short by Ctrl-C found nothing out; uploading now would hold up the stop.
  if (cancel != nullptr && cancel->load()) {
    return fail(ErrorCode::kInterrupted, "interrupted while checking the runner", "runner.path");
  }
  if (setup.upload == config::RunnerUpload::kNever) {
    return fail(ErrorCode::kConfig,
                fmt::format("the runner at {} on the node is {}; this controller needs "
                            "mlbench-runner {} there: install it, or set runner.upload: "
                            "if_needed to let mlbench upload its own",
                            path, found->describe(), version()),
                "runner.upload");
  }
  Result<std::string> local = upload_source(session, path, setup, cancel);
  if (!local) return local.failure();
  if (Result<void> uploaded = upload_runner(session, *local, path); !uploaded) {
    return fail(uploaded.error().code,
                fmt::format("cannot upload the runner to {}: {}", path, uploaded.error().message),
                "runner.upload");
  }
  // The copy must run there: a node with an older C library could refuse it.
  Result<RunnerFound> now = find_runner(session, path, cancel);
  if (!now) return now.failure();
  if (!now->matches_controller()) {
    return fail(ErrorCode::kUnsupported,
                fmt::format("the runner uploaded to {} does not run on the node: {}", path,
                            now->describe()),
                "runner.upload");
  }
  return fmt::format("runner uploaded: was {}",
                     found->present ? found->version : found->describe());
}

}  // namespace mlbench::orchestrator::detail
