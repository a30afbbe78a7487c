#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "mlbench/loadgen/settings_diagnostic.h"

namespace mlbench::loadgen {

// One `key = value` line as LoadGen keeps it: the value text is stored unconverted, because
// LoadGen converts it later, per key, with strtoull or strtod.
struct ConfEntry {
  std::string value;
  int line = 0;

  bool operator==(const ConfEntry&) const = default;
};

// A conf file (mlperf.conf, user.conf, audit.config) tokenised the way LoadGen's FromConfig
// does it. Keys are the full `model.scenario.name` text; a later line with the same key
// replaces an earlier one, as in LoadGen.
struct ConfFile {
  std::string name;  // used in diagnostics
  std::map<std::string, ConfEntry, std::less<>> entries;
  // LoadGen refuses the whole file when any line has a bad value or lacks the `=`; such a file
  // then changes no setting at all.
  bool rejected = false;
  std::vector<SettingsDiagnostic> diagnostics;
};

// Never fails: every problem LoadGen would tolerate or log becomes a diagnostic.
ConfFile parse_conf(std::string_view text, std::string name);

}  // namespace mlbench::loadgen
