#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "mlbench/core/result.h"
#include "mlbench/loadgen/system_under_test.h"
#include "mlbench/model/batching_engine.h"

namespace mlbench::model {

// The prompt of QSL sample `qsl_index` (for CNN-DailyMail: dataset.samples[i].tok_input). Called
// on the engine thread; the tokens are copied before it is called again. An index without a
// prompt returns an empty span.
using PromptSource = std::function<std::span<const std::int32_t>(std::uint64_t qsl_index)>;

struct ModelSutOptions {
  std::string name = "mlbench";
  bool report_first_token = true;  // every scenario but Offline needs it
};

// A model behind the loadgen interface: issue() queues the samples and returns at once; an engine
// thread of its own steps the BatchingEngine, taking in new samples between steps, reports each
// sample's first token the step it is produced and completes it, with its int32 little-endian
// token ids, the step it finishes.
//
// A failure inside the engine (a prompt it refuses, a backend error) must not hang the run:
// the samples it hit are completed with no tokens, which LoadGen records as errors, and the
// first such failure is kept for error().
class ModelSut final : public loadgen::SystemUnderTest {
 public:
  ModelSut(BatchingEngine engine, PromptSource prompts, ModelSutOptions options = {});
  ~ModelSut() override;
  ModelSut(const ModelSut&) = delete;
  ModelSut& operator=(const ModelSut&) = delete;

  std::string name() const override { return options_.name; }
  void issue(std::span<const loadgen::IssuedSample> samples, loadgen::ResponseSink& sink) override;
  // Drops queued and running samples; once it returns the sink is not called again.
  void cancel_outstanding() override;

  // The first failure the engine met, if any.
  std::optional<Error> error() const;

 private:
  struct Work {
    loadgen::IssuedSample sample;
    loadgen::ResponseSink* sink = nullptr;
    std::uint64_t epoch = 0;
  };

  void serve(std::stop_token stop);
  // Takes new work into the engine; false if nothing is left to step.
  bool take_arrivals(std::stop_token stop);
  void deliver(const StepReport& report);
  void fail_everything(const Error& error);
  void record_error(const Error& error);
  // Runs `call` unless the work's run was cancelled; see cancel_outstanding().
  template <typename Call>
  void answer(const Work& work, Call&& call);

  const ModelSutOptions options_;
  const PromptSource prompts_;
  // Engine-thread state.
  BatchingEngine engine_;
  std::unordered_map<std::uint64_t, Work> live_;  // by engine request id
  std::uint64_t next_request_ = 0;
  std::uint64_t seen_epoch_ = 0;

  mutable std::mutex mutex_;
  std::condition_variable_any work_ready_;
  std::condition_variable_any idle_;
  std::vector<Work> inbox_;
  std::uint64_t epoch_ = 0;  // bumped by cancel_outstanding: work of older epochs is dropped
  int in_callback_ = 0;      // sink calls under way
  std::optional<Error> error_;
  std::jthread thread_;  // last: starts once everything above exists
};

}  // namespace mlbench::model
