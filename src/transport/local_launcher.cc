#include "mlbench/transport/local_launcher.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "file_copy.h"
#include "output_lines.h"

extern char** environ;

namespace mlbench::transport {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// Closes a file descriptor at scope exit.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

// The child gets its own process group (so the whole tree can be signalled) and default
// signal handling: the controller blocks SIGINT/SIGTERM for its own watcher thread, and a
// child must not inherit that.
Result<pid_t> spawn_in_own_group(const Command& command, int out_fd, int err_fd) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_fd, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_fd, STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  if (!command.working_dir.empty()) {
    posix_spawn_file_actions_addchdir_np(&actions, command.working_dir.c_str());
  }
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t no_signals;
  sigemptyset(&no_signals);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGTERM);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigmask(&attributes, &no_signals);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  posix_spawnattr_setpgroup(&attributes, 0);
  posix_spawnattr_setflags(&attributes,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  std::vector<std::string> words = command.argv;
  std::vector<char*> argv;
  for (std::string& word : words)
    argv.push_back(word.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int status = posix_spawnp(&pid, argv[0], &actions, &attributes, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (status != 0) {
    return fail(ErrorCode::kNotFound,
                fmt::format("cannot start {}: {}", command.argv[0], std::strerror(status)),
                "local");
  }
  return pid;
}

// Output handlers may be left empty by callers that do not care about a stream.
auto line_handler(const std::function<void(std::string_view)>& on_line) {
  return [&on_line](std::string_view line) {
    if (on_line) on_line(line);
  };
}

// Reads both pipes until they close, handing out lines, while watching the clock, the cancel
// flag and the child. Stopping is escalated: SIGTERM to the group, SIGKILL after the grace.
class ChildWatch {
 public:
  ChildWatch(pid_t pid, int out_fd, int err_fd, const OutputHandlers& output,
             const RunLimits& limits)
      : pid_(pid), limits_(limits), deadline_(Clock::now() + limits.timeout), output_(output) {
    fds_[0] = {out_fd, POLLIN, 0};
    fds_[1] = {err_fd, POLLIN, 0};
  }

  ProcessOutcome wait() {
    constexpr int kPollSliceMs = 100;  // how often the cancel flag is looked at
    while (open_streams_ > 0 || !reaped_) {
      escalate_if_needed();
      if (open_streams_ > 0) {
        if (poll(fds_, 2, kPollSliceMs) < 0 && errno != EINTR) break;
        drain();
      } else {
        reap(/*block=*/false);
        if (!reaped_) usleep(kPollSliceMs * 1000);
      }
      if (!reaped_) reap(/*block=*/false);
      // The child is gone but something it started still holds the pipes: stop it too.
      if (reaped_ && open_streams_ > 0 && !term_sent_) signal_group(SIGTERM);
    }
    stdout_lines_.finish(line_handler(output_.on_stdout_line));
    stderr_lines_.finish(line_handler(output_.on_stderr_line));
    return outcome_;
  }

 private:
  void drain() {
    OutputLines* splitters[2] = {&stdout_lines_, &stderr_lines_};
    const std::function<void(std::string_view)>* handlers[2] = {&output_.on_stdout_line,
                                                                &output_.on_stderr_line};
    for (int i = 0; i < 2; ++i) {
      if (fds_[i].fd < 0 || fds_[i].revents == 0) continue;
      char buffer[8192];
      const ssize_t n = read(fds_[i].fd, buffer, sizeof buffer);
      if (n > 0) {
        splitters[i]->append(std::string_view(buffer, static_cast<size_t>(n)),
                             line_handler(*handlers[i]));
      } else if (n == 0 || errno != EINTR) {
        fds_[i].fd = -1;  // closed by the owning Fd in run()
        --open_streams_;
      }
    }
  }

  void reap(bool block) {
    int status = 0;
    const pid_t done = waitpid(pid_, &status, block ? 0 : WNOHANG);
    if (done != pid_) return;
    reaped_ = true;
    if (WIFEXITED(status)) outcome_.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) outcome_.signal = WTERMSIG(status);
  }

  void signal_group(int signal) {
    kill(-pid_, signal);
    if (signal == SIGTERM) {
      term_sent_ = true;
      kill_at_ = Clock::now() + limits_.kill_grace;
    } else {
      kill_sent_ = true;
    }
  }

  void escalate_if_needed() {
    const auto now = Clock::now();
    if (!term_sent_) {
      if (now >= deadline_) {
        outcome_.timed_out = true;
        signal_group(SIGTERM);
      } else if (limits_.cancel != nullptr && limits_.cancel->load()) {
        outcome_.cancelled = true;
        signal_group(SIGTERM);
      }
    } else if (!kill_sent_ && (now >= kill_at_ || kill_now())) {
      signal_group(SIGKILL);
    }
  }

  bool kill_now() const { return limits_.kill_now != nullptr && limits_.kill_now->load(); }

  pid_t pid_;
  const RunLimits& limits_;
  Clock::time_point deadline_;
  Clock::time_point kill_at_{};
  const OutputHandlers& output_;
  OutputLines stdout_lines_;
  OutputLines stderr_lines_;
  pollfd fds_[2];
  int open_streams_ = 2;
  bool reaped_ = false;
  bool term_sent_ = false;
  bool kill_sent_ = false;
  ProcessOutcome outcome_;
};

class LocalSession final : public NodeSession {
 public:
  Result<ProcessOutcome> run(const Command& command, const OutputHandlers& output,
                             const RunLimits& limits) override {
    if (command.argv.empty()) {
      return fail(ErrorCode::kInvalidArgument, "empty command", "local");
    }
    int out_pipe[2];
    int err_pipe[2];
    if (pipe2(out_pipe, O_CLOEXEC) != 0) {
      return fail(ErrorCode::kIo, fmt::format("pipe: {}", std::strerror(errno)), "local");
    }
    Fd out_read(out_pipe[0]);
    Fd out_write(out_pipe[1]);
    if (pipe2(err_pipe, O_CLOEXEC) != 0) {
      return fail(ErrorCode::kIo, fmt::format("pipe: {}", std::strerror(errno)), "local");
    }
    Fd err_read(err_pipe[0]);
    Fd err_write(err_pipe[1]);
    auto pid = spawn_in_own_group(command, out_write.get(), err_write.get());
    if (!pid) return pid.failure();
    out_write.reset();  // only the child may hold the write ends, so EOF means it is done
    err_write.reset();
    return ChildWatch(*pid, out_read.get(), err_read.get(), output, limits).wait();
  }

  Result<void> upload(const std::string& local_path, const std::string& remote_path,
                      std::optional<uint32_t> mode = std::nullopt) override {
    return detail::copy_file_atomically(local_path, remote_path, mode);
  }

  Result<void> download(const std::string& remote_path, const std::string& local_path) override {
    return detail::copy_file_atomically(remote_path, local_path);
  }

  Result<std::vector<RemoteFile>> list_files(const std::string& remote_dir) override {
    std::error_code error;
    std::vector<RemoteFile> files;
    for (const auto& entry : fs::directory_iterator(remote_dir, error)) {
      if (!entry.is_regular_file()) continue;
      files.push_back(RemoteFile{entry.path().filename().string(), entry.file_size()});
    }
    if (error) {
      return fail(ErrorCode::kNotFound, fmt::format("cannot list: {}", error.message()),
                  remote_dir);
    }
    return files;
  }

  Result<void> make_directories(const std::string& remote_dir) override {
    std::error_code error;
    fs::create_directories(remote_dir, error);
    if (error) {
      return fail(ErrorCode::kIo, fmt::format("cannot create: {}", error.message()), remote_dir);
    }
    return {};
  }
};

}  // namespace

Result<std::unique_ptr<NodeSession>> LocalLauncher::connect(const Endpoint&) {
  return std::unique_ptr<NodeSession>(std::make_unique<LocalSession>());
}

}  // namespace mlbench::transport
