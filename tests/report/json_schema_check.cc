#include "report/json_schema_check.h"

#include <fmt/format.h>

namespace mlbench::report::testing {
namespace {

using nlohmann::json;

bool has_type(const json& value, const std::string& type) {
  if (type == "null") return value.is_null();
  if (type == "boolean") return value.is_boolean();
  if (type == "integer") return value.is_number_integer();
  if (type == "number") return value.is_number();
  if (type == "string") return value.is_string();
  if (type == "array") return value.is_array();
  if (type == "object") return value.is_object();
  return false;
}

class Checker {
 public:
  explicit Checker(const json& root) : root_(root) {}

  void check(const json& value, const json& schema, const std::string& at) {
    if (schema.contains("$ref")) {
      const std::string ref = schema["$ref"].get<std::string>();
      return check(value, root_.at(json::json_pointer(ref.substr(1))), at);
    }
    if (schema.contains("oneOf")) {
      size_t matches = 0;
      for (const json& option : schema["oneOf"]) {
        Checker inner(root_);
        inner.check(value, option, at);
        if (inner.errors.empty()) ++matches;
      }
      if (matches != 1) errors.push_back(fmt::format("{}: matches {} oneOf options", at, matches));
      return;
    }
    if (schema.contains("type")) {
      const json& type = schema["type"];
      bool ok = false;
      if (type.is_string()) ok = has_type(value, type.get<std::string>());
      for (const json& t : type.is_array() ? type : json::array())
        ok = ok || has_type(value, t.get<std::string>());
      if (!ok) {
        errors.push_back(fmt::format("{}: {} is not of type {}", at, value.dump(), type.dump()));
        return;
      }
    }
    if (schema.contains("enum")) {
      bool found = false;
      for (const json& option : schema["enum"])
        found = found || option == value;
      if (!found)
        errors.push_back(fmt::format("{}: {} not in {}", at, value.dump(), schema["enum"].dump()));
    }
    if (schema.contains("minimum") && value.is_number() &&
        value.get<double>() < schema["minimum"].get<double>()) {
      errors.push_back(fmt::format("{}: below the minimum", at));
    }
    if (value.is_object()) check_object(value, schema, at);
    if (value.is_array() && schema.contains("items")) {
      for (size_t i = 0; i < value.size(); ++i)
        check(value[i], schema["items"], fmt::format("{}/{}", at, i));
    }
  }

  std::vector<std::string> errors;

 private:
  void check_object(const json& value, const json& schema, const std::string& at) {
    for (const json& key : schema.value("required", json::array())) {
      if (!value.contains(key.get<std::string>())) {
        errors.push_back(
            fmt::format("{}: required member '{}' is missing", at, key.get<std::string>()));
      }
    }
    const json properties = schema.value("properties", json::object());
    for (const auto& [key, member] : value.items()) {
      const std::string where = at + "/" + key;
      if (properties.contains(key)) {
        check(member, properties[key], where);
      } else if (schema.contains("additionalProperties")) {
        const json& extra = schema["additionalProperties"];
        if (extra.is_boolean()) {
          if (!extra.get<bool>()) errors.push_back(fmt::format("{}: not allowed", where));
        } else {
          check(member, extra, where);
        }
      }
    }
  }

  const json& root_;
};

}  // namespace

std::vector<std::string> check_against_schema(const json& value, const json& schema) {
  Checker checker(schema);
  checker.check(value, schema, "");
  return checker.errors;
}

}  // namespace mlbench::report::testing
