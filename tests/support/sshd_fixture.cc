#include "support/sshd_fixture.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>
#include <vector>

#include "support/subprocess.h"

extern char** environ;

namespace mlbench::testing {
namespace {

constexpr const char* kSshd = "/usr/sbin/sshd";
constexpr const char* kSshKeygen = "/usr/bin/ssh-keygen";
constexpr auto kStartWait = std::chrono::seconds(5);

sockaddr_in loopback(const std::string& address, int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, address.c_str(), &addr.sin_addr);
  return addr;
}

bool accepts_connections(const std::string& address, int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const sockaddr_in addr = loopback(address, port);
  const bool ok = connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

bool generate_key(const std::string& path, std::string* why_not) {
  ProcessOptions options;
  options.timeout = std::chrono::seconds(10);
  const ProcessResult made = run_process(
      {kSshKeygen, "-q", "-t", "ed25519", "-N", "", "-C", "mlbench-test", "-f", path}, options);
  if (made.exit_code != 0) {
    *why_not = "ssh-keygen failed: " + made.err;
    return false;
  }
  return true;
}

std::string first_line(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

// "ssh-ed25519 AAAA... comment" -> "ssh-ed25519 AAAA..."
std::string key_without_comment(const std::string& line) {
  const size_t first = line.find(' ');
  const size_t second = first == std::string::npos ? first : line.find(' ', first + 1);
  return line.substr(0, second);
}

// Every live process whose ancestry leads to `root`, found through /proc.
std::vector<pid_t> descendants(pid_t root) {
  std::multimap<pid_t, pid_t> children;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string text;
    std::getline(stat, text);
    const size_t close_paren = text.rfind(')');
    if (close_paren == std::string::npos) continue;
    std::istringstream fields(text.substr(close_paren + 2));
    char state = 0;
    pid_t parent = 0;
    fields >> state >> parent;
    children.emplace(parent, static_cast<pid_t>(std::stol(name)));
  }
  std::vector<pid_t> found;
  std::vector<pid_t> pending = {root};
  while (!pending.empty()) {
    const pid_t pid = pending.back();
    pending.pop_back();
    const auto [begin, end] = children.equal_range(pid);
    for (auto it = begin; it != end; ++it) {
      found.push_back(it->second);
      pending.push_back(it->second);
    }
  }
  return found;
}

}  // namespace

int free_port(const std::string& address) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr = loopback(address, 0);
  socklen_t length = sizeof addr;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

SshdServer::SshdServer(std::string address, std::string log_level, std::string extra_config)
    : address_(std::move(address)),
      log_level_(std::move(log_level)),
      extra_config_(std::move(extra_config)) {}

std::unique_ptr<SshdServer> SshdServer::prepare(const std::string& address,
                                                const std::string& log_level,
                                                const std::string& extra_config,
                                                std::string* why_not) {
  if (access(kSshd, X_OK) != 0 || access(kSshKeygen, X_OK) != 0) {
    *why_not = "OpenSSH is not installed (run scripts/install-deps.sh for openssh-server)";
    return nullptr;
  }
  // sshd started as root insists on its privilege separation directory, which the package
  // creates only at boot.
  if (geteuid() == 0) mkdir("/run/sshd", 0755);

  std::unique_ptr<SshdServer> server(new SshdServer(address, log_level, extra_config));
  const std::filesystem::path& dir = server->dir();
  for (const char* key :
       {"host_ed25519", "other_host_ed25519", "client_ed25519", "stranger_ed25519"}) {
    if (!generate_key((dir / key).string(), why_not)) return nullptr;
  }
  std::filesystem::copy_file(dir / "client_ed25519.pub", dir / "authorized_keys");
  return server;
}

std::unique_ptr<SshdServer> SshdServer::start(const std::string& address, std::string* why_not,
                                              const std::string& log_level,
                                              const std::string& extra_config) {
  std::unique_ptr<SshdServer> server = prepare(address, log_level, extra_config, why_not);
  if (!server) return nullptr;
  // A port can be taken between free_port() and sshd's bind; then try another.
  for (int attempt = 0; attempt < 3; ++attempt) {
    if (server->launch(free_port(address), why_not)) return server;
  }
  return nullptr;
}

std::unique_ptr<SshdServer> SshdServer::start_in_namespace(const std::string& netns,
                                                           const std::string& address, int port,
                                                           std::string* why_not) {
  std::unique_ptr<SshdServer> server = prepare(address, "VERBOSE", "", why_not);
  if (!server) return nullptr;
  server->wrapper_ = {"/usr/sbin/ip", "netns", "exec", netns};
  if (!server->launch(port, why_not)) return nullptr;
  return server;
}

bool SshdServer::launch(int port, std::string* why_not) {
  port_ = port;
  const std::filesystem::path& d = dir();
  const std::string config = dir_.write("sshd_config", [&] {
    std::ostringstream text;
    text << "ListenAddress " << address_ << ":" << port_ << "\n"
         << "HostKey " << (d / "host_ed25519").string() << "\n"
         << "PidFile " << (d / "sshd.pid").string() << "\n"
         << "AuthorizedKeysFile " << (d / "authorized_keys").string() << "\n"
         << "UsePAM no\n"
         << "StrictModes no\n"
         << "PubkeyAuthentication yes\n"
         << "PasswordAuthentication no\n"
         << "KbdInteractiveAuthentication no\n"
         << "PermitRootLogin prohibit-password\n"
         << "UseDNS no\n"
         << "PrintMotd no\n"
         << "PrintLastLog no\n"
         << "LoginGraceTime 20\n"
         << "MaxStartups 100\n"
         << "MaxSessions 100\n"
         << "Subsystem sftp internal-sftp\n"
         << "LogLevel " << log_level_ << "\n"
         << extra_config_;
    return text.str();
  }());
  const std::string log_path = (d / "sshd.log").string();

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  std::vector<std::string> args = wrapper_;
  args.insert(args.end(), {kSshd, "-D", "-e", "-f", config});
  std::vector<char*> argv;
  for (std::string& arg : args)
    argv.push_back(arg.data());
  argv.push_back(nullptr);
  const int spawned = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    pid_ = -1;
    *why_not = std::string("cannot start sshd: ") + strerror(spawned);
    return false;
  }

  const auto deadline = std::chrono::steady_clock::now() + kStartWait;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      *why_not = "sshd exited at start: " + log();
      return false;
    }
    if (accepts_connections(address_, port_)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  *why_not = "sshd did not listen within 5 s: " + log();
  kill_all();
  return false;
}

SshdServer::~SshdServer() {
  kill_all();
}

void SshdServer::kill_all() {
  if (pid_ < 0) return;
  // Stop the listener first so that it forks nothing new, then everything below it.
  const std::vector<pid_t> below = descendants(pid_);
  kill(pid_, SIGKILL);
  for (const pid_t pid : below)
    kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

std::string SshdServer::user() const {
  const passwd* entry = getpwuid(geteuid());
  return entry != nullptr ? entry->pw_name : "";
}

std::string SshdServer::known_hosts_line() const {
  return "[" + address_ + "]:" + std::to_string(port_) + " " +
         key_without_comment(first_line(dir() / "host_ed25519.pub"));
}

std::string SshdServer::wrong_known_hosts_line() const {
  return "[" + address_ + "]:" + std::to_string(port_) + " " +
         key_without_comment(first_line(dir() / "other_host_ed25519.pub"));
}

std::string SshdServer::write_known_hosts(const std::string& name,
                                          const std::string& content) const {
  return dir_.write(name, content);
}

void SshdServer::authorize_key(const std::string& private_key) const {
  std::ofstream out(dir() / "authorized_keys", std::ios::app);
  out << first_line(private_key + ".pub") << "\n";
}

std::string SshdServer::log() const {
  std::ifstream in(dir() / "sshd.log");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace mlbench::testing
