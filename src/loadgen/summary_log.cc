#include "mlbench/loadgen/summary_log.h"

#include <fmt/format.h>

#include "mlbench/loadgen/detail_log.h"

#include "log_format.h"

namespace mlbench::loadgen {
namespace {

using log_format::fixed;
using log_format::ostream_double;

constexpr std::string_view kRule = "================================================";

// LoadGen's summary(...) writes its pieces and a newline; this collects those lines.
class SummaryText {
 public:
  template <typename... Args>
  void line(fmt::format_string<Args...> format, Args&&... args) {
    text_ += fmt::format(format, std::forward<Args>(args)...);
    text_ += '\n';
  }
  void line(std::string_view text = {}) {
    text_ += text;
    text_ += '\n';
  }
  // A banner; LoadGen's every banner but the first starts with an empty line.
  void banner(std::string_view title, bool leading_blank = true) {
    if (leading_blank) text_ += '\n';
    line(kRule);
    line(title);
    line(kRule);
  }
  std::string take() { return std::move(text_); }

 private:
  std::string text_;
};

std::string_view yes_no(bool ok) {
  return ok ? "Yes" : "NO";
}

// "90.0" for the target percentile in a label.
std::string percentile_label(double percentile) {
  return fixed(percentile * 100, 1);
}

void headline(SummaryText& out, const EffectiveSettings& settings, const PerformanceResult& r) {
  const double target = settings.target_latency_percentile;
  switch (settings.scenario) {
    case Scenario::kSingleStream:
    case Scenario::kMultiStream:
      out.line("{}th percentile latency (ns) : {}", percentile_label(target),
               r.latency.at_target_percentile_ns);
      break;
    case Scenario::kServer:
      out.line("Completed samples per second    : {}", fixed(r.completed_samples_per_second));
      break;
    case Scenario::kOffline:
      out.line("Samples per second: {}", ostream_double(r.samples_per_second));
      break;
  }
  if (settings.use_token_latencies) {
    switch (settings.scenario) {
      case Scenario::kSingleStream:
      case Scenario::kMultiStream:
        out.line("{}th first token percentile latency (ns) : {}", percentile_label(target),
                 r.first_token ? r.first_token->at_target_percentile_ns : 0);
        break;
      case Scenario::kOffline:
        out.line("Tokens per second: {}", ostream_double(r.tokens_per_second));
        break;
      case Scenario::kServer:
        out.line("Completed tokens per second: {}", fixed(r.completed_tokens_per_second));
        break;
    }
  }
  if (settings.infer_token_latencies) {
    const auto scaling = static_cast<double>(settings.token_latency_scaling_factor);
    if (settings.scenario == Scenario::kOffline && r.max_latency_s != 0) {
      out.line("Tokens per second (inferred): {}",
               ostream_double(scaling * static_cast<double>(r.sample_count) / r.max_latency_s));
    } else if (settings.scenario == Scenario::kServer && r.final_query_all_samples_done_s != 0) {
      const double completed = r.sample_count == 0 ? 0 : static_cast<double>(r.sample_count - 1);
      out.line("Completed tokens per second (inferred): {}",
               fixed(scaling * completed / r.final_query_all_samples_done_s));
    }
  }
}

void validity_lines(SummaryText& out, const EffectiveSettings& settings,
                    const PerformanceResult& r) {
  const Validity& v = r.validity;
  out.line("Result is : {}", v.valid() ? "VALID" : "INVALID");
  if (settings.scenario == Scenario::kServer) {
    out.line("  Performance constraints satisfied : {}", yes_no(v.perf_constraints_met));
  }
  out.line("  Min duration satisfied : {}", yes_no(v.min_duration_met));
  out.line("  Min queries satisfied : {}", yes_no(v.min_queries_met));
  out.line("  Early stopping satisfied: {}", yes_no(v.early_stopping_met));
  if (!v.valid()) {
    out.line("Recommendations:");
    if (!v.perf_constraints_met) out.line(" * {}", v.perf_constraints_recommendation);
    if (!v.min_duration_met) out.line(" * {}", v.min_duration_recommendation);
    if (!v.min_queries_met) {
      out.line(
          " * The test exited early, before enough queries were issued.\n"
          "   See the detailed log for why this may have occurred.");
    }
    if (!v.all_samples_completed) {
      out.line(
          " * {} of {} issued samples never completed; mlbench stopped waiting for them\n"
          "   (LoadGen would have waited forever).",
          r.incomplete_samples, r.samples_issued);
    }
  }
  if (settings.scenario == Scenario::kOffline) return;
  if (!settings.use_token_latencies) {
    out.line("Early Stopping Result:");
    out.line(v.early_stopping_text);
  } else {
    out.line("TTFT Early Stopping Result:");
    out.line(v.early_stopping_ttft_text);
    out.line("TPOT Early Stopping Result:");
    out.line(v.early_stopping_tpot_text);
  }
}

void latency_block(SummaryText& out, const LatencyStats& stats, std::string_view min_label,
                   std::string_view max_label, std::string_view mean_label,
                   std::string_view percentile_suffix) {
  out.line("{}{}", min_label, stats.min_ns);
  out.line("{}{}", max_label, stats.max_ns);
  out.line("{}{}", mean_label, stats.mean_ns);
  for (size_t i = 0; i < kReportedPercentiles.size(); ++i) {
    out.line("{}{}{}", fixed(kReportedPercentiles[i] * 100), percentile_suffix,
             stats.percentiles_ns[i]);
  }
}

void additional_stats(SummaryText& out, const EffectiveSettings& settings,
                      const PerformanceResult& r) {
  out.banner("Additional Stats");
  if (settings.scenario == Scenario::kSingleStream) {
    out.line("QPS w/ loadgen overhead         : {}", fixed(r.qps_with_loadgen_overhead));
    out.line("QPS w/o loadgen overhead        : {}", fixed(r.qps_without_loadgen_overhead));
    out.line();
  } else if (settings.scenario == Scenario::kServer) {
    out.line("Scheduled samples per second : {}", fixed(r.scheduled_samples_per_second));
  }
  latency_block(out, r.latency,
                "Min latency (ns)                : ", "Max latency (ns)                : ",
                "Mean latency (ns)               : ", " percentile latency (ns)   : ");
  if (!settings.use_token_latencies) return;
  out.line();
  if (settings.scenario == Scenario::kSingleStream) {
    out.line("TPS w/ loadgen overhead         : {}", fixed(r.tps_with_loadgen_overhead));
    out.line("TPS w/o loadgen overhead        : {}", fixed(r.tps_without_loadgen_overhead));
  } else if (settings.scenario == Scenario::kServer) {
    out.line("Completed tokens per second                 : {}",
             fixed(r.completed_tokens_per_second));
  }
  if (settings.scenario == Scenario::kOffline) return;
  const LatencyStats none;
  latency_block(out, r.first_token ? *r.first_token : none,
                "Min First Token latency (ns)                : ",
                "Max First Token latency (ns)                : ",
                "Mean First Token latency (ns)               : ",
                " percentile first token latency (ns)   : ");
  out.line();
  latency_block(out, r.time_per_output_token ? *r.time_per_output_token : none,
                "Min Time per Output Token (ns)                : ",
                "Max Time per Output Token (ns)                : ",
                "Mean Time per Output Token (ns)               : ",
                " percentile time to output token (ns)   : ");
}

// Booleans print as 0/1 here (LoadGen streams them raw), unlike in the detail log.
int as_digit(bool flag) {
  return flag ? 1 : 0;
}

void test_parameters(SummaryText& out, const EffectiveSettings& s) {
  out.banner("Test Parameters Used");
  out.line("samples_per_query : {}", s.samples_per_query);
  out.line("target_qps : {}", ostream_double(s.target_qps));
  if (!s.use_token_latencies) {
    out.line("target_latency (ns): {}", s.target_latency.count());
  } else {
    out.line("ttft_latency (ns): {}", s.server_ttft_latency.count());
    out.line("tpot_latency (ns): {}", s.server_tpot_latency.count());
  }
  out.line("max_async_queries : {}", s.max_async_queries);
  out.line("min_duration (ms): {}", s.min_duration.count());
  out.line("max_duration (ms): {}", s.max_duration.count());
  out.line("min_query_count : {}", s.min_query_count);
  out.line("max_query_count : {}", s.max_query_count);
  out.line("qsl_rng_seed : {}", s.qsl_rng_seed);
  out.line("sample_index_rng_seed : {}", s.sample_index_rng_seed);
  out.line("schedule_rng_seed : {}", s.schedule_rng_seed);
  out.line("accuracy_log_rng_seed : {}", s.accuracy_log_rng_seed);
  out.line("accuracy_log_probability : {}", ostream_double(s.accuracy_log_probability));
  out.line("accuracy_log_sampling_target : {}", s.accuracy_log_sampling_target);
  out.line("print_timestamps : {}", as_digit(s.print_timestamps));
  out.line("performance_issue_unique : {}", as_digit(s.performance_issue_unique));
  out.line("performance_issue_same : {}", as_digit(s.performance_issue_same));
  out.line("performance_issue_same_index : {}", s.performance_issue_same_index);
  out.line("performance_sample_count : {}", s.performance_sample_count);
  out.line("accuracy_sample_count : {}", s.accuracy_sample_count);
  if (s.sample_concatenate_permutation) {
    out.line(
        "WARNING: sample_concatenate_permutation was set to true. \n"
        "Generated samples per query might be different as the one in the setting.\n"
        "Check the generated_samples_per_query line in the detailed log for the real\n"
        "samples_per_query value");
  }
}

std::string footer(ProblemCounts counts) {
  std::string text;
  if (counts.warnings == 0) {
    text += "\nNo warnings encountered during test.\n";
  } else if (counts.warnings == 1) {
    text += "\n1 warning encountered. See detailed log.\n";
  } else {
    text += fmt::format("\n{} warnings encountered. See detailed log.\n", counts.warnings);
  }
  if (counts.errors == 0) {
    text += "\nNo errors encountered during test.\n";
  } else if (counts.errors == 1) {
    text += "\n1 ERROR encountered. See detailed log.\n";
  } else {
    text += fmt::format("\n{} ERRORS encountered. See detailed log.\n", counts.errors);
  }
  return text;
}

}  // namespace

std::string render_summary_log(const RunRecord& record, const PerformanceResult& result) {
  const ProblemCounts counts = count_logged_problems(record, result);
  if (record.phase == QueryPhase::kAccuracy) return footer(counts);

  const EffectiveSettings& settings = record.settings;
  SummaryText out;
  out.banner("MLPerf Results Summary", /*leading_blank=*/false);
  out.line("SUT name : {}", record.sut_name);
  out.line("Scenario : {}", to_string(settings.scenario));
  out.line("Mode     : {}", to_string(settings.mode));
  headline(out, settings, result);
  validity_lines(out, settings, result);
  additional_stats(out, settings, result);
  test_parameters(out, settings);
  return out.take() + footer(counts);
}

}  // namespace mlbench::loadgen
