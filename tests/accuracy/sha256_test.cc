#include "accuracy/sha256.h"

#include <gtest/gtest.h>

#include <string>

#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace mlbench::accuracy {
namespace {

TEST(Sha256, MatchesTheFips180Examples) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex(std::string(1'000'000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

// Every length around the padding's block boundaries, against coreutils' sha256sum.
TEST(Sha256, AgreesWithSha256sumAcrossBlockBoundaries) {
  testing::TempDir dir;
  for (const std::size_t length : {1u, 54u, 55u, 56u, 57u, 63u, 64u, 65u, 119u, 120u, 128u}) {
    std::string bytes(length, '\0');
    for (std::size_t i = 0; i < length; ++i)
      bytes[i] = static_cast<char>((i * 37 + 11) & 0xFF);
    const std::string file = dir.write("block_" + std::to_string(length), bytes);
    const auto result = testing::run_process({"/usr/bin/sha256sum", file});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(sha256_hex(bytes), result.out.substr(0, 64)) << length << " bytes";
  }
}

}  // namespace
}  // namespace mlbench::accuracy
