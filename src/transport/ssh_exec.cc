#include "transport/ssh_exec.h"

#include <fmt/format.h>
#include <libssh/callbacks.h>
#include <libssh/server.h>  // ssh_send_keepalive, which clients may use too
#include <signal.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <vector>

#include "mlbench/transport/shell_quote.h"

#include "transport/output_lines.h"
#include "transport/ssh_handles.h"

namespace mlbench::transport {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr std::string_view kGroupLinePrefix = "mlbench-pgid:";
constexpr milliseconds kPollStep{50};
// After SIGKILL the group is gone within moments; this only bounds the wait for sshd to say so.
constexpr milliseconds kWaitAfterKill{5000};

// How run() stops a remote command.
//
// An exec request without a PTY gives no way to stop the command: closing the channel leaves it
// running, and the "signal" channel request cannot be relied on (it gets no reply, servers may
// ignore it, and OpenSSH refuses it for some sessions, e.g. root logins: "session signalling
// requires privilege separation"). So the command must be stoppable by process group, with
// `kill -TERM -<pgid>` sent over a second channel, then `kill -KILL -<pgid>` after
// RunLimits::kill_grace.
//
// sshd runs the exec line as `$SHELL -c LINE`. LINE replaces that shell with /bin/sh running
// the script below ($0 is the script itself, $1 a "setsid done" flag, $2 the working
// directory, the rest the command). OpenSSH already calls setsid() for each session, which
// makes the shell a process group leader; the script checks that (`kill -0 -$$` succeeds only
// if a process group numbered $$ exists, i.e. we lead it) and otherwise re-execs itself under
// setsid(1), which does not fork for a non-leader. Then it prints "mlbench-pgid:$$" as the
// first stdout line (run() consumes that line) and execs the command, which keeps the pid and
// so the group: sshd still reports the command's own exit status or signal, and the group
// holds every child that does not deliberately leave it. `exec` throughout keeps the process
// tree one process deep. Every word reaches the remote shell through shell_quote.
constexpr std::string_view kWrapperScript =
    "if [ \"$1\" = 0 ] && ! kill -0 -$$ 2>/dev/null; then "
    "shift; exec setsid /bin/sh -c \"$0\" \"$0\" 1 \"$@\"; fi; "
    "shift; echo \"mlbench-pgid:$$\"; "
    "if [ -n \"$1\" ]; then cd \"$1\" || exit 126; fi; "
    "shift; exec \"$@\"";

struct ExitState {
  std::optional<int> status;
  std::string signal;  // SSH's name, "TERM"
  bool known() const { return status.has_value() || !signal.empty(); }
};

void on_exit_status(ssh_session, ssh_channel, int status, void* userdata) {
  static_cast<ExitState*>(userdata)->status = status;
}

void on_exit_signal(ssh_session, ssh_channel, const char* signal, int, const char*, const char*,
                    void* userdata) {
  static_cast<ExitState*>(userdata)->signal = signal != nullptr ? signal : "";
}

// Puts the session into a poll event for the duration of run(), so that waiting blocks on the
// socket (ssh_channel_poll_timeout returns at once after EOF and would spin while the exit
// status is still on its way).
class SessionEvent {
 public:
  explicit SessionEvent(ssh_session session) : session_(session), event_(ssh_event_new()) {
    if (event_ && ssh_event_add_session(event_.get(), session_) != SSH_OK) event_.reset();
  }
  ~SessionEvent() {
    if (event_) ssh_event_remove_session(event_.get(), session_);
  }
  SessionEvent(const SessionEvent&) = delete;
  SessionEvent& operator=(const SessionEvent&) = delete;

  bool ok() const { return event_ != nullptr; }
  int poll(milliseconds timeout) {
    return ssh_event_dopoll(event_.get(), static_cast<int>(timeout.count()));
  }

 private:
  ssh_session session_;
  SshEventPtr event_;
};

std::string where(const Endpoint& endpoint) {
  return endpoint.name.empty() ? endpoint.host : endpoint.name;
}

// Sends `kill -SIGNAL -PGID` on a channel of its own. The channel is returned open, so the
// caller closes it only after the kill has had time to run.
Result<SshChannelPtr> signal_group(ssh_session session, long pgid, std::string_view signal,
                                   const Endpoint& endpoint) {
  SshChannelPtr channel(ssh_channel_new(session));
  const std::string line =
      shell_join({"kill", fmt::format("-{}", signal), fmt::format("-{}", pgid)});
  // libssh's last error may be an older one (an SFTP call's), so say which step failed and
  // quote it only as what libssh last reported.
  const char* step = nullptr;
  if (!channel) {
    step = "no new channel";
  } else if (ssh_channel_open_session(channel.get()) != SSH_OK) {
    step = "the connection did not open a channel (lost?)";
  } else if (ssh_channel_request_exec(channel.get(), line.c_str()) != SSH_OK) {
    step = "the node refused to run kill";
  }
  if (step != nullptr) {
    return fail(ErrorCode::kConnection,
                fmt::format("cannot send SIG{} to the remote process group {}: {} (libssh: {})",
                            signal, pgid, step, ssh_get_error(session)),
                where(endpoint));
  }
  ssh_channel_send_eof(channel.get());
  return channel;
}

// A long but representable deadline for "no limit".
Clock::time_point deadline_after(milliseconds timeout) {
  const auto cap = std::chrono::duration_cast<milliseconds>(std::chrono::hours(24 * 365 * 10));
  return Clock::now() + std::clamp(timeout, milliseconds(0), cap);
}

// One remote command from exec request to exit: reads both streams as they come, watches the
// deadline and the cancel flag, and stops the process group when either fires.
class RemoteRun {
 public:
  RemoteRun(ssh_session session, const Endpoint& endpoint, const OutputHandlers& output,
            const RunLimits& limits)
      : session_(session), endpoint_(endpoint), output_(output), limits_(limits) {}

  Result<ProcessOutcome> run(const Command& command) {
    callbacks_.userdata = &exit_;
    callbacks_.channel_exit_status_function = on_exit_status;
    callbacks_.channel_exit_signal_function = on_exit_signal;
    ssh_callbacks_init(&callbacks_);

    channel_.reset(ssh_channel_new(session_));
    const std::string line = remote_command_line(command);
    if (!channel_ || ssh_channel_open_session(channel_.get()) != SSH_OK ||
        ssh_set_channel_callbacks(channel_.get(), &callbacks_) != SSH_OK ||
        ssh_channel_request_exec(channel_.get(), line.c_str()) != SSH_OK) {
      return fail(
          ErrorCode::kConnection,
          fmt::format("cannot start `{}`: {}", shell_join(command.argv), ssh_get_error(session_)),
          where(endpoint_));
    }
    ssh_channel_send_eof(channel_.get());  // the command gets an empty stdin

    SessionEvent event(session_);
    if (!event.ok()) return fail(ErrorCode::kInternal, "cannot poll the SSH session");
    if (Result<void> pumped = pump(event); !pumped) return pumped.failure();
    return outcome();
  }

 private:
  enum class Phase { kRunning, kTerminating, kKilling };

  Result<void> pump(SessionEvent& event) {
    const Clock::time_point deadline = deadline_after(limits_.timeout);
    Clock::time_point last_keepalive = Clock::now();
    Clock::time_point next_step = Clock::time_point::max();
    while (true) {
      if (Result<void> read = drain(); !read) return read;
      if (ssh_channel_is_closed(channel_.get()) ||
          (ssh_channel_is_eof(channel_.get()) && exit_.known())) {
        // Reading stderr may have processed packets that put more stdout in the buffer.
        return drain();
      }
      const Clock::time_point now = Clock::now();
      if (phase_ == Phase::kRunning) {
        outcome_.timed_out = now >= deadline;
        outcome_.cancelled =
            !outcome_.timed_out && limits_.cancel != nullptr && limits_.cancel->load();
        if (outcome_.timed_out || outcome_.cancelled) {
          phase_ = Phase::kTerminating;
          next_step = now + limits_.kill_grace;
        }
      }
      if (phase_ == Phase::kTerminating && !term_sent_ && pgid_) {
        Result<SshChannelPtr> sent = signal_group(session_, *pgid_, "TERM", endpoint_);
        if (!sent) return sent.failure();
        kill_channels_.push_back(std::move(sent).value());
        term_sent_ = true;
      }
      const bool kill_now = limits_.kill_now != nullptr && limits_.kill_now->load();
      if (phase_ == Phase::kTerminating && (now >= next_step || (kill_now && term_sent_))) {
        if (!pgid_) {
          return fail(ErrorCode::kInternal,
                      "cannot stop the remote command: it never reported its process group",
                      where(endpoint_));
        }
        Result<SshChannelPtr> sent = signal_group(session_, *pgid_, "KILL", endpoint_);
        if (!sent) return sent.failure();
        kill_channels_.push_back(std::move(sent).value());
        phase_ = Phase::kKilling;
        next_step = now + kWaitAfterKill;
      }
      if (phase_ == Phase::kKilling && now >= next_step) return {};  // report what we know
      keep_alive(now, last_keepalive);

      // The deadline counts only until it fires; a past one would make the wait negative,
      // which poll() takes for "forever".
      Clock::time_point wake = std::min(now + kPollStep, next_step);
      if (phase_ == Phase::kRunning) wake = std::min(wake, deadline);
      const milliseconds wait =
          std::max(milliseconds(0), std::chrono::duration_cast<milliseconds>(wake - now)) +
          milliseconds(1);
      if (event.poll(wait) == SSH_ERROR || ssh_is_connected(session_) == 0) {
        return fail(
            ErrorCode::kConnection,
            fmt::format("lost the connection while the command ran: {}", ssh_get_error(session_)),
            where(endpoint_));
      }
    }
  }

  // libssh 0.10 has no keepalive of its own (ServerAliveInterval is ignored), so send
  // OpenSSH's keepalive request while a command runs; a dead link then fails the write instead
  // of idling forever. Between commands the session does no I/O and needs none.
  void keep_alive(Clock::time_point now, Clock::time_point& last) {
    if (endpoint_.keepalive_interval.count() <= 0 || now - last < endpoint_.keepalive_interval) {
      return;
    }
    ssh_send_keepalive(session_);
    last = now;
  }

  Result<void> drain() {
    std::array<char, 16384> buffer;
    for (const int is_stderr : {0, 1}) {
      while (true) {
        const int n = ssh_channel_read_nonblocking(channel_.get(), buffer.data(),
                                                   static_cast<uint32_t>(buffer.size()), is_stderr);
        if (n == SSH_ERROR) {
          return fail(
              ErrorCode::kConnection,
              fmt::format("reading the command's output failed: {}", ssh_get_error(session_)),
              where(endpoint_));
        }
        if (n <= 0) break;  // nothing more for now, or SSH_EOF
        const std::string_view bytes(buffer.data(), static_cast<size_t>(n));
        if (is_stderr) {
          stderr_.append(bytes, [&](std::string_view l) { emit_stderr(l); });
        } else {
          stdout_.append(bytes, [&](std::string_view l) { emit_stdout(l); });
        }
      }
    }
    return {};
  }

  void emit_stdout(std::string_view line) {
    if (!first_line_seen_) {
      first_line_seen_ = true;
      pgid_ = parse_process_group_line(line);
      if (pgid_) return;  // ours, not the command's
    }
    if (output_.on_stdout_line) output_.on_stdout_line(line);
  }
  void emit_stderr(std::string_view line) {
    if (output_.on_stderr_line) output_.on_stderr_line(line);
  }

  Result<ProcessOutcome> outcome() {
    stdout_.finish([&](std::string_view l) { emit_stdout(l); });
    stderr_.finish([&](std::string_view l) { emit_stderr(l); });
    if (exit_.status) {
      outcome_.exit_code = *exit_.status;
    } else if (!exit_.signal.empty()) {
      outcome_.signal = signal_number(exit_.signal);
    } else if (phase_ == Phase::kRunning) {
      // Not "exit 0": sshd closed the channel without saying how the command ended (e.g.
      // OpenSSH's ChannelTimeout), and the command may still be running.
      return fail(ErrorCode::kConnection,
                  "the node closed the command's channel without an exit status", where(endpoint_));
    }
    return outcome_;
  }

  ssh_session session_;
  const Endpoint& endpoint_;
  const OutputHandlers& output_;
  const RunLimits& limits_;

  // Declared before the channels so that it outlives them.
  ssh_channel_callbacks_struct callbacks_{};
  ExitState exit_;
  SshChannelPtr channel_;
  std::vector<SshChannelPtr> kill_channels_;

  OutputLines stdout_;
  OutputLines stderr_;
  bool first_line_seen_ = false;
  std::optional<long> pgid_;
  Phase phase_ = Phase::kRunning;
  bool term_sent_ = false;
  ProcessOutcome outcome_;
};

}  // namespace

std::string remote_command_line(const Command& command) {
  // cd would take a directory starting with '-' for an option.
  std::string dir = command.working_dir;
  if (!dir.empty() && dir.front() == '-') dir = "./" + dir;
  std::vector<std::string> words = {
      "exec", "/bin/sh", "-c", std::string(kWrapperScript), std::string(kWrapperScript), "0", dir};
  words.insert(words.end(), command.argv.begin(), command.argv.end());
  return shell_join(words);
}

std::optional<long> parse_process_group_line(std::string_view line) {
  if (!line.starts_with(kGroupLinePrefix)) return std::nullopt;
  line.remove_prefix(kGroupLinePrefix.size());
  long pgid = 0;
  const auto [end, error] = std::from_chars(line.data(), line.data() + line.size(), pgid);
  if (error != std::errc() || end != line.data() + line.size() || pgid <= 1) return std::nullopt;
  return pgid;
}

int signal_number(std::string_view ssh_name) {
  struct Named {
    std::string_view name;
    int number;
  };
  static constexpr std::array<Named, 15> kSignals = {{{"ABRT", SIGABRT},
                                                      {"ALRM", SIGALRM},
                                                      {"BUS", SIGBUS},
                                                      {"FPE", SIGFPE},
                                                      {"HUP", SIGHUP},
                                                      {"ILL", SIGILL},
                                                      {"INT", SIGINT},
                                                      {"KILL", SIGKILL},
                                                      {"PIPE", SIGPIPE},
                                                      {"QUIT", SIGQUIT},
                                                      {"SEGV", SIGSEGV},
                                                      {"TERM", SIGTERM},
                                                      {"USR1", SIGUSR1},
                                                      {"USR2", SIGUSR2},
                                                      {"XCPU", SIGXCPU}}};
  for (const Named& signal : kSignals) {
    if (signal.name == ssh_name) return signal.number;
  }
  return 0;
}

Result<ProcessOutcome> run_remote_command(ssh_session session, const Endpoint& endpoint,
                                          const Command& command, const OutputHandlers& output,
                                          const RunLimits& limits) {
  if (command.argv.empty()) {
    return fail(ErrorCode::kInvalidArgument, "no command to run", where(endpoint));
  }
  RemoteRun run(session, endpoint, output, limits);
  return run.run(command);
}

}  // namespace mlbench::transport
