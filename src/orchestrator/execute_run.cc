#include "mlbench/orchestrator/execute_run.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <filesystem>

#include "mlbench/orchestrator/node_status.h"
#include "mlbench/orchestrator/progress_display.h"
#include "mlbench/orchestrator/run_record.h"
#include "mlbench/report/report_files.h"
#include "mlbench/transport/local_launcher.h"
#include "mlbench/transport/ssh_launcher.h"

#include "orchestrator/runner_install.h"

namespace mlbench::orchestrator {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;

std::vector<report::ReportFormat> report_formats(const std::vector<std::string>& names) {
  std::vector<report::ReportFormat> formats;
  for (const std::string& name : names) {
    if (name == "json") formats.push_back(report::ReportFormat::kJson);
    if (name == "md") formats.push_back(report::ReportFormat::kMarkdown);
    if (name == "html") formats.push_back(report::ReportFormat::kHtml);
  }
  return formats;
}

std::vector<std::string> names_of(const RunPlan& plan) {
  std::vector<std::string> names;
  for (const NodePlan& node : plan.nodes)
    names.push_back(node.node.name);
  return names;
}

}  // namespace

transport::Endpoint endpoint_for(const config::Config& config, const config::Node& node) {
  const config::SshSettings& ssh = config.cluster.ssh;
  transport::Endpoint endpoint;
  endpoint.name = node.name;
  endpoint.host = node.host;
  endpoint.port = node.port;
  endpoint.user = node.user.empty() ? ssh.user : node.user;
  endpoint.identity_file = ssh.identity_file;
  endpoint.known_hosts_file = ssh.known_hosts_file;
  endpoint.ssh_config_file = ssh.config_file;
  endpoint.accept_new_host_keys = ssh.host_key_policy == config::HostKeyPolicy::kAcceptNew;
  endpoint.connect_timeout = seconds(ssh.connect_timeout_s);
  endpoint.keepalive_interval = seconds(ssh.keepalive_s);
  return endpoint;
}

FanoutOptions fanout_options(const config::Config& config, const std::atomic<bool>* cancel,
                             const std::atomic<bool>* kill_now) {
  FanoutOptions options;
  options.max_parallel = config.cluster.ssh.max_parallel;
  options.connect_retries = config.cluster.ssh.connect_retries;
  options.retry_backoff = milliseconds(config.cluster.ssh.retry_backoff_ms);
  options.run_timeout = seconds(config.cluster.run_timeout_s);
  options.collect_timeout = seconds(config.cluster.collect_timeout_s);
  options.heartbeat_timeout = seconds(config.cluster.heartbeat_timeout_s);
  options.kill_grace = seconds(config.cluster.kill_grace_s);
  options.cancel = cancel;
  options.kill_now = kill_now;
  return options;
}

std::unique_ptr<transport::Launcher> make_launcher(config::LauncherKind kind) {
  if (kind == config::LauncherKind::kSsh) return std::make_unique<transport::SshLauncher>();
  return std::make_unique<transport::LocalLauncher>();
}

std::vector<NodeJob> make_jobs(const config::Config& config, const RunPlan& plan) {
  const bool remote = plan.launcher != config::LauncherKind::kLocal;
  const fs::path remote_run_dir = fs::path(config.runner.workdir) / plan.run_id;
  std::vector<NodeJob> jobs;
  for (const NodePlan& node : plan.nodes) {
    NodeJob job;
    job.plan = node;
    job.endpoint = endpoint_for(config, node.node);
    job.remote = remote;
    // The worker replaces it with the address really used once connected.
    job.host_label = remote ? config::configured_address(node.node) : "local";
    if (remote) {
      job.remote_run_dir = remote_run_dir.string();
      job.runner_setup = detail::runner_setup(config);
      // The user.conf the plan gives the runner (a smoke run's own), under the name plan.cc
      // passes as --user-conf.
      if (!plan.user_conf.empty()) {
        job.uploads.emplace_back(plan.user_conf, (remote_run_dir / "user.conf").string());
      }
      job.uploads.emplace_back((fs::path(plan.run_dir) / report::kRunFile).string(),
                               (remote_run_dir / report::kRunFile).string());
    }
    jobs.push_back(std::move(job));
  }
  return jobs;
}

Result<RunSummary> execute_run(const config::Config& config, const RunPlan& plan,
                               transport::Launcher& launcher, const std::atomic<bool>* cancel,
                               const ProgressOutput& progress, const std::atomic<bool>* kill_now) {
  const fs::path run_dir = plan.run_dir;
  std::error_code error;
  fs::create_directories(run_dir / report::kNodesDir, error);
  if (error) {
    return fail(ErrorCode::kIo, fmt::format("cannot create the run directory: {}", error.message()),
                run_dir.string());
  }
  RunTimes times{.started = std::chrono::system_clock::now(), .ended = std::nullopt};
  if (Result<void> written = write_json_atomically(run_dir / report::kRunFile,
                                                   run_record(config, plan, times, std::nullopt));
      !written) {
    return written.failure();
  }

  ProgressBoard board(names_of(plan));
  std::optional<ProgressDisplay> display;
  if (progress.out != nullptr) display.emplace(progress.out, progress.smart_terminal);
  const auto tick = [&] {
    if (display) display->update(board.snapshot());
  };
  const std::vector<NodeJob> jobs = make_jobs(config, plan);
  RunSummary summary;
  summary.nodes = run_nodes(launcher, jobs, fanout_options(config, cancel, kill_now), board, tick);
  if (display) display->finish(board.snapshot());
  summary.interrupted = cancel != nullptr && cancel->load();
  summary.exit_code = run_exit_code(summary.nodes, summary.interrupted);

  times.ended = std::chrono::system_clock::now();
  const RunEnd end{summary.interrupted, summary.exit_code, summary.nodes};
  if (Result<void> written =
          write_json_atomically(run_dir / report::kRunFile, run_record(config, plan, times, end));
      !written) {
    spdlog::error("{}", written.error().describe());
  }
  if (Result<void> report =
          report::write_report_files(run_dir, report_formats(config.report.formats));
      report) {
    summary.report_written = true;
  } else {
    spdlog::warn("no report written: {}; the nodes' files are in {}", report.error().describe(),
                 (run_dir / report::kNodesDir).string());
  }
  return summary;
}

}  // namespace mlbench::orchestrator
