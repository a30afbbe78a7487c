#include "mlbench/model/backend.h"

#include <fmt/format.h>

namespace mlbench::model {

Result<void> check_step_tokens(std::span<const std::int32_t> tokens, const LlamaConfig& config) {
  if (tokens.empty()) return fail(ErrorCode::kInvalidArgument, "a step has no tokens");
  for (const std::int32_t token : tokens) {
    if (token < 0 || token >= config.vocab_size) {
      return fail(
          ErrorCode::kInvalidArgument,
          fmt::format("token id {} is outside the vocabulary [0, {})", token, config.vocab_size));
    }
  }
  return {};
}

}  // namespace mlbench::model
