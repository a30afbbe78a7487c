#include "orchestrator/node_worker.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>

#include "mlbench/orchestrator/connect.h"
#include "mlbench/orchestrator/node_status.h"
#include "mlbench/orchestrator/run_record.h"

#include "orchestrator/collect.h"
#include "orchestrator/node_files.h"
#include "orchestrator/node_home.h"
#include "orchestrator/runner_install.h"

namespace mlbench::orchestrator::detail {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using Session = std::unique_ptr<transport::NodeSession>;

int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

bool cancelled(const FanoutOptions& options) {
  return options.cancel != nullptr && options.cancel->load();
}

bool uses_home(const NodeJob& job) {
  const auto& argv = job.plan.runner_argv;
  return detail::uses_home(job.plan.out_dir) || detail::uses_home(job.remote_run_dir) ||
         std::any_of(argv.begin(), argv.end(),
                     [](const std::string& word) { return detail::uses_home(word); });
}

// Every node-side `~/` of the job made absolute: the runner's words, where it writes, where
// its inputs go and where its files are collected from.
void rehome(NodeJob& job, const std::string& home) {
  for (std::string& word : job.plan.runner_argv)
    word = detail::rehome(word, home);
  job.plan.out_dir = detail::rehome(job.plan.out_dir, home);
  job.remote_run_dir = detail::rehome(job.remote_run_dir, home);
  for (auto& upload : job.uploads)
    upload.second = detail::rehome(upload.second, home);
}

// One node's session, step by step, each step recording what it saw in `facts`.
class NodeWorker {
 public:
  NodeWorker(transport::Launcher& launcher, const NodeJob& job, const FanoutOptions& options,
             NodeControl& control, ProgressBoard& board, size_t index)
      : launcher_(launcher),
        job_(job),
        host_label_(job.host_label),
        options_(options),
        control_(control),
        board_(board),
        index_(index) {
    facts_.heartbeat_timeout =
        std::chrono::duration_cast<std::chrono::seconds>(options.heartbeat_timeout);
    facts_.run_timeout = std::chrono::duration_cast<std::chrono::seconds>(options.run_timeout);
  }

  NodeFacts run() {
    if (cancelled(options_)) {
      facts_.stopped_before_run = true;
      return facts_;
    }
    Session session = connect();
    if (!session) return facts_;
    if (!session->address().empty()) host_label_ = session->address();
    if (!set_up(*session)) {
      // Ctrl-C during the checks is an interruption, not a broken node.
      if (cancelled(options_)) {
        facts_.prepare_error.reset();
        facts_.stopped_before_run = true;
      }
      return facts_;
    }
    if (!prepare(*session)) return facts_;
    if (cancelled(options_)) {
      facts_.stopped_before_run = true;
      return facts_;
    }
    run_runner(*session);
    collect(session);
    return facts_;
  }

  const std::string& host_label() const { return host_label_; }

 private:
  Session connect() {
    board_.set_phase(index_, NodePhase::kConnecting, 1);
    const RetryPolicy policy{.retries = options_.connect_retries,
                             .backoff = options_.retry_backoff};
    Result<Session> session = connect_with_retries(
        launcher_, job_.endpoint, policy, options_.cancel,
        [&](int attempt) { board_.set_phase(index_, NodePhase::kConnecting, attempt); },
        &facts_.connect_attempts);
    if (!session) {
      facts_.connect_error = session.error();
      return nullptr;
    }
    return std::move(session).value();
  }

  // Before anything else on a remote node: `~/` paths made absolute with the node's $HOME, and
  // the runner made the controller's version (or the node refused, per runner.upload).
  bool set_up(transport::NodeSession& session) {
    if (!job_.remote) return true;
    board_.set_phase(index_, NodePhase::kPreparing);
    if (uses_home(job_)) {
      Result<std::string> home = ask_home(session, options_.cancel);
      if (!home) {
        facts_.prepare_error = home.error();
        return false;
      }
      rehome(job_, *home);
    }
    if (!job_.runner_setup || job_.plan.runner_argv.empty()) return true;
    Result<std::string> done =
        ensure_runner(session, job_.plan.runner_argv.front(), *job_.runner_setup, options_.cancel);
    if (!done) {
      facts_.prepare_error = done.error();
      return false;
    }
    if (!done->empty()) note(*done);
    return true;
  }

  // What the controller did to the node, in the node's runner.log and the log.
  void note(const std::string& text) {
    spdlog::info("{}: {}", job_.plan.node.name, text);
    LineFile log;
    if (log.open(fs::path(job_.plan.collect_dir) / report::kRunnerLogFile)) {
      log.write(fmt::format("mlbench: {}", text));
    }
  }

  // The runner's output directory and its inputs, on a remote node.
  bool prepare(transport::NodeSession& session) {
    if (!job_.remote) return true;
    board_.set_phase(index_, NodePhase::kPreparing);
    Result<void> done = session.make_directories(job_.plan.out_dir);
    for (const auto& [local, remote] : job_.uploads) {
      if (!done) break;
      done = session.upload(local, remote);
    }
    if (!done) facts_.prepare_error = done.error();
    return done.ok();
  }

  void run_runner(transport::NodeSession& session) {
    const fs::path dir = job_.plan.collect_dir;
    LineFile events;
    LineFile log;
    // Without these files the run still goes on; the runner's own files matter more.
    if (Result<void> opened = events.open(dir / report::kEventsFile); !opened) {
      spdlog::warn("{}: {}", job_.plan.node.name, opened.error().describe());
    }
    if (Result<void> opened = log.open(dir / report::kRunnerLogFile); !opened) {
      spdlog::warn("{}: {}", job_.plan.node.name, opened.error().describe());
    }
    transport::OutputHandlers handlers;
    handlers.on_stdout_line = [&](std::string_view line) {
      control_.last_output_ns = steady_ns();
      events.write(line);
      on_event(line);
    };
    handlers.on_stderr_line = [&](std::string_view line) {
      control_.last_output_ns = steady_ns();
      log.write(line);
      if (!line.empty()) facts_.last_stderr_line = std::string(line);
    };
    transport::RunLimits limits;
    limits.timeout = options_.run_timeout;
    limits.cancel = &control_.stop;
    limits.kill_grace = options_.kill_grace;
    limits.kill_now = options_.kill_now;
    const transport::Command command{job_.plan.runner_argv,
                                     job_.remote ? job_.remote_run_dir : std::string()};

    board_.set_phase(index_, NodePhase::kRunning);
    control_.last_output_ns = steady_ns();
    control_.running = true;
    Result<transport::ProcessOutcome> ran = session.run(command, handlers, limits);
    control_.running = false;
    events.close();
    log.close();

    facts_.interrupted = cancelled(options_);
    facts_.heartbeat_lost = control_.silent.load();
    if (ran) {
      facts_.process = *ran;
    } else {
      facts_.run_error = ran.error();
    }
  }

  void on_event(std::string_view line) {
    std::optional<RunnerEvent> event = parse_runner_event(line);
    if (!event) return;  // not ours, or a newer kind: events.jsonl keeps it anyway
    if (const auto* progress = std::get_if<ProgressEvent>(&*event)) {
      board_.record(index_, *progress);
      last_t_ns_ = progress->t_ns;
    } else if (const auto* result = std::get_if<ResultEvent>(&*event)) {
      facts_.result = *result;
      // The final counts, over the time of the last progress event.
      board_.record(index_,
                    ProgressEvent{result->issued, result->completed, result->tokens, last_t_ns_});
    } else if (const auto* error = std::get_if<ErrorEvent>(&*event)) {
      facts_.last_error_event = error->message;
    } else if (const auto* telemetry = std::get_if<TelemetryEvent>(&*event)) {
      board_.record(index_, *telemetry);
    }
  }

  // Whatever the runner wrote comes home, also after a failure: partial files are kept. A
  // session that broke during the run gets one more connection attempt for this.
  void collect(Session& session) {
    if (job_.remote) {
      board_.set_phase(index_, NodePhase::kCollecting);
      if (facts_.run_error) {
        Result<Session> again = launcher_.connect(job_.endpoint);
        if (!again) {
          facts_.collect_error = again.error();
          return;
        }
        session = std::move(again).value();
      }
      const Clock::time_point deadline = Clock::now() + options_.collect_timeout;
      Result<void> collected =
          collect_files(*session, job_.plan.out_dir, job_.plan.collect_dir, deadline);
      if (!collected) facts_.collect_error = collected.error();
    }
    if (facts_.result && !facts_.collect_error) {
      facts_.missing_files = missing_files(job_.plan.collect_dir, facts_.result->files);
    }
  }

  transport::Launcher& launcher_;
  NodeJob job_;  // a copy: set_up() makes its paths absolute
  std::string host_label_;
  const FanoutOptions& options_;
  NodeControl& control_;
  ProgressBoard& board_;
  size_t index_;
  NodeFacts facts_;
  int64_t last_t_ns_ = 0;
};

}  // namespace

report::NodeOutcome run_node(transport::Launcher& launcher, const NodeJob& job,
                             const FanoutOptions& options, NodeControl& control,
                             ProgressBoard& board, size_t index) {
  report::NodeOutcome outcome;
  outcome.name = job.plan.node.name;
  outcome.started_utc = iso_utc(std::chrono::system_clock::now());
  std::error_code error;
  fs::create_directories(job.plan.collect_dir, error);

  NodeWorker worker(launcher, job, options, control, board, index);
  const NodeFacts facts = worker.run();
  outcome.host = worker.host_label();
  const NodeVerdict verdict = decide_node_status(facts);
  outcome.status = verdict.status;
  outcome.error = verdict.error;
  outcome.runner_exit_code = verdict.runner_exit_code;
  outcome.ended_utc = iso_utc(std::chrono::system_clock::now());
  if (Result<void> written = report::write_node_outcome(job.plan.collect_dir, outcome); !written) {
    spdlog::error("{}: {}", outcome.name, written.error().describe());
  }
  board.finish(index, outcome.status, outcome.error);
  return outcome;
}

}  // namespace mlbench::orchestrator::detail
