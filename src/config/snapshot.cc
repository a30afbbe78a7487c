#include "mlbench/config/snapshot.h"

#include "config/secrets.h"

namespace mlbench::config {
namespace {

using nlohmann::json;

json optional_int(const std::optional<int>& value) {
  return value ? json(*value) : json(nullptr);
}

// Belt and braces: the schema has no secret keys today, and a key added later that holds one
// must not reach run.json (or a node) in clear.
void redact(json& value) {
  if (value.is_object()) {
    for (auto& [key, member] : value.items()) {
      if (is_secret_key(key)) {
        member = "<redacted>";
      } else {
        redact(member);
      }
    }
  } else if (value.is_array()) {
    for (json& item : value)
      redact(item);
  }
}

}  // namespace

json to_json(const Config& config) {
  const SshSettings& ssh = config.cluster.ssh;
  json nodes = json::array();
  for (const Node& node : config.nodes) {
    nodes.push_back({{"name", node.name},
                     {"host", node.host},
                     {"port", node.port == 0 ? json(nullptr) : json(node.port)},
                     {"user", node.user},
                     {"gpus", node.gpus}});
  }
  json snapshot = {
      {"source_path", config.source_path},
      {"cluster",
       {{"launcher", to_string(config.cluster.launcher)},
        {"ssh",
         {{"user", ssh.user},
          {"identity_file", ssh.identity_file},
          {"known_hosts_file", ssh.known_hosts_file},
          {"config_file", ssh.config_file},
          {"host_key_policy", to_string(ssh.host_key_policy)},
          {"connect_timeout_s", ssh.connect_timeout_s},
          {"keepalive_s", ssh.keepalive_s},
          {"max_parallel", ssh.max_parallel},
          {"connect_retries", ssh.connect_retries},
          {"retry_backoff_ms", ssh.retry_backoff_ms}}},
        {"run_timeout_s", config.cluster.run_timeout_s},
        {"collect_timeout_s", config.cluster.collect_timeout_s},
        {"heartbeat_timeout_s", config.cluster.heartbeat_timeout_s},
        {"kill_grace_s", config.cluster.kill_grace_s}}},
      {"nodes", nodes},
      {"runner",
       {{"path", config.runner.path},
        {"backend", to_string(config.runner.backend)},
        {"workdir", config.runner.workdir},
        {"upload", to_string(config.runner.upload)},
        {"local_path", config.runner.local_path},
        {"args", config.runner.args}}},
      {"model", {{"name", config.model.name}, {"path", config.model.path}}},
      {"dataset",
       {{"path", config.dataset.path},
        {"max_samples", optional_int(config.dataset.max_samples)},
        {"sha256", config.dataset.sha256}}},
      {"benchmark",
       {{"scenario", to_string(config.benchmark.scenario)},
        {"mode", to_string(config.benchmark.mode)},
        {"user_conf", config.benchmark.user_conf},
        {"max_output_tokens", config.benchmark.max_output_tokens}}},
      {"report", {{"out_dir", config.report.out_dir}, {"formats", config.report.formats}}},
  };
  redact(snapshot);
  return snapshot;
}

}  // namespace mlbench::config
