#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "mlbench/core/result.h"
#include "mlbench/loadgen/issue_engine.h"
#include "mlbench/loadgen/query_plan.h"
#include "mlbench/loadgen/system_under_test.h"

namespace mlbench::model::testing {

// Records what a SUT sends a sink: each response's completions, tokens and token count, and any
// call after close(). Made closed (open = false), every call waits until open(), so that
// nothing completes while a test is still issuing.
class RecordingSink final : public loadgen::ResponseSink {
 public:
  explicit RecordingSink(bool open = true) : open_(open) {}

  void first_token(uint64_t, std::span<const std::byte>) override { note(); }
  void complete(uint64_t response_id, std::span<const std::byte> data, int64_t n) override {
    note();
    std::lock_guard lock(mutex_);
    ++completions_[response_id];
    tokens_[response_id] = ids(data);
    n_tokens_[response_id] = n;
  }

  void open() {
    {
      std::lock_guard lock(mutex_);
      open_ = true;
    }
    opened_.notify_all();
  }
  void close() { closed_ = true; }
  int late_calls() const { return late_; }

  // Responses completed, each counted once.
  std::size_t completed() const {
    std::lock_guard lock(mutex_);
    return completions_.size();
  }
  // Completions beyond the first of each response.
  int repeats() const {
    std::lock_guard lock(mutex_);
    int repeats = 0;
    for (const auto& [id, count] : completions_)
      repeats += count - 1;
    return repeats;
  }
  bool has(uint64_t id) const {
    std::lock_guard lock(mutex_);
    return completions_.contains(id);
  }
  std::vector<std::int32_t> tokens(uint64_t id) const {
    std::lock_guard lock(mutex_);
    return tokens_.at(id);
  }
  std::int64_t n_tokens(uint64_t id) const {
    std::lock_guard lock(mutex_);
    return n_tokens_.at(id);
  }

  static std::vector<std::int32_t> ids(std::span<const std::byte> data) {
    std::vector<std::int32_t> out(data.size() / 4);
    if (!out.empty()) std::memcpy(out.data(), data.data(), out.size() * 4);
    return out;
  }

 private:
  void note() {
    using namespace std::chrono_literals;
    if (closed_) ++late_;
    {
      std::unique_lock lock(mutex_);
      opened_.wait_for(lock, 20s, [this] { return open_; });
    }
    // Slow the sink down a little so cancel_outstanding often lands inside a call.
    std::this_thread::sleep_for(50us);
  }

  mutable std::mutex mutex_;
  std::condition_variable opened_;
  bool open_;
  std::map<uint64_t, int> completions_;
  std::map<uint64_t, std::vector<std::int32_t>> tokens_;
  std::map<uint64_t, std::int64_t> n_tokens_;
  std::atomic<bool> closed_{false};
  std::atomic<int> late_{0};
};

inline bool wait_until(const std::function<bool()>& done,
                       std::chrono::milliseconds limit = std::chrono::seconds(30)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

// Issues 200 samples over QSL indices [0, qsl_size), cancels once a few are answered, and
// checks that no sink call follows; the sink is destroyed on return, so a late call is also a
// use after free under ASan.
inline void expect_cancel_mid_run_stops_sink_calls(loadgen::SystemUnderTest& sut,
                                                   std::uint64_t qsl_size) {
  RecordingSink sink;
  std::vector<loadgen::IssuedSample> samples;
  for (std::uint64_t i = 0; i < 200; ++i)
    samples.push_back({.response_id = i, .qsl_index = i % qsl_size});
  sut.issue(samples, sink);
  ASSERT_TRUE(wait_until([&] { return sink.completed() >= 3; }));
  sut.cancel_outstanding();
  sink.close();
  EXPECT_LT(sink.completed(), 200u);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // several steps, were any left
  EXPECT_EQ(sink.late_calls(), 0);
}

// One phase of `settings` over `qsl` against `sut` with the real issue engine, as the runner
// runs it: settings derived, queries planned, answers awaited for at most a minute.
inline Result<loadgen::RunRecord> run_under_loadgen(const loadgen::TestSettings& settings,
                                                    loadgen::QslCounts qsl,
                                                    loadgen::SystemUnderTest& sut) {
  auto derived = loadgen::derive_effective_settings(settings, qsl);
  if (!derived) return derived.failure();
  auto sets = loadgen::plan_queries(derived->settings, qsl);
  if (!sets) return sets.failure();
  loadgen::IssueOptions options;
  options.completion_timeout = std::chrono::seconds(60);
  return loadgen::run_phase(derived->settings, qsl, *sets, sut, options);
}

}  // namespace mlbench::model::testing
