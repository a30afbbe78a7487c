#pragma once

#include "cli/command.h"

namespace mlbench::runner {

// `mlbench-runner make-dataset --articles FILE.jsonl --tokenizer DIR --out cnn_eval.json`.
cli::CommandSpec make_dataset_command();

}  // namespace mlbench::runner
