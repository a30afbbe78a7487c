// `mlbench report`. Its options are settled by design.md §2; the implementation lands with a
// later change, so it declares them and refuses plainly.
#include "cli/commands/commands.h"

namespace mlbench::cli {

CommandSpec report_command() {
  return {"report", "Rebuild report.json, report.md and report.html from a run directory",
          [](CLI::App& sub, const GlobalOptions&) -> CommandHandler {
            sub.add_option("run_dir", "The run directory (runs/<id>)");
            sub.add_option("--format", "json, md, html (comma-separated)");
            return not_built("mlbench", "report");
          }};
}

}  // namespace mlbench::cli
