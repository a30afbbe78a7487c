#include "model/tokenizer/token_table.h"

#include <gtest/gtest.h>

#include <string>

namespace mlbench::model::tokenizer {
namespace {

TEST(TokenTable, FindsWhatWasInsertedAcrossGrowth) {
  TokenTable table;  // starts empty and grows
  for (int i = 0; i < 5000; ++i)
    table.insert("token" + std::to_string(i), i);
  EXPECT_EQ(table.size(), 5000u);
  for (int i = 0; i < 5000; ++i)
    EXPECT_EQ(table.find("token" + std::to_string(i)), i);
  EXPECT_EQ(table.find("token5000"), std::nullopt);
  EXPECT_EQ(table.find("token"), std::nullopt);
  EXPECT_EQ(table.find(""), std::nullopt);
}

TEST(TokenTable, ReplacesAndKeepsBytesExact) {
  TokenTable table(4);
  table.insert(std::string_view("a\0b", 3), 1);
  table.insert(std::string_view("a\0c", 3), 2);
  table.insert(std::string_view("a\0b", 3), 7);
  EXPECT_EQ(table.size(), 2u);
  EXPECT_EQ(table.find(std::string_view("a\0b", 3)), 7);
  EXPECT_EQ(table.find(std::string_view("a\0c", 3)), 2);
  EXPECT_EQ(table.find("a"), std::nullopt);
  const std::string long_token(1000, 'x');
  table.insert(long_token, 3);
  EXPECT_EQ(table.find(long_token), 3);
  EXPECT_EQ(table.find(long_token.substr(1)), std::nullopt);
}

TEST(TokenTable, EmptyTableFindsNothing) {
  const TokenTable table;
  EXPECT_EQ(table.find("x"), std::nullopt);
}

}  // namespace
}  // namespace mlbench::model::tokenizer
