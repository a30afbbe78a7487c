#pragma once

#include <string_view>
#include <vector>

#include "mlbench/core/result.h"

namespace mlbench::model {

// The runner's --gpus value: comma-separated device indices, one engine each ("0,1" runs two
// engines behind one SUT). "" means GPU 0. Spaces around an index are allowed ("0, 1"), since
// that is how a list is often typed inside quotes. Fails, naming the bad piece, on anything
// that is not a non-negative decimal index, an empty entry ("0,,1", "0,") and a GPU named twice:
// two engines on one GPU would fight over its memory, which the memory planner sizes for one.
// Whether the GPUs exist is the CUDA backend's to say when it opens them.
Result<std::vector<int>> parse_gpu_list(std::string_view text);

}  // namespace mlbench::model
