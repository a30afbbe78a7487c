#pragma once

#include <nlohmann/json.hpp>

#include "mlbench/report/run_report.h"

namespace mlbench::report {

// report.json (docs/report-schema.md, docs/report.schema.json), members in a fixed order.
nlohmann::ordered_json to_json(const RunReport& report);

}  // namespace mlbench::report
