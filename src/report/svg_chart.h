#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

// Inline SVG charts for report.html: no script, no external resources.
namespace mlbench::report::svg {

struct Series {
  std::string name;
  std::vector<std::pair<double, double>> points;  // (x, y), drawn in order
};

struct LineChart {
  std::string title;
  std::string x_label;
  std::string y_label;
  // When set, x values are indices into these names (a percentile axis, say).
  std::vector<std::string> x_categories;
  std::vector<Series> series;
};

struct Bar {
  std::string label;
  double value = 0;
};

struct BarChart {
  std::string title;
  std::string y_label;
  std::vector<Bar> bars;
  std::optional<double> reference;  // a dashed horizontal line
  std::string reference_label;
};

std::string render(const LineChart& chart);
std::string render(const BarChart& chart);

// Text for HTML and SVG: & < > " escaped.
std::string escape(std::string_view text);

}  // namespace mlbench::report::svg
