// How much the scenario engine itself costs: the highest Server rate it keeps on schedule with a
// SUT that answers at once, and the CPU time per sample of an Offline run. The official LoadGen's
// figures on this machine kind are in shared/research/anchors-measured.md (same SUT behaviour:
// first token and a 2-token completion inside the issue call).
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <vector>

#include "mlbench/loadgen/issue_engine.h"
#include "mlbench/loadgen/load_settings.h"
#include "mlbench/loadgen/query_plan.h"

namespace {

using namespace mlbench::loadgen;
using namespace std::chrono_literals;

class InstantSut final : public SystemUnderTest {
 public:
  std::string name() const override { return "instant"; }
  void issue(std::span<const IssuedSample> samples, ResponseSink& sink) override {
    const std::byte tokens[8] = {};
    for (const IssuedSample& sample : samples) {
      sink.first_token(sample.response_id, std::span(tokens, 4));
      sink.complete(sample.response_id, tokens, 2);
    }
  }
  void cancel_outstanding() override {}
};

double cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

std::chrono::nanoseconds percentile(std::vector<std::chrono::nanoseconds> values, double p) {
  std::sort(values.begin(), values.end());
  return values[static_cast<size_t>(static_cast<double>(values.size()) * p)];
}

LoadedSettings settings_for(Scenario scenario, const std::string& user_conf) {
  const SettingsRequest request{.model = "llama3_1-8b",
                                .scenario = scenario,
                                .mode = TestMode::kPerformanceOnly,
                                .qsl = {.total = 13368, .performance = 1024}};
  auto loaded = load_settings(request, ConfText{"bench user.conf", user_conf});
  if (!loaded) throw std::runtime_error(loaded.error().describe());
  return std::move(loaded).value();
}

struct ServerFigures {
  uint64_t samples = 0;
  std::chrono::nanoseconds p50_behind{0}, p99_behind{0}, p99_latency{0};
};

ServerFigures run_server(double qps, int seconds) {
  const auto loaded = settings_for(
      Scenario::kServer,
      fmt::format("*.Server.target_qps = {}\n*.Server.min_duration = {}\n", qps, seconds * 1000));
  const QslCounts qsl{13368, 1024};
  auto plan = plan_queries(loaded.effective, qsl);
  if (!plan) throw std::runtime_error(plan.error().describe());
  InstantSut sut;
  auto record = run_phase(loaded.effective, qsl, *plan, sut, {});
  if (!record) throw std::runtime_error(record.error().describe());
  std::vector<std::chrono::nanoseconds> behind;
  std::vector<std::chrono::nanoseconds> latency;
  for (const SampleRecord& sample : record->samples) {
    behind.push_back(sample.issued - sample.scheduled);
    latency.push_back(*sample.completed - sample.scheduled);
  }
  return {record->samples.size(), percentile(behind, 0.5), percentile(behind, 0.99),
          percentile(latency, 0.99)};
}

void offline_overhead(uint64_t samples) {
  // offline_expected_qps so that 1.1 * min_duration * qps gives the wanted sample count.
  const auto loaded = settings_for(
      Scenario::kOffline, fmt::format("*.Offline.min_duration = 1000\n*.Offline.target_qps = {}\n",
                                      static_cast<double>(samples) / 1.1));
  const QslCounts qsl{13368, 1024};
  auto plan = plan_queries(loaded.effective, qsl);
  if (!plan) throw std::runtime_error(plan.error().describe());
  InstantSut sut;
  const double cpu_before = cpu_seconds();
  auto record = run_phase(loaded.effective, qsl, *plan, sut, {});
  const double cpu = cpu_seconds() - cpu_before;
  if (!record) throw std::runtime_error(record.error().describe());
  fmt::print("Offline: {} samples in one query, {:.3f} s CPU in the engine run: {:.3f} us/sample\n",
             record->samples.size(), cpu, cpu * 1e6 / static_cast<double>(record->samples.size()));
}

}  // namespace

int main(int argc, char** argv) {
  // loadgen_bench [SECONDS [QPS...]]
  const int seconds = argc > 1 ? std::atoi(argv[1]) : 10;
  std::vector<double> rates = {50e3, 100e3, 200e3, 300e3, 375e3, 450e3, 600e3, 1e6, 1.5e6};
  if (argc > 2) {
    rates.clear();
    for (int i = 2; i < argc; ++i)
      rates.push_back(std::atof(argv[i]));
  }
  fmt::print("Server, instant SUT, min_duration {} s, performance sample count 1024\n", seconds);
  fmt::print("{:>10} {:>10} {:>14} {:>14} {:>14}\n", "qps", "samples", "p50 behind", "p99 behind",
             "p99 latency");
  for (const double qps : rates) {
    const ServerFigures f = run_server(qps, seconds);
    fmt::print("{:>10.0f} {:>10} {:>11.3f} ms {:>11.3f} ms {:>11.3f} ms{}\n", qps, f.samples,
               f.p50_behind.count() / 1e6, f.p99_behind.count() / 1e6, f.p99_latency.count() / 1e6,
               f.p99_behind > 1ms ? "   <- behind schedule by more than 1 ms at p99" : "");
  }
  offline_overhead(1'000'000);
  return 0;
}
