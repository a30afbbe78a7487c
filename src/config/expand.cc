#include "config/expand.h"

#include <fmt/format.h>

#include <filesystem>
#include <optional>

namespace mlbench::config {
namespace {

bool is_variable_name(std::string_view name) {
  const auto is_alpha = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); };
  const auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  if (name.empty() || is_digit(name.front())) return false;
  for (const char c : name) {
    if (!is_alpha(c) && !is_digit(c) && c != '_') return false;
  }
  return true;
}

std::optional<std::string> lookup(const LoadEnvironment& env, std::string_view name) {
  if (!env.getenv) return std::nullopt;
  return env.getenv(name);
}

// `reference` is what stands between `${` and `}`: `NAME` or `NAME:-default`.
Checked<std::string> expand_reference(std::string_view reference, std::string_view whole,
                                      const LoadEnvironment& env) {
  const size_t separator = reference.find(":-");
  const std::string_view name = reference.substr(0, separator);
  if (!is_variable_name(name)) {
    return Problem{fmt::format("invalid variable name '{}' in '{}'", name, whole),
                   "write ${NAME} or ${NAME:-default}, NAME of letters, digits and '_'"};
  }
  const std::optional<std::string> value = lookup(env, name);
  if (separator != std::string_view::npos) {
    if (value && !value->empty()) return *value;
    return std::string(reference.substr(separator + 2));
  }
  if (!value) {
    return Problem{fmt::format("environment variable '{}' is not set", name),
                   fmt::format("set {0} or write ${{{0}:-default}}", name)};
  }
  return *value;
}

}  // namespace

Checked<std::string> expand_variables(std::string_view text, const LoadEnvironment& env) {
  std::string expanded;
  expanded.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const std::string_view rest = text.substr(i);
    if (rest.starts_with("$$")) {
      expanded += '$';
      i += 2;
    } else if (rest.starts_with("${")) {
      const size_t close = rest.find('}');
      if (close == std::string_view::npos) {
        return Problem{fmt::format("unterminated '${{' in '{}'", text),
                       "close it with '}' or write $$ for a literal $"};
      }
      auto value = expand_reference(rest.substr(2, close - 2), text, env);
      if (auto* problem = std::get_if<Problem>(&value)) return std::move(*problem);
      expanded += std::get<std::string>(value);
      i += close + 1;
    } else {
      expanded += text[i];
      ++i;
    }
  }
  return expanded;
}

bool starts_with_home(std::string_view path) {
  return path.starts_with('~');
}

Checked<std::string> expand_home(std::string_view path, std::string_view home) {
  if (!starts_with_home(path)) return std::string(path);
  const std::string_view after_tilde = path.substr(1);
  if (!after_tilde.empty() && !after_tilde.starts_with('/')) {
    // `~user` would need the password database of the machine the path is used on.
    const std::string_view user_part = path.substr(0, path.find('/'));
    return Problem{fmt::format("cannot expand '{}'", user_part),
                   "write ~/... for your own home directory, or the full path"};
  }
  if (home.empty()) {
    return Problem{"cannot expand '~': the home directory is unknown",
                   "set HOME or write the full path"};
  }
  std::string_view trimmed_home = home;
  while (trimmed_home.ends_with('/'))
    trimmed_home.remove_suffix(1);
  std::string expanded = fmt::format("{}{}", trimmed_home, after_tilde);
  return expanded.empty() ? std::string("/") : expanded;
}

std::string resolve_against(std::string_view path, std::string_view base_dir) {
  if (path.empty() || is_absolute_path(path) || base_dir.empty()) return std::string(path);
  return (std::filesystem::path(base_dir) / path).lexically_normal().string();
}

// Node-side paths are POSIX paths on a Linux node, whatever the controller runs on.
bool is_absolute_path(std::string_view path) {
  return path.starts_with('/');
}

bool is_bare_program_name(std::string_view path) {
  return !path.empty() && path.find('/') == std::string_view::npos;
}

}  // namespace mlbench::config
