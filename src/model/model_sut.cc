#include "mlbench/model/model_sut.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <bit>
#include <cstring>

namespace mlbench::model {
namespace {

// How long an idle engine thread sleeps before looking again (issue() and cancel wake it
// sooner); it bounds how late it notices a stop that reached it some other way.
constexpr auto kIdleWait = std::chrono::milliseconds(100);

std::vector<std::byte> as_bytes(std::span<const std::int32_t> ids) {
  // LoadGen's responses for Llama are int32 little-endian token ids: this machine's layout.
  static_assert(std::endian::native == std::endian::little);
  std::vector<std::byte> bytes(ids.size() * sizeof(std::int32_t));
  if (!bytes.empty()) std::memcpy(bytes.data(), ids.data(), bytes.size());
  return bytes;
}

}  // namespace

ModelSut::ModelSut(BatchingEngine engine, PromptSource prompts, ModelSutOptions options)
    : options_(std::move(options)),
      prompts_(std::move(prompts)),
      engine_(std::move(engine)),
      thread_([this](std::stop_token stop) { serve(stop); }) {}

ModelSut::~ModelSut() {
  thread_.request_stop();
  work_ready_.notify_all();
  thread_.join();  // at most the step under way
}

void ModelSut::issue(std::span<const loadgen::IssuedSample> samples, loadgen::ResponseSink& sink) {
  {
    std::lock_guard lock(mutex_);
    for (const loadgen::IssuedSample& sample : samples)
      inbox_.push_back(Work{sample, &sink, epoch_});
  }
  work_ready_.notify_all();
}

void ModelSut::cancel_outstanding() {
  std::unique_lock lock(mutex_);
  inbox_.clear();
  ++epoch_;
  work_ready_.notify_all();
  // Sink calls are short and never block on us, so this wait ends; the engine thread drops
  // the cancelled sequences itself when it next looks at the epoch.
  idle_.wait(lock, [this] { return in_callback_ == 0; });
}

std::optional<Error> ModelSut::error() const {
  std::lock_guard lock(mutex_);
  return error_;
}

void ModelSut::record_error(const Error& error) {
  spdlog::error("{}", error.describe());
  std::lock_guard lock(mutex_);
  if (!error_) error_ = error;
}

template <typename Call>
void ModelSut::answer(const Work& work, Call&& call) {
  {
    std::lock_guard lock(mutex_);
    // Checked under the lock: cancel_outstanding waits for in_callback_ to drain, so no call
    // can start once it has returned.
    if (work.epoch != epoch_) return;
    ++in_callback_;
  }
  call();
  {
    std::lock_guard lock(mutex_);
    --in_callback_;
  }
  idle_.notify_all();
}

bool ModelSut::take_arrivals(std::stop_token stop) {
  std::vector<Work> arrivals;
  {
    std::unique_lock lock(mutex_);
    if (engine_.idle()) {
      work_ready_.wait_for(lock, stop, kIdleWait,
                           [this] { return !inbox_.empty() || epoch_ != seen_epoch_; });
    }
    if (epoch_ != seen_epoch_) {
      seen_epoch_ = epoch_;
      engine_.cancel_all();
      live_.clear();
    }
    arrivals.swap(inbox_);
  }
  for (const Work& work : arrivals) {
    const std::uint64_t id = next_request_++;
    const std::span<const std::int32_t> prompt = prompts_(work.sample.qsl_index);
    auto submitted = engine_.submit({.id = id, .prompt = {prompt.begin(), prompt.end()}});
    if (!submitted) {
      Error error = submitted.error();
      error.where = fmt::format("QSL sample {}", work.sample.qsl_index);
      record_error(error);
      answer(work, [&] { work.sink->complete(work.sample.response_id, {}, 0); });
      continue;
    }
    live_.emplace(id, work);
  }
  return !engine_.idle();
}

void ModelSut::deliver(const StepReport& report) {
  if (options_.report_first_token) {
    for (const FirstToken& first : report.first_tokens) {
      const Work& work = live_.at(first.id);
      const std::vector<std::byte> bytes = as_bytes(std::span(&first.token, 1));
      answer(work, [&] { work.sink->first_token(work.sample.response_id, bytes); });
    }
  }
  for (const FinishedRequest& finished : report.finished) {
    const auto it = live_.find(finished.id);
    const Work work = it->second;
    live_.erase(it);
    const std::vector<std::byte> bytes = as_bytes(finished.tokens);
    answer(work, [&] {
      work.sink->complete(work.sample.response_id, bytes,
                          static_cast<std::int64_t>(finished.tokens.size()));
    });
  }
}

void ModelSut::fail_everything(const Error& error) {
  record_error(error);
  engine_.cancel_all();
  for (const auto& [id, work] : live_)
    answer(work, [&] { work.sink->complete(work.sample.response_id, {}, 0); });
  live_.clear();
}

void ModelSut::serve(std::stop_token stop) {
  while (!stop.stop_requested()) {
    if (!take_arrivals(stop)) continue;
    auto report = engine_.step();
    if (!report) {
      fail_everything(report.error());
      continue;
    }
    deliver(*report);
  }
}

}  // namespace mlbench::model
