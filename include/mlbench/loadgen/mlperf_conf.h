#pragma once

#include <span>
#include <string_view>

namespace mlbench::loadgen {

// The name diagnostics give the embedded file.
inline constexpr std::string_view kMlperfConfName = "mlperf.conf (embedded)";

// The parts of LoadGen 6.0.17's compiled-in mlperf.conf that concern llama3.1-8b: the generic
// `*` lines and the llama3_1-8b, llama3_1-8b-interactive and llama3_1-8b-edge lines, in conf
// syntax, so they go through the same parser and lookup as user files.
std::string_view embedded_mlperf_conf();

// The LoadGen model names the embedded text has values for.
std::span<const std::string_view> embedded_mlperf_conf_models();
bool is_embedded_mlperf_conf_model(std::string_view model);

}  // namespace mlbench::loadgen
