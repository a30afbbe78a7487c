#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlbench::model::tokenizer {

using TokenId = std::int32_t;

// Bytes -> id for the whole vocabulary, in one flat open-addressing table over one string arena.
// Looking up whole pre-tokens (ignore_merges) is the hottest path in encoding news text, and a
// node-based std::unordered_map spends it on cache misses; here a lookup touches one slot and
// the arena, and the stored hash rejects almost every wrong slot without a memcmp.
class TokenTable {
 public:
  TokenTable() = default;
  explicit TokenTable(std::size_t expected_size);

  // Adds or replaces. Empty tokens are ignored: no pre-token is empty.
  void insert(std::string_view token, TokenId id);
  std::optional<TokenId> find(std::string_view token) const;
  std::size_t size() const { return size_; }

 private:
  struct Slot {
    std::uint64_t hash = 0;
    std::uint32_t offset = 0;
    std::uint32_t length = 0;  // 0: empty slot
    TokenId id = -1;
  };
  static std::uint64_t hash(std::string_view token);
  void grow();

  std::vector<Slot> slots_;
  std::string arena_;
  std::size_t size_ = 0;
};

}  // namespace mlbench::model::tokenizer
