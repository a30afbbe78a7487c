#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlbench::config {

// The typed form of config.yaml (design.md §3; every key is documented in docs/config.md).
// Defaults live here, in one place. Paths are stored after `${VAR}` and `~` expansion, and
// controller-side relative paths are resolved against the config file's directory.

enum class LauncherKind { kLocal, kSsh, kKubernetes, kSlurm };
enum class Backend { kCpu, kCuda, kSim };
enum class Scenario { kServer, kOffline, kSingleStream };
enum class Mode { kPerformance, kAccuracy };
enum class HostKeyPolicy { kStrict, kAcceptNew };
enum class RunnerUpload { kNever, kIfNeeded };

std::string_view to_string(LauncherKind kind);
std::string_view to_string(Backend backend);
std::string_view to_string(Scenario scenario);
std::string_view to_string(Mode mode);
std::string_view to_string(HostKeyPolicy policy);
std::string_view to_string(RunnerUpload upload);

// Case-insensitive; nullopt for an unknown name. The lists of valid names are what errors show.
std::optional<LauncherKind> parse_launcher(std::string_view text);
std::optional<Backend> parse_backend(std::string_view text);
std::optional<Scenario> parse_scenario(std::string_view text);
std::optional<Mode> parse_mode(std::string_view text);
std::optional<HostKeyPolicy> parse_host_key_policy(std::string_view text);
std::optional<RunnerUpload> parse_runner_upload(std::string_view text);

// The config key that sets `flag` of `mlbench-runner run` when the controller passes that flag
// itself (orchestrator/plan.cc's runner_argv), so runner.args may not: "--gpus" is
// "nodes[].gpus". Empty for a flag runner.args may carry. "--flag=value" counts as "--flag".
std::string_view runner_flag_key(std::string_view flag);

// Every SSH setting left empty here is taken from the ssh config file (the node's Host block),
// as ssh itself would take it; config.yaml wins where it says something.
struct SshSettings {
  std::string user;              // empty: the ssh config's User, else the controller's user
  std::string identity_file;     // empty: the SSH agent, then the ssh config's and default keys
  std::string known_hosts_file;  // empty: the ssh config's UserKnownHostsFile, else ~/.ssh/...
  // Read for every node; a missing file is fine. `~` is $HOME (after loading: the full path,
  // or empty when HOME is unknown and the key was not written: then none is read).
  std::string config_file = "~/.ssh/config";
  HostKeyPolicy host_key_policy = HostKeyPolicy::kStrict;
  int connect_timeout_s = 10;
  int keepalive_s = 15;
  int max_parallel = 32;
  // A connection that fails (unreachable, refused, no banner) is tried again this many times,
  // waiting retry_backoff_ms, then twice that, ... A refused host key or user key is never
  // retried: trying again cannot change the answer.
  int connect_retries = 2;
  int retry_backoff_ms = 1000;
};

struct ClusterSettings {
  LauncherKind launcher = LauncherKind::kLocal;
  SshSettings ssh;
  int run_timeout_s = 4 * 3600;  // a node's whole run, start to last event
  int collect_timeout_s = 600;   // fetching one node's result files
  // A running runner prints a progress event every half second; this long without any line
  // means the node or its link is gone (a partition sends no error). 0: wait for run_timeout_s.
  // Generous by default because loading a large model may print nothing for a while.
  int heartbeat_timeout_s = 300;
  // After SIGTERM to a runner's process group (timeout, Ctrl-C), how long it may take to write
  // its logs before SIGKILL.
  int kill_grace_s = 10;
};

struct Node {
  std::string name;
  std::string host;       // empty for the local launcher; may be a Host alias of the ssh config
  int port = 0;           // 0: not written: the ssh config's Port, else 22
  std::string user;       // overrides cluster.ssh.user for this node
  std::vector<int> gpus;  // empty: every GPU the node has
};

// Node-side paths (runner.path and .workdir, model.path, dataset.path) may start with `~/`
// for launcher ssh: each node's worker replaces it with that node's $HOME after connecting.
struct RunnerSettings {
  std::string path = "mlbench-runner";  // a bare name is looked up on the node's PATH
  Backend backend = Backend::kCpu;
  std::string workdir = "/var/tmp/mlbench";
  // if_needed: a node whose runner is missing or of another version gets this controller's
  // runner copied to `path` before the run (never for a bare name: there is no place to put it).
  RunnerUpload upload = RunnerUpload::kIfNeeded;
  std::string local_path;  // controller-side runner to upload; empty: the one beside `mlbench`
  // More `mlbench-runner run` options, appended after the ones the controller sets itself
  // (e.g. --max-batch 64, --cuda-graphs off, --telemetry off); see runner_flag_key().
  std::vector<std::string> args;
};

struct ModelSettings {
  std::string name = "llama3_1-8b";  // the MLPerf benchmark name (selects mlperf.conf values)
  std::string path;                  // model directory on the node; not needed by `sim`
};

struct DatasetSettings {
  std::string path;                // cnn_eval.json on the node; not needed by `sim`
  std::optional<int> max_samples;  // cut the dataset to its first N records
  std::string sha256;              // optional; `mlbench preflight` checks the file against it
};

struct BenchmarkSettings {
  Scenario scenario = Scenario::kOffline;  // `mlbench run --scenario` overrides
  Mode mode = Mode::kPerformance;          // `mlbench run --mode` overrides
  std::string user_conf;                   // controller-side; empty: LoadGen defaults only
  int max_output_tokens = 128;
};

struct ReportSettings {
  std::string out_dir = "runs";
  std::vector<std::string> formats = {"json", "md", "html"};
};

struct Config {
  std::string source_path;  // the file it was read from ("<string>" when parsed from text)
  ClusterSettings cluster;
  std::vector<Node> nodes;
  RunnerSettings runner;
  ModelSettings model;
  DatasetSettings dataset;
  BenchmarkSettings benchmark;
  ReportSettings report;
};

// The node names that a `--nodes a,b` filter may use are exactly Node::name values.
std::vector<std::string> node_names(const Config& config);

// "host:port" as configured ("[v6]:port" for IPv6 literals), or just the host when no port was
// written: the ssh config then chooses it.
std::string configured_address(const Node& node);

}  // namespace mlbench::config
