#include "runner/plan_command.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cstdint>
#include <memory>
#include <string>

#include "mlbench/loadgen/query_plan.h"

#include "runner/scenario_options.h"

namespace mlbench::runner {
namespace {

void print_plan(const std::vector<loadgen::PlannedSet>& plan) {
  uint64_t query_number = 0;
  fmt::memory_buffer lines;
  for (const loadgen::PlannedSet& planned : plan) {
    for (const loadgen::Query& query : planned.generated.queries) {
      for (const uint64_t sample : query.sample_indices) {
        fmt::format_to(std::back_inserter(lines),
                       "{{\"query\":{},\"sample\":{},\"scheduled_ns\":{}}}\n", query_number, sample,
                       query.scheduled_offset.count());
      }
      ++query_number;
      // Flush in chunks: an Offline plan can hold tens of thousands of lines.
      if (lines.size() > (1u << 16)) {
        fmt::print("{}", fmt::to_string(lines));
        lines.clear();
      }
    }
  }
  fmt::print("{}", fmt::to_string(lines));
}

ExitCode run_plan(const ScenarioOptions& options) {
  auto settings = load_scenario_settings(options);
  if (!settings) return cli::report_error(settings.error());
  auto plan = loadgen::plan_queries(settings->loaded.effective, settings->request.qsl);
  if (!plan) return cli::report_error(plan.error());
  print_plan(*plan);
  return ExitCode::kOk;
}

}  // namespace

cli::CommandSpec plan_command() {
  return {"plan", "Print the queries LoadGen would generate, one JSON line per sample; run nothing",
          [](CLI::App& sub, const cli::GlobalOptions&) -> cli::CommandHandler {
            auto options = std::make_shared<ScenarioOptions>();
            add_scenario_options(sub, *options);
            sub.footer(
                "Each line is {\"query\":q,\"sample\":i,\"scheduled_ns\":t}: the query's number "
                "in issue order, the sample's QSL index and the query's scheduled offset. "
                "SingleStream performance runs stop once min_query_count and min_duration are "
                "met, so they issue a prefix of this list.");
            return [options] { return run_plan(*options); };
          }};
}

}  // namespace mlbench::runner
