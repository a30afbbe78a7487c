#pragma once

#include <nlohmann/json.hpp>

namespace mlbench::runner {

// What this runner binary is and what the machine it runs on offers: version, commit, whether
// the CUDA backend was built in, and the GPUs the CUDA runtime sees. `mlbench preflight` reads it.
nlohmann::json describe_runner_and_machine();

}  // namespace mlbench::runner
