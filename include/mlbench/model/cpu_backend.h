#pragma once

#include <unordered_map>

#include "mlbench/model/backend.h"
#include "mlbench/model/forward_cpu.h"

namespace mlbench::model {

// The CPU forward pass behind the backend interface: one KvCache per sequence id, one
// CpuModel::forward call per step, argmax on the host. `model` must outlive the backend.
class CpuBackend final : public InferenceBackend {
 public:
  explicit CpuBackend(CpuModel& model) : model_(model) {}

  const LlamaConfig& config() const override { return model_.config(); }
  Result<std::vector<std::int32_t>> forward(std::span<const BackendStep> steps) override;
  void release(SequenceId sequence) override { caches_.erase(sequence); }
  std::size_t live_sequences() const override { return caches_.size(); }

 private:
  CpuModel& model_;
  std::unordered_map<SequenceId, KvCache> caches_;
};

}  // namespace mlbench::model
