#include "model/tokenizer/pre_tokenizer.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <fmt/format.h>
#include <pcre2.h>

namespace mlbench::model::tokenizer {
namespace {

std::string pcre2_message(int code) {
  PCRE2_UCHAR buffer[256];
  pcre2_get_error_message(code, buffer, sizeof buffer);
  return reinterpret_cast<const char*>(buffer);
}

struct MatchDataDeleter {
  void operator()(pcre2_match_data* data) const { pcre2_match_data_free(data); }
};

}  // namespace

struct RegexSplitter::Compiled {
  pcre2_code* code = nullptr;
  bool jit = false;

  ~Compiled() { pcre2_code_free(code); }
};

RegexSplitter::RegexSplitter(std::unique_ptr<Compiled> compiled) : compiled_(std::move(compiled)) {}
RegexSplitter::RegexSplitter(RegexSplitter&&) noexcept = default;
RegexSplitter& RegexSplitter::operator=(RegexSplitter&&) noexcept = default;
RegexSplitter::~RegexSplitter() = default;

bool RegexSplitter::jit() const {
  return compiled_->jit;
}

Result<RegexSplitter> RegexSplitter::compile(std::string_view pattern) {
  int error_code = 0;
  PCRE2_SIZE error_offset = 0;
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                   PCRE2_UTF | PCRE2_UCP, &error_code, &error_offset, nullptr);
  if (code == nullptr) {
    return fail(ErrorCode::kParse,
                fmt::format("pre-tokenizer regex does not compile at offset {}: {}", error_offset,
                            pcre2_message(error_code)));
  }
  auto compiled = std::make_unique<Compiled>();
  compiled->code = code;
  // JIT is several times faster; a PCRE2 built without it still matches, only slower.
  compiled->jit = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0;
  return RegexSplitter(std::move(compiled));
}

Result<void> RegexSplitter::split(std::string_view text,
                                  std::vector<std::string_view>& pieces) const {
  std::unique_ptr<pcre2_match_data, MatchDataDeleter> match(
      pcre2_match_data_create_from_pattern(compiled_->code, nullptr));
  if (!match) return fail(ErrorCode::kInternal, "out of memory for regex match data");
  const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
  std::size_t at = 0;         // where the next search starts
  std::size_t piece_end = 0;  // end of what has been emitted so far
  while (at < text.size()) {
    // The caller has validated the UTF-8 once; letting PCRE2 check it on every call would cost
    // a pass over the rest of the text per match.
    int found = pcre2_match(compiled_->code, subject, text.size(), at, PCRE2_NO_UTF_CHECK,
                            match.get(), nullptr);
    if (found == PCRE2_ERROR_JIT_STACKLIMIT) {
      // Long runs can exhaust the JIT's small default stack; the interpreter uses the heap.
      found = pcre2_match(compiled_->code, subject, text.size(), at,
                          PCRE2_NO_UTF_CHECK | PCRE2_NO_JIT, match.get(), nullptr);
    }
    if (found == PCRE2_ERROR_NOMATCH) break;
    if (found < 0) {
      return fail(ErrorCode::kInternal,
                  fmt::format("pre-tokenizer regex failed: {}", pcre2_message(found)));
    }
    const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(match.get());
    const std::size_t begin = ovector[0];
    const std::size_t end = ovector[1];
    if (end == begin) {
      // An empty match yields no piece; step over one whole character and search again.
      at = begin + 1;
      while (at < text.size() && (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80)
        ++at;
      continue;
    }
    if (begin > piece_end) pieces.push_back(text.substr(piece_end, begin - piece_end));
    pieces.push_back(text.substr(begin, end - begin));
    piece_end = end;
    at = end;
  }
  if (piece_end < text.size()) pieces.push_back(text.substr(piece_end));
  return {};
}

}  // namespace mlbench::model::tokenizer
