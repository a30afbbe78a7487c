#include "mlbench/report/run_layout.h"

#include <fmt/format.h>

#include <array>
#include <fstream>
#include <sstream>
#include <utility>

#include "mlbench/loadgen/log_file.h"

namespace mlbench::report {
namespace {

constexpr std::array<std::pair<NodeStatus, std::string_view>, 4> kStatusNames = {{
    {NodeStatus::kOk, "ok"},
    {NodeStatus::kFailed, "failed"},
    {NodeStatus::kTimeout, "timeout"},
    {NodeStatus::kPartial, "partial"},
}};

// Reads an optional string member; a present member of another type is an error.
Result<std::string> optional_string(const nlohmann::json& json, const char* key,
                                    const std::string& where) {
  if (!json.contains(key) || json.at(key).is_null()) return std::string();
  if (!json.at(key).is_string()) {
    return fail(ErrorCode::kParse, fmt::format("'{}' must be a string", key), where);
  }
  return json.at(key).get<std::string>();
}

}  // namespace

std::string_view to_string(NodeStatus status) {
  for (const auto& [value, name] : kStatusNames) {
    if (value == status) return name;
  }
  return "failed";
}

std::optional<NodeStatus> parse_node_status(std::string_view text) {
  for (const auto& [value, name] : kStatusNames) {
    if (name == text) return value;
  }
  return std::nullopt;
}

nlohmann::json to_json(const NodeOutcome& outcome) {
  nlohmann::json json = {
      {"name", outcome.name},
      {"status", to_string(outcome.status)},
      {"error", outcome.error.empty() ? nlohmann::json(nullptr) : nlohmann::json(outcome.error)},
      {"runner_exit_code", outcome.runner_exit_code ? nlohmann::json(*outcome.runner_exit_code)
                                                    : nlohmann::json(nullptr)},
      {"host", outcome.host},
      {"started_utc", outcome.started_utc},
      {"ended_utc", outcome.ended_utc},
  };
  return json;
}

Result<NodeOutcome> node_outcome_from_json(const nlohmann::json& json, const std::string& where) {
  if (!json.is_object()) return fail(ErrorCode::kParse, "not a JSON object", where);
  NodeOutcome outcome;
  auto name = optional_string(json, "name", where);
  if (!name) return name.failure();
  if (name->empty()) return fail(ErrorCode::kParse, "'name' is missing", where);
  outcome.name = std::move(*name);

  auto status_text = optional_string(json, "status", where);
  if (!status_text) return status_text.failure();
  const auto status = parse_node_status(*status_text);
  if (!status) {
    return fail(
        ErrorCode::kParse,
        fmt::format("'status' is '{}'; expected ok, failed, timeout or partial", *status_text),
        where);
  }
  outcome.status = *status;

  for (auto [key, field] : {std::pair{"error", &outcome.error}, std::pair{"host", &outcome.host},
                            std::pair{"started_utc", &outcome.started_utc},
                            std::pair{"ended_utc", &outcome.ended_utc}}) {
    auto text = optional_string(json, key, where);
    if (!text) return text.failure();
    *field = std::move(*text);
  }
  if (json.contains("runner_exit_code") && !json.at("runner_exit_code").is_null()) {
    if (!json.at("runner_exit_code").is_number_integer()) {
      return fail(ErrorCode::kParse, "'runner_exit_code' must be an integer", where);
    }
    outcome.runner_exit_code = json.at("runner_exit_code").get<int>();
  }
  return outcome;
}

Result<void> write_node_outcome(const std::filesystem::path& node_dir, const NodeOutcome& outcome) {
  return loadgen::write_file_atomically(node_dir / kNodeOutcomeFile,
                                        to_json(outcome).dump(2) + "\n");
}

Result<NodeOutcome> read_node_outcome(const std::filesystem::path& node_dir) {
  const std::filesystem::path path = node_dir / kNodeOutcomeFile;
  std::ifstream in(path);
  if (!in) return fail(ErrorCode::kNotFound, "cannot open", path.string());
  std::stringstream text;
  text << in.rdbuf();
  const auto json = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return fail(ErrorCode::kParse, "not valid JSON", path.string());
  return node_outcome_from_json(json, path.string());
}

}  // namespace mlbench::report
