#include "config/rules.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <string>

namespace mlbench::config {
namespace {

// Reports `path` when its value is empty: at the value when one was written (it expanded to
// nothing), else at the mapping `parent` that should hold it.
void require(LoadContext& context, const std::string& value, const std::string& path,
             const std::string& parent, std::string_view needed_by, std::string fix) {
  const SourceMap& map = context.source_map;
  if (!value.empty() || map.rejected.contains(path) || map.rejected.contains(parent)) return;
  const std::string problem = needed_by.empty()
                                  ? std::string("required but not set")
                                  : fmt::format("required for {} but not set", needed_by);
  context.diagnostics.add(map.value_or_parent(path, parent), path, problem, std::move(fix));
}

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

void check_unique_name(LoadContext& context, const std::string& name_path, const std::string& name,
                       std::map<std::string, std::string>& first_path_by_name) {
  if (name.empty() || !context.source_map.usable(name_path)) return;
  const auto [first, inserted] = first_path_by_name.emplace(name, name_path);
  if (inserted) return;
  context.diagnostics.add(context.source_map.value(name_path), name_path,
                          fmt::format("duplicate node name '{}'", name),
                          fmt::format("first used on line {}; node names must be unique",
                                      context.source_map.value(first->second).line));
}

// Two entries for one host:port would run two benchmarks on one machine at once.
void check_unique_address(LoadContext& context, const std::string& node_path, const Node& node,
                          std::map<std::string, std::string>& first_host_path_by_address) {
  const std::string host_path = child_path(node_path, "host");
  const SourceMap& map = context.source_map;
  if (node.host.empty() || !map.usable(host_path)) return;
  if (map.rejected.contains(child_path(node_path, "port"))) return;
  // A node that leaves the port out and one that writes 22 reach the same sshd.
  Node reached = node;
  if (reached.port == 0) reached.port = 22;
  const std::string address = configured_address(reached);
  const auto [first, inserted] = first_host_path_by_address.emplace(lowercase(address), host_path);
  if (inserted) return;
  context.diagnostics.add(map.value(host_path), host_path,
                          fmt::format("duplicate node address {}", address),
                          fmt::format("first used on line {}; each node needs its own host:port",
                                      map.value(first->second).line));
}

}  // namespace

bool launcher_is_known(const SourceMap& source_map) {
  return !source_map.rejected.contains("cluster.launcher") &&
         !source_map.rejected.contains("cluster");
}

void check_nodes(LoadContext& context, Config& config) {
  const SourceMap& map = context.source_map;
  const bool known = launcher_is_known(map);
  const bool is_ssh = known && config.cluster.launcher == LauncherKind::kSsh;
  if (!map.written("nodes")) {
    if (is_ssh) {
      context.diagnostics.add(kDocumentStart, "nodes", "required for launcher 'ssh' but not set",
                              "list the nodes to run on, each with a name and host");
    } else if (known) {
      Node this_machine;  // no list: this machine is the one node
      this_machine.name = "local";
      config.nodes = {this_machine};
    }
    return;
  }
  if (!map.usable("nodes")) return;
  if (config.nodes.empty()) {
    context.diagnostics.add(map.value("nodes"), "nodes", "no nodes listed",
                            is_ssh ? "list each node with a name and host"
                                   : "list at least one node, or remove the key to run on this "
                                     "machine");
    return;
  }
  std::map<std::string, std::string> first_path_by_name;
  std::map<std::string, std::string> first_host_path_by_address;
  for (size_t i = 0; i < config.nodes.size(); ++i) {
    const std::string node_path = item_path("nodes", i);
    if (!map.mappings.contains(node_path)) continue;  // not a mapping: reported by the walk
    const Node& node = config.nodes[i];
    const std::string name_path = child_path(node_path, "name");
    require(context, node.name, name_path, node_path, "", "add `name:`, e.g. name: node1");
    check_unique_name(context, name_path, node.name, first_path_by_name);
    if (is_ssh) {
      require(context, node.host, child_path(node_path, "host"), node_path, "launcher 'ssh'",
              "add `host:` with the node's address");
      check_unique_address(context, node_path, node, first_host_path_by_address);
    }
  }
}

void check_backend_needs(LoadContext& context, const Config& config) {
  if (context.source_map.rejected.contains("runner.backend") ||
      context.source_map.rejected.contains("runner")) {
    return;
  }
  if (config.runner.backend == Backend::kSim) return;
  const std::string needed_by = fmt::format("backend '{}'", to_string(config.runner.backend));
  require(context, config.model.path, "model.path", "model", needed_by,
          "give the model directory, or use backend sim");
  require(context, config.dataset.path, "dataset.path", "dataset", needed_by,
          "give the path of cnn_eval.json, or use backend sim");
}

}  // namespace mlbench::config
