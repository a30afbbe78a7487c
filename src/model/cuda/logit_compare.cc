#include "mlbench/model/logit_compare.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "mlbench/model/generate.h"

namespace mlbench::model {

std::string LogitComparison::describe() const {
  std::string text = fmt::format(
      "{} rows: max |diff| {:.3g} (largest |reference| {:.3g}), {} elements out of tolerance, "
      "{} rows with another argmax",
      rows, max_abs_diff, max_abs_reference, mismatches, argmax_differences);
  if (first_row >= 0) {
    text += fmt::format(
        "; first mismatch at row {} id {}: reference {:.6g}, got {:.6g} (|diff| {:.3g})", first_row,
        first_index, first_reference, first_got,
        std::fabs(static_cast<double>(first_got) - first_reference));
  }
  return text;
}

LogitComparison compare_logits(std::span<const float> reference, std::span<const float> got,
                               std::int64_t vocab, double tolerance) {
  LogitComparison out;
  const auto width = static_cast<std::size_t>(vocab);
  out.rows = static_cast<std::int64_t>(reference.size() / width);
  if (reference.size() != got.size()) {
    out.mismatches = static_cast<std::int64_t>(reference.size());
    out.argmax_differences = out.rows;
    return out;
  }
  for (std::int64_t r = 0; r < out.rows; ++r) {
    const auto ref_row = reference.subspan(static_cast<std::size_t>(r) * width, width);
    const auto got_row = got.subspan(static_cast<std::size_t>(r) * width, width);
    double row_max = 0.0;
    for (float value : ref_row)
      row_max = std::max(row_max, std::fabs(static_cast<double>(value)));
    out.max_abs_reference = std::max(out.max_abs_reference, row_max);
    const double limit = tolerance * std::max(1.0, row_max);
    for (std::size_t i = 0; i < width; ++i) {
      const double diff = std::fabs(static_cast<double>(got_row[i]) - ref_row[i]);
      out.max_abs_diff = std::max(out.max_abs_diff, diff);
      if (!(diff <= limit)) {  // NaN mismatches too
        if (out.first_row < 0) {
          out.first_row = r;
          out.first_index = static_cast<std::int64_t>(i);
          out.first_reference = ref_row[i];
          out.first_got = got_row[i];
        }
        ++out.mismatches;
      }
    }
    if (argmax(ref_row) != argmax(got_row)) ++out.argmax_differences;
  }
  return out;
}

}  // namespace mlbench::model
