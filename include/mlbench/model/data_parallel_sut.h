#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "mlbench/core/result.h"
#include "mlbench/loadgen/system_under_test.h"
#include "mlbench/model/batching_engine.h"
#include "mlbench/model/model_sut.h"

namespace mlbench::model {

// One engine of a data-parallel SUT and the name its errors and counters go by ("GPU 1").
struct EngineReplica {
  std::string name;
  BatchingEngine engine;
};

// What one replica has done so far, for the runner to log the split.
struct ReplicaCounters {
  std::string name;
  std::uint64_t issued = 0;        // samples routed to it
  std::int64_t prompt_tokens = 0;  // their prompt tokens
  std::uint64_t completed = 0;     // samples it answered, failed ones included
  std::uint64_t failed = 0;        // answered with no tokens (see ModelSut)
  std::int64_t tokens = 0;         // output tokens of its answers
};

// Several engines behind one SUT, as MLPerf submissions run a model that fits one GPU: one
// ModelSut (one BatchingEngine on its own engine thread) per replica, and issue() deals the
// samples out among them. Each sample goes to the replica with the least outstanding work,
// counted in tokens (see data_parallel_sut.cc for why); the answers reach the caller's sink
// unchanged.
//
// A replica that fails (a prompt it refuses, a backend error) answers its samples with no
// tokens, as ModelSut does, and is given no more work while another replica is healthy, so
// the run goes on at the others' pace. error() keeps the first failure, naming the replica.
//
// The PromptSource is shared: it is called from the issue thread (to weigh a sample) and from
// every engine thread at once, so it must be safe to call concurrently (a lookup into a
// dataset that nothing modifies is).
class DataParallelSut final : public loadgen::SystemUnderTest {
 public:
  // One replica per engine, in order (ties in the routing go to the lowest index). Fails on
  // no replicas. Each engine's backend must outlive the SUT.
  static Result<std::unique_ptr<DataParallelSut>> create(std::vector<EngineReplica> replicas,
                                                         PromptSource prompts,
                                                         ModelSutOptions options = {});
  ~DataParallelSut() override;
  DataParallelSut(const DataParallelSut&) = delete;
  DataParallelSut& operator=(const DataParallelSut&) = delete;

  std::string name() const override { return options_.name; }
  void issue(std::span<const loadgen::IssuedSample> samples, loadgen::ResponseSink& sink) override;
  void flush() override;
  // Cancels every replica; once it returns the sink is not called again.
  void cancel_outstanding() override;

  // The first failure any replica met, its `where` prefixed with the replica's name.
  std::optional<Error> error() const;
  std::vector<ReplicaCounters> counters() const;
  std::size_t replicas() const { return replicas_.size(); }

 private:
  // Forwards one replica's answers to the sink each sample was issued with, keeping the
  // replica's outstanding work and counters.
  class ReplicaSink final : public loadgen::ResponseSink {
   public:
    ReplicaSink(DataParallelSut& owner, std::size_t index) : owner_(owner), index_(index) {}
    void first_token(std::uint64_t response_id, std::span<const std::byte> data) override;
    void complete(std::uint64_t response_id, std::span<const std::byte> data,
                  std::int64_t n_tokens) override;

   private:
    DataParallelSut& owner_;
    std::size_t index_;
  };

  struct Pending {
    loadgen::ResponseSink* sink = nullptr;
    std::int64_t work = 0;
  };

  struct Replica {
    std::int64_t max_new_tokens = 0;
    std::int64_t outstanding = 0;  // work of the samples it holds
    bool failed = false;
    ReplicaCounters counters;  // counters.name is the replica's name; set once, read unlocked
    std::unordered_map<std::uint64_t, Pending> pending;  // by response id
    std::unique_ptr<ReplicaSink> sink;
    std::unique_ptr<ModelSut> sut;
  };

  DataParallelSut(std::vector<EngineReplica> replicas, PromptSource prompts,
                  ModelSutOptions options);
  // The replica the next sample goes to; called with mutex_ held.
  std::size_t least_loaded() const;
  loadgen::ResponseSink* sink_of(std::size_t replica, std::uint64_t response_id) const;
  loadgen::ResponseSink* finish(std::size_t replica, std::uint64_t response_id,
                                std::int64_t n_tokens);

  const ModelSutOptions options_;
  const PromptSource prompts_;
  mutable std::mutex mutex_;
  std::optional<Error> error_;
  // Last, so that the engine threads stop before the state their sinks use is gone.
  std::vector<Replica> replicas_;
};

}  // namespace mlbench::model
