#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "cli/commands/commands.h"
#include "cli/commands/load.h"

namespace mlbench::cli {

CommandSpec validate_command() {
  return {"validate", "Check config.yaml against the schema; list every error",
          [](CLI::App& sub, const GlobalOptions&) -> CommandHandler {
            auto path = std::make_shared<std::string>("config.yaml");
            sub.add_option("-c,--config", *path, "The config file")->capture_default_str();
            return [path] {
              auto loaded = load_config_or_report(*path);
              if (!loaded) return ExitCode::kUsage;
              const config::Config& config = *loaded;
              fmt::print("{}: ok — launcher {}, {} node{} ({}), backend {}, model {}\n", *path,
                         config::to_string(config.cluster.launcher), config.nodes.size(),
                         config.nodes.size() == 1 ? "" : "s",
                         fmt::join(config::node_names(config), ", "),
                         config::to_string(config.runner.backend), config.model.name);
              return ExitCode::kOk;
            };
          }};
}

}  // namespace mlbench::cli
