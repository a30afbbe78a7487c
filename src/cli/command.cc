#include "cli/command.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <map>
#include <string>

#include "mlbench/core/version.h"

namespace mlbench::cli {

int run_cli(std::string_view program, std::string_view description,
            std::span<const CommandSpec> commands, int argc, char** argv) {
  CLI::App app{std::string(description), std::string(program)};
  app.require_subcommand(0, 1);
  GlobalOptions globals;
  bool show_version = false;
  app.add_flag("--version", show_version, "Print the version and git commit, then exit");
  // Global options are accepted before or after the subcommand name.
  auto add_globals = [&globals](CLI::App& target) {
    target.add_flag("-v,--verbose", globals.verbose, "Log debug messages too");
    target.add_option("--log-format", globals.log_format, "Log format on stderr: text or json")
        ->check(CLI::IsMember({"text", "json"}));
    target.add_flag("--no-color", globals.no_color, "Never colour the output");
  };
  add_globals(app);

  std::map<std::string, CommandHandler, std::less<>> handlers;
  for (const CommandSpec& spec : commands) {
    CLI::App* sub = app.add_subcommand(std::string(spec.name), std::string(spec.description));
    add_globals(*sub);
    handlers.emplace(std::string(spec.name), spec.attach(*sub, globals));
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    // CLI11 prints help and errors itself; help is a success, anything else is bad usage.
    const int code = app.exit(error);
    return code == 0 ? 0 : to_int(ExitCode::kUsage);
  }

  if (show_version) {
    fmt::print("{}\n", version_line(program));
    return 0;
  }
  setup_logging(LogOptions{
      .format = *parse_log_format(globals.log_format),
      .verbose = globals.verbose,
      .color = !globals.no_color,
  });

  const std::vector<CLI::App*> chosen = app.get_subcommands();
  if (chosen.empty()) {
    fmt::print(stderr, "{}", app.help());
    return to_int(ExitCode::kUsage);
  }
  return to_int(handlers.at(chosen.front()->get_name())());
}

CommandHandler not_built(std::string_view program, std::string_view command) {
  return [program = std::string(program), command = std::string(command)] {
    spdlog::error(
        "{} {}: not built yet in version {} — this command is planned but has no "
        "implementation in this build",
        program, command, version());
    return ExitCode::kUsage;
  };
}

ExitCode report_error(const Error& error) {
  spdlog::error("{}", error.describe());
  return exit_code_for(error.code);
}

}  // namespace mlbench::cli
