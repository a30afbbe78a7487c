#include <fmt/format.h>

#include <array>

#include "cli/command.h"
#include "runner/accuracy_command.h"
#include "runner/dataset_command.h"
#include "runner/info.h"
#include "runner/model_commands.h"
#include "runner/plan_command.h"
#include "runner/rouge_command.h"
#include "runner/run_command.h"
#include "runner/tokenize_command.h"

namespace mlbench::runner {
namespace {

using cli::CommandHandler;
using cli::CommandSpec;
using cli::GlobalOptions;

CommandSpec info_command() {
  return {"info", "Print this runner's version, build and the GPUs it sees, as JSON",
          [](CLI::App&, const GlobalOptions&) -> CommandHandler {
            return [] {
              fmt::print("{}\n", describe_runner_and_machine().dump());
              return ExitCode::kOk;
            };
          }};
}

}  // namespace
}  // namespace mlbench::runner

int main(int argc, char** argv) {
  const std::array commands = {
      mlbench::runner::info_command(),       mlbench::runner::run_command(),
      mlbench::runner::plan_command(),       mlbench::runner::make_model_command(),
      mlbench::runner::generate_command(),   mlbench::runner::tokenize_command(),
      mlbench::runner::detokenize_command(), mlbench::runner::make_dataset_command(),
      mlbench::runner::accuracy_command(),   mlbench::runner::rouge_command(),
  };
  return mlbench::cli::run_cli("mlbench-runner",
                               "mlbench-runner: the node agent that runs one benchmark scenario",
                               commands, argc, argv);
}
