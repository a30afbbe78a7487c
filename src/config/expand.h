#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "mlbench/config/load.h"

#include "config/diagnostics.h"

namespace mlbench::config {

// A value, or the problem that kept it from being one.
template <typename T>
using Checked = std::variant<T, Problem>;

// `${VAR}`, `${VAR:-default}` and `$$` in any string value, as a shell would (an empty VAR takes
// the default too). A `$` before anything else is kept as written.
Checked<std::string> expand_variables(std::string_view text, const LoadEnvironment& env);

// A leading `~` or `~/` becomes `home`; other paths come back unchanged.
Checked<std::string> expand_home(std::string_view path, std::string_view home);

// `path` unchanged when absolute, else joined to `base_dir` and normalised.
std::string resolve_against(std::string_view path, std::string_view base_dir);

bool is_absolute_path(std::string_view path);
bool starts_with_home(std::string_view path);
// A name the node's shell looks up on PATH, such as `mlbench-runner`.
bool is_bare_program_name(std::string_view path);

}  // namespace mlbench::config
