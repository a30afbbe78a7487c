#pragma once

#include "cli/command.h"

namespace mlbench::runner {

// `make-model`: writes a random-weight Llama-3-style checkpoint (model/make_model.h).
cli::CommandSpec make_model_command();

// `generate`: greedy-decodes token ids with the CPU forward pass and prints the new ids.
cli::CommandSpec generate_command();

}  // namespace mlbench::runner
