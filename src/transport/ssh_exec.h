#pragma once

#include <libssh/libssh.h>

#include <optional>
#include <string>
#include <string_view>

#include "mlbench/core/result.h"
#include "mlbench/transport/launcher.h"

namespace mlbench::transport {

// The line sent in the exec request: a /bin/sh wrapper that makes sure the command leads its
// own process group, reports that group's id as the first stdout line, changes directory and
// execs the command. Every word goes through shell_quote.
std::string remote_command_line(const Command& command);

// The process group id from the wrapper's first line, or nothing if `line` is not that line.
std::optional<long> parse_process_group_line(std::string_view line);

// The number of a signal as SSH names it ("TERM", "KILL"), 0 if unknown.
int signal_number(std::string_view ssh_name);

// NodeSession::run over an authenticated session. Blocks the calling thread.
Result<ProcessOutcome> run_remote_command(ssh_session session, const Endpoint& endpoint,
                                          const Command& command, const OutputHandlers& output,
                                          const RunLimits& limits);

}  // namespace mlbench::transport
