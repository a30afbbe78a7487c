#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "mlbench/core/result.h"
#include "mlbench/loadgen/effective_settings.h"
#include "mlbench/loadgen/scenario.h"
#include "mlbench/loadgen/settings_diagnostic.h"
#include "mlbench/loadgen/test_settings.h"

namespace mlbench::loadgen {

struct SettingsRequest {
  std::string model;  // LoadGen model name: llama3_1-8b, llama3_1-8b-interactive, llama3_1-8b-edge
  Scenario scenario = Scenario::kOffline;
  // Set after the conf files, as harnesses set TestSettings::mode after FromConfig; empty keeps
  // what the files (or LoadGen's default, PerformanceOnly) say.
  std::optional<TestMode> mode;
  QslCounts qsl;
};

// A conf file's text and the name diagnostics should give it.
struct ConfText {
  std::string name;
  std::string text;
};

struct LoadedSettings {
  EffectiveSettings effective;                  // effective.requested holds the TestSettings
  std::vector<SettingsDiagnostic> diagnostics;  // from every file and the derivation, in order
};

Result<ConfText> read_conf_file(const std::filesystem::path& path);

// LoadGen's order: embedded mlperf.conf, then user.conf (FromConfig), then the request's mode,
// then audit.config (applied by StartTest with model "*"), then derivation. Fails with
// kUnsupported for a model whose mlperf.conf values are not embedded, and with derivation's
// errors.
Result<LoadedSettings> load_settings(const SettingsRequest& request,
                                     const std::optional<ConfText>& user_conf,
                                     const std::optional<ConfText>& audit_config = std::nullopt);

// Same, reading user.conf from disk. Unlike LoadGen, which logs "can't open file" and runs on
// mlperf.conf alone, a missing or unreadable user.conf fails (kNotFound / kIo).
Result<LoadedSettings> load_settings_from_file(const SettingsRequest& request,
                                               const std::filesystem::path& user_conf);

}  // namespace mlbench::loadgen
