#include <fmt/format.h>

#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "config/expand.h"
#include "config/rules.h"

namespace mlbench::config {
namespace {

struct PathField {
  std::string key_path;
  std::string* value;
  bool is_program = false;  // a bare name is looked up on PATH, not resolved
};

// Read on the controller, whatever the launcher.
std::vector<PathField> controller_paths(Config& config) {
  return {
      {"cluster.ssh.identity_file", &config.cluster.ssh.identity_file},
      {"cluster.ssh.known_hosts_file", &config.cluster.ssh.known_hosts_file},
      {"cluster.ssh.config_file", &config.cluster.ssh.config_file},
      {"runner.local_path", &config.runner.local_path},
      {"benchmark.user_conf", &config.benchmark.user_conf},
      {"report.out_dir", &config.report.out_dir},
  };
}

// Used by the runner on the node.
std::vector<PathField> node_paths(Config& config) {
  return {
      {"runner.path", &config.runner.path, true},
      {"runner.workdir", &config.runner.workdir},
      {"model.path", &config.model.path},
      {"dataset.path", &config.dataset.path},
  };
}

bool needs_no_change(const LoadContext& context, const PathField& field) {
  return field.value->empty() || context.source_map.rejected.contains(field.key_path);
}

// Defaults that were never written are resolved too: `report.out_dir: runs` and leaving it out
// mean the same directory.
void resolve_here(LoadContext& context, const PathField& field) {
  if (needs_no_change(context, field)) return;
  if (field.is_program && is_bare_program_name(*field.value)) return;
  Checked<std::string> expanded = expand_home(*field.value, context.env.home);
  if (auto* problem = std::get_if<Problem>(&expanded)) {
    context.reject(context.source_map.value(field.key_path), field.key_path, std::move(*problem));
    return;
  }
  *field.value = resolve_against(std::get<std::string>(expanded), context.base_dir);
}

// The node's working directory is unknown here, so a relative path could mean anything; its
// home is asked for after connecting, so `~/` stays as written until then.
void require_absolute_on_node(LoadContext& context, const PathField& field) {
  if (needs_no_change(context, field)) return;
  const std::string& path = *field.value;
  if (is_absolute_path(path) || path.starts_with("~/")) return;
  const bool has_home = starts_with_home(path);
  if (field.is_program && is_bare_program_name(path) && !has_home) return;
  const std::string problem =
      field.is_program
          ? fmt::format("must be an absolute path or a bare program name, got '{}'", path)
          : fmt::format("must be an absolute path on the node, got '{}'", path);
  std::string fix = has_home ? "write ~/... for the node user's home directory, or the full path"
                    : field.is_program ? "write the full path on the node (or ~/...), or a bare "
                                         "name such as mlbench-runner to use the node's PATH"
                                       : "write the full path as seen on the node, or ~/... "
                                         "under the node user's home";
  context.reject(context.source_map.value(field.key_path), field.key_path,
                 {problem, std::move(fix)});
}

// Without HOME the default ~/.ssh/config means no file; written by the user, it is an error.
void drop_unresolvable_ssh_config(LoadContext& context, Config& config) {
  if (context.env.home.empty() && !context.source_map.written("cluster.ssh.config_file")) {
    config.cluster.ssh.config_file.clear();
  }
}

bool file_exists(const LoadEnvironment& env, const std::string& path) {
  if (env.file_exists) return env.file_exists(path);
  std::error_code error;
  return std::filesystem::exists(path, error);
}

void check_user_conf_exists(LoadContext& context, const Config& config) {
  const std::string& path = config.benchmark.user_conf;
  if (path.empty() || !context.source_map.usable("benchmark.user_conf")) return;
  if (file_exists(context.env, path)) return;
  context.reject(context.source_map.value("benchmark.user_conf"), "benchmark.user_conf",
                 {fmt::format("file not found: {}", path),
                  "create it with `mlbench init` or correct the path"});
}

}  // namespace

void resolve_paths(LoadContext& context, Config& config) {
  drop_unresolvable_ssh_config(context, config);
  for (const PathField& field : controller_paths(config))
    resolve_here(context, field);
  check_user_conf_exists(context, config);
  if (!launcher_is_known(context.source_map)) return;
  const bool on_remote_nodes = config.cluster.launcher == LauncherKind::kSsh;
  for (const PathField& field : node_paths(config)) {
    if (on_remote_nodes) {
      require_absolute_on_node(context, field);
    } else {
      resolve_here(context, field);
    }
  }
}

}  // namespace mlbench::config
