#include "mlbench/core/logging.h"

#include <spdlog/formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>

namespace mlbench {
namespace {

// One JSON object per line: {"time":..., "level":..., "msg":...}. Built with nlohmann so that
// quotes, newlines and control characters in messages are escaped correctly.
class JsonLineFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    using namespace std::chrono;
    const auto since_epoch = duration_cast<microseconds>(msg.time.time_since_epoch());
    nlohmann::json line = {
        {"time_us", since_epoch.count()},
        {"level", spdlog::level::to_string_view(msg.level).data()},
        {"msg", std::string(msg.payload.data(), msg.payload.size())},
    };
    const std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    dest.append(text.data(), text.data() + text.size());
    dest.push_back('\n');
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonLineFormatter>();
  }
};

}  // namespace

Result<LogFormat> parse_log_format(std::string_view text) {
  if (text == "text") return LogFormat::kText;
  if (text == "json") return LogFormat::kJson;
  return fail(ErrorCode::kInvalidArgument,
              fmt::format("unknown log format '{}' (use text or json)", text), "--log-format");
}

void setup_logging(const LogOptions& options) {
  const bool use_color =
      options.color && options.format == LogFormat::kText && isatty(STDERR_FILENO) == 1;
  auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>(
      use_color ? spdlog::color_mode::automatic : spdlog::color_mode::never);
  auto logger = std::make_shared<spdlog::logger>("mlbench", sink);
  if (options.format == LogFormat::kJson) {
    logger->set_formatter(std::make_unique<JsonLineFormatter>());
  } else {
    logger->set_pattern("%^%l%$: %v");
  }
  logger->set_level(options.verbose ? spdlog::level::debug : spdlog::level::info);
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace mlbench
