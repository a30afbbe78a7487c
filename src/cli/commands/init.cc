#include <fmt/format.h>
#include <fmt/os.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <system_error>

#include "cli/commands/commands.h"

namespace mlbench::cli {
namespace {

namespace fs = std::filesystem;

// The starter files describe this machine as one local node. A GPU is recognised by the NVIDIA
// driver's device node; without one the CPU backend is chosen.
std::string starter_config(bool has_nvidia_gpu) {
  return fmt::format(R"(# mlbench config: this machine as one local node.
# Every key is described in docs/config.md. Check it with: mlbench validate -c config.yaml
cluster:
  launcher: local
runner:
  backend: {backend}   # cpu | cuda | sim (sim needs no model or dataset)
model:
  name: llama3_1-8b
  path: ~/.cache/mlbench/models/tiny
dataset:
  path: ~/.cache/mlbench/data/cnn_eval.json
benchmark:
  scenario: offline       # server | offline | singlestream
  mode: performance       # performance | accuracy
  user_conf: user.conf
  max_output_tokens: 128
report:
  out_dir: runs
)",
                     fmt::arg("backend", has_nvidia_gpu ? "cuda" : "cpu"));
}

constexpr std::string_view kStarterUserConf =
    R"(# LoadGen user.conf: `model.scenario.key = value`; `*` matches any model or scenario.
# Values here override mlperf.conf (except the RNG seeds, which only mlperf.conf sets).
# Shorter runs for trying things out; remove these lines for a run you intend to submit.
*.Offline.min_duration = 10000
*.Server.min_duration = 10000
*.SingleStream.min_duration = 10000
)";

Result<void> write_text_file(const fs::path& path, std::string_view text) {
  try {
    auto file = fmt::output_file(path.string());
    file.print("{}", text);
  } catch (const std::system_error& e) {
    return fail(ErrorCode::kIo, fmt::format("cannot write: {}", e.code().message()), path.string());
  }
  return {};
}

ExitCode init(const std::string& directory, bool force) {
  std::error_code error;
  fs::create_directories(directory, error);
  if (error) {
    return report_error(Error{
        ErrorCode::kIo, fmt::format("cannot create directory: {}", error.message()), directory});
  }
  const bool has_gpu = fs::exists("/dev/nvidiactl", error);
  const fs::path config_path = fs::path(directory) / "config.yaml";
  const fs::path user_conf_path = fs::path(directory) / "user.conf";
  // Check both before writing either, so a refusal leaves the directory as it was.
  if (!force) {
    for (const fs::path& path : {config_path, user_conf_path}) {
      if (fs::exists(path, error)) {
        return report_error(Error{ErrorCode::kInvalidArgument,
                                  "already exists (use --force to overwrite it)", path.string()});
      }
    }
  }
  if (auto written = write_text_file(config_path, starter_config(has_gpu)); !written) {
    return report_error(written.error());
  }
  if (auto written = write_text_file(user_conf_path, kStarterUserConf); !written) {
    return report_error(written.error());
  }
  fmt::print("wrote {} and {} (backend {})\n", config_path.string(), user_conf_path.string(),
             has_gpu ? "cuda" : "cpu");
  fmt::print("next: mlbench validate -c {}\n", config_path.string());
  return ExitCode::kOk;
}

}  // namespace

CommandSpec init_command() {
  return {"init", "Write a starter config.yaml and user.conf for this machine",
          [](CLI::App& sub, const GlobalOptions&) -> CommandHandler {
            auto directory = std::make_shared<std::string>(".");
            auto force = std::make_shared<bool>(false);
            sub.add_option("dir", *directory, "Where to write them")->capture_default_str();
            sub.add_flag("--force", *force, "Overwrite existing files");
            return [directory, force] { return init(*directory, *force); };
          }};
}

}  // namespace mlbench::cli
