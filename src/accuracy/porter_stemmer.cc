#include "mlbench/accuracy/porter_stemmer.h"

#include <array>
#include <cstddef>
#include <utility>

namespace mlbench::accuracy {
namespace {

// Porter's m, v and c are defined on "consonants" and "vowels", where 'y' flips: it is a
// consonant at the start of a word or after a vowel, and a vowel after a consonant.
bool is_vowel_letter(char c) {
  return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

// Walks back over the run of 'y's ending at `i` instead of recursing, so a pathological token
// of a million 'y's costs a loop, not a stack overflow.
bool is_consonant(std::string_view word, std::size_t i) {
  if (is_vowel_letter(word[i])) return false;
  if (word[i] != 'y') return true;
  std::size_t run_start = i;
  while (run_start > 0 && word[run_start - 1] == 'y')
    --run_start;
  // The first 'y' of the run is a consonant at the word's start or after a vowel.
  const bool first_is_consonant = run_start == 0 || is_vowel_letter(word[run_start - 1]);
  const bool odd_distance = (i - run_start) % 2 == 1;
  return first_is_consonant != odd_distance;
}

// m in [C](VC)^m[V]: how many vowel-run → consonant-run transitions the stem has.
int measure(std::string_view stem) {
  int count = 0;
  bool previous_is_vowel = false;
  bool previous_is_consonant = false;
  for (std::size_t i = 0; i < stem.size(); ++i) {
    const char c = stem[i];
    bool consonant = !is_vowel_letter(c);
    if (c == 'y') consonant = i == 0 || !previous_is_consonant;
    if (consonant && previous_is_vowel) ++count;
    previous_is_vowel = !consonant;
    previous_is_consonant = consonant;
  }
  return count;
}

bool has_positive_measure(std::string_view stem) {
  return measure(stem) > 0;
}
bool has_measure_above_one(std::string_view stem) {
  return measure(stem) > 1;
}

// nltk measures "-logi" words on the word minus "ogi", i.e. the stem with its 'l' kept.
bool has_positive_measure_keeping_l(std::string_view stem) {
  std::string with_l(stem);
  with_l.push_back('l');
  return has_positive_measure(with_l);
}

bool contains_vowel(std::string_view stem) {
  for (std::size_t i = 0; i < stem.size(); ++i) {
    if (!is_consonant(stem, i)) return true;
  }
  return false;
}

bool ends_double_consonant(std::string_view word) {
  const std::size_t n = word.size();
  return n >= 2 && word[n - 1] == word[n - 2] && is_consonant(word, n - 1);
}

// Porter's *o: the stem ends consonant-vowel-consonant, the last not w, x or y. nltk's mode
// also counts a two-letter stem of a vowel then a consonant ("at", "on").
bool ends_cvc(std::string_view word) {
  const std::size_t n = word.size();
  if (n >= 3 && is_consonant(word, n - 3) && !is_consonant(word, n - 2) &&
      is_consonant(word, n - 1)) {
    const char last = word[n - 1];
    return last != 'w' && last != 'x' && last != 'y';
  }
  return n == 2 && !is_consonant(word, 0) && is_consonant(word, 1);
}

bool ends_with(std::string_view word, std::string_view suffix) {
  return word.size() >= suffix.size() && word.substr(word.size() - suffix.size()) == suffix;
}

std::string_view without_suffix(std::string_view word, std::string_view suffix) {
  return word.substr(0, word.size() - suffix.size());
}

void replace_suffix(std::string& word, std::string_view suffix, std::string_view replacement) {
  word.resize(word.size() - suffix.size());
  word.append(replacement);
}

using StemCondition = bool (*)(std::string_view stem);

struct SuffixRule {
  std::string_view suffix;
  std::string_view replacement;
  StemCondition condition;  // nullptr: unconditional
};

// Porter's rule lists are decided by the first rule whose suffix the word ends with: if its
// condition fails, the word stays as it is and later rules are not tried.
template <std::size_t N>
void apply_first_matching_rule(std::string& word, const std::array<SuffixRule, N>& rules) {
  for (const SuffixRule& rule : rules) {
    if (!ends_with(word, rule.suffix)) continue;
    if (rule.condition == nullptr || rule.condition(without_suffix(word, rule.suffix))) {
      replace_suffix(word, rule.suffix, rule.replacement);
    }
    return;
  }
}

// nltk maps these whole words before any rule runs.
std::string_view irregular_stem(std::string_view word) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 16> kForms = {{
      {"skies", "sky"},
      {"sky", "sky"},
      {"dying", "die"},
      {"lying", "lie"},
      {"tying", "tie"},
      {"news", "news"},
      {"innings", "inning"},
      {"inning", "inning"},
      {"outings", "outing"},
      {"outing", "outing"},
      {"cannings", "canning"},
      {"canning", "canning"},
      {"howe", "howe"},
      {"proceed", "proceed"},
      {"exceed", "exceed"},
      {"succeed", "succeed"},
  }};
  for (const auto& [form, stem] : kForms) {
    if (form == word) return stem;
  }
  return {};
}

void step_1a(std::string& word) {
  // nltk: "ties" → "tie", not "ti".
  if (word.size() == 4 && ends_with(word, "ies")) {
    replace_suffix(word, "ies", "ie");
    return;
  }
  static constexpr std::array<SuffixRule, 4> kRules = {{
      {"sses", "ss", nullptr},
      {"ies", "i", nullptr},
      {"ss", "ss", nullptr},
      {"s", "", nullptr},
  }};
  apply_first_matching_rule(word, kRules);
}

// After removing -ed/-ing, repair the stem: "conflat(ed)" → "conflate", "hopp(ing)" → "hop",
// "fil(ing)" → "file".
void restore_stem_after_1b(std::string& stem) {
  if (ends_with(stem, "at") || ends_with(stem, "bl") || ends_with(stem, "iz")) {
    stem.push_back('e');
    return;
  }
  if (ends_double_consonant(stem)) {
    const char last = stem.back();
    if (last != 'l' && last != 's' && last != 'z') stem.pop_back();
    return;
  }
  if (measure(stem) == 1 && ends_cvc(stem)) stem.push_back('e');
}

void step_1b(std::string& word) {
  // nltk: "died" → "die", "cried" → "cri".
  if (ends_with(word, "ied")) {
    replace_suffix(word, "ied", word.size() == 4 ? "ie" : "i");
    return;
  }
  if (ends_with(word, "eed")) {
    if (has_positive_measure(without_suffix(word, "eed"))) replace_suffix(word, "eed", "ee");
    return;
  }
  for (std::string_view suffix : {std::string_view("ed"), std::string_view("ing")}) {
    if (ends_with(word, suffix) && contains_vowel(without_suffix(word, suffix))) {
      replace_suffix(word, suffix, "");
      restore_stem_after_1b(word);
      return;
    }
  }
}

void step_1c(std::string& word) {
  // nltk turns y into i only after a consonant that is not the whole stem: "happy" → "happi",
  // "enjoy" and "by" stay.
  if (!ends_with(word, "y")) return;
  const std::string_view stem = without_suffix(word, "y");
  if (stem.size() > 1 && is_consonant(stem, stem.size() - 1)) word.back() = 'i';
}

void step_2(std::string& word) {
  // nltk strips "alli" first and runs step 2 again, so "-ationalli" can still become "-ate".
  if (ends_with(word, "alli") && has_positive_measure(without_suffix(word, "alli"))) {
    replace_suffix(word, "alli", "al");
    step_2(word);
    return;
  }
  static constexpr std::array<SuffixRule, 22> kRules = {{
      {"ational", "ate", has_positive_measure}, {"tional", "tion", has_positive_measure},
      {"enci", "ence", has_positive_measure},   {"anci", "ance", has_positive_measure},
      {"izer", "ize", has_positive_measure},    {"bli", "ble", has_positive_measure},
      {"alli", "al", has_positive_measure},     {"entli", "ent", has_positive_measure},
      {"eli", "e", has_positive_measure},       {"ousli", "ous", has_positive_measure},
      {"ization", "ize", has_positive_measure}, {"ation", "ate", has_positive_measure},
      {"ator", "ate", has_positive_measure},    {"alism", "al", has_positive_measure},
      {"iveness", "ive", has_positive_measure}, {"fulness", "ful", has_positive_measure},
      {"ousness", "ous", has_positive_measure}, {"aliti", "al", has_positive_measure},
      {"iviti", "ive", has_positive_measure},   {"biliti", "ble", has_positive_measure},
      {"fulli", "ful", has_positive_measure},   {"logi", "log", has_positive_measure_keeping_l},
  }};
  apply_first_matching_rule(word, kRules);
}

void step_3(std::string& word) {
  static constexpr std::array<SuffixRule, 7> kRules = {{
      {"icate", "ic", has_positive_measure},
      {"ative", "", has_positive_measure},
      {"alize", "al", has_positive_measure},
      {"iciti", "ic", has_positive_measure},
      {"ical", "ic", has_positive_measure},
      {"ful", "", has_positive_measure},
      {"ness", "", has_positive_measure},
  }};
  apply_first_matching_rule(word, kRules);
}

bool removes_ion(std::string_view stem) {
  return measure(stem) > 1 && (stem.back() == 's' || stem.back() == 't');
}

void step_4(std::string& word) {
  static constexpr std::array<SuffixRule, 19> kRules = {{
      {"al", "", has_measure_above_one},    {"ance", "", has_measure_above_one},
      {"ence", "", has_measure_above_one},  {"er", "", has_measure_above_one},
      {"ic", "", has_measure_above_one},    {"able", "", has_measure_above_one},
      {"ible", "", has_measure_above_one},  {"ant", "", has_measure_above_one},
      {"ement", "", has_measure_above_one}, {"ment", "", has_measure_above_one},
      {"ent", "", has_measure_above_one},   {"ion", "", removes_ion},
      {"ou", "", has_measure_above_one},    {"ism", "", has_measure_above_one},
      {"ate", "", has_measure_above_one},   {"iti", "", has_measure_above_one},
      {"ous", "", has_measure_above_one},   {"ive", "", has_measure_above_one},
      {"ize", "", has_measure_above_one},
  }};
  apply_first_matching_rule(word, kRules);
}

void step_5a(std::string& word) {
  if (!ends_with(word, "e")) return;
  const std::string_view stem = without_suffix(word, "e");
  const int m = measure(stem);
  if (m > 1 || (m == 1 && !ends_cvc(stem))) word.pop_back();
}

void step_5b(std::string& word) {
  // "controll" → "control", measured on the word without its final 'l'.
  if (ends_with(word, "ll") && has_measure_above_one(without_suffix(word, "l"))) word.pop_back();
}

}  // namespace

std::string porter_stem(std::string_view word) {
  if (const std::string_view irregular = irregular_stem(word); !irregular.empty()) {
    return std::string(irregular);
  }
  std::string stem(word);
  if (stem.size() <= 2) return stem;
  step_1a(stem);
  step_1b(stem);
  step_1c(stem);
  step_2(stem);
  step_3(stem);
  step_4(stem);
  step_5a(stem);
  step_5b(stem);
  return stem;
}

}  // namespace mlbench::accuracy
