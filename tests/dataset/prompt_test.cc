#include "mlbench/dataset/prompt.h"

#include <gtest/gtest.h>

namespace mlbench::dataset {
namespace {

TEST(Prompt, CnnDailyMailIsMlperfsTemplate) {
  EXPECT_EQ(cnn_dailymail_prompt("A storm closed the port."),
            "Summarize the following news article in 128 tokens. Please output the summary only, "
            "without any other text.\n\nArticle:\nA storm closed the port.\n\nSummary:");
}

TEST(Prompt, ArticleIsInsertedVerbatim) {
  // Braces, and even the slot's own text, inside the article are not template syntax.
  const std::string article = "Set {x} = 1. Then {input} stays. {{ }}\n\ttabs";
  EXPECT_EQ(cnn_dailymail_prompt(article),
            std::string(kCnnDailyMailPrompt.substr(0, kCnnDailyMailPrompt.find("{input}"))) +
                article + "\n\nSummary:");
}

TEST(Prompt, FillInstructionFillsEverySlot) {
  EXPECT_EQ(fill_instruction("{input} and {input}", "x"), "x and x");
  EXPECT_EQ(fill_instruction("no slot here", "x"), "no slot here");
  EXPECT_EQ(fill_instruction("", "x"), "");
  EXPECT_EQ(fill_instruction("Article: {input}", ""), "Article: ");
}

TEST(Prompt, Llama3ChatTemplate) {
  EXPECT_EQ(llama3_chat_prompt("You are terse.", "Hi?"),
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
            "Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n"
            "You are terse.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\n"
            "Hi?<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n");
}

TEST(Prompt, Llama3ChatTemplateTakesOtherDates) {
  const std::string prompt =
      llama3_chat_prompt("", "q", {.cutting_knowledge = "June 2024", .today = "1 Dec 2026"});
  EXPECT_NE(prompt.find("Cutting Knowledge Date: June 2024\nToday Date: 1 Dec 2026\n\n<|eot_id|>"),
            std::string::npos);
}

}  // namespace
}  // namespace mlbench::dataset
