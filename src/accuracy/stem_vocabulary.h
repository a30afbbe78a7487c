#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace mlbench::accuracy {

// Gives every distinct ROUGE token (a word after rouge_score's stemming) a small integer id, and
// remembers each word's id so that a word is stemmed once, not once per occurrence. Two words
// get the same id exactly when their tokens are equal, so the metrics can compare ids.
class StemVocabulary {
 public:
  std::uint32_t id_of(std::string_view word);

  // Ids are 0 .. size()-1.
  std::size_t size() const { return token_ids_.size(); }

 private:
  // A word of up to 15 bytes packed with its length into 16 bytes: nearly every word fits, and
  // such keys are hashed and compared as two integers instead of as strings.
  struct PackedWord {
    std::uint64_t low = 0;
    std::uint64_t high = 0;
    bool operator==(const PackedWord&) const = default;
  };
  struct PackedSlot {
    PackedWord word;  // all zero: empty slot (a packed word has a non-zero length byte)
    std::uint32_t id = 0;
  };
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const {
      return std::hash<std::string_view>{}(text);
    }
  };
  using IdMap = std::unordered_map<std::string, std::uint32_t, StringHash, std::equal_to<>>;

  static constexpr std::size_t kMaxPackedLength = 15;
  static PackedWord pack(std::string_view word);
  static std::size_t slot_index(const PackedWord& word, std::size_t capacity);

  std::uint32_t id_of_token_for(std::string_view word);
  void insert_packed(const PackedWord& word, std::uint32_t id);

  std::vector<PackedSlot> packed_word_ids_;  // open addressing, linear probing, size 2^k
  std::size_t packed_word_count_ = 0;
  IdMap long_word_ids_;  // words too long (or empty) to pack → id of their token
  IdMap token_ids_;      // token (stem, or the short word itself) → id
};

}  // namespace mlbench::accuracy
