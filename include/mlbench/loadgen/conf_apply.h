#pragma once

#include <string>
#include <vector>

#include "mlbench/loadgen/conf_file.h"
#include "mlbench/loadgen/scenario.h"
#include "mlbench/loadgen/settings_diagnostic.h"
#include "mlbench/loadgen/test_settings.h"

namespace mlbench::loadgen {

// Which kind of file is applied. LoadGen reads the RNG seeds, accuracy_log_probability and the
// test05 keys only from mlperf.conf, so that a user.conf cannot change them.
enum class ConfSource { kMlperfConf, kUserConf, kAuditConfig };

// Whose values to look up: keys are matched against `model` and `scenario` with LoadGen's
// wildcard order. LoadGen applies audit.config with model "*".
struct ConfScope {
  std::string model;
  Scenario scenario = Scenario::kOffline;
  ConfSource source = ConfSource::kUserConf;
};

struct AppliedConf {
  TestSettings settings;
  std::vector<SettingsDiagnostic> diagnostics;
};

// `base` with every key of `conf` that LoadGen's FromConfig would read for `scope` applied on
// top. A file applied later overrides any field it sets, whatever wildcard matched it; within
// one file the lookup order is model.scenario, *.scenario, model.*, *.*.
AppliedConf apply_conf(const TestSettings& base, const ConfFile& conf, const ConfScope& scope);

}  // namespace mlbench::loadgen
