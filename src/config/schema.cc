#include "config/schema.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "mlbench/core/spelling.h"

#include "config/yaml_reader.h"

namespace mlbench::config {
namespace {

// An empty string counts as not written, so `${VAR:-}` can leave a key at its default.
void store(std::string& target, std::optional<std::string> value) {
  if (value && !value->empty()) target = std::move(*value);
}
void store(int& target, std::optional<int> value) {
  if (value) target = *value;
}
void store(std::optional<int>& target, std::optional<int> value) {
  if (value) target = value;
}
template <typename Enum>
void store(Enum& target, std::optional<Enum> value) {
  if (value) target = *value;
}

std::string one_of_fix(std::string_view written, const std::vector<std::string>& names) {
  if (auto match = closest_match(written, names)) return fmt::format("did you mean '{}'?", *match);
  return fmt::format("use one of: {}", fmt::join(names, ", "));
}

// A value from a fixed set of names; `what` names the set in the error ("unknown mode 'x'").
template <typename Enum>
std::optional<Enum> read_choice(LoadContext& context, const YAML::Node& node,
                                const std::string& path, std::string_view what,
                                const std::vector<std::string>& names,
                                std::optional<Enum> (*parse)(std::string_view)) {
  const std::optional<std::string> text = read_scalar(
      context, node, path, "a string", fmt::format("use one of: {}", fmt::join(names, ", ")));
  if (!text || text->empty()) return std::nullopt;  // empty counts as not written
  if (std::optional<Enum> value = parse(*text)) return value;
  reject_value(context, node, path,
               {fmt::format("unknown {} '{}'", what, *text), one_of_fix(*text, names)});
  return std::nullopt;
}

std::optional<LauncherKind> read_launcher(LoadContext& context, const YAML::Node& node,
                                          const std::string& path) {
  const std::vector<std::string> built = {"local", "ssh"};
  const std::optional<LauncherKind> kind =
      read_choice(context, node, path, "launcher", built, parse_launcher);
  if (kind == LauncherKind::kKubernetes || kind == LauncherKind::kSlurm) {
    reject_value(context, node, path,
                 {fmt::format("launcher '{}' is not built yet in this version", to_string(*kind)),
                  "use local or ssh"});
    return std::nullopt;
  }
  return kind;
}

void read_ssh(LoadContext& context, const YAML::Node& node, const std::string& path,
              SshSettings& ssh) {
  read_fields(
      context, node, path,
      {
          {"user",
           [&](auto& value, auto& at) { store(ssh.user, read_string(context, value, at)); }},
          {"identity_file",
           [&](auto& value, auto& at) {
             store(ssh.identity_file, read_string(context, value, at));
           }},
          {"known_hosts_file",
           [&](auto& value, auto& at) {
             store(ssh.known_hosts_file, read_string(context, value, at));
           }},
          {"config_file",
           [&](auto& value, auto& at) { store(ssh.config_file, read_string(context, value, at)); }},
          {"host_key_policy",
           [&](auto& value, auto& at) {
             store(ssh.host_key_policy,
                   read_choice(context, value, at, "host key policy", {"strict", "accept-new"},
                               parse_host_key_policy));
           }},
          {"connect_timeout_s",
           [&](auto& value, auto& at) {
             store(ssh.connect_timeout_s, read_int(context, value, at, {1, 3600}));
           }},
          {"keepalive_s",
           [&](auto& value, auto& at) {
             store(ssh.keepalive_s, read_int(context, value, at, {0, 3600}));
           }},
          {"max_parallel",
           [&](auto& value, auto& at) {
             store(ssh.max_parallel, read_int(context, value, at, {1, 4096}));
           }},
          {"connect_retries",
           [&](auto& value, auto& at) {
             store(ssh.connect_retries, read_int(context, value, at, {0, 100}));
           }},
          {"retry_backoff_ms",
           [&](auto& value, auto& at) {
             store(ssh.retry_backoff_ms, read_int(context, value, at, {0, 600000}));
           }},
      });
}

void read_cluster(LoadContext& context, const YAML::Node& node, const std::string& path,
                  ClusterSettings& cluster) {
  read_fields(
      context, node, path,
      {
          {"launcher",
           [&](auto& value, auto& at) {
             store(cluster.launcher, read_launcher(context, value, at));
           }},
          {"ssh", [&](auto& value, auto& at) { read_ssh(context, value, at, cluster.ssh); }},
          {"run_timeout_s",
           [&](auto& value, auto& at) {
             store(cluster.run_timeout_s, read_int(context, value, at, at_least(1)));
           }},
          {"collect_timeout_s",
           [&](auto& value, auto& at) {
             store(cluster.collect_timeout_s, read_int(context, value, at, at_least(1)));
           }},
          {"heartbeat_timeout_s",
           [&](auto& value, auto& at) {
             store(cluster.heartbeat_timeout_s, read_int(context, value, at, at_least(0)));
           }},
          {"kill_grace_s",
           [&](auto& value, auto& at) {
             store(cluster.kill_grace_s, read_int(context, value, at, {0, 3600}));
           }},
      });
}

std::optional<std::string> read_node_name(LoadContext& context, const YAML::Node& node,
                                          const std::string& path) {
  std::optional<std::string> name = read_string(context, node, path);
  if (name && !name->empty() && !is_valid_node_name(*name)) {
    reject_value(context, node, path,
                 {fmt::format("invalid node name '{}'", *name),
                  "use letters, digits, '.', '_' and '-', starting with a letter or digit; node "
                  "names become directory names"});
    return std::nullopt;
  }
  return name;
}

std::vector<int> read_gpus(LoadContext& context, const YAML::Node& node, const std::string& path) {
  std::vector<int> gpus;
  const auto items = read_list(context, node, path, "[0, 1]");
  if (!items) return gpus;
  std::map<int, size_t> first_index;
  for (size_t i = 0; i < items->size(); ++i) {
    const std::string at = item_path(path, i);
    const std::optional<int> gpu = read_int(context, (*items)[i], at, at_least(0));
    if (!gpu) continue;
    if (const auto first = first_index.find(*gpu); first != first_index.end()) {
      reject_value(context, (*items)[i], at,
                   {fmt::format("duplicate GPU index {}", *gpu),
                    fmt::format("already listed as {}", item_path(path, first->second))});
      continue;
    }
    first_index.emplace(*gpu, i);
    gpus.push_back(*gpu);
  }
  return gpus;
}

Node read_node(LoadContext& context, const YAML::Node& node, const std::string& path) {
  Node result;
  read_fields(
      context, node, path,
      {
          {"name",
           [&](auto& value, auto& at) { store(result.name, read_node_name(context, value, at)); }},
          {"host",
           [&](auto& value, auto& at) { store(result.host, read_string(context, value, at)); }},
          {"port",
           [&](auto& value, auto& at) {
             store(result.port, read_int(context, value, at, {1, 65535}));
           }},
          {"user",
           [&](auto& value, auto& at) { store(result.user, read_string(context, value, at)); }},
          {"gpus", [&](auto& value, auto& at) { result.gpus = read_gpus(context, value, at); }},
      });
  return result;
}

std::vector<Node> read_nodes(LoadContext& context, const YAML::Node& node,
                             const std::string& path) {
  std::vector<Node> nodes;
  const auto items = read_list(context, node, path, "[{name: node1, host: 10.0.0.1}]");
  if (!items) return nodes;
  // Every item keeps its index, even a broken one, so that nodes[i] names the same node
  // in the config and in the file.
  for (size_t i = 0; i < items->size(); ++i) {
    nodes.push_back(read_node(context, (*items)[i], item_path(path, i)));
  }
  return nodes;
}

std::vector<std::string> read_runner_args(LoadContext& context, const YAML::Node& node,
                                          const std::string& path) {
  std::vector<std::string> args;
  const auto items = read_list(context, node, path, "[--max-batch, \"64\"]");
  if (!items) return args;
  for (size_t i = 0; i < items->size(); ++i) {
    const std::string at = item_path(path, i);
    std::optional<std::string> arg = read_string(context, (*items)[i], at);
    if (!arg) continue;
    if (const std::string_view key = runner_flag_key(*arg); !key.empty()) {
      reject_value(context, (*items)[i], at,
                   {fmt::format("the controller passes {} itself", arg->substr(0, arg->find('='))),
                    fmt::format("remove it: {} sets it", key)});
      continue;
    }
    args.push_back(std::move(*arg));
  }
  return args;
}

void read_runner(LoadContext& context, const YAML::Node& node, const std::string& path,
                 RunnerSettings& runner) {
  read_fields(
      context, node, path,
      {
          {"path",
           [&](auto& value, auto& at) { store(runner.path, read_string(context, value, at)); }},
          {"backend",
           [&](auto& value, auto& at) {
             store(runner.backend, read_choice(context, value, at, "backend",
                                               {"cpu", "cuda", "sim"}, parse_backend));
           }},
          {"workdir",
           [&](auto& value, auto& at) { store(runner.workdir, read_string(context, value, at)); }},
          {"upload",
           [&](auto& value, auto& at) {
             store(runner.upload, read_choice(context, value, at, "runner upload",
                                              {"never", "if_needed"}, parse_runner_upload));
           }},
          {"local_path",
           [&](auto& value, auto& at) {
             store(runner.local_path, read_string(context, value, at));
           }},
          {"args",
           [&](auto& value, auto& at) { runner.args = read_runner_args(context, value, at); }},
      });
}

std::optional<std::string> read_model_name(LoadContext& context, const YAML::Node& node,
                                           const std::string& path) {
  const std::vector<std::string> known = {"llama3_1-8b", "llama3_1-8b-interactive",
                                          "llama3_1-8b-edge"};
  std::optional<std::string> name = read_string(context, node, path);
  if (!name || name->empty()) return name;
  if (std::find(known.begin(), known.end(), *name) != known.end()) return name;
  reject_value(context, node, path,
               {fmt::format("unknown model '{}'", *name), one_of_fix(*name, known)});
  return std::nullopt;
}

void read_model(LoadContext& context, const YAML::Node& node, const std::string& path,
                ModelSettings& model) {
  read_fields(
      context, node, path,
      {
          {"name",
           [&](auto& value, auto& at) { store(model.name, read_model_name(context, value, at)); }},
          {"path",
           [&](auto& value, auto& at) { store(model.path, read_string(context, value, at)); }},
      });
}

// 64 hex digits, kept in lower case so that it compares equal to sha256sum's output.
std::optional<std::string> read_sha256(LoadContext& context, const YAML::Node& node,
                                       const std::string& path) {
  std::optional<std::string> text = read_string(context, node, path);
  if (!text || text->empty()) return text;
  const bool hex = text->size() == 64 && std::all_of(text->begin(), text->end(), [](char c) {
                     return std::isxdigit(static_cast<unsigned char>(c)) != 0;
                   });
  if (!hex) {
    reject_value(context, node, path,
                 {fmt::format("expected a SHA-256 digest, got '{}'", *text),
                  "write the 64 hex digits `sha256sum FILE` prints"});
    return std::nullopt;
  }
  std::transform(text->begin(), text->end(), text->begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

void read_dataset(LoadContext& context, const YAML::Node& node, const std::string& path,
                  DatasetSettings& dataset) {
  read_fields(
      context, node, path,
      {
          {"path",
           [&](auto& value, auto& at) { store(dataset.path, read_string(context, value, at)); }},
          {"max_samples",
           [&](auto& value, auto& at) {
             store(dataset.max_samples, read_int(context, value, at, at_least(1)));
           }},
          {"sha256",
           [&](auto& value, auto& at) { store(dataset.sha256, read_sha256(context, value, at)); }},
      });
}

void read_benchmark(LoadContext& context, const YAML::Node& node, const std::string& path,
                    BenchmarkSettings& benchmark) {
  read_fields(context, node, path,
              {
                  {"scenario",
                   [&](auto& value, auto& at) {
                     store(benchmark.scenario,
                           read_choice(context, value, at, "scenario",
                                       {"server", "offline", "singlestream"}, parse_scenario));
                   }},
                  {"mode",
                   [&](auto& value, auto& at) {
                     store(benchmark.mode, read_choice(context, value, at, "mode",
                                                       {"performance", "accuracy"}, parse_mode));
                   }},
                  {"user_conf",
                   [&](auto& value, auto& at) {
                     store(benchmark.user_conf, read_string(context, value, at));
                   }},
                  {"max_output_tokens",
                   [&](auto& value, auto& at) {
                     store(benchmark.max_output_tokens, read_int(context, value, at, {1, 131072}));
                   }},
              });
}

std::optional<std::vector<std::string>> read_formats(LoadContext& context, const YAML::Node& node,
                                                     const std::string& path) {
  const std::vector<std::string> known = {"json", "md", "html"};
  const auto items = read_list(context, node, path, "[json, md, html]");
  if (!items) return std::nullopt;
  if (items->empty()) {
    reject_value(context, node, path,
                 {"no report formats listed",
                  "list at least one of json, md, html, or remove the "
                  "key to write all three"});
    return std::nullopt;
  }
  std::vector<std::string> formats;
  for (size_t i = 0; i < items->size(); ++i) {
    const std::string at = item_path(path, i);
    const std::optional<std::string> format = read_string(context, (*items)[i], at);
    if (!format) continue;
    if (std::find(known.begin(), known.end(), *format) == known.end()) {
      reject_value(
          context, (*items)[i], at,
          {fmt::format("unknown report format '{}'", *format), one_of_fix(*format, known)});
      continue;
    }
    // Listing a format twice asks for nothing more than listing it once.
    if (std::find(formats.begin(), formats.end(), *format) == formats.end()) {
      formats.push_back(*format);
    }
  }
  return formats;
}

void read_report(LoadContext& context, const YAML::Node& node, const std::string& path,
                 ReportSettings& report) {
  read_fields(
      context, node, path,
      {
          {"out_dir",
           [&](auto& value, auto& at) { store(report.out_dir, read_string(context, value, at)); }},
          {"formats",
           [&](auto& value, auto& at) {
             if (auto formats = read_formats(context, value, at)) report.formats = *formats;
           }},
      });
}

}  // namespace

bool is_valid_node_name(std::string_view name) {
  const auto is_alnum = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  };
  if (name.empty() || !is_alnum(name.front())) return false;
  return std::all_of(name.begin(), name.end(),
                     [&](char c) { return is_alnum(c) || c == '.' || c == '_' || c == '-'; });
}

Config read_config(LoadContext& context, const YAML::Node& root) {
  Config config;
  read_fields(
      context, root, "",
      {
          {"cluster",
           [&](auto& value, auto& at) { read_cluster(context, value, at, config.cluster); }},
          {"nodes", [&](auto& value, auto& at) { config.nodes = read_nodes(context, value, at); }},
          {"runner",
           [&](auto& value, auto& at) { read_runner(context, value, at, config.runner); }},
          {"model", [&](auto& value, auto& at) { read_model(context, value, at, config.model); }},
          {"dataset",
           [&](auto& value, auto& at) { read_dataset(context, value, at, config.dataset); }},
          {"benchmark",
           [&](auto& value, auto& at) { read_benchmark(context, value, at, config.benchmark); }},
          {"report",
           [&](auto& value, auto& at) { read_report(context, value, at, config.report); }},
      });
  return config;
}

}  // namespace mlbench::config
