#pragma once

#include <string>
#include <string_view>

namespace mlbench::dataset {

// MLPerf's prompt template for CNN-DailyMail on Llama 3.1 8B, with its one `{input}` slot. The
// template carries no chat markup: the tokenizer's post-processor prepends <|begin_of_text|>.
inline constexpr std::string_view kCnnDailyMailPrompt =
    "Summarize the following news article in 128 tokens. Please output the summary only, without "
    "any other text.\n\nArticle:\n{input}\n\nSummary:";

// The template with `article` in its `{input}` slot, exactly as MLPerf's Python `str.format` gives.
std::string cnn_dailymail_prompt(std::string_view article);

// Fills every `{input}` in `instruction` (a template as cnn_eval.json's `instruction` holds it)
// with `article`, as Python's str.format(input=...) does for a template without other fields.
std::string fill_instruction(std::string_view instruction, std::string_view article);

// The dates Llama 3.1 Instruct's chat template writes into its system header.
struct ChatDates {
  std::string cutting_knowledge = "December 2023";
  std::string today = "26 Jul 2024";
};

// Llama 3 Instruct's chat template for one system and one user turn, ending with the assistant
// header so the model writes the answer next. The text starts with <|begin_of_text|>, so encode
// it with add_special_tokens = false or the BOS appears twice.
std::string llama3_chat_prompt(std::string_view system, std::string_view user,
                               const ChatDates& dates = {});

}  // namespace mlbench::dataset
