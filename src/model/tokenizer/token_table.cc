#include "model/tokenizer/token_table.h"

#include <bit>
#include <cstring>

namespace mlbench::model::tokenizer {

TokenTable::TokenTable(std::size_t expected_size) {
  slots_.resize(std::bit_ceil(std::max<std::size_t>(16, expected_size * 2)));
}

std::uint64_t TokenTable::hash(std::string_view token) {
  // Eight bytes at a time with a multiply-xorshift mix: tokens are short, so this is a handful
  // of multiplications, and the result only has to spread keys over a power-of-two table.
  std::uint64_t h = 0x9E3779B97F4A7C15ULL ^ token.size();
  std::size_t at = 0;
  for (; at + 8 <= token.size(); at += 8) {
    std::uint64_t word;
    std::memcpy(&word, token.data() + at, 8);
    h = (h ^ word) * 0xBF58476D1CE4E5B9ULL;
    h ^= h >> 31;
  }
  std::uint64_t tail = 0;
  std::memcpy(&tail, token.data() + at, token.size() - at);
  h = (h ^ tail) * 0x94D049BB133111EBULL;
  return h ^ (h >> 29);
}

void TokenTable::grow() {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(std::max<std::size_t>(16, old.size() * 2), Slot{});
  const std::size_t mask = slots_.size() - 1;
  for (const Slot& slot : old) {
    if (slot.length == 0) continue;
    std::size_t at = slot.hash & mask;
    while (slots_[at].length != 0)
      at = (at + 1) & mask;
    slots_[at] = slot;
  }
}

void TokenTable::insert(std::string_view token, TokenId id) {
  if (token.empty()) return;
  if ((size_ + 1) * 2 > slots_.size()) grow();
  const std::uint64_t h = hash(token);
  const std::size_t mask = slots_.size() - 1;
  std::size_t at = h & mask;
  while (slots_[at].length != 0) {
    const Slot& slot = slots_[at];
    if (slot.hash == h && slot.length == token.size() &&
        std::memcmp(arena_.data() + slot.offset, token.data(), token.size()) == 0) {
      slots_[at].id = id;
      return;
    }
    at = (at + 1) & mask;
  }
  slots_[at] = Slot{h, static_cast<std::uint32_t>(arena_.size()),
                    static_cast<std::uint32_t>(token.size()), id};
  arena_.append(token);
  ++size_;
}

std::optional<TokenId> TokenTable::find(std::string_view token) const {
  if (slots_.empty() || token.empty()) return std::nullopt;
  const std::uint64_t h = hash(token);
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t at = h & mask;; at = (at + 1) & mask) {
    const Slot& slot = slots_[at];
    if (slot.length == 0) return std::nullopt;
    if (slot.hash == h && slot.length == token.size() &&
        std::memcmp(arena_.data() + slot.offset, token.data(), token.size()) == 0) {
      return slot.id;
    }
  }
}

}  // namespace mlbench::model::tokenizer
