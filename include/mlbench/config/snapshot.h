#pragma once

#include <nlohmann/json.hpp>

#include "mlbench/config/config.h"

namespace mlbench::config {

// The typed config as JSON, every key with its effective value (defaults filled in, `${VAR}`
// and `~` expanded), in the shape of config.yaml. It is what run.json keeps so that a run says
// exactly what it ran with. Config files cannot hold passwords (loading refuses them) and the
// identity file appears by path only, never its contents; anything under a key that reads as a
// secret would still be written as "<redacted>".
nlohmann::json to_json(const Config& config);

}  // namespace mlbench::config
