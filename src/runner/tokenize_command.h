#pragma once

#include "cli/command.h"

namespace mlbench::runner {

// `tokenize --model DIR [--no-special-tokens]`: UTF-8 text on stdin, a JSON array of ids out.
cli::CommandSpec tokenize_command();

// `detokenize --model DIR [--skip-special-tokens] [--clean-up-spaces]`: a JSON array of ids on
// stdin, the text out, byte for byte (no newline is added).
cli::CommandSpec detokenize_command();

}  // namespace mlbench::runner
