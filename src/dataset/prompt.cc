#include "mlbench/dataset/prompt.h"

#include <fmt/format.h>

namespace mlbench::dataset {
namespace {

constexpr std::string_view kInputSlot = "{input}";

}  // namespace

std::string fill_instruction(std::string_view instruction, std::string_view article) {
  std::string prompt;
  prompt.reserve(instruction.size() + article.size());
  // Every slot is filled, as str.format does; the article itself is never scanned for slots.
  for (std::size_t slot; (slot = instruction.find(kInputSlot)) != std::string_view::npos;) {
    prompt.append(instruction.substr(0, slot));
    prompt.append(article);
    instruction.remove_prefix(slot + kInputSlot.size());
  }
  prompt.append(instruction);
  return prompt;
}

std::string cnn_dailymail_prompt(std::string_view article) {
  return fill_instruction(kCnnDailyMailPrompt, article);
}

std::string llama3_chat_prompt(std::string_view system, std::string_view user,
                               const ChatDates& dates) {
  return fmt::format(
      "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
      "Cutting Knowledge Date: {}\nToday Date: {}\n\n{}<|eot_id|>"
      "<|start_header_id|>user<|end_header_id|>\n\n{}<|eot_id|>"
      "<|start_header_id|>assistant<|end_header_id|>\n\n",
      dates.cutting_knowledge, dates.today, system, user);
}

}  // namespace mlbench::dataset
