#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mlbench::transport {

// Quotes one word for a POSIX shell so that it reaches the program as exactly that argument:
// words of safe characters stay as they are, anything else goes in single quotes with each
// embedded ' written as '\''. Remote commands are built only through this, never by pasting.
std::string shell_quote(std::string_view word);

// The argument vector as one shell command line, each word quoted.
std::string shell_join(const std::vector<std::string>& argv);

}  // namespace mlbench::transport
