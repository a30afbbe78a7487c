#pragma once

// The jw2/jw3 cluster of config/cluster.example.yaml on loopback: two real sshd (127.0.0.2 and
// 127.0.0.3) that accept one client key, a known_hosts file for both, a config.yaml that runs
// the sim backend over SSH with short timeouts, and `mlbench run` on it.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/background_process.h"
#include "support/sshd_fixture.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace mlbench::orchestrator {

namespace fs = std::filesystem;

// Offline, 200 samples of the default sim: about 3.5 s, with a progress event every 0.5 s.
inline constexpr const char* kUserConf =
    "*.Offline.min_duration = 1000\n"
    "*.Offline.min_query_count = 200\n"
    "*.Offline.target_qps = 50\n"
    "*.Offline.performance_sample_count_override = 200\n";

struct ClusterNode {
  std::string name;
  std::string host;
  int port = 0;
};

class ClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why_not;
    jw2_ = testing::SshdServer::start("127.0.0.2", &why_not);
    if (jw2_) jw3_ = testing::SshdServer::start("127.0.0.3", &why_not);
    if (!jw2_ || !jw3_) GTEST_SKIP() << "no sshd: " << why_not;
    jw3_->authorize_key(jw2_->client_key());
    work_dir_ = (dir_.path() / "node-work").string();
    nodes_ = {{"jw2", "127.0.0.2", jw2_->port()}, {"jw3", "127.0.0.3", jw3_->port()}};
    known_hosts_ = dir_.write("known_hosts",
                              jw2_->known_hosts_line() + "\n" + jw3_->known_hosts_line() + "\n");
    settings_ = {
        {"identity_file", jw2_->client_key()},
        {"runner", testing::binary_path("mlbench-runner")},
        {"run_timeout_s", "60"},
        {"heartbeat_timeout_s", "20"},
        {"connect_retries", "1"},
    };
    dir_.write("user.conf", kUserConf);
  }

  // config.yaml for the cluster; settings_ and nodes_ may be changed before.
  std::string write_config() {
    std::string nodes;
    for (const ClusterNode& node : nodes_) {
      nodes += "  - {name: " + node.name + ", host: " + node.host +
               ", port: " + std::to_string(node.port) + "}\n";
    }
    return dir_.write("config.yaml",
                      "cluster:\n"
                      "  launcher: ssh\n"
                      "  ssh:\n"
                      "    user: " +
                          jw2_->user() +
                          "\n"
                          "    identity_file: " +
                          quoted(settings_.at("identity_file")) +
                          "\n"
                          "    known_hosts_file: " +
                          quoted(known_hosts_) +
                          "\n"
                          "    connect_timeout_s: 2\n"
                          "    keepalive_s: 1\n"
                          "    connect_retries: " +
                          settings_.at("connect_retries") +
                          "\n"
                          "    retry_backoff_ms: 100\n"
                          "  run_timeout_s: " +
                          settings_.at("run_timeout_s") +
                          "\n"
                          "  collect_timeout_s: 20\n"
                          "  heartbeat_timeout_s: " +
                          settings_.at("heartbeat_timeout_s") +
                          "\n"
                          "  kill_grace_s: " +
                          setting("kill_grace_s", "2") +
                          "\n"
                          "nodes:\n" +
                          nodes +
                          "runner:\n"
                          "  path: " +
                          quoted(settings_.at("runner")) +
                          "\n"
                          "  backend: " +
                          setting("backend", "sim") +
                          "\n"
                          "  workdir: " +
                          quoted(work_dir_) + "\n" + model_sections_ +
                          "benchmark: {scenario: offline, user_conf: user.conf, "
                          "max_output_tokens: " +
                          setting("max_output_tokens", "128") +
                          "}\n"
                          "report: {out_dir: runs}\n");
  }

  std::string setting(const std::string& key, const std::string& otherwise) const {
    const auto found = settings_.find(key);
    return found == settings_.end() ? otherwise : found->second;
  }

  // For the model backends (settings_["backend"] = "cpu"): the model and dataset on the nodes.
  // The nodes are this machine, so the controller's absolute paths are theirs.
  void use_model(const std::string& model_dir, const std::string& dataset, int max_samples) {
    model_sections_ = "model: {path: " + quoted(model_dir) +
                      "}\ndataset: {path: " + quoted(dataset) +
                      ", max_samples: " + std::to_string(max_samples) + "}\n";
  }

  // YAML double-quoted scalar.
  static std::string quoted(const std::string& text) {
    std::string out = "\"";
    for (const char c : text) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    return out + "\"";
  }

  std::vector<std::string> run_args() {
    return {testing::binary_path("mlbench"), "run", "-c", write_config()};
  }

  testing::ProcessResult run_mlbench() {
    testing::ProcessOptions options;
    options.timeout = std::chrono::seconds(90);
    return testing::run_process(run_args(), options);
  }

  // A runner that is the real one on every node but `node`, where it does `misbehaviour`
  // (shell text) first. The node is told apart by the --out directory plan.cc gives it.
  void use_runner_misbehaving_on(const std::string& node, const std::string& misbehaviour) {
    const std::string real = testing::binary_path("mlbench-runner");
    const std::string path =
        dir_.write("fake-runner.sh",
                   "#!/bin/sh\n"
                   "out=; prev=\n"
                   "for a in \"$@\"; do [ \"$prev\" = --out ] && out=$a; prev=$a; done\n"
                   "case \"$out\" in */" +
                       node + ") " + misbehaviour +
                       " ;; esac\n"
                       "exec '" +
                       real + "' \"$@\"\n");
    fs::permissions(path, fs::perms::owner_all);
    settings_["runner"] = path;
  }

  // What the run left on disk; public for the checks shared by several tests.
 public:
  // The one run directory under runs/.
  fs::path run_dir() const {
    const fs::path runs = dir_.path() / "runs";
    if (!fs::is_directory(runs)) return {};
    for (const auto& entry : fs::directory_iterator(runs))
      return entry.path();
    return {};
  }

  fs::path node_dir(const std::string& node) const { return run_dir() / "nodes" / node; }

  nlohmann::json node_json(const std::string& node) const {
    const fs::path path = node_dir(node) / "node.json";
    if (!fs::exists(path)) return nullptr;
    return nlohmann::json::parse(testing::read_file(path));
  }

  // report.json of the run (docs/report-schema.md), or null when it was not written.
  nlohmann::json report() const {
    const fs::path dir = run_dir();
    if (dir.empty() || !fs::exists(dir / "report.json")) return nullptr;
    return nlohmann::json::parse(testing::read_file(dir / "report.json"));
  }

  // The node's entry in report.json's `nodes`, or null.
  nlohmann::json reported_node(const std::string& node) const {
    const nlohmann::json all = report();
    if (!all.is_object()) return nullptr;
    for (const nlohmann::json& entry : all.at("nodes")) {
      if (entry.at("name") == node) return entry;
    }
    return nullptr;
  }

  // What a user opens first after any run: the three report files, report.json listing every
  // node of the config (by name, sorted), each with a status, and the aggregate counting them.
  void expect_report_lists_every_node() const {
    const fs::path dir = run_dir();
    ASSERT_FALSE(dir.empty()) << "no run directory";
    for (const char* file : {"report.json", "report.md", "report.html"}) {
      EXPECT_TRUE(fs::exists(dir / file)) << file;
    }
    const nlohmann::json all = report();
    ASSERT_TRUE(all.is_object()) << "no report.json";
    EXPECT_EQ(all.at("run").at("id"), dir.filename().string());
    std::vector<std::string> expected;
    for (const ClusterNode& node : nodes_)
      expected.push_back(node.name);
    std::sort(expected.begin(), expected.end());
    std::vector<std::string> listed;
    for (const nlohmann::json& entry : all.at("nodes")) {
      listed.push_back(entry.at("name").get<std::string>());
      EXPECT_EQ(entry.at("status_source"), "node.json") << entry.at("name");
    }
    EXPECT_EQ(listed, expected);
    EXPECT_EQ(all.at("aggregate").at("nodes"), expected.size());
  }

  // A node the report shows as ok: no error, every sample completed, VALID, and throughput.
  void expect_reported_ok(const std::string& node) const {
    const nlohmann::json entry = reported_node(node);
    ASSERT_TRUE(entry.is_object()) << node << " is not in report.json";
    EXPECT_EQ(entry.at("status"), "ok") << entry.dump();
    EXPECT_TRUE(entry.at("error").is_null()) << entry.at("error");
    EXPECT_EQ(entry.at("runner_exit_code"), 0);
    const nlohmann::json& result = entry.at("result");
    ASSERT_TRUE(result.is_object()) << node << ": no result in report.json";
    EXPECT_EQ(result.at("valid"), true) << node;
    const nlohmann::json& samples = result.at("samples");
    ASSERT_TRUE(samples.is_object()) << node << ": no sample counts";
    EXPECT_GT(samples.at("issued").get<int64_t>(), 0) << node;
    EXPECT_EQ(samples.at("completed"), samples.at("issued")) << node;
    for (const char* figure : {"samples_per_second", "tokens_per_second"}) {
      ASSERT_TRUE(result.at(figure).is_object()) << node << ": no " << figure;
      EXPECT_GT(result.at(figure).at("value").get<double>(), 0.0) << node << ": " << figure;
    }
  }

  // A node the report shows as not ok: its status, an error naming `reason`, and the same
  // reason beside its name in report.md (what a reader of the report sees).
  void expect_reported_not_ok(const std::string& node, const std::string& status,
                              const std::string& reason) const {
    const nlohmann::json entry = reported_node(node);
    ASSERT_TRUE(entry.is_object()) << node << " is not in report.json";
    EXPECT_EQ(entry.at("status"), status) << entry.dump();
    ASSERT_TRUE(entry.at("error").is_string()) << node << ": no error in report.json";
    const std::string error = entry.at("error").get<std::string>();
    EXPECT_NE(error.find(reason), std::string::npos) << node << ": " << error;
    const fs::path markdown = run_dir() / "report.md";
    if (fs::exists(markdown)) {
      EXPECT_NE(testing::read_file(markdown).find("- " + node + " (" + status + "): " + error),
                std::string::npos)
          << node << ": report.md does not give its status and error";
    }
  }

  // A node that stopped part way: the report keeps what it got that far (from its events),
  // at least one completed sample and no more than were issued.
  void expect_reported_result_kept(const std::string& node) const {
    const nlohmann::json entry = reported_node(node);
    ASSERT_TRUE(entry.is_object()) << node << " is not in report.json";
    ASSERT_TRUE(entry.at("result").is_object()) << node << ": its result was lost";
    const nlohmann::json& samples = entry.at("result").at("samples");
    ASSERT_TRUE(samples.is_object()) << node << ": no sample counts";
    EXPECT_GT(samples.at("completed").get<int64_t>(), 0) << node;
    EXPECT_LE(samples.at("completed").get<int64_t>(), samples.at("issued").get<int64_t>()) << node;
    ASSERT_TRUE(entry.at("progress").is_object()) << node;
    EXPECT_GT(entry.at("progress").at("events").get<int>(), 0) << node;
  }

  // A node whose runner never ran (or never said anything): listed, with no figures made up.
  void expect_reported_nothing_from(const std::string& node) const {
    const nlohmann::json entry = reported_node(node);
    ASSERT_TRUE(entry.is_object()) << node << " is not in report.json";
    EXPECT_TRUE(entry.at("result").is_null()) << node << ": " << entry.at("result").dump();
    EXPECT_TRUE(entry.at("progress").is_null()) << node;
  }

  // Whether the node's events.jsonl (as collected on the controller) has a progress event.
  bool has_progress(const std::string& node) const {
    const fs::path dir = run_dir();
    if (dir.empty()) return false;
    const fs::path events = dir / "nodes" / node / "events.jsonl";
    return fs::exists(events) &&
           testing::read_file(events).find("\"progress\"") != std::string::npos;
  }

 protected:
  testing::TempDir dir_;
  std::unique_ptr<testing::SshdServer> jw2_;
  std::unique_ptr<testing::SshdServer> jw3_;
  std::vector<ClusterNode> nodes_;
  std::map<std::string, std::string> settings_;
  std::string known_hosts_;
  std::string work_dir_;
  std::string model_sections_;  // model: and dataset: lines; empty for the sim backend
};

}  // namespace mlbench::orchestrator
