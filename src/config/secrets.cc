#include "config/secrets.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "config/yaml_reader.h"

namespace mlbench::config {
namespace {

// An alias may point back at a node that contains it, which makes the tree a cycle; no real
// config nests anywhere near this deep.
constexpr int kMaxDepth = 64;

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

void report_below(LoadContext& context, const YAML::Node& node, const std::string& path,
                  int depth) {
  if (depth > kMaxDepth) return;
  if (node.IsSequence()) {
    size_t index = 0;
    for (const auto& item : node)
      report_below(context, item, item_path(path, index++), depth + 1);
    return;
  }
  if (!node.IsMap()) return;
  for (const auto& entry : node) {
    if (!entry.first.IsScalar()) continue;
    const std::string key_path = child_path(path, entry.first.Scalar());
    if (is_secret_key(entry.first.Scalar())) {
      context.diagnostics.add(position_of(entry.first), key_path,
                              "passwords are not accepted in config files",
                              "use identity_file or the SSH agent");
    } else {
      report_below(context, entry.second, key_path, depth + 1);
    }
  }
}

}  // namespace

bool is_secret_key(std::string_view key) {
  constexpr std::array<std::string_view, 2> kSecretKeys = {"password", "passphrase"};
  return std::any_of(kSecretKeys.begin(), kSecretKeys.end(),
                     [&](std::string_view secret) { return equals_ignoring_case(key, secret); });
}

void report_secret_keys(LoadContext& context, const YAML::Node& node, const std::string& path) {
  report_below(context, node, path, 0);
}

}  // namespace mlbench::config
