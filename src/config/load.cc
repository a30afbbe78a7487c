#include "mlbench/config/load.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <system_error>

#include "config/diagnostics.h"
#include "config/expand.h"
#include "config/load_context.h"
#include "config/rules.h"
#include "config/schema.h"
#include "config/secrets.h"
#include "config/source_map.h"
#include "config/yaml_reader.h"

namespace mlbench::config {
namespace {

constexpr const char* kTopLevelKeys =
    "valid keys: cluster, nodes, runner, model, dataset, benchmark, report";

// yaml-cpp's messages are already short; only stray whitespace and a final period go.
std::string clean_parser_message(std::string_view message) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!message.empty() && is_space(message.front()))
    message.remove_prefix(1);
  while (!message.empty() && (is_space(message.back()) || message.back() == '.')) {
    message.remove_suffix(1);
  }
  if (message.empty()) return "invalid YAML";
  return std::string(message);
}

// The document to walk, or nothing (and the reason reported) when there is none.
std::optional<YAML::Node> parse_document(std::string_view text, DiagnosticList& diagnostics) {
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& error) {  // ParserException and the rarer others alike
    diagnostics.add(position_of(error.mark), "", clean_parser_message(error.msg),
                    "fix the YAML syntax");
    return std::nullopt;
  }
  if (documents.empty() || documents.front().IsNull()) {
    diagnostics.add(kDocumentStart, "", "the file holds no settings",
                    "start from `mlbench init`, or see docs/config.md");
    return std::nullopt;
  }
  if (documents.size() > 1) {
    diagnostics.add(position_of(documents[1]), "", "more than one YAML document",
                    "keep one document per config file; remove the extra '---'");
  }
  const YAML::Node& root = documents.front();
  if (!root.IsMap()) {
    diagnostics.add(
        position_of(root), "",
        fmt::format("expected a mapping of settings at the top level, got {}", describe(root)),
        kTopLevelKeys);
    return std::nullopt;
  }
  return root;
}

Checked<std::string> read_whole_file(const std::string& path) {
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                             &std::fclose);
  if (!file) return Problem{std::error_code(errno, std::generic_category()).message(), {}};
  std::string text;
  char buffer[64 * 1024];
  size_t count = 0;
  while ((count = std::fread(buffer, 1, sizeof buffer, file.get())) > 0)
    text.append(buffer, count);
  // Reading a directory opens fine and fails here, with EISDIR.
  if (std::ferror(file.get())) {
    return Problem{std::error_code(errno, std::generic_category()).message(), {}};
  }
  return text;
}

// Absolute, so that paths resolved against it survive a change of working directory.
std::string directory_of(const std::string& path) {
  std::error_code error;
  std::filesystem::path absolute = std::filesystem::absolute(path, error);
  if (error) absolute = path;
  return absolute.parent_path().lexically_normal().string();
}

}  // namespace

LoadOutcome load_config_text(std::string_view text, const std::string& source_name,
                             const std::string& base_dir, const LoadEnvironment& env) {
  DiagnosticList diagnostics{source_name, {}};
  SourceMap source_map;
  LoadContext context{env, base_dir, diagnostics, source_map};
  LoadOutcome outcome;
  if (const std::optional<YAML::Node> root = parse_document(text, diagnostics)) {
    report_secret_keys(context, *root, "");
    Config config = read_config(context, *root);
    config.source_path = source_name;
    check_nodes(context, config);
    check_backend_needs(context, config);
    resolve_paths(context, config);
    if (diagnostics.items.empty()) outcome.config = std::move(config);
  }
  outcome.diagnostics = diagnostics.in_file_order();
  return outcome;
}

LoadOutcome load_config_file(const std::string& path, const LoadEnvironment& env) {
  Checked<std::string> text = read_whole_file(path);
  if (const auto* problem = std::get_if<Problem>(&text)) {
    LoadOutcome outcome;
    outcome.diagnostics.push_back(
        Diagnostic{path, 0, 0, "", fmt::format("cannot read the config file: {}", problem->problem),
                   "check the path"});
    return outcome;
  }
  return load_config_text(std::get<std::string>(text), path, directory_of(path), env);
}

}  // namespace mlbench::config
