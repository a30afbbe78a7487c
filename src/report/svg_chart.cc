#include "report/svg_chart.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>

namespace mlbench::report::svg {
namespace {

constexpr double kWidth = 720;
constexpr double kHeight = 320;
constexpr double kLeft = 80;
constexpr double kRight = 180;  // room for the legend
constexpr double kTop = 36;
constexpr double kBottom = 52;
constexpr std::array<std::string_view, 8> kColors = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd",
                                                     "#ff7f0e", "#17becf", "#8c564b", "#7f7f7f"};

struct Range {
  double low = 0;
  double high = 1;
};

// Round tick steps (1, 2, 5 x 10^n) covering the range with about five ticks.
std::vector<double> ticks(Range& range) {
  if (range.high <= range.low) range.high = range.low + 1;
  const double raw = (range.high - range.low) / 5;
  const double magnitude = std::pow(10, std::floor(std::log10(raw)));
  double step = magnitude;
  for (double factor : {1.0, 2.0, 5.0, 10.0}) {
    step = factor * magnitude;
    if (raw <= step) break;
  }
  range.low = std::floor(range.low / step) * step;
  range.high = std::ceil(range.high / step) * step;
  std::vector<double> values;
  for (double v = range.low; v <= range.high + step / 2 && values.size() < 20; v += step)
    values.push_back(v);
  return values;
}

std::string number(double value) {
  if (value == 0) return "0";
  const double magnitude = std::fabs(value);
  if (magnitude >= 1e6 || magnitude < 1e-3) return fmt::format("{:.2g}", value);
  return fmt::format("{:g}", value);
}

struct Frame {
  Range x;
  Range y;
  double sx(double v) const {
    return kLeft + (v - x.low) / (x.high - x.low) * (kWidth - kLeft - kRight);
  }
  double sy(double v) const {
    return kHeight - kBottom - (v - y.low) / (y.high - y.low) * (kHeight - kTop - kBottom);
  }
};

void open(std::string& out, const std::string& title) {
  out += fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 {} {}\" "
      "width=\"{}\" height=\"{}\" role=\"img\" aria-label=\"{}\">\n"
      "<text x=\"{}\" y=\"20\" class=\"title\">{}</text>\n",
      kWidth, kHeight, kWidth, kHeight, escape(title), kLeft, escape(title));
}

void axes(std::string& out, const Frame& f, const std::vector<double>& y_ticks,
          const std::string& x_label, const std::string& y_label) {
  for (double v : y_ticks) {
    const double y = f.sy(v);
    out += fmt::format(
        "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" class=\"grid\"/>"
        "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"tick\" text-anchor=\"end\">{}</text>\n",
        kLeft, y, kWidth - kRight, y, kLeft - 6, y + 4, number(v));
  }
  out += fmt::format(
      "<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" class=\"axis\"/>"
      "<line x1=\"{0}\" y1=\"{3}\" x2=\"{0}\" y2=\"{1}\" class=\"axis\"/>\n"
      "<text x=\"{4:.1f}\" y=\"{5}\" class=\"label\" text-anchor=\"middle\">{6}</text>\n"
      "<text x=\"16\" y=\"{7:.1f}\" class=\"label\" text-anchor=\"middle\" "
      "transform=\"rotate(-90 16 {7:.1f})\">{8}</text>\n",
      kLeft, kHeight - kBottom, kWidth - kRight, kTop, (kLeft + kWidth - kRight) / 2, kHeight - 10,
      escape(x_label), (kTop + kHeight - kBottom) / 2, escape(y_label));
}

void legend(std::string& out, const std::vector<std::string>& names) {
  for (size_t i = 0; i < names.size() && i < 16; ++i) {
    const double y = kTop + 8 + 18 * static_cast<double>(i);
    out += fmt::format(
        "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"12\" height=\"12\" fill=\"{}\"/>"
        "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"tick\">{}</text>\n",
        kWidth - kRight + 16, y - 10, kColors[i % kColors.size()], kWidth - kRight + 34, y,
        escape(names[i]));
  }
  if (names.size() > 16) {
    out += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"tick\">and {} more</text>\n",
                       kWidth - kRight + 16, kTop + 8 + 18 * 16.0, names.size() - 16);
  }
}

}  // namespace

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string render(const LineChart& chart) {
  Frame f;
  bool first = true;
  for (const Series& s : chart.series) {
    for (const auto& [x, y] : s.points) {
      if (first) f = {{x, x}, {y, y}};
      first = false;
      f.x = {std::min(f.x.low, x), std::max(f.x.high, x)};
      f.y = {std::min(f.y.low, y), std::max(f.y.high, y)};
    }
  }
  f.y.low = std::min(f.y.low, 0.0);
  const bool categorical = !chart.x_categories.empty();
  if (categorical) f.x = {-0.5, static_cast<double>(chart.x_categories.size()) - 0.5};
  const std::vector<double> y_ticks = ticks(f.y);
  std::vector<double> x_ticks;
  if (!categorical) x_ticks = ticks(f.x);

  std::string out;
  open(out, chart.title);
  axes(out, f, y_ticks, chart.x_label, chart.y_label);
  if (categorical) {
    for (size_t i = 0; i < chart.x_categories.size(); ++i) {
      out += fmt::format(
          "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"tick\" "
          "text-anchor=\"middle\">{}</text>\n",
          f.sx(static_cast<double>(i)), kHeight - kBottom + 16, escape(chart.x_categories[i]));
    }
  } else {
    for (double v : x_ticks) {
      out += fmt::format(
          "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"tick\" text-anchor=\"middle\">{}</text>\n",
          f.sx(v), kHeight - kBottom + 16, number(v));
    }
  }
  std::vector<std::string> names;
  for (size_t i = 0; i < chart.series.size(); ++i) {
    const Series& s = chart.series[i];
    names.push_back(s.name);
    const std::string_view color = kColors[i % kColors.size()];
    std::string points;
    for (const auto& [x, y] : s.points)
      points += fmt::format("{:.1f},{:.1f} ", f.sx(x), f.sy(y));
    out += fmt::format(
        "<polyline class=\"series\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\" "
        "points=\"{}\"><title>{}</title></polyline>\n",
        color, points, escape(s.name));
    if (s.points.size() <= 12) {
      for (const auto& [x, y] : s.points) {
        out += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3\" fill=\"{}\"/>", f.sx(x),
                           f.sy(y), color);
      }
      out += "\n";
    }
  }
  legend(out, names);
  out += "</svg>\n";
  return out;
}

std::string render(const BarChart& chart) {
  Frame f;
  f.x = {0, static_cast<double>(std::max<size_t>(chart.bars.size(), 1))};
  f.y = {0, 0};
  for (const Bar& bar : chart.bars)
    f.y.high = std::max(f.y.high, bar.value);
  if (chart.reference) f.y.high = std::max(f.y.high, *chart.reference);
  const std::vector<double> y_ticks = ticks(f.y);
  std::string out;
  open(out, chart.title);
  axes(out, f, y_ticks, "node", chart.y_label);
  const double slot = (kWidth - kLeft - kRight) / f.x.high;
  for (size_t i = 0; i < chart.bars.size(); ++i) {
    const Bar& bar = chart.bars[i];
    const double x = kLeft + slot * static_cast<double>(i) + slot * 0.15;
    const double top = f.sy(bar.value);
    out += fmt::format(
        "<rect class=\"bar\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" "
        "fill=\"{}\"><title>{}: {}</title></rect>"
        "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"tick\" text-anchor=\"middle\">{}</text>\n",
        x, top, slot * 0.7, f.sy(0) - top, kColors[0], escape(bar.label), number(bar.value),
        x + slot * 0.35, kHeight - kBottom + 16, escape(bar.label));
  }
  if (chart.reference) {
    const double y = f.sy(*chart.reference);
    out += fmt::format(
        "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" class=\"reference\"/>"
        "<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"tick\">{}</text>\n",
        kLeft, y, kWidth - kRight, y, kWidth - kRight + 6, y + 4, escape(chart.reference_label));
  }
  out += "</svg>\n";
  return out;
}

}  // namespace mlbench::report::svg
