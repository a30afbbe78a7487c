#include <fmt/format.h>

#include <array>

#include "cli/command.h"
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

// Subcommands of design.md §2 whose implementations arrive with the engine, model, tokenizer and
// accuracy work. Unknown options are let through so scripts written for the final interface
// get the plain "not built yet" answer rather than a parse error.
CommandSpec planned_command(std::string_view name, std::string_view description) {
  return {name, description, [name](CLI::App& sub, const GlobalOptions&) -> CommandHandler {
            sub.allow_extras();
            return cli::not_built("mlbench-runner", name);
          }};
}

}  // namespace
}  // namespace mlbench::runner

int main(int argc, char** argv) {
  using mlbench::runner::planned_command;
  const std::array commands = {
      mlbench::runner::info_command(),
      mlbench::runner::run_command(),
      mlbench::runner::plan_command(),
      mlbench::runner::make_model_command(),
      mlbench::runner::generate_command(),
      mlbench::runner::tokenize_command(),
      mlbench::runner::detokenize_command(),
      planned_command("make-dataset", "Build a cnn_eval.json from articles and summaries"),
      planned_command("accuracy", "Score mlperf_log_accuracy.json with ROUGE"),
      mlbench::runner::rouge_command(),
  };
  return mlbench::cli::run_cli("mlbench-runner",
                               "mlbench-runner: the node agent that runs one benchmark scenario",
                               commands, argc, argv);
}
