#include "mlbench/orchestrator/run_record.h"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "mlbench/config/snapshot.h"
#include "mlbench/core/version.h"
#include "mlbench/loadgen/log_file.h"
#include "mlbench/transport/shell_quote.h"

namespace mlbench::orchestrator {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr int kRunSchemaVersion = 1;

json optional_time(const std::optional<std::chrono::system_clock::time_point>& time) {
  return time ? json(iso_utc(*time)) : json(nullptr);
}

// user.conf is a handful of lines and decides the run's settings: kept verbatim (for a smoke
// run, the smoke user.conf the runners were given).
json user_conf_record(const std::string& path) {
  if (path.empty()) return nullptr;
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return {{"path", path}, {"text", in ? text.str() : std::string()}};
}

json settings_record(const config::Config& config, const RunPlan& plan) {
  const config::SshSettings& ssh = config.cluster.ssh;
  return {
      {"max_parallel", ssh.max_parallel},
      {"connect_timeout_s", ssh.connect_timeout_s},
      {"connect_retries", ssh.connect_retries},
      {"retry_backoff_ms", ssh.retry_backoff_ms},
      {"keepalive_s", ssh.keepalive_s},
      {"host_key_policy", config::to_string(ssh.host_key_policy)},
      {"run_timeout_s", config.cluster.run_timeout_s},
      {"collect_timeout_s", config.cluster.collect_timeout_s},
      {"heartbeat_timeout_s", config.cluster.heartbeat_timeout_s},
      {"kill_grace_s", config.cluster.kill_grace_s},
      {"model", config.model.name},
      {"max_output_tokens", plan.max_output_tokens},
      {"max_samples", plan.max_samples ? json(*plan.max_samples) : json(nullptr)},
  };
}

// What `--smoke` changed, beside the config it changed it from, so that a reader of run.json
// sees why the figures are not a result.
json smoke_record(const config::Config& config, const RunPlan& plan) {
  if (!plan.smoke) return nullptr;
  json overrides = json::object();
  for (const ConfOverride& override : plan.smoke->overrides)
    overrides[override.key] = override.value;
  const auto& max_samples = config.dataset.max_samples;
  return {
      {"user_conf", plan.user_conf},
      {"base_user_conf",
       plan.smoke->base_user_conf.empty() ? json(nullptr) : json(plan.smoke->base_user_conf)},
      {"user_conf_overrides", std::move(overrides)},
      {"max_samples",
       {{"config", max_samples ? json(*max_samples) : json(nullptr)},
        {"smoke", plan.max_samples ? json(*plan.max_samples) : json(nullptr)}}},
      {"max_output_tokens",
       {{"config", config.benchmark.max_output_tokens}, {"smoke", plan.max_output_tokens}}},
  };
}

std::string controller_host() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return {};
  return name;
}

}  // namespace

std::string iso_utc(std::chrono::system_clock::time_point time) {
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", std::chrono::floor<std::chrono::seconds>(time));
}

json run_record(const config::Config& config, const RunPlan& plan, const RunTimes& times,
                const std::optional<RunEnd>& end) {
  json nodes = json::array();
  for (size_t i = 0; i < plan.nodes.size(); ++i) {
    const NodePlan& node = plan.nodes[i];
    json entry = {
        {"name", node.node.name},
        {"host", node.node.host},
        // null: not in config.yaml, so the ssh config's Port (or 22) was used.
        {"port", node.node.port == 0 ? json(nullptr) : json(node.node.port)},
        {"user", node.node.user.empty() ? config.cluster.ssh.user : node.node.user},
        {"gpus", node.node.gpus},
        {"out_dir", node.out_dir},
        {"collect_dir", node.collect_dir},
        {"runner_argv", node.runner_argv},
        {"command", transport::shell_join(node.runner_argv)},
    };
    if (end && i < end->nodes.size()) {
      const json outcome = report::to_json(end->nodes[i]);
      for (const char* key : {"status", "error", "runner_exit_code"})
        entry[key] = outcome.at(key);
    }
    nodes.push_back(std::move(entry));
  }
  return {
      {"schema_version", kRunSchemaVersion},
      {"run_id", plan.run_id},
      {"scenario", loadgen_scenario_name(plan.scenario)},
      {"mode", config::to_string(plan.mode)},
      {"launcher", config::to_string(plan.launcher)},
      {"backend", config::to_string(config.runner.backend)},
      {"started_utc", iso_utc(times.started)},
      {"ended_utc", optional_time(times.ended)},
      {"interrupted", end ? json(end->interrupted) : json(nullptr)},
      {"exit_code",
       end ? json(to_int(smoke_adjusted_exit_code(plan, end->exit_code))) : json(nullptr)},
      {"smoke", plan.smoke.has_value()},
      {"smoke_settings", smoke_record(config, plan)},
      {"versions", {{"mlbench", version()}, {"commit", git_commit()}}},
      {"controller_host", controller_host()},
      {"settings", settings_record(config, plan)},
      {"user_conf", user_conf_record(plan.user_conf)},
      {"config", config::to_json(config)},
      {"nodes", std::move(nodes)},
  };
}

Result<void> write_json_atomically(const fs::path& path, const json& value) {
  return loadgen::write_file_atomically(
      path, value.dump(2, ' ', false, json::error_handler_t::replace) + "\n");
}

}  // namespace mlbench::orchestrator
