#include "mlbench/model/data_parallel_sut.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace mlbench::model {
namespace {

// A replica's failure with the replica named first in `where` ("GPU 1: QSL sample 7").
Error named(Error error, const std::string& replica) {
  error.where = error.where.empty() ? replica : fmt::format("{}: {}", replica, error.where);
  return error;
}

}  // namespace

// The routing policy. A sample's work is its prompt tokens (the prefill) plus the engine's
// max_new_tokens (the most it can decode; CNN-DailyMail answers mostly run to it), and each
// sample goes to the replica holding the least outstanding work, ties to the lowest index.
// - Counting samples (round robin) balances only when prompts are alike: dealt in turn, an
//   Offline query whose long and short prompts alternate puts every long one on the same GPU.
//   Dealt by work, one query's split between replicas that start idle differs by at most one
//   sample's work, however its lengths are mixed.
// - Counting prompt tokens alone would pile many short prompts on one replica, each of which
//   still decodes up to max_new_tokens; the decode term keeps those apart. A prefill token and a
//   decode token cost the same order of GPU time in a batched engine (a prefill token's share of
//   a compute-bound GEMM, a decode token's share of a bandwidth-bound step), so they are summed
//   unweighted rather than tuned to one GPU.
// - Outstanding rather than issued work: a Server query goes to whichever replica has the least
//   left to do now, so a replica that fell behind (a longer mix, a slower GPU) gets less.
// The work is an estimate made at issue time; it is not revised as a sample decodes.

Result<std::unique_ptr<DataParallelSut>> DataParallelSut::create(
    std::vector<EngineReplica> replicas, PromptSource prompts, ModelSutOptions options) {
  if (replicas.empty()) {
    return fail(ErrorCode::kInvalidArgument, "a data-parallel SUT needs at least one engine");
  }
  return std::unique_ptr<DataParallelSut>(
      new DataParallelSut(std::move(replicas), std::move(prompts), std::move(options)));
}

DataParallelSut::DataParallelSut(std::vector<EngineReplica> replicas, PromptSource prompts,
                                 ModelSutOptions options)
    : options_(std::move(options)), prompts_(std::move(prompts)) {
  replicas_.reserve(replicas.size());
  for (EngineReplica& replica : replicas) {
    Replica& added = replicas_.emplace_back();
    added.max_new_tokens = replica.engine.options().max_new_tokens;
    added.counters.name = std::move(replica.name);
    added.sink = std::make_unique<ReplicaSink>(*this, replicas_.size() - 1);
    added.sut = std::make_unique<ModelSut>(std::move(replica.engine), prompts_, options_);
  }
}

DataParallelSut::~DataParallelSut() {
  // Every engine thread stops before any replica's state goes: a thread still finishing its
  // step calls its replica's sink.
  for (Replica& replica : replicas_)
    replica.sut.reset();
}

std::size_t DataParallelSut::least_loaded() const {
  // Healthy replicas first; when every one has failed, any will do, and it answers at once.
  for (const bool healthy_only : {true, false}) {
    std::optional<std::size_t> best;
    for (std::size_t i = 0; i < replicas_.size(); ++i) {
      if (healthy_only && replicas_[i].failed) continue;
      if (!best || replicas_[i].outstanding < replicas_[*best].outstanding) best = i;
    }
    if (best) return *best;
  }
  return 0;
}

void DataParallelSut::issue(std::span<const loadgen::IssuedSample> samples,
                            loadgen::ResponseSink& sink) {
  std::vector<std::int64_t> prompt_tokens;
  prompt_tokens.reserve(samples.size());
  for (const loadgen::IssuedSample& sample : samples)
    prompt_tokens.push_back(static_cast<std::int64_t>(prompts_(sample.qsl_index).size()));

  std::vector<std::vector<loadgen::IssuedSample>> shares(replicas_.size());
  {
    std::lock_guard lock(mutex_);
    for (std::size_t s = 0; s < samples.size(); ++s) {
      const std::size_t index = least_loaded();
      Replica& replica = replicas_[index];
      const std::int64_t work = prompt_tokens[s] + replica.max_new_tokens;
      // Registered before the replica sees the sample: it may answer before issue() returns.
      replica.pending[samples[s].response_id] = Pending{&sink, work};
      replica.outstanding += work;
      ++replica.counters.issued;
      replica.counters.prompt_tokens += prompt_tokens[s];
      shares[index].push_back(samples[s]);
    }
  }
  for (std::size_t i = 0; i < replicas_.size(); ++i) {
    if (!shares[i].empty()) replicas_[i].sut->issue(shares[i], *replicas_[i].sink);
  }
}

void DataParallelSut::flush() {
  for (Replica& replica : replicas_)
    replica.sut->flush();
}

void DataParallelSut::cancel_outstanding() {
  // Not under mutex_: a replica's cancel waits for its sink calls, which take it.
  for (Replica& replica : replicas_)
    replica.sut->cancel_outstanding();
  std::lock_guard lock(mutex_);
  for (Replica& replica : replicas_) {
    replica.pending.clear();
    replica.outstanding = 0;
  }
}

std::optional<Error> DataParallelSut::error() const {
  {
    std::lock_guard lock(mutex_);
    if (error_) return error_;
  }
  // A failure whose samples were cancelled before they were answered.
  for (const Replica& replica : replicas_) {
    if (auto failure = replica.sut->error())
      return named(std::move(*failure), replica.counters.name);
  }
  return std::nullopt;
}

std::vector<ReplicaCounters> DataParallelSut::counters() const {
  std::lock_guard lock(mutex_);
  std::vector<ReplicaCounters> out;
  out.reserve(replicas_.size());
  for (const Replica& replica : replicas_)
    out.push_back(replica.counters);
  return out;
}

loadgen::ResponseSink* DataParallelSut::sink_of(std::size_t replica,
                                                std::uint64_t response_id) const {
  std::lock_guard lock(mutex_);
  const auto& pending = replicas_[replica].pending;
  const auto it = pending.find(response_id);
  return it == pending.end() ? nullptr : it->second.sink;
}

loadgen::ResponseSink* DataParallelSut::finish(std::size_t index, std::uint64_t response_id,
                                               std::int64_t n_tokens) {
  bool first_failure = false;
  loadgen::ResponseSink* sink = nullptr;
  {
    std::lock_guard lock(mutex_);
    Replica& replica = replicas_[index];
    const auto it = replica.pending.find(response_id);
    if (it == replica.pending.end()) return nullptr;
    sink = it->second.sink;
    replica.outstanding -= it->second.work;
    replica.pending.erase(it);
    ++replica.counters.completed;
    replica.counters.tokens += n_tokens;
    // The engine gives every request at least one token: an empty answer is a failure.
    if (n_tokens == 0) {
      ++replica.counters.failed;
      first_failure = !replica.failed && !error_;
      if (!replica.failed)
        spdlog::warn("{} failed; its next samples go to the others", replica.counters.name);
      replica.failed = true;
    }
  }
  if (first_failure) {
    // ModelSut records its failure before it answers the samples it hit, so it is there now.
    // Read outside mutex_, which ModelSut's own lock must never wait on.
    if (auto failure = replicas_[index].sut->error()) {
      std::lock_guard lock(mutex_);
      if (!error_) error_ = named(std::move(*failure), replicas_[index].counters.name);
    }
  }
  return sink;
}

void DataParallelSut::ReplicaSink::first_token(std::uint64_t response_id,
                                               std::span<const std::byte> data) {
  if (loadgen::ResponseSink* sink = owner_.sink_of(index_, response_id))
    sink->first_token(response_id, data);
}

void DataParallelSut::ReplicaSink::complete(std::uint64_t response_id,
                                            std::span<const std::byte> data,
                                            std::int64_t n_tokens) {
  // The replica's books are settled before the answer goes on, so that whoever sees it can
  // already read the counters that include it.
  if (loadgen::ResponseSink* sink = owner_.finish(index_, response_id, n_tokens))
    sink->complete(response_id, data, n_tokens);
}

}  // namespace mlbench::model
