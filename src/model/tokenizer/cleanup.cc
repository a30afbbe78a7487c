#include "model/tokenizer/cleanup.h"

#include <array>
#include <string_view>
#include <utility>

namespace mlbench::model::tokenizer {
namespace {

void replace_all(std::string& text, std::string_view from, std::string_view to) {
  std::string out;
  std::size_t at = 0;
  for (std::size_t found = text.find(from); found != std::string::npos;
       found = text.find(from, at)) {
    out.append(text, at, found - at);
    out.append(to);
    at = found + from.size();
  }
  if (at == 0) return;
  out.append(text, at);
  text = std::move(out);
}

}  // namespace

std::string clean_up_tokenization_spaces(std::string text) {
  constexpr std::array<std::pair<std::string_view, std::string_view>, 10> kReplacements = {{
      {" .", "."},
      {" ?", "?"},
      {" !", "!"},
      {" ,", ","},
      {" ' ", "'"},
      {" n't", "n't"},
      {" 'm", "'m"},
      {" 's", "'s"},
      {" 've", "'ve"},
      {" 're", "'re"},
  }};
  for (const auto& [from, to] : kReplacements)
    replace_all(text, from, to);
  return text;
}

}  // namespace mlbench::model::tokenizer
