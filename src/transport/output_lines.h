#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace mlbench::transport {

// Cuts one output stream into lines as its bytes arrive in arbitrary chunks. A line longer
// than kMaxLine is handed on in pieces rather than held without bound.
class OutputLines {
 public:
  static constexpr size_t kMaxLine = 1 << 20;

  // Calls emit(line) for every line `bytes` completes, without its '\n'.
  template <typename Emit>
  void append(std::string_view bytes, Emit&& emit) {
    while (!bytes.empty()) {
      const size_t newline = bytes.find('\n');
      if (newline == std::string_view::npos) {
        pending_.append(bytes);
        if (pending_.size() >= kMaxLine) finish(emit);
        return;
      }
      pending_.append(bytes.substr(0, newline));
      emit(std::string_view(pending_));
      pending_.clear();
      bytes.remove_prefix(newline + 1);
    }
  }

  // The stream ended: a last line without '\n' is still a line.
  template <typename Emit>
  void finish(Emit&& emit) {
    if (pending_.empty()) return;
    emit(std::string_view(pending_));
    pending_.clear();
  }

 private:
  std::string pending_;
};

}  // namespace mlbench::transport
