#include "model/tokenizer/bpe.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>

namespace mlbench::model::tokenizer {
namespace {

constexpr std::uint64_t kEmptyKey = ~std::uint64_t{0};

std::uint64_t pair_key(TokenId left, TokenId right) {
  return (static_cast<std::uint64_t>(static_cast<std::uint32_t>(left)) << 32) |
         static_cast<std::uint32_t>(right);
}

std::uint64_t mix(std::uint64_t key) {
  // A multiplicative hash; the high bits are the well-mixed ones, so fold them down.
  key *= 0x9E3779B97F4A7C15ULL;
  return key ^ (key >> 29);
}

}  // namespace

Result<BpeModel> BpeModel::build(BpeSpec spec) {
  BpeModel model;
  model.vocab_ = TokenTable(spec.vocab.size());
  for (const auto& [bytes, id] : spec.vocab)
    model.vocab_.insert(bytes, id);
  model.ignore_merges_ = spec.ignore_merges;
  model.unk_id_ = spec.unk_id;
  model.fuse_unk_ = spec.fuse_unk;
  for (unsigned byte = 0; byte < 256; ++byte) {
    const auto id = model.vocab_.find(std::string(1, static_cast<char>(byte)));
    model.byte_ids_[byte] = id.value_or(-1);
  }

  const std::size_t slots = std::bit_ceil(std::max<std::size_t>(16, spec.merges.size() * 2));
  model.rule_keys_.assign(slots, kEmptyKey);
  model.rule_values_.resize(slots);
  model.rule_mask_ = slots - 1;
  const auto lookup = [&model](const std::string& token, std::size_t rank) -> Result<TokenId> {
    const auto id = model.vocab_.find(token);
    if (!id) {
      return fail(
          ErrorCode::kParse,
          fmt::format("merge {} uses or makes a token that is not in the vocabulary", rank));
    }
    return *id;
  };
  for (std::size_t rank = 0; rank < spec.merges.size(); ++rank) {
    const auto& [left, right] = spec.merges[rank];
    auto left_id = lookup(left, rank);
    if (!left_id) return left_id.failure();
    auto right_id = lookup(right, rank);
    if (!right_id) return right_id.failure();
    auto result = lookup(left + right, rank);
    if (!result) return result.failure();
    const std::uint64_t key = pair_key(*left_id, *right_id);
    std::uint64_t slot = mix(key) & model.rule_mask_;
    while (model.rule_keys_[slot] != kEmptyKey && model.rule_keys_[slot] != key) {
      slot = (slot + 1) & model.rule_mask_;
    }
    // A pair listed twice keeps its last rank, as Hugging Face's map of merges does.
    model.rule_keys_[slot] = key;
    model.rule_values_[slot] = Rule{static_cast<std::uint32_t>(rank), *result};
  }
  return model;
}

const BpeModel::Rule* BpeModel::find_rule(TokenId left, TokenId right) const {
  const std::uint64_t key = pair_key(left, right);
  std::uint64_t slot = mix(key) & rule_mask_;
  while (true) {
    const std::uint64_t stored = rule_keys_[slot];
    if (stored == key) return &rule_values_[slot];
    if (stored == kEmptyKey) return nullptr;
    slot = (slot + 1) & rule_mask_;
  }
}

void BpeModel::encode(std::string_view piece, BpeScratch& scratch,
                      std::vector<TokenId>& out) const {
  if (piece.empty()) return;
  if (piece.size() == 1 && byte_ids_[static_cast<std::uint8_t>(piece[0])] >= 0) {
    out.push_back(byte_ids_[static_cast<std::uint8_t>(piece[0])]);
    return;
  }
  // Llama 3 sets ignore_merges: a piece that is itself a token is that token, even where
  // merging its bytes would have ended elsewhere.
  if (ignore_merges_) {
    if (const auto id = vocab_.find(piece)) {
      out.push_back(*id);
      return;
    }
  }
  merge(piece, scratch, out);
}

void BpeModel::merge(std::string_view piece, BpeScratch& scratch, std::vector<TokenId>& out) const {
  using Symbol = BpeScratch::Symbol;
  using Candidate = BpeScratch::Candidate;
  std::vector<Symbol>& symbols = scratch.symbols;
  std::vector<Candidate>& heap = scratch.heap;
  symbols.clear();
  heap.clear();
  for (const char byte : piece) {
    TokenId id = byte_ids_[static_cast<std::uint8_t>(byte)];
    if (id < 0) {
      // A byte the vocabulary lacks becomes the unknown token, or is dropped when there is
      // none, as Hugging Face's BPE does.
      if (unk_id_ < 0) continue;
      if (fuse_unk_ && !symbols.empty() && symbols.back().id == unk_id_) continue;
      id = unk_id_;
    }
    const int index = static_cast<int>(symbols.size());
    symbols.push_back(Symbol{id, index - 1, -1});
    if (index > 0) symbols[index - 1].next = index;
  }

  // std::push_heap keeps the largest on top; ordering by "later" puts the earliest merge there.
  const auto later = [](const Candidate& a, const Candidate& b) {
    return a.rank != b.rank ? a.rank > b.rank : a.left > b.left;
  };
  const auto consider = [&](int left) {
    if (left < 0 || symbols[left].next < 0) return;
    const TokenId left_id = symbols[left].id;
    const TokenId right_id = symbols[symbols[left].next].id;
    if (const Rule* rule = find_rule(left_id, right_id)) {
      heap.push_back(Candidate{rule->rank, left, left_id, right_id, rule->result});
      std::push_heap(heap.begin(), heap.end(), later);
    }
  };
  for (int i = 0; i + 1 < static_cast<int>(symbols.size()); ++i)
    consider(i);

  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), later);
    const Candidate top = heap.back();
    heap.pop_back();
    Symbol& left = symbols[top.left];
    // An entry is stale when either side has merged since it was pushed; the ids tell.
    if (left.id != top.left_id || left.next < 0 || symbols[left.next].id != top.right_id) continue;
    const int right = left.next;
    left.id = top.result;
    left.next = symbols[right].next;
    if (left.next >= 0) symbols[left.next].prev = top.left;
    symbols[right].id = -1;
    consider(left.prev);
    consider(top.left);
  }
  for (int i = symbols.empty() ? -1 : 0; i >= 0; i = symbols[i].next)
    out.push_back(symbols[i].id);
}

}  // namespace mlbench::model::tokenizer
