#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mlbench {

// Edit distance (insertions, deletions, substitutions), ignoring ASCII case.
int edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word`, if it is close enough to be what the user meant: at most a
// third of the word's length in edits (and at least 1, at most 3). For "did you mean" hints.
std::optional<std::string> closest_match(std::string_view word,
                                         const std::vector<std::string>& candidates);

}  // namespace mlbench
