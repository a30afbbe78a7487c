#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace mlbench::model {

// How far one backend's logits are from a reference's (the CPU backend's), row by row of
// `vocab`. An element mismatches when |got − reference| > tolerance · max(1, max |reference| of
// its row): bf16 noise scales with the logits' size.
struct LogitComparison {
  std::int64_t rows = 0;
  std::int64_t mismatches = 0;
  double max_abs_diff = 0.0;
  double max_abs_reference = 0.0;
  // The first mismatching element, for a reader on first contact with a new GPU.
  std::int64_t first_row = -1;
  std::int64_t first_index = -1;
  float first_reference = 0.0f;
  float first_got = 0.0f;
  std::int64_t argmax_differences = 0;  // rows whose argmax (ties to the lowest id) differs

  bool ok() const { return mismatches == 0 && argmax_differences == 0; }
  std::string describe() const;
};

// Compares two equal-length sets of rows; a length mismatch counts every row as differing.
LogitComparison compare_logits(std::span<const float> reference, std::span<const float> got,
                               std::int64_t vocab, double tolerance);

}  // namespace mlbench::model
