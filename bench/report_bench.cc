// Parses and aggregates a 64-node run whose nodes each hold the logs of a 13,368-sample Server
// run (llama3.1-8b's full CNN-DailyMail set, token latencies on), then renders all three report
// files; prints the best of three passes and the load average. The logs are written by our
// engine's own writers from a synthetic RunRecord, so they have the official layout.

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <random>
#include <string>

#include "mlbench/loadgen/detail_log.h"
#include "mlbench/loadgen/effective_settings.h"
#include "mlbench/loadgen/performance_result.h"
#include "mlbench/loadgen/summary_log.h"
#include "mlbench/report/html.h"
#include "mlbench/report/markdown.h"
#include "mlbench/report/report_json.h"
#include "mlbench/report/run_report.h"

namespace {

namespace fs = std::filesystem;
using namespace mlbench;
using std::chrono::nanoseconds;

constexpr int kNodes = 64;
constexpr uint64_t kSamples = 13368;
constexpr int kPasses = 3;

loadgen::RunRecord server_run(uint32_t seed) {
  loadgen::TestSettings requested;
  requested.scenario = loadgen::Scenario::kServer;
  requested.server_target_qps = 20;
  requested.min_duration_ms = 600'000;
  requested.use_token_latencies = true;
  requested.server_ttft_latency = 2'000'000'000;
  requested.server_tpot_latency = 100'000'000;
  auto derived = loadgen::derive_effective_settings(requested, {kSamples, kSamples});
  loadgen::RunRecord record;
  record.settings = derived.value().settings;
  record.sut_name = "BenchSUT";
  record.qsl_name = "BenchQSL";
  record.qsl = {kSamples, kSamples};
  record.loaded_set.resize(kSamples);
  std::iota(record.loaded_set.begin(), record.loaded_set.end(), 0);
  std::mt19937 random(seed);
  std::shuffle(record.loaded_set.begin(), record.loaded_set.end(), random);
  record.generated_query_count = kSamples;
  record.generated_samples_per_query = 1;
  record.queries_issued = kSamples;
  std::uniform_int_distribution<int64_t> ttft(20'000'000, 400'000'000);
  std::uniform_int_distribution<int64_t> tokens(16, 128);
  for (uint64_t i = 0; i < kSamples; ++i) {
    loadgen::SampleRecord sample;
    sample.sequence_id = sample.query_id = i;
    sample.qsl_index = record.loaded_set[i];
    sample.scheduled = sample.issued = nanoseconds(static_cast<int64_t>(i) * 50'000'000);
    const int64_t first = ttft(random);
    sample.n_tokens = tokens(random);
    sample.first_token = sample.issued + nanoseconds(first);
    sample.completed = *sample.first_token + nanoseconds((sample.n_tokens - 1) * 25'000'000);
    sample.completion_rank = i;
    record.samples.push_back(sample);
  }
  return record;
}

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one, five, fifteen;
  in >> one >> five >> fifteen;
  return fmt::format("{} {} {}", one, five, fifteen);
}

}  // namespace

int main() {
  const fs::path run = fs::temp_directory_path() / fmt::format("report_bench_{}", getpid());
  size_t detail_bytes = 0;
  for (int node = 0; node < kNodes; ++node) {
    const loadgen::RunRecord record = server_run(static_cast<uint32_t>(node));
    const loadgen::PerformanceResult result = loadgen::compute_performance_result(record);
    const fs::path dir = run / "nodes" / fmt::format("node{:02}", node);
    const std::string detail =
        loadgen::render_detail_log(record, result, loadgen::mlbench_log_identity());
    detail_bytes += detail.size();
    write(dir / "mlperf_log_detail.txt", detail);
    write(dir / "mlperf_log_summary.txt", loadgen::render_summary_log(record, result));
  }
  fmt::print("report_bench: {} nodes x {}-sample Server logs ({:.1f} MiB of detail logs)\n", kNodes,
             kSamples, static_cast<double>(detail_bytes) / (1 << 20));

  double best_parse = 1e9;
  double best_total = 1e9;
  for (int pass = 0; pass < kPasses; ++pass) {
    const auto start = std::chrono::steady_clock::now();
    auto report = report::build_run_report(run);
    const auto parsed = std::chrono::steady_clock::now();
    if (!report) {
      fmt::print(stderr, "report_bench: {}\n", report.error().describe());
      return 1;
    }
    const size_t bytes = report::to_json(*report).dump(2).size() +
                         report::render_markdown(*report).size() +
                         report::render_html(*report).size();
    const auto done = std::chrono::steady_clock::now();
    best_parse = std::min(best_parse, std::chrono::duration<double>(parsed - start).count());
    best_total = std::min(best_total, std::chrono::duration<double>(done - start).count());
    if (pass == 0) {
      fmt::print("report_bench: {} nodes ok, {:.0f} tokens/s summed, {} bytes of report\n",
                 report->aggregate.nodes_ok, report->aggregate.tokens_per_second.value_or(0),
                 bytes);
    }
  }
  fmt::print(
      "report_bench: parse + aggregate {:.3f} s, with json+md+html {:.3f} s (best of {}; "
      "target < 2 s); load average {}\n",
      best_parse, best_total, kPasses, load_average());
  fs::remove_all(run);
  return 0;
}
