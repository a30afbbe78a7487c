#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace mlbench::transport::detail {

// Turns a byte stream that arrives in arbitrary chunks into whole lines (without the '\n').
// A stream that ends without a newline gives its last partial line at finish().
class LineSplitter {
 public:
  explicit LineSplitter(std::function<void(std::string_view)> on_line)
      : on_line_(std::move(on_line)) {}

  void append(std::string_view chunk) {
    size_t start = 0;
    for (size_t newline = chunk.find('\n'); newline != std::string_view::npos;
         newline = chunk.find('\n', start)) {
      pending_.append(chunk.substr(start, newline - start));
      deliver();
      start = newline + 1;
    }
    pending_.append(chunk.substr(start));
  }

  void finish() {
    if (!pending_.empty()) deliver();
  }

 private:
  void deliver() {
    if (on_line_) on_line_(pending_);
    pending_.clear();
  }

  std::function<void(std::string_view)> on_line_;
  std::string pending_;
};

}  // namespace mlbench::transport::detail
