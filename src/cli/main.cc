#include <array>

#include "cli/commands/commands.h"

int main(int argc, char** argv) {
  using namespace mlbench::cli;
  const std::array commands = {
      init_command(),   validate_command(), preflight_command(), run_command(),
      report_command(), compare_command(),  runs_command(),
  };
  return run_cli("mlbench", "mlbench: LLM inference benchmarks, run the MLPerf way, on every node",
                 commands, argc, argv);
}
