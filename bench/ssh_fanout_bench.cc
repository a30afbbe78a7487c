// Fan-out start-up cost: wall time to connect to N loopback sshd nodes and run `true` on each,
// with one thread per node, against pssh (parallel-ssh, one ssh(1) per node) on the same nodes.
//
//   ssh_fanout_bench [nodes=32] [repetitions=5]
//
// Every node is a real OpenSSH sshd (tests/support/sshd_fixture) on 127.0.0.2, 127.0.0.3, ...
// The figures include key exchange and authentication, which dominate; "run only" reuses
// connected sessions. Install pssh with `apt-get install pssh` to get the comparison.

#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "mlbench/transport/ssh_launcher.h"

#include "support/sshd_fixture.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace {

using mlbench::transport::Command;
using mlbench::transport::Endpoint;
using mlbench::transport::NodeSession;
using mlbench::transport::OutputHandlers;
using mlbench::transport::SshLauncher;
using Clock = std::chrono::steady_clock;
using Servers = std::vector<std::unique_ptr<mlbench::testing::SshdServer>>;

constexpr const char* kPssh = "/usr/bin/parallel-ssh";

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// CPU seconds this process (the client side) has used so far.
double client_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

Endpoint endpoint_for(const mlbench::testing::SshdServer& server, const std::string& known_hosts) {
  Endpoint endpoint;
  endpoint.name = server.address();
  endpoint.host = server.address();
  endpoint.port = server.port();
  endpoint.user = server.user();
  endpoint.identity_file = server.client_key();
  endpoint.known_hosts_file = known_hosts;
  return endpoint;
}

// One thread per node: connect (unless `sessions` already holds one), run `true`, collect its
// output. Returns the wall time and how many nodes succeeded.
std::pair<double, int> fan_out(const std::vector<Endpoint>& endpoints,
                               std::vector<std::unique_ptr<NodeSession>>& sessions) {
  std::atomic<int> succeeded{0};
  std::vector<std::thread> threads;
  const auto start = Clock::now();
  for (size_t i = 0; i < endpoints.size(); ++i) {
    threads.emplace_back([&, i] {
      if (!sessions[i]) {
        auto connected = SshLauncher().connect(endpoints[i]);
        if (!connected) {
          fmt::print(stderr, "{}\n", connected.error().describe());
          return;
        }
        sessions[i] = std::move(connected).value();
      }
      std::vector<std::string> lines;
      OutputHandlers output;
      output.on_stdout_line = [&](std::string_view line) { lines.emplace_back(line); };
      const auto outcome = sessions[i]->run(Command{{"true"}, ""}, output, {});
      if (outcome.ok() && outcome->exit_code == 0) ++succeeded;
    });
  }
  for (std::thread& thread : threads)
    thread.join();
  return {seconds_since(start), succeeded.load()};
}

}  // namespace

int main(int argc, char** argv) {
  const int nodes = argc > 1 ? std::atoi(argv[1]) : 32;
  const int repetitions = argc > 2 ? std::atoi(argv[2]) : 5;
  if (nodes < 1 || nodes > 200 || repetitions < 1) {
    fmt::print(stderr, "usage: ssh_fanout_bench [nodes 1..200] [repetitions]\n");
    return 2;
  }

  Servers servers;
  mlbench::testing::TempDir scratch;
  std::string known_hosts_text;
  std::string hosts_text;
  const auto setup = Clock::now();
  for (int i = 0; i < nodes; ++i) {
    std::string why_not;
    auto server = mlbench::testing::SshdServer::start(fmt::format("127.0.0.{}", i + 2), &why_not);
    if (!server) {
      fmt::print(stderr, "cannot start sshd {}: {}\n", i, why_not);
      return 1;
    }
    known_hosts_text += server->known_hosts_line() + "\n";
    hosts_text += fmt::format("{}@{}:{}\n", server->user(), server->address(), server->port());
    servers.push_back(std::move(server));
  }
  const std::string known_hosts = scratch.write("known_hosts", known_hosts_text);
  const std::string hosts = scratch.write("hosts", hosts_text);
  std::vector<Endpoint> endpoints;
  for (const auto& server : servers)
    endpoints.push_back(endpoint_for(*server, known_hosts));
  fmt::print("{} sshd nodes up in {:.2f} s; {} cores; median of {} runs\n", nodes,
             seconds_since(setup), std::thread::hardware_concurrency(), repetitions);

  std::vector<double> cold;
  std::vector<double> warm;
  const double cpu_before = client_cpu_seconds();
  for (int r = 0; r < repetitions; ++r) {
    std::vector<std::unique_ptr<NodeSession>> sessions(endpoints.size());
    const auto [connect_and_run, ok_cold] = fan_out(endpoints, sessions);
    const auto [run_only, ok_warm] = fan_out(endpoints, sessions);
    if (ok_cold != nodes || ok_warm != nodes) {
      fmt::print(stderr, "only {} / {} nodes succeeded\n", std::min(ok_cold, ok_warm), nodes);
      return 1;
    }
    cold.push_back(connect_and_run);
    warm.push_back(run_only);
  }
  const double cpu_per_node = (client_cpu_seconds() - cpu_before) / repetitions / nodes;
  fmt::print(
      "mlbench SshLauncher, {} threads: connect+run `true` {:.3f} s, run only {:.3f} s; "
      "client CPU {:.1f} ms per node (connect + 2 runs)\n",
      nodes, median(cold), median(warm), cpu_per_node * 1000);

  if (access(kPssh, X_OK) != 0) {
    fmt::print("pssh: not installed (apt-get install pssh), no comparison\n");
    return 0;
  }
  const std::string ssh_options =
      fmt::format("-i {} -o UserKnownHostsFile={} -o StrictHostKeyChecking=yes -o BatchMode=yes",
                  servers.front()->client_key(), known_hosts);
  std::vector<double> pssh_times;
  // Each node has its own key pair; pssh takes one -i, so authorize the first node's key on
  // every node for this part.
  const std::string first_key = (servers.front()->dir() / "client_ed25519.pub").string();
  for (const auto& server : servers) {
    const std::string authorized = (server->dir() / "authorized_keys").string();
    mlbench::testing::run_process({"/bin/sh", "-c", "cat \"$0\" >> \"$1\"", first_key, authorized});
  }
  for (int r = 0; r < repetitions; ++r) {
    mlbench::testing::ProcessOptions options;
    options.timeout = std::chrono::seconds(120);
    const auto start = Clock::now();
    const auto result =
        mlbench::testing::run_process({kPssh, "-h", hosts, "-p", std::to_string(nodes), "-t", "60",
                                       "-x", ssh_options, "-i", "true"},
                                      options);
    pssh_times.push_back(seconds_since(start));
    if (result.exit_code != 0) {
      fmt::print(stderr, "pssh failed ({}):\n{}{}\n", result.exit_code, result.out, result.err);
      return 1;
    }
  }
  fmt::print("pssh -p {} (one ssh(1) per node): {:.3f} s\n", nodes, median(pssh_times));
  return 0;
}
