#include "mlbench/loadgen/simulated_sut.h"

#include <algorithm>
#include <cstring>

namespace mlbench::loadgen {
namespace {

constexpr int32_t kEndOfTurnToken = 128009;  // Llama 3's <|eot_id|>

// SplitMix64: a well-mixed 64-bit hash, so neighbouring indices get unrelated draws.
uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// A value in [low, high], drawn from the hash.
int64_t draw(uint64_t hash, int64_t low, int64_t high) {
  if (high <= low) return low;
  return low + static_cast<int64_t>(hash % static_cast<uint64_t>(high - low + 1));
}

std::vector<std::byte> as_bytes(std::span<const int32_t> ids) {
  std::vector<std::byte> bytes(ids.size() * sizeof(int32_t));
  // Token ids travel as int32 little-endian, which is this machine's layout.
  std::memcpy(bytes.data(), ids.data(), bytes.size());
  return bytes;
}

}  // namespace

SimulatedAnswer simulate_answer(const SimulatedSutOptions& options, uint64_t qsl_index) {
  const uint64_t h1 = mix(options.seed ^ mix(qsl_index));
  const uint64_t h2 = mix(h1);
  SimulatedAnswer answer;
  // At least 2 tokens: LoadGen counts a 1-token answer as an error.
  answer.n_tokens =
      std::max<int64_t>(2, draw(h1, options.min_output_tokens,
                                std::max(options.min_output_tokens, options.max_output_tokens)));
  answer.time_to_first_token = std::chrono::microseconds(
      draw(h2, options.min_ttft.count(), std::max(options.min_ttft, options.max_ttft).count()));
  answer.total_time =
      answer.time_to_first_token + options.time_per_output_token * (answer.n_tokens - 1);
  answer.token_ids.resize(static_cast<size_t>(answer.n_tokens));
  for (int64_t k = 0; k + 1 < answer.n_tokens; ++k) {
    answer.token_ids[static_cast<size_t>(k)] = static_cast<int32_t>(
        1000 + (7919 * qsl_index + 104729 * static_cast<uint64_t>(k)) % 120000);
  }
  answer.token_ids.back() = kEndOfTurnToken;
  return answer;
}

SimulatedSut::SimulatedSut(SimulatedSutOptions options) : options_(options) {
  const int workers = std::max(1, options_.workers);
  for (int i = 0; i < workers; ++i) {
    workers_.emplace_back([this](std::stop_token stop) { serve(stop); });
  }
}

SimulatedSut::~SimulatedSut() {
  for (auto& worker : workers_)
    worker.request_stop();
  work_ready_.notify_all();
  workers_.clear();  // joins
}

void SimulatedSut::issue(std::span<const IssuedSample> samples, ResponseSink& sink) {
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mutex_);
    for (const IssuedSample& sample : samples)
      queue_.push_back(Work{sample, &sink, now, epoch_});
  }
  work_ready_.notify_all();
}

void SimulatedSut::cancel_outstanding() {
  std::unique_lock lock(mutex_);
  queue_.clear();
  ++epoch_;
  work_ready_.notify_all();  // wakes sleeping workers, which then see the new epoch
  idle_.wait(lock, [this] { return in_callback_ == 0; });
}

bool SimulatedSut::sleep_unless_cancelled(std::stop_token stop, uint64_t epoch,
                                          std::chrono::steady_clock::time_point until) {
  std::unique_lock lock(mutex_);
  work_ready_.wait_until(lock, stop, until, [&] { return epoch_ != epoch; });
  return epoch_ == epoch && !stop.stop_requested();
}

void SimulatedSut::serve(std::stop_token stop) {
  while (true) {
    Work work;
    {
      std::unique_lock lock(mutex_);
      if (!work_ready_.wait(lock, stop, [this] { return !queue_.empty(); })) return;
      work = queue_.front();
      queue_.pop_front();
    }
    // The clock starts when a worker picks the sample up: queueing delay is real latency.
    const auto begin = std::chrono::steady_clock::now();
    const SimulatedAnswer answer = simulate_answer(options_, work.sample.qsl_index);
    const std::vector<std::byte> bytes = as_bytes(answer.token_ids);
    const auto answer_at = [&](std::chrono::steady_clock::time_point when, auto&& call) {
      if (!sleep_unless_cancelled(stop, work.epoch, when)) return false;
      {
        std::lock_guard lock(mutex_);
        // Checked again under the lock: cancel_outstanding waits for in_callback_ to drain,
        // so no call can start once it has returned.
        if (epoch_ != work.epoch) return false;
        ++in_callback_;
      }
      call();
      {
        std::lock_guard lock(mutex_);
        --in_callback_;
      }
      idle_.notify_all();
      return true;
    };
    if (options_.report_first_token && !answer_at(begin + answer.time_to_first_token, [&] {
          work.sink->first_token(work.sample.response_id, std::span(bytes).first(sizeof(int32_t)));
        })) {
      continue;
    }
    answer_at(begin + answer.total_time,
              [&] { work.sink->complete(work.sample.response_id, bytes, answer.n_tokens); });
  }
}

}  // namespace mlbench::loadgen
