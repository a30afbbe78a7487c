#pragma once

#include <string>
#include <string_view>

namespace mlbench::accuracy {

// SHA-256 (FIPS 180-4) of `bytes` as 64 lowercase hex digits, what `sha256sum` prints. The
// submission checker wants the accuracy log's hash in accuracy.txt; the algorithm is short enough
// to own, which keeps the accuracy module free of a crypto library.
std::string sha256_hex(std::string_view bytes);

}  // namespace mlbench::accuracy
