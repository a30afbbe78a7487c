#include "mlbench/loadgen/mlperf_conf.h"

#include <algorithm>
#include <array>

namespace mlbench::loadgen {
namespace {

// Values of LoadGen 6.0.17's mlperf.conf (mlcommons/inference b66003e) for the models we run,
// written out here rather than generated. Two generic lines of the real file are left out
// because LoadGen never reads them: `*.Server.target_duration` (no such key) and
// `*.Offline.target_latency_percentile` (Offline fixes its percentile at 0.99). Every other
// model's lines are left out too; load_settings refuses those models.
constexpr std::string_view kEmbeddedMlperfConf =
    R"conf(# mlperf.conf values that mlbench embeds (LoadGen 6.0.17).
# Times are in milliseconds, percentiles in percent.

# Official RNG seeds; LoadGen reads these only from mlperf.conf.
*.*.qsl_rng_seed = 2085463073848966840
*.*.sample_index_rng_seed = 2747215439041700203
*.*.schedule_rng_seed = 16159082839903944936
*.*.test05_qsl_rng_seed = 7975553102935885558
*.*.test05_sample_index_rng_seed = 11403566307062068064
*.*.test05_schedule_rng_seed = 15816800565822761601

*.SingleStream.target_latency_percentile = 90
*.SingleStream.min_duration = 600000
*.SingleStream.target_latency = 10

*.MultiStream.target_latency_percentile = 99
*.MultiStream.samples_per_query = 8
*.MultiStream.min_duration = 600000
*.MultiStream.min_query_count = 662
*.MultiStream.target_latency = 80

*.Server.target_latency = 10
*.Server.target_latency_percentile = 99
*.Server.min_duration = 600000
*.Server.target_qps = 1.0

*.Offline.min_duration = 600000
*.Offline.target_qps = 1.0

# llama3.1-8b, datacenter (Offline, Server).
llama3_1-8b.*.performance_sample_count_override = 13368
llama3_1-8b.*.sample_concatenate_permutation = 1
llama3_1-8b.*.use_token_latencies = 1
llama3_1-8b.Server.target_latency = 0
llama3_1-8b.Server.ttft_latency = 2000
llama3_1-8b.Server.tpot_latency = 100
llama3_1-8b.Offline.min_query_count = 13368

# llama3.1-8b interactive: a Server run with tighter token limits.
llama3_1-8b-interactive.*.performance_sample_count_override = 13368
llama3_1-8b-interactive.*.sample_concatenate_permutation = 1
llama3_1-8b-interactive.*.use_token_latencies = 1
llama3_1-8b-interactive.Server.target_latency = 0
llama3_1-8b-interactive.Server.ttft_latency = 500
llama3_1-8b-interactive.Server.tpot_latency = 30

# llama3.1-8b edge (SingleStream, Offline) on its 5000-sample subset.
llama3_1-8b-edge.*.performance_sample_count_override = 5000
llama3_1-8b-edge.*.sample_concatenate_permutation = 1
llama3_1-8b-edge.*.use_token_latencies = 1
llama3_1-8b-edge.Offline.min_query_count = 5000
)conf";

constexpr std::array<std::string_view, 3> kEmbeddedModels{
    "llama3_1-8b",
    "llama3_1-8b-interactive",
    "llama3_1-8b-edge",
};

}  // namespace

std::string_view embedded_mlperf_conf() {
  return kEmbeddedMlperfConf;
}

std::span<const std::string_view> embedded_mlperf_conf_models() {
  return kEmbeddedModels;
}

bool is_embedded_mlperf_conf_model(std::string_view model) {
  return std::find(kEmbeddedModels.begin(), kEmbeddedModels.end(), model) != kEmbeddedModels.end();
}

}  // namespace mlbench::loadgen
