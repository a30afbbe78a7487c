#include "config/yaml_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <system_error>

#include "mlbench/core/spelling.h"

#include "config/expand.h"
#include "config/secrets.h"

namespace mlbench::config {
namespace {

std::vector<std::string> key_names(const std::vector<Field>& fields) {
  std::vector<std::string> names;
  names.reserve(fields.size());
  for (const auto& field : fields)
    names.emplace_back(field.key);
  return names;
}

std::string valid_keys_fix(const std::vector<std::string>& names) {
  return fmt::format("valid keys: {}", fmt::join(names, ", "));
}

std::string unknown_key_fix(std::string_view key, const std::vector<std::string>& names) {
  if (auto match = closest_match(key, names)) return fmt::format("did you mean '{}'?", *match);
  return valid_keys_fix(names);
}

const Field* find_field(const std::vector<Field>& fields, std::string_view key) {
  const auto found =
      std::find_if(fields.begin(), fields.end(), [&](const Field& f) { return f.key == key; });
  return found == fields.end() ? nullptr : &*found;
}

}  // namespace

Position position_of(const YAML::Mark& mark) {
  if (mark.is_null()) return {};
  return {mark.line + 1, mark.column + 1};  // yaml-cpp counts from 0
}

Position position_of(const YAML::Node& node) {
  return position_of(node.Mark());
}

std::string describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Scalar: return fmt::format("'{}'", node.Scalar());
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Map: return "a mapping";
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined: break;
  }
  return "nothing";
}

void reject_value(LoadContext& context, const YAML::Node& node, const std::string& path,
                  Problem problem) {
  Position at = position_of(node);
  // An empty value's mark is wherever the next token starts, often the next line; the key is
  // where the user left it empty.
  if (node.IsNull()) {
    if (const auto key = context.source_map.keys.find(path); key != context.source_map.keys.end())
      at = key->second;
  }
  context.reject(at, path, std::move(problem));
}

bool read_fields(LoadContext& context, const YAML::Node& node, const std::string& path,
                 const std::vector<Field>& fields) {
  const std::vector<std::string> names = key_names(fields);
  if (node.IsNull()) {
    reject_value(context, node, path, {"missing value", valid_keys_fix(names)});
    return false;
  }
  if (!node.IsMap()) {
    reject_value(
        context, node, path,
        {fmt::format("expected a mapping, got {}", describe(node)), valid_keys_fix(names)});
    return false;
  }
  context.source_map.mappings[path] = position_of(node);
  std::map<std::string, Position, std::less<>> seen;
  for (const auto& entry : node) {
    const YAML::Node& key = entry.first;
    if (!key.IsScalar()) {
      context.diagnostics.add(position_of(key), path,
                              fmt::format("expected a key name, got {}", describe(key)),
                              valid_keys_fix(names));
      continue;
    }
    const std::string& name = key.Scalar();
    if (is_secret_key(name)) continue;  // report_secret_keys has its own message for these
    const std::string key_path = child_path(path, name);
    const Field* field = find_field(fields, name);
    if (field == nullptr) {
      context.diagnostics.add(position_of(key), key_path, fmt::format("unknown key '{}'", name),
                              unknown_key_fix(name, names));
      continue;
    }
    if (const auto first = seen.find(name); first != seen.end()) {
      context.diagnostics.add(position_of(key), key_path, fmt::format("duplicate key '{}'", name),
                              fmt::format("first set on line {}; keep one", first->second.line));
      continue;
    }
    seen.emplace(name, position_of(key));
    context.source_map.keys[key_path] = position_of(key);
    context.source_map.values[key_path] = position_of(entry.second);
    field->read(entry.second, key_path);
  }
  return true;
}

std::optional<std::string> read_scalar(LoadContext& context, const YAML::Node& node,
                                       const std::string& path, std::string_view expected,
                                       std::string_view fix) {
  if (node.IsNull()) {
    reject_value(context, node, path, {"missing value", std::string(fix)});
    return std::nullopt;
  }
  if (!node.IsScalar()) {
    reject_value(context, node, path,
                 {fmt::format("expected {}, got {}", expected, describe(node)), std::string(fix)});
    return std::nullopt;
  }
  Checked<std::string> expanded = expand_variables(node.Scalar(), context.env);
  if (auto* problem = std::get_if<Problem>(&expanded)) {
    reject_value(context, node, path, std::move(*problem));
    return std::nullopt;
  }
  return std::get<std::string>(std::move(expanded));
}

std::optional<std::string> read_string(LoadContext& context, const YAML::Node& node,
                                       const std::string& path) {
  return read_scalar(context, node, path, "a string",
                     "write plain text, quoted if it starts with '{' or '['");
}

std::string IntRange::describe() const {
  if (max == std::numeric_limits<int>::max()) {
    return fmt::format("use an integer of at least {}", min);
  }
  return fmt::format("use an integer from {} to {}", min, max);
}

std::optional<int> read_int(LoadContext& context, const YAML::Node& node, const std::string& path,
                            IntRange range) {
  const std::optional<std::string> text =
      read_scalar(context, node, path, "an integer", range.describe());
  if (!text || text->empty()) return std::nullopt;  // empty counts as not written
  std::string_view digits = *text;
  if (digits.size() > 1 && digits[0] == '+' && digits[1] != '-') digits.remove_prefix(1);
  long long value = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (error == std::errc::invalid_argument || end != digits.data() + digits.size()) {
    reject_value(context, node, path,
                 {fmt::format("expected an integer, got '{}'", *text), range.describe()});
    return std::nullopt;
  }
  if (error == std::errc::result_out_of_range || value < range.min || value > range.max) {
    reject_value(context, node, path, {fmt::format("{} is out of range", *text), range.describe()});
    return std::nullopt;
  }
  return static_cast<int>(value);
}

std::optional<std::vector<YAML::Node>> read_list(LoadContext& context, const YAML::Node& node,
                                                 const std::string& path,
                                                 std::string_view example) {
  const std::string fix = fmt::format("write a list such as {}", example);
  if (node.IsNull()) {
    reject_value(context, node, path, {"missing value", fix});
    return std::nullopt;
  }
  if (!node.IsSequence()) {
    reject_value(context, node, path,
                 {fmt::format("expected a list, got {}", describe(node)), fix});
    return std::nullopt;
  }
  std::vector<YAML::Node> items;
  items.reserve(node.size());
  for (const auto& item : node)
    items.push_back(item);
  return items;
}

}  // namespace mlbench::config
