#include "accuracy/stem_vocabulary.h"

#include <cstring>

#include "mlbench/accuracy/porter_stemmer.h"

namespace mlbench::accuracy {

StemVocabulary::PackedWord StemVocabulary::pack(std::string_view word) {
  unsigned char bytes[16] = {};
  std::memcpy(bytes, word.data(), word.size());
  bytes[15] = static_cast<unsigned char>(word.size());
  PackedWord packed;
  std::memcpy(&packed.low, bytes, 8);
  std::memcpy(&packed.high, bytes + 8, 8);
  return packed;
}

std::size_t StemVocabulary::slot_index(const PackedWord& word, std::size_t capacity) {
  std::uint64_t h = word.low * 0x9E3779B97F4A7C15ULL ^ word.high * 0xC2B2AE3D27D4EB4FULL;
  h ^= h >> 32;
  return static_cast<std::size_t>(h) & (capacity - 1);
}

void StemVocabulary::insert_packed(const PackedWord& word, std::uint32_t id) {
  // Keep the table at most half full so probes stay short.
  if (2 * (packed_word_count_ + 1) > packed_word_ids_.size()) {
    std::vector<PackedSlot> old = std::move(packed_word_ids_);
    packed_word_ids_.assign(old.empty() ? 1024 : 2 * old.size(), PackedSlot{});
    packed_word_count_ = 0;
    for (const PackedSlot& slot : old) {
      if (slot.word != PackedWord{}) insert_packed(slot.word, slot.id);
    }
  }
  std::size_t index = slot_index(word, packed_word_ids_.size());
  while (packed_word_ids_[index].word != PackedWord{}) {
    index = (index + 1) & (packed_word_ids_.size() - 1);
  }
  packed_word_ids_[index] = PackedSlot{word, id};
  ++packed_word_count_;
}

std::uint32_t StemVocabulary::id_of_token_for(std::string_view word) {
  // rouge_score leaves words of up to 3 characters unstemmed.
  std::string token = word.size() > 3 ? porter_stem(word) : std::string(word);
  const auto next_id = static_cast<std::uint32_t>(token_ids_.size());
  return token_ids_.try_emplace(std::move(token), next_id).first->second;
}

std::uint32_t StemVocabulary::id_of(std::string_view word) {
  if (word.empty() || word.size() > kMaxPackedLength) {
    if (const auto known = long_word_ids_.find(word); known != long_word_ids_.end()) {
      return known->second;
    }
    const std::uint32_t id = id_of_token_for(word);
    long_word_ids_.emplace(std::string(word), id);
    return id;
  }
  const PackedWord packed = pack(word);
  if (!packed_word_ids_.empty()) {
    std::size_t index = slot_index(packed, packed_word_ids_.size());
    while (packed_word_ids_[index].word != PackedWord{}) {
      if (packed_word_ids_[index].word == packed) return packed_word_ids_[index].id;
      index = (index + 1) & (packed_word_ids_.size() - 1);
    }
  }
  const std::uint32_t id = id_of_token_for(word);
  insert_packed(packed, id);
  return id;
}

}  // namespace mlbench::accuracy
