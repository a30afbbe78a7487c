#pragma once

#include <string>
#include <vector>

#include "mlbench/config/load.h"

namespace mlbench::config {

// A place in the config file, 1-based like Diagnostic; {0, 0} when unknown.
struct Position {
  int line = 0;
  int column = 0;
};

// The start of the document: where a key missing from the top level is reported.
inline constexpr Position kDocumentStart{1, 1};

// What is wrong with one value and what would be right, before it is given a place in the file.
struct Problem {
  std::string problem;
  std::string fix;
};

// Every problem found in one file. Loading goes on after a problem so that the user sees all of
// them at once instead of fixing one per run.
struct DiagnosticList {
  std::string file;
  std::vector<Diagnostic> items;

  void add(Position at, std::string key_path, std::string problem, std::string fix = {});
  void add(Position at, std::string key_path, Problem problem);

  // Top to bottom, the order in which a user edits the file.
  std::vector<Diagnostic> in_file_order() const;
};

}  // namespace mlbench::config
