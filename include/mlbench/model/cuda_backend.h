#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "mlbench/core/result.h"
#include "mlbench/model/backend.h"
#include "mlbench/model/cuda_memory_plan.h"

namespace mlbench::model {

// How activations enter the bf16 GEMMs. kSplitBf16 sends each fp32 activation as two bf16
// numbers (x ≈ hi + lo, about 16 significant bits) through one GEMM of twice the rows, so the
// products are near fp32 and the logits track the CPU backend's; decode, which is bound by
// reading the weights, costs about the same. kBf16 rounds activations to bf16, as a bf16
// Hugging Face model does, and halves the prefill FLOPs.
enum class CudaPrecision { kSplitBf16, kBf16 };

// How the KV cache stores keys and values. kFp32 keeps what the projection computed, as the CPU
// backend does. kBf16 rounds each once and halves the cache: twice the tokens in the same memory,
// and half the bytes a decode step's attention reads (for Llama-3.1-8B, 128 KiB a token instead
// of 256), at bf16's precision, which is a bf16 Hugging Face model's.
enum class CudaKvDtype { kFp32, kBf16 };

struct CudaBackendOptions {
  int device = 0;
  double gpu_memory_fraction = 0.9;  // of the memory free when the backend starts
  int max_batch = 16;                // sequences in one forward step
  std::int64_t max_step_tokens = 1024;
  std::int64_t max_sequence_tokens = 0;  // 0: the model's max_position_embeddings
  std::int64_t kv_block_tokens = 16;
  std::int64_t max_kv_blocks = 0;  // a cap on the KV pool; 0: all the budget leaves
  CudaPrecision precision = CudaPrecision::kSplitBf16;
  CudaKvDtype kv_dtype = CudaKvDtype::kFp32;
  // Replays a decode step (every sequence one token) as a CUDA graph, one captured per batch
  // size the first time that batch decodes twice; prefill and mixed steps always run eagerly.
  // MLBENCH_CUDA_SYNC=1 turns graphs off, since it synchronises between kernels.
  bool cuda_graphs = true;
  // Attention over a GQA group's query heads in one block, reading each key and value once for
  // the group, with decode positions split across blocks. false (or MLBENCH_CUDA_ATTENTION=
  // per-head in the environment) runs the first kernel, one block per query head, kept as the
  // reference the grouped one is tested against.
  bool grouped_attention = true;
};

// How the backend's forward steps ran, for tests and the benchmark.
struct CudaStepCounts {
  std::int64_t eager_steps = 0;
  std::int64_t graph_steps = 0;      // decode steps replayed from a CUDA graph
  std::int64_t graphs_captured = 0;  // distinct batch sizes captured
  bool graphs_failed = false;        // a capture failed; graphs are off from then on
};

// The Llama forward pass on one GPU: bf16 weights resident on the device, cuBLAS for the
// projections (q, k and v as one GEMM, gate and up as another) and the LM head, our kernels for
// the rest (RoPE and the KV-cache store in one), keys and values (fp32 or bf16) in a paged pool
// of fixed-size blocks, the greedy argmax on the device, decode steps replayed as CUDA graphs:
// 12 launches a layer with split-bf16 activations, 10 with bf16, one more where decode attention
// splits its positions.
// Every CUDA and cuBLAS call is checked: a failure comes back as an Error naming the call. Set
// MLBENCH_CUDA_SYNC=1 to synchronise after every kernel, so an asynchronous fault is pinned on
// the kernel that caused it.
class CudaBackend : public InferenceBackend {
 public:
  // forward() that also copies back each step's logits (steps × vocab floats), for comparisons
  // against the CPU backend.
  virtual Result<std::vector<float>> forward_logits(std::span<const BackendStep> steps) = 0;

  virtual const CudaMemoryPlan& memory_plan() const = 0;
  virtual std::int64_t free_kv_blocks() const = 0;
  virtual const std::string& device_name() const = 0;

  virtual CudaStepCounts step_counts() const = 0;
  // Turns decode graphs on or off from the next step (graphs already captured are kept). On
  // has no effect under MLBENCH_CUDA_SYNC=1 or after a failed capture.
  virtual void set_cuda_graphs(bool enabled) = 0;
};

// Loads the checkpoint in `model_dir` (read on the host with ModelWeights, copied to the
// device) and sizes the KV pool (plan_cuda_memory). Fails cleanly when there is no such GPU,
// the model does not fit, or it has shapes the kernels do not take (head_dim over 256).
Result<std::unique_ptr<CudaBackend>> open_cuda_backend(const std::string& model_dir,
                                                       const CudaBackendOptions& options);

// The same behind the plain backend interface, for the runner.
Result<std::unique_ptr<InferenceBackend>> make_cuda_backend(const std::string& model_dir,
                                                            const CudaBackendOptions& options);

}  // namespace mlbench::model
