#include "mlbench/model/tokenizer.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <system_error>

#include "model/tokenizer/added_tokens.h"
#include "model/tokenizer/bpe.h"
#include "model/tokenizer/byte_level.h"
#include "model/tokenizer/cleanup.h"
#include "model/tokenizer/pre_tokenizer.h"
#include "model/tokenizer/tokenizer_json.h"
#include "model/tokenizer/utf8.h"

namespace mlbench::model {

using tokenizer::AddedToken;
using tokenizer::AddedTokenMatcher;
using tokenizer::BpeModel;
using tokenizer::RegexSplitter;
using tokenizer::Segment;
using tokenizer::TemplatePiece;

struct Tokenizer::Impl {
  BpeModel bpe;
  RegexSplitter splitter;
  // Hugging Face matches tokens that skip normalisation first, then the others in what is left.
  AddedTokenMatcher raw_matcher;
  AddedTokenMatcher normalized_matcher;
  std::vector<TemplatePiece> single_template;
  std::vector<std::optional<std::string>> tokens;  // id -> written form
  tokenizer::TokenMap ids_by_token;                // written form -> id
  std::vector<std::string> decoded_bytes;          // id -> the bytes decode emits
  std::vector<bool> special;                       // id -> skipped by skip_special_tokens
};

Tokenizer::Tokenizer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Tokenizer::Tokenizer(Tokenizer&&) noexcept = default;
Tokenizer& Tokenizer::operator=(Tokenizer&&) noexcept = default;
Tokenizer::~Tokenizer() = default;

Result<Tokenizer> Tokenizer::load(const std::filesystem::path& path) {
  std::error_code error;
  const std::filesystem::path file =
      std::filesystem::is_directory(path, error) ? path / "tokenizer.json" : path;
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> stream(std::fopen(file.c_str(), "rb"),
                                                               &std::fclose);
  if (!stream) {
    const std::string reason = std::error_code(errno, std::generic_category()).message();
    return fail(errno == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIo,
                fmt::format("cannot open tokenizer.json: {}", reason), file.string());
  }
  std::string text;
  char buffer[64 * 1024];
  std::size_t count = 0;
  while ((count = std::fread(buffer, 1, sizeof buffer, stream.get())) > 0) {
    text.append(buffer, count);
  }
  if (std::ferror(stream.get())) {
    return fail(ErrorCode::kIo, "cannot read tokenizer.json", file.string());
  }
  return from_json(text, file.string());
}

Result<Tokenizer> Tokenizer::from_json(std::string_view json_text, std::string where) {
  auto spec = tokenizer::parse_tokenizer_json(json_text);
  if (!spec) return fail(spec.error().code, spec.error().message, where);
  auto splitter = RegexSplitter::compile(spec->split_pattern);
  if (!splitter) return fail(splitter.error().code, splitter.error().message, where);
  auto bpe = BpeModel::build(std::move(spec->bpe));
  if (!bpe) return fail(bpe.error().code, bpe.error().message, where);

  std::vector<AddedToken> raw;
  std::vector<AddedToken> normalized;
  for (const AddedToken& token : spec->added_tokens) {
    (token.normalized ? normalized : raw).push_back(token);
  }
  auto impl = std::unique_ptr<Impl>(new Impl{
      .bpe = std::move(*bpe),
      .splitter = std::move(*splitter),
      .raw_matcher = AddedTokenMatcher(raw),
      .normalized_matcher = AddedTokenMatcher(normalized),
      .single_template = std::move(spec->single_template),
      .tokens = std::move(spec->tokens),
      .ids_by_token = {},
      .decoded_bytes = {},
      .special = {},
  });
  const std::size_t size = impl->tokens.size();
  impl->ids_by_token.reserve(size);
  impl->decoded_bytes.resize(size);
  impl->special.assign(size, false);
  for (std::size_t id = 0; id < size; ++id) {
    if (!impl->tokens[id]) continue;
    const std::string& written = *impl->tokens[id];
    impl->ids_by_token.emplace(written, static_cast<TokenId>(id));
    // The ByteLevel decoder maps a token back through the alphabet when every character is in
    // it, and otherwise (an added token like "<|eot_id|>" with characters outside) keeps the
    // token's own UTF-8.
    auto bytes = tokenizer::byte_level_to_bytes(written);
    impl->decoded_bytes[id] = bytes ? std::move(*bytes) : written;
  }
  for (const AddedToken& token : spec->added_tokens)
    impl->special[token.id] = token.special;
  for (const TemplatePiece& piece : impl->single_template) {
    for (const TokenId id : piece.ids) {
      if (id < 0 || static_cast<std::size_t>(id) >= size || !impl->tokens[id]) {
        return fail(ErrorCode::kParse,
                    fmt::format("tokenizer.json: template id {} is not a token", id), where);
      }
    }
  }
  return Tokenizer(std::move(impl));
}

Result<std::vector<TokenId>> Tokenizer::encode(std::string_view text, EncodeOptions options) const {
  if (const std::size_t valid = tokenizer::valid_utf8_prefix(text); valid != text.size()) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("text is not valid UTF-8 (first bad byte at offset {})", valid));
  }
  std::vector<Segment> raw_segments;
  impl_->raw_matcher.split(text, raw_segments);
  std::vector<Segment> segments;
  for (const Segment& segment : raw_segments) {
    if (segment.id >= 0 || impl_->normalized_matcher.empty()) {
      segments.push_back(segment);
    } else {
      impl_->normalized_matcher.split(segment.text, segments);
    }
  }

  std::vector<TokenId> ids;
  ids.reserve(text.size() / 3 + 4);
  std::vector<std::string_view> pieces;
  tokenizer::BpeScratch scratch;
  for (const Segment& segment : segments) {
    if (segment.id >= 0) {
      ids.push_back(segment.id);
      continue;
    }
    pieces.clear();
    if (auto split = impl_->splitter.split(segment.text, pieces); !split) return split.failure();
    for (const std::string_view piece : pieces)
      impl_->bpe.encode(piece, scratch, ids);
  }

  if (!options.add_special_tokens || impl_->single_template.empty()) return ids;
  std::vector<TokenId> framed;
  framed.reserve(ids.size() + 4);
  for (const TemplatePiece& piece : impl_->single_template) {
    const std::vector<TokenId>& part = piece.is_sequence ? ids : piece.ids;
    framed.insert(framed.end(), part.begin(), part.end());
  }
  return framed;
}

Result<std::string> Tokenizer::decode(std::span<const TokenId> ids, DecodeOptions options) const {
  std::string bytes;
  for (const TokenId id : ids) {
    if (id < 0 || static_cast<std::size_t>(id) >= impl_->tokens.size() || !impl_->tokens[id]) {
      return fail(ErrorCode::kInvalidArgument,
                  fmt::format("token id {} is not in the vocabulary (size {})", id, vocab_size()));
    }
    if (options.skip_special_tokens && impl_->special[id]) continue;
    bytes += impl_->decoded_bytes[id];
  }
  std::string text = tokenizer::decode_utf8_lossy(bytes);
  if (options.clean_up_tokenization_spaces) {
    text = tokenizer::clean_up_tokenization_spaces(std::move(text));
  }
  return text;
}

std::optional<std::string_view> Tokenizer::id_to_token(TokenId id) const {
  if (id < 0 || static_cast<std::size_t>(id) >= impl_->tokens.size() || !impl_->tokens[id]) {
    return std::nullopt;
  }
  return *impl_->tokens[id];
}

std::optional<TokenId> Tokenizer::token_to_id(std::string_view token) const {
  const auto it = impl_->ids_by_token.find(token);
  if (it == impl_->ids_by_token.end()) return std::nullopt;
  return it->second;
}

std::size_t Tokenizer::vocab_size() const {
  return impl_->tokens.size();
}

bool Tokenizer::regex_jit() const {
  return impl_->splitter.jit();
}

}  // namespace mlbench::model
