#include "mlbench/loadgen/load_settings.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <system_error>
#include <utility>

#include "mlbench/loadgen/conf_apply.h"
#include "mlbench/loadgen/conf_file.h"
#include "mlbench/loadgen/mlperf_conf.h"

namespace mlbench::loadgen {
namespace {

void append(std::vector<SettingsDiagnostic>& to, std::vector<SettingsDiagnostic> from) {
  to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
}

// Parses `text`, applies it and collects every diagnostic along the way.
TestSettings apply_text(const TestSettings& base, const ConfText& text, const ConfScope& scope,
                        std::vector<SettingsDiagnostic>& diagnostics) {
  ConfFile conf = parse_conf(text.text, text.name);
  append(diagnostics, std::move(conf.diagnostics));
  AppliedConf applied = apply_conf(base, conf, scope);
  append(diagnostics, std::move(applied.diagnostics));
  return applied.settings;
}

}  // namespace

Result<ConfText> read_conf_file(const std::filesystem::path& path) {
  const std::string name = path.string();
  std::error_code status_error;
  if (!std::filesystem::exists(path, status_error)) {
    return fail(ErrorCode::kNotFound, "no such conf file", name);
  }
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(name.c_str(), "rb"),
                                                       &std::fclose);
  if (!file)
    return fail(ErrorCode::kIo, fmt::format("cannot open: {}", std::strerror(errno)), name);
  ConfText conf{name, {}};
  char buffer[4096];
  size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof buffer, file.get())) > 0)
    conf.text.append(buffer, got);
  if (std::ferror(file.get())) return fail(ErrorCode::kIo, "read failed", name);
  return conf;
}

Result<LoadedSettings> load_settings(const SettingsRequest& request,
                                     const std::optional<ConfText>& user_conf,
                                     const std::optional<ConfText>& audit_config) {
  if (!is_embedded_mlperf_conf_model(request.model)) {
    return fail(ErrorCode::kUnsupported,
                "mlbench embeds LoadGen's mlperf.conf values only for llama3_1-8b, "
                "llama3_1-8b-interactive and llama3_1-8b-edge",
                fmt::format("LoadGen model '{}'", request.model));
  }
  LoadedSettings loaded;
  TestSettings settings;
  settings.scenario = request.scenario;
  settings = apply_text(
      settings, ConfText{std::string(kMlperfConfName), std::string(embedded_mlperf_conf())},
      ConfScope{request.model, request.scenario, ConfSource::kMlperfConf}, loaded.diagnostics);
  if (user_conf) {
    settings = apply_text(settings, *user_conf,
                          ConfScope{request.model, request.scenario, ConfSource::kUserConf},
                          loaded.diagnostics);
  }
  if (request.mode) settings.mode = *request.mode;
  if (audit_config) {
    settings =
        apply_text(settings, *audit_config,
                   ConfScope{"*", request.scenario, ConfSource::kAuditConfig}, loaded.diagnostics);
  }

  auto derived = derive_effective_settings(settings, request.qsl);
  if (!derived) return derived.failure();
  loaded.effective = std::move(derived->settings);
  append(loaded.diagnostics, std::move(derived->diagnostics));
  return loaded;
}

Result<LoadedSettings> load_settings_from_file(const SettingsRequest& request,
                                               const std::filesystem::path& user_conf) {
  auto text = read_conf_file(user_conf);
  if (!text) return text.failure();
  return load_settings(request, std::optional<ConfText>(std::move(*text)));
}

}  // namespace mlbench::loadgen
