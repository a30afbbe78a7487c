#include "accuracy/punkt_english.h"

#include <algorithm>
#include <array>
#include <span>
#include <string_view>
#include <utility>

namespace mlbench::accuracy::punkt {
namespace {

// Every table is sorted (bytewise), so lookups are binary searches; static_asserts check it.

// The model's abbreviation types. ". . " is how it stores the spaced ellipsis ". . .".
constexpr auto kAbbreviations = std::to_array<std::string_view>({
    ". . ",    "a.a",   "a.c",     "a.d",   "a.g",  "a.h",    "a.m",   "a.m.e", "a.s",  "a.t",
    "adm",     "ala",   "ariz",    "aug",   "ave",  "b.f",    "b.v",   "bros",  "c",    "c.i.t",
    "c.o.m.b", "c.v",   "calif",   "chg",   "cie",  "co",     "col",   "colo",  "conn", "corp",
    "cos",     "ct",    "d",       "d.c",   "d.h",  "d.w",    "dec",   "dr",    "e",    "e.f",
    "e.h",     "e.l",   "e.m",     "f",     "f.g",  "f.j",    "feb",   "fla",   "fri",  "ft",
    "g",       "g.d",   "g.f",     "g.k",   "ga",   "gen",    "h",     "h.c",   "h.f",  "h.m",
    "i.m.s",   "ill",   "inc",     "j.b",   "j.c",  "j.j",    "j.k",   "j.p",   "j.r",  "jan",
    "jr",      "k",     "kan",     "ky",    "l",    "l.a",    "l.f",   "l.p",   "lt",   "ltd",
    "m",       "m.b.a", "m.d.c",   "m.j",   "maj",  "messrs", "mg",    "mich",  "minn", "mr",
    "mrs",     "ms",    "n",       "n.c",   "n.d",  "n.h",    "n.j",   "n.m",   "n.v",  "n.y",
    "nev",     "nov",   "oct",     "ok",    "okla", "ore",    "p",     "p.a.m", "p.m",  "pa",
    "ph.d",    "prof",  "r",       "r.a",   "r.h",  "r.i",    "r.j",   "r.k",   "r.t",  "rep",
    "reps",    "s",     "s.a",     "s.a.y", "s.c",  "s.g",    "s.p.a", "s.s",   "sen",  "sep",
    "sept",    "sr",    "st",      "sw",    "t",    "t.j",    "tenn",  "tues",  "u.k",  "u.n",
    "u.s",     "u.s.a", "u.s.s.r", "v",     "va",   "vs",     "vt",    "w",     "w.c",  "w.r",
    "w.va",    "w.w",   "wash",    "wed",   "wis",  "yr",
});

// Words the model found to start sentences often enough to break after an abbreviation.
constexpr auto kSentenceStarters = std::to_array<std::string_view>({
    "according", "although", "among",      "both",      "but",   "despite",      "even",
    "he",        "however",  "i",          "if",        "in",    "indeed",       "instead",
    "it",        "many",     "meanwhile",  "moreover",  "most",  "nevertheless", "nonetheless",
    "nor",       "sales",    "separately", "similarly", "since", "so",           "some",
    "the",       "there",    "these",      "they",      "this",  "though",       "thus",
    "under",     "when",     "while",      "yet",
});

// "##number##" is the type of every number.
constexpr std::array<std::pair<std::string_view, std::string_view>, 37> kCollocations = {{
    {"##number##", "abreast"},
    {"##number##", "aes"},
    {"##number##", "business"},
    {"##number##", "cbot"},
    {"##number##", "colgate"},
    {"##number##", "commodities"},
    {"##number##", "cooper"},
    {"##number##", "corrections"},
    {"##number##", "credit"},
    {"##number##", "dividend"},
    {"##number##", "financing"},
    {"##number##", "genentech"},
    {"##number##", "henley"},
    {"##number##", "insider"},
    {"##number##", "international"},
    {"##number##", "leisure"},
    {"##number##", "letters"},
    {"##number##", "notable"},
    {"##number##", "pay-fone"},
    {"##number##", "pegasus"},
    {"##number##", "pepper"},
    {"##number##", "review"},
    {"##number##", "rj"},
    {"##number##", "wedgestone"},
    {"##number##", "who"},
    {"##number##", "zimmer"},
    {"b", "edelman"},
    {"b", "levine"},
    {"b", "smith"},
    {"b", "stewart"},
    {"b", "wigton"},
    {"i", "magnin"},
    {"i", "toussie"},
    {"j", "aron"},
    {"j", "fialka"},
    {"j", "walter"},
    {"o", "ludcke"},
}};

// Frequent English words, which a news corpus shows in lowercase and, in headlines, capitalised
// mid-sentence. Our own list, not the model's.
constexpr auto kCommonWords = std::to_array<std::string_view>({
    "a",         "about",     "above",   "across",  "after",   "again",    "against",  "ago",
    "all",       "almost",    "along",   "already", "also",    "although", "always",   "am",
    "among",     "an",        "and",     "another", "any",     "anyone",   "anything", "are",
    "around",    "as",        "at",      "away",    "back",    "be",       "because",  "been",
    "before",    "being",     "below",   "between", "both",    "but",      "by",       "can",
    "could",     "did",       "do",      "does",    "doing",   "down",     "during",   "each",
    "early",     "either",    "else",    "even",    "ever",    "every",    "few",      "first",
    "for",       "four",      "from",    "further", "had",     "has",      "have",     "having",
    "he",        "her",       "here",    "hers",    "him",     "his",      "how",      "however",
    "i",         "if",        "in",      "into",    "is",      "it",       "its",      "itself",
    "just",      "last",      "later",   "least",   "less",    "like",     "many",     "may",
    "me",        "meanwhile", "might",   "more",    "most",    "much",     "must",     "my",
    "never",     "new",       "next",    "no",      "none",    "nor",      "not",      "now",
    "of",        "off",       "often",   "on",      "once",    "one",      "only",     "or",
    "other",     "others",    "our",     "out",     "over",    "own",      "perhaps",  "police",
    "president", "rather",    "same",    "several", "she",     "should",   "since",    "so",
    "some",      "still",     "such",    "than",    "that",    "the",      "their",    "them",
    "then",      "there",     "these",   "they",    "this",    "those",    "though",   "three",
    "through",   "thus",      "to",      "today",   "too",     "two",      "under",    "until",
    "up",        "upon",      "us",      "very",    "was",     "we",       "were",     "what",
    "when",      "where",     "whether", "which",   "while",   "who",      "whom",     "whose",
    "why",       "will",      "with",    "within",  "without", "would",    "yet",      "you",
    "your",
});

static_assert(std::is_sorted(kAbbreviations.begin(), kAbbreviations.end()));
static_assert(std::is_sorted(kSentenceStarters.begin(), kSentenceStarters.end()));
static_assert(std::is_sorted(kCollocations.begin(), kCollocations.end()));
static_assert(std::is_sorted(kCommonWords.begin(), kCommonWords.end()));

bool contains(std::span<const std::string_view> sorted, std::string_view type) {
  return std::binary_search(sorted.begin(), sorted.end(), type);
}

}  // namespace

bool is_abbreviation(std::string_view type) {
  return contains(kAbbreviations, type);
}

bool is_sentence_starter(std::string_view type) {
  return contains(kSentenceStarters, type);
}

bool is_collocation(std::string_view before, std::string_view after) {
  return std::binary_search(kCollocations.begin(), kCollocations.end(), std::pair(before, after));
}

int orthographic_context(std::string_view type) {
  // Sentence starters are common words too: the model saw each in lowercase.
  const bool common = contains(kCommonWords, type) || contains(kSentenceStarters, type);
  return common ? kBeginUpper | kMiddleUpper | kMiddleLower : 0;
}

}  // namespace mlbench::accuracy::punkt
