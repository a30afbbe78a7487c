#include "mlbench/model/cuda_backend.h"

#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>
#include <set>
#include <unordered_map>

#include "mlbench/model/weights.h"

#include "model/cuda/kernels.h"
#include "model/rope.h"

// Returns the failure of a Result<void> expression from the enclosing function.
#define MLBENCH_CUDA_TRY(expr)             \
  do {                                     \
    if (auto try_ok_ = (expr); !try_ok_) { \
      return try_ok_.failure();            \
    }                                      \
  } while (false)

namespace mlbench::model {
namespace {

constexpr std::int64_t kMaxHeadDim = 256;  // attention_kernel keeps a head's dims in registers

// The call's text in the message, so that a failure on first contact with a GPU says which
// call failed and why.
Result<void> cuda_ok(cudaError_t status, std::string_view call, int device) {
  if (status == cudaSuccess) return {};
  return fail(
      ErrorCode::kIo,
      fmt::format("{} failed: {} ({})", call, cudaGetErrorName(status), cudaGetErrorString(status)),
      fmt::format("GPU {}", device));
}

Result<void> cublas_ok(cublasStatus_t status, std::string_view call, int device) {
  if (status == CUBLAS_STATUS_SUCCESS) return {};
  return fail(ErrorCode::kIo,
              fmt::format("{} failed: {} ({})", call, cublasGetStatusName(status),
                          cublasGetStatusString(status)),
              fmt::format("GPU {}", device));
}

#define CUDA_CALL(call) cuda_ok((call), #call, device_)
#define CUBLAS_CALL(call) cublas_ok((call), #call, device_)

struct CudaFree {
  void operator()(void* p) const { cudaFree(p); }  // nothing useful to do with a failure here
};
struct CudaFreeHost {
  void operator()(void* p) const { cudaFreeHost(p); }
};
using DevicePtr = std::unique_ptr<void, CudaFree>;
using PinnedPtr = std::unique_ptr<void, CudaFreeHost>;

std::string gib(std::uint64_t bytes) {
  return format_gib(bytes);
}

// A weight matrix on the device, row-major [rows, cols] = [out, in], bf16.
struct DeviceMatrix {
  const std::uint16_t* data = nullptr;
  std::int64_t rows = 0;
  std::int64_t cols = 0;
};

// q, k and v are one matrix (their rows stacked), as are gate and up: one GEMM each, which
// reads the same weights in fewer, larger launches.
struct DeviceLayer {
  const float* input_norm = nullptr;
  const float* post_attn_norm = nullptr;
  DeviceMatrix qkv, o, gate_up, down;
};

struct Sequence {
  std::int64_t length = 0;
  std::vector<std::int32_t> blocks;
};

// The decode step of one batch size as a CUDA graph. The first decode at a batch runs eagerly,
// so that every kernel (ours and the ones cuBLAS picks for these shapes) is loaded and cuBLAS
// has made its choices before capture, which then records exactly what the eager step ran.
struct DecodeGraph {
  std::int64_t eager_runs = 0;
  cudaGraphExec_t exec = nullptr;
};

// The matrix as bf16 bits: a bf16 checkpoint as mapped, others rounded as torch rounds.
std::vector<std::uint16_t> to_bf16(const Matrix& m) {
  std::vector<std::uint16_t> out(static_cast<std::size_t>(m.rows * m.cols));
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i] = f32_to_bf16(load_element(m.dtype, m.data, i));
  return out;
}

class CudaBackendImpl final : public CudaBackend {
 public:
  CudaBackendImpl(const CudaBackendOptions& options, LlamaConfig config)
      : options_(options), device_(options.device), config_(std::move(config)) {}

  ~CudaBackendImpl() override {
    cudaSetDevice(device_);
    if (stream_ != nullptr) cudaStreamSynchronize(stream_);
    for (auto& [batch, graph] : graphs_) {
      if (graph.exec != nullptr) cudaGraphExecDestroy(graph.exec);
    }
    if (blas_ != nullptr) cublasDestroy(blas_);
    if (stream_ != nullptr) cudaStreamDestroy(stream_);
  }

  Result<void> open(const ModelWeights& weights);

  const LlamaConfig& config() const override { return config_; }
  Result<std::vector<std::int32_t>> forward(std::span<const BackendStep> steps) override {
    return run(steps, nullptr);
  }
  Result<std::vector<float>> forward_logits(std::span<const BackendStep> steps) override {
    std::vector<float> logits;
    auto tokens = run(steps, &logits);
    if (!tokens) return tokens.failure();
    return logits;
  }
  void release(SequenceId sequence) override {
    auto it = sequences_.find(sequence);
    if (it == sequences_.end()) return;
    free_blocks_.insert(free_blocks_.end(), it->second.blocks.begin(), it->second.blocks.end());
    sequences_.erase(it);
  }
  std::size_t live_sequences() const override { return sequences_.size(); }
  const CudaMemoryPlan& memory_plan() const override { return plan_; }
  std::int64_t free_kv_blocks() const override {
    return static_cast<std::int64_t>(free_blocks_.size());
  }
  const std::string& device_name() const override { return device_name_; }
  CudaStepCounts step_counts() const override { return counts_; }
  void set_cuda_graphs(bool enabled) override {
    graphs_on_ = enabled && !sync_each_kernel_ && !counts_.graphs_failed;
  }

 private:
  Result<void*> allocate(std::uint64_t bytes, std::string_view what);
  Result<const float*> upload_floats(const std::vector<float>& values, std::string_view what);
  // The matrices' rows one after another in one bf16 device matrix (all have the same
  // columns): a bf16 checkpoint's bits as mapped, other dtypes rounded.
  Result<DeviceMatrix> upload_matrix(std::initializer_list<const Matrix*> parts,
                                     std::string_view what);

  bool kv_bf16() const { return options_.kv_dtype == CudaKvDtype::kBf16; }
  std::size_t kv_element_bytes() const { return kv_bf16() ? 2 : sizeof(float); }

  Result<void> check(std::span<const BackendStep> steps) const;
  Result<std::vector<std::int32_t>> run(std::span<const BackendStep> steps,
                                        std::vector<float>* logits);
  Result<void> enqueue_forward(const CudaStepMeta& m);
  // A decode step: replays (capturing first, when due) the batch's graph, or runs eagerly.
  Result<void> enqueue_decode(const CudaStepMeta& m);
  Result<void> capture(const CudaStepMeta& m, DecodeGraph& graph);
  // Checks that the last kernel launched, and with MLBENCH_CUDA_SYNC=1 that it also ran.
  Result<void> launched(std::string_view kernel);
  // Splits `rows` × `cols` activations into the bf16 GEMM input; then multiply() any matrices
  // with `cols` inputs against it.
  Result<void> prepare(const float* x, std::int64_t rows, std::int64_t cols);
  // out = w · the GEMM input (+ out when beta is 1), as cuBLAS writes it: gemm_parts × rows rows.
  Result<void> gemm(std::int64_t rows, const DeviceMatrix& w, float* out, float beta);
  // y = (or +=) the product, its parts summed; with one part cuBLAS writes y itself.
  Result<void> multiply(std::int64_t rows, const DeviceMatrix& w, float* y, bool accumulate);
  // The product's parts left in gemm_out_, for a kernel that takes them apart.
  Result<void> project(std::int64_t rows, const DeviceMatrix& w) {
    return gemm(rows, w, gemm_out_, 0.0f);
  }

  CudaBackendOptions options_;
  int device_ = 0;
  LlamaConfig config_;
  std::string device_name_;
  bool sync_each_kernel_ = false;
  bool graphs_on_ = false;
  bool grouped_attention_ = true;
  std::unordered_map<std::int64_t, DecodeGraph> graphs_;  // by batch size
  CudaStepCounts counts_;
  cudaStream_t stream_ = nullptr;
  cublasHandle_t blas_ = nullptr;
  CudaMemoryPlan plan_;
  CudaScratchLayout scratch_;
  std::vector<DevicePtr> owned_;

  const std::uint16_t* embedding_ = nullptr;
  DeviceMatrix lm_head_;
  const float* final_norm_ = nullptr;
  const float* inv_freq_ = nullptr;
  std::vector<DeviceLayer> layers_;

  char* kv_pool_ = nullptr;  // [layer][keys, values][block][block_tokens][kv_dim] elements
  std::vector<std::int32_t> free_blocks_;
  std::unordered_map<SequenceId, Sequence> sequences_;

  // Scratch, sized by scratch_.
  float* x_ = nullptr;
  float* q_ = nullptr;
  float* attended_ = nullptr;
  std::uint16_t* gemm_in_ = nullptr;
  float* gemm_out_ = nullptr;
  float* logits_ = nullptr;
  float* attention_partial_ = nullptr;
  std::int32_t* meta_ = nullptr;       // device copy of host_meta_
  std::int32_t* host_meta_ = nullptr;  // pinned
  PinnedPtr host_meta_owner_;
  void* workspace_ = nullptr;
};

Result<void*> CudaBackendImpl::allocate(std::uint64_t bytes, std::string_view what) {
  void* p = nullptr;
  if (const cudaError_t status = cudaMalloc(&p, std::max<std::uint64_t>(bytes, 1));
      status != cudaSuccess) {
    cudaGetLastError();
    return fail(ErrorCode::kIo,
                fmt::format("cudaMalloc of {} bytes ({}) for {} failed: {}", bytes, gib(bytes),
                            what, cudaGetErrorString(status)),
                fmt::format("GPU {}", device_));
  }
  owned_.emplace_back(p);
  return p;
}

Result<DeviceMatrix> CudaBackendImpl::upload_matrix(std::initializer_list<const Matrix*> parts,
                                                    std::string_view what) {
  std::int64_t rows = 0;
  const std::int64_t cols = (*parts.begin())->cols;
  for (const Matrix* m : parts) {
    if (m->cols != cols) {
      return fail(ErrorCode::kInvalidArgument,
                  fmt::format("{}: matrices of {} and {} columns cannot share one GEMM", what, cols,
                              m->cols));
    }
    rows += m->rows;
  }
  auto p = allocate(static_cast<std::uint64_t>(rows * cols) * 2, what);
  if (!p) return p.failure();
  auto* next = static_cast<std::uint16_t*>(*p);
  for (const Matrix* m : parts) {
    const auto bytes = static_cast<std::size_t>(m->rows * m->cols) * 2;
    if (m->dtype == DType::kBF16) {
      MLBENCH_CUDA_TRY(CUDA_CALL(cudaMemcpy(next, m->data, bytes, cudaMemcpyHostToDevice)));
    } else {
      const std::vector<std::uint16_t> converted = to_bf16(*m);
      MLBENCH_CUDA_TRY(
          CUDA_CALL(cudaMemcpy(next, converted.data(), bytes, cudaMemcpyHostToDevice)));
    }
    next += m->rows * m->cols;
  }
  return DeviceMatrix{static_cast<const std::uint16_t*>(*p), rows, cols};
}

Result<const float*> CudaBackendImpl::upload_floats(const std::vector<float>& values,
                                                    std::string_view what) {
  auto p = allocate(values.size() * 4, what);
  if (!p) return p.failure();
  MLBENCH_CUDA_TRY(
      CUDA_CALL(cudaMemcpy(*p, values.data(), values.size() * 4, cudaMemcpyHostToDevice)));
  return static_cast<const float*>(*p);
}

Result<void> CudaBackendImpl::open(const ModelWeights& weights) {
  const LlamaConfig& c = config_;
  if (c.head_dim > kMaxHeadDim || c.head_dim % 2 != 0) {
    return fail(ErrorCode::kUnsupported,
                fmt::format("head_dim {} is not supported: the CUDA attention kernel takes even "
                            "head_dim up to {}",
                            c.head_dim, kMaxHeadDim));
  }
  if (options_.max_batch < 1 || options_.max_step_tokens < options_.max_batch ||
      options_.kv_block_tokens < 1) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("need max_batch >= 1, max_step_tokens >= max_batch and KV blocks of "
                            "at least one token (got {}, {}, {})",
                            options_.max_batch, options_.max_step_tokens, options_.kv_block_tokens),
                "--max-batch / --max-batch-tokens");
  }
  if (options_.max_sequence_tokens <= 0 ||
      options_.max_sequence_tokens > c.max_position_embeddings) {
    options_.max_sequence_tokens = c.max_position_embeddings;
  }
  int devices = 0;
  if (const cudaError_t status = cudaGetDeviceCount(&devices); status != cudaSuccess) {
    cudaGetLastError();
    return fail(ErrorCode::kNotFound,
                fmt::format("no usable CUDA device: cudaGetDeviceCount failed: {}",
                            cudaGetErrorString(status)),
                fmt::format("GPU {}", device_));
  }
  if (device_ < 0 || device_ >= devices) {
    return fail(
        ErrorCode::kNotFound,
        fmt::format("GPU {} does not exist: this machine has {} CUDA device(s)", device_, devices),
        "--gpus");
  }
  MLBENCH_CUDA_TRY(CUDA_CALL(cudaSetDevice(device_)));
  cudaDeviceProp props{};
  MLBENCH_CUDA_TRY(CUDA_CALL(cudaGetDeviceProperties(&props, device_)));
  device_name_ = props.name;
  MLBENCH_CUDA_TRY(CUDA_CALL(cudaFree(nullptr)));  // creates the context before we measure
  MLBENCH_CUDA_TRY(CUDA_CALL(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking)));
  MLBENCH_CUDA_TRY(CUBLAS_CALL(cublasCreate(&blas_)));
  MLBENCH_CUDA_TRY(CUBLAS_CALL(cublasSetStream(blas_, stream_)));
  const char* sync = std::getenv("MLBENCH_CUDA_SYNC");
  sync_each_kernel_ = sync != nullptr && std::string_view(sync) == "1";
  graphs_on_ = options_.cuda_graphs && !sync_each_kernel_;
  const char* attention = std::getenv("MLBENCH_CUDA_ATTENTION");
  grouped_attention_ = options_.grouped_attention &&
                       !(attention != nullptr && std::string_view(attention) == "per-head");

  std::size_t free_bytes = 0;
  std::size_t total_bytes = 0;
  MLBENCH_CUDA_TRY(CUDA_CALL(cudaMemGetInfo(&free_bytes, &total_bytes)));
  const int parts = options_.precision == CudaPrecision::kSplitBf16 ? 2 : 1;
  scratch_ = cuda_scratch_layout(c, options_.max_step_tokens, options_.max_batch,
                                 options_.max_sequence_tokens, options_.kv_block_tokens, parts);
  auto plan = plan_cuda_memory({.device = device_,
                                .free_bytes = free_bytes,
                                .total_bytes = total_bytes,
                                .gpu_memory_fraction = options_.gpu_memory_fraction,
                                .weight_bytes = cuda_weight_bytes(c),
                                .scratch_bytes = scratch_.bytes(),
                                // Counted even with graphs off: set_cuda_graphs may turn them on.
                                .graph_bytes = cuda_graph_reserve_bytes(c, options_.max_batch),
                                .kv_bytes_per_token = kv_bytes_per_token(c, kv_element_bytes()),
                                .block_tokens = options_.kv_block_tokens,
                                .max_sequence_tokens = options_.max_sequence_tokens,
                                .max_blocks = options_.max_kv_blocks});
  if (!plan) return plan.failure();
  plan_ = *plan;

  // Weights.
  auto embedding = upload_matrix({&weights.embedding()}, "model.embed_tokens.weight");
  if (!embedding) return embedding.failure();
  embedding_ = embedding->data;
  if (c.tie_word_embeddings) {
    lm_head_ = {embedding_, c.vocab_size, c.hidden_size};
  } else {
    auto head = upload_matrix({&weights.lm_head()}, "lm_head.weight");
    if (!head) return head.failure();
    lm_head_ = *head;
  }
  auto final_norm = upload_floats(weights.final_norm(), "model.norm.weight");
  if (!final_norm) return final_norm.failure();
  final_norm_ = *final_norm;
  auto inv_freq = upload_floats(rope_inv_freq(c), "RoPE frequencies");
  if (!inv_freq) return inv_freq.failure();
  inv_freq_ = *inv_freq;
  const auto host_layers = weights.layers();
  for (std::size_t l = 0; l < host_layers.size(); ++l) {
    const LayerWeights& w = host_layers[l];
    const std::string name = fmt::format("model.layers.{}", l);
    DeviceLayer d;
    auto input_norm = upload_floats(w.input_norm, name + ".input_layernorm");
    if (!input_norm) return input_norm.failure();
    d.input_norm = *input_norm;
    auto post_norm = upload_floats(w.post_attn_norm, name + ".post_attention_layernorm");
    if (!post_norm) return post_norm.failure();
    d.post_attn_norm = *post_norm;
    auto qkv = upload_matrix({&w.q, &w.k, &w.v}, name + " q, k and v projections");
    if (!qkv) return qkv.failure();
    d.qkv = *qkv;
    auto o = upload_matrix({&w.o}, name + ".self_attn.o_proj");
    if (!o) return o.failure();
    d.o = *o;
    auto gate_up = upload_matrix({&w.gate, &w.up}, name + " gate and up projections");
    if (!gate_up) return gate_up.failure();
    d.gate_up = *gate_up;
    auto down = upload_matrix({&w.down}, name + ".mlp.down_proj");
    if (!down) return down.failure();
    d.down = *down;
    layers_.push_back(d);
  }

  // Step scratch, exactly as the plan counted it.
  const auto floats = [&](std::uint64_t count, std::string_view what) -> Result<float*> {
    auto p = allocate(count * 4, what);
    if (!p) return p.failure();
    return static_cast<float*>(*p);
  };
  const std::pair<float**, std::uint64_t> sized[] = {
      {&x_, scratch_.residual_floats},    {&q_, scratch_.q_floats},
      {&attended_, scratch_.q_floats},    {&gemm_out_, scratch_.gemm_out_floats},
      {&logits_, scratch_.logits_floats}, {&attention_partial_, scratch_.attention_partial_floats}};
  for (const auto& [buffer, count] : sized) {
    auto p = floats(count, "step activations");
    if (!p) return p.failure();
    *buffer = *p;
  }
  auto gemm_in = allocate(scratch_.gemm_in_bf16 * 2, "GEMM inputs");
  if (!gemm_in) return gemm_in.failure();
  gemm_in_ = static_cast<std::uint16_t*>(*gemm_in);
  auto meta = allocate(scratch_.meta_ints * 4, "step metadata");
  if (!meta) return meta.failure();
  meta_ = static_cast<std::int32_t*>(*meta);
  void* pinned = nullptr;
  MLBENCH_CUDA_TRY(CUDA_CALL(cudaMallocHost(&pinned, scratch_.meta_ints * 4)));
  host_meta_owner_.reset(pinned);
  host_meta_ = static_cast<std::int32_t*>(pinned);
  auto workspace = allocate(scratch_.cublas_workspace_bytes, "the cuBLAS workspace");
  if (!workspace) return workspace.failure();
  workspace_ = *workspace;
  MLBENCH_CUDA_TRY(
      CUBLAS_CALL(cublasSetWorkspace(blas_, workspace_, scratch_.cublas_workspace_bytes)));

  // cudaMemcpy from pageable memory may return before its DMA has landed, and it ran on the
  // legacy stream, which our non-blocking stream_ does not wait for: the first step's kernels
  // could read weights still in flight.
  MLBENCH_CUDA_TRY(CUDA_CALL(cudaDeviceSynchronize()));

  // The KV pool takes what the plan left.
  auto pool = allocate(plan_.kv_pool_bytes(), "the KV cache pool");
  if (!pool) return pool.failure();
  kv_pool_ = static_cast<char*>(*pool);
  free_blocks_.resize(static_cast<std::size_t>(plan_.num_blocks));
  // Handed out from the back: lowest block ids first.
  for (std::int64_t b = 0; b < plan_.num_blocks; ++b)
    free_blocks_[static_cast<std::size_t>(b)] = static_cast<std::int32_t>(plan_.num_blocks - 1 - b);
  spdlog::info(
      "cuda backend: GPU {} ({}): weights {}, step buffers {}, KV pool {} ({} blocks of {} "
      "tokens, {} tokens, {}), CUDA graphs {} ({} kept for them), {} attention, {} activations, "
      "budget {}",
      device_, device_name_, gib(plan_.weight_bytes), gib(plan_.scratch_bytes),
      gib(plan_.kv_pool_bytes()), plan_.num_blocks, plan_.block_tokens, plan_.cached_tokens(),
      kv_bf16() ? "bf16" : "fp32",
      graphs_on_ ? "on" : (sync_each_kernel_ ? "off (MLBENCH_CUDA_SYNC=1)" : "off"),
      gib(plan_.graph_bytes), grouped_attention_ ? "grouped" : "per-head",
      scratch_.gemm_parts == 2 ? "split-bf16" : "bf16", gib(plan_.budget_bytes));
  return {};
}

Result<void> CudaBackendImpl::check(std::span<const BackendStep> steps) const {
  const LlamaConfig& c = config_;
  if (steps.size() > static_cast<std::size_t>(options_.max_batch)) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("{} sequences in one step, the backend was sized for {}", steps.size(),
                            options_.max_batch),
                "--max-batch");
  }
  std::set<SequenceId> seen;
  std::int64_t rows = 0;
  for (const BackendStep& step : steps) {
    if (!seen.insert(step.sequence).second) {
      return fail(ErrorCode::kInvalidArgument,
                  fmt::format("sequence {} is named twice in one step", step.sequence));
    }
    if (Result<void> valid = check_step_tokens(step.tokens, c); !valid) return valid.failure();
    const auto it = sequences_.find(step.sequence);
    const std::int64_t length = (it == sequences_.end() ? 0 : it->second.length) +
                                static_cast<std::int64_t>(step.tokens.size());
    if (length > c.max_position_embeddings) {
      return fail(ErrorCode::kInvalidArgument,
                  fmt::format("sequence of {} tokens exceeds max_position_embeddings {}", length,
                              c.max_position_embeddings));
    }
    if (length > options_.max_sequence_tokens) {
      return fail(ErrorCode::kInvalidArgument,
                  fmt::format("sequence of {} tokens exceeds the backend's maximum of {}", length,
                              options_.max_sequence_tokens),
                  "--max-seq-len");
    }
    rows += static_cast<std::int64_t>(step.tokens.size());
  }
  if (rows > options_.max_step_tokens) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("{} tokens in one step, the backend was sized for {}", rows,
                            options_.max_step_tokens),
                "--max-batch-tokens");
  }
  return {};
}

Result<void> CudaBackendImpl::launched(std::string_view kernel) {
  if (const cudaError_t status = cudaGetLastError(); status != cudaSuccess) {
    return fail(ErrorCode::kIo,
                fmt::format("launching kernel {} failed: {} ({})", kernel, cudaGetErrorName(status),
                            cudaGetErrorString(status)),
                fmt::format("GPU {}", device_));
  }
  if (sync_each_kernel_) {
    if (const cudaError_t status = cudaStreamSynchronize(stream_); status != cudaSuccess) {
      return fail(ErrorCode::kIo,
                  fmt::format("kernel {} failed while running: {} ({})", kernel,
                              cudaGetErrorName(status), cudaGetErrorString(status)),
                  fmt::format("GPU {}", device_));
    }
  }
  return {};
}

Result<void> CudaBackendImpl::prepare(const float* x, std::int64_t rows, std::int64_t cols) {
  cuda::split_bf16(stream_, x, rows * cols, scratch_.gemm_parts == 2, gemm_in_);
  return launched("split_bf16");
}

Result<void> CudaBackendImpl::gemm(std::int64_t rows, const DeviceMatrix& w, float* out,
                                   float beta) {
  // Row-major y[rows, out] = x[rows, in] · w[out, in]ᵀ is, column-major, y = wᵀ · x: cuBLAS sees
  // w as an [in, out] matrix to transpose and the activations as [in, rows].
  const float one = 1.0f;
  const std::int64_t n = rows * scratch_.gemm_parts;
  MLBENCH_CUDA_TRY(CUBLAS_CALL(
      cublasGemmEx(blas_, CUBLAS_OP_T, CUBLAS_OP_N, static_cast<int>(w.rows), static_cast<int>(n),
                   static_cast<int>(w.cols), &one, w.data, CUDA_R_16BF, static_cast<int>(w.cols),
                   gemm_in_, CUDA_R_16BF, static_cast<int>(w.cols), &beta, out, CUDA_R_32F,
                   static_cast<int>(w.rows), CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT)));
  if (sync_each_kernel_) MLBENCH_CUDA_TRY(launched("cublasGemmEx"));
  return {};
}

Result<void> CudaBackendImpl::multiply(std::int64_t rows, const DeviceMatrix& w, float* y,
                                       bool accumulate) {
  if (scratch_.gemm_parts == 1) return gemm(rows, w, y, accumulate ? 1.0f : 0.0f);
  MLBENCH_CUDA_TRY(project(rows, w));
  cuda::combine_parts(stream_, gemm_out_, rows * w.rows, accumulate, y);
  return launched("combine_parts");
}

Result<void> CudaBackendImpl::enqueue_forward(const CudaStepMeta& m) {
  const LlamaConfig& c = config_;
  const std::int64_t n = m.rows;
  const std::int64_t steps = m.steps;
  const std::int64_t hidden = c.hidden_size;
  const std::int64_t q_dim = c.num_attention_heads * c.head_dim;
  const std::int64_t kv_dim = c.num_key_value_heads * c.head_dim;
  const std::int32_t* tokens = meta_ + m.tokens;
  const cuda::RowMeta rows{
      .tokens = tokens, .positions = meta_ + m.positions, .steps = meta_ + m.row_steps};
  const std::int32_t* last_rows = meta_ + m.last_rows;
  const std::int32_t* tables = meta_ + m.tables;
  std::int32_t* next_tokens = meta_ + m.next_tokens;
  const auto layer_bytes =
      static_cast<std::size_t>(plan_.num_blocks * plan_.block_tokens * kv_dim) * kv_element_bytes();
  const bool two_parts = scratch_.gemm_parts == 2;

  cuda::embed(stream_, embedding_, tokens, n, hidden, x_);
  MLBENCH_CUDA_TRY(launched("embed"));
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    const DeviceLayer& w = layers_[l];
    const cuda::PagedKv kv{.keys = kv_pool_ + 2 * l * layer_bytes,
                           .values = kv_pool_ + (2 * l + 1) * layer_bytes,
                           .block_tables = tables,
                           .max_blocks_per_sequence = m.table_stride,
                           .block_tokens = plan_.block_tokens,
                           .bf16 = kv_bf16()};
    // The norms and SwiGLU write the next GEMM's bf16 input themselves (no prepare()).
    cuda::rms_norm(stream_, x_, nullptr, w.input_norm, n, hidden, c.rms_norm_eps, two_parts,
                   gemm_in_);
    MLBENCH_CUDA_TRY(launched("rms_norm"));
    MLBENCH_CUDA_TRY(project(n, w.qkv));
    cuda::qkv_rope_store(stream_, gemm_out_, two_parts, rows, kv, inv_freq_, n,
                         c.num_attention_heads, c.num_key_value_heads, c.head_dim, q_);
    MLBENCH_CUDA_TRY(launched("qkv_rope_store"));
    if (grouped_attention_) {
      cuda::grouped_attention(stream_, q_, rows, kv, n, c.num_attention_heads,
                              c.num_key_value_heads, c.head_dim, attention_partial_, attended_);
    } else {
      cuda::attention(stream_, q_, rows, kv, n, c.num_attention_heads, c.num_key_value_heads,
                      c.head_dim, attended_);
    }
    MLBENCH_CUDA_TRY(launched("attention"));
    MLBENCH_CUDA_TRY(prepare(attended_, n, q_dim));
    MLBENCH_CUDA_TRY(multiply(n, w.o, x_, true));

    cuda::rms_norm(stream_, x_, nullptr, w.post_attn_norm, n, hidden, c.rms_norm_eps, two_parts,
                   gemm_in_);
    MLBENCH_CUDA_TRY(launched("rms_norm"));
    MLBENCH_CUDA_TRY(project(n, w.gate_up));
    cuda::swiglu(stream_, gemm_out_, n, c.intermediate_size, two_parts, gemm_in_);
    MLBENCH_CUDA_TRY(launched("swiglu"));
    MLBENCH_CUDA_TRY(multiply(n, w.down, x_, true));
  }
  // Only each step's last row needs logits.
  cuda::rms_norm(stream_, x_, last_rows, final_norm_, steps, hidden, c.rms_norm_eps, two_parts,
                 gemm_in_);
  MLBENCH_CUDA_TRY(launched("rms_norm (final)"));
  MLBENCH_CUDA_TRY(multiply(steps, lm_head_, logits_, false));
  cuda::argmax(stream_, logits_, steps, c.vocab_size, next_tokens);
  return launched("argmax");
}

Result<void> CudaBackendImpl::enqueue_decode(const CudaStepMeta& m) {
  if (!graphs_on_) return enqueue_forward(m);
  DecodeGraph& graph = graphs_[m.steps];
  // Graphs are a speed-up, never a reason to fail a run: whatever goes wrong with one turns
  // them off and the step runs eagerly (where a real fault shows again, as an error).
  const auto give_up = [&](std::string_view what, const Error& error) {
    spdlog::warn(
        "cuda backend: GPU {}: {} the batch-{} decode step's CUDA graph failed, so every step "
        "runs eagerly from now on: {}",
        device_, what, m.steps, error.describe());
    cudaGetLastError();
    graphs_on_ = false;
    counts_.graphs_failed = true;
    return enqueue_forward(m);
  };
  if (graph.exec == nullptr) {
    if (graph.eager_runs++ == 0) return enqueue_forward(m);
    if (Result<void> captured = capture(m, graph); !captured) {
      return give_up("capturing", captured.error());
    }
  }
  if (Result<void> launched = CUDA_CALL(cudaGraphLaunch(graph.exec, stream_)); !launched) {
    return give_up("launching", launched.error());
  }
  ++counts_.graph_steps;
  return {};
}

Result<void> CudaBackendImpl::capture(const CudaStepMeta& m, DecodeGraph& graph) {
  std::size_t free_before = 0;
  std::size_t total = 0;
  MLBENCH_CUDA_TRY(CUDA_CALL(cudaMemGetInfo(&free_before, &total)));
  // Thread-local: other threads (another GPU's engine, telemetry) may call the runtime
  // meanwhile, and a global capture would fail their calls.
  MLBENCH_CUDA_TRY(CUDA_CALL(cudaStreamBeginCapture(stream_, cudaStreamCaptureModeThreadLocal)));
  const Result<void> enqueued = enqueue_forward(m);
  cudaGraph_t captured = nullptr;
  const cudaError_t ended = cudaStreamEndCapture(stream_, &captured);
  const std::unique_ptr<CUgraph_st, decltype(&cudaGraphDestroy)> owner(captured, &cudaGraphDestroy);
  if (!enqueued || ended != cudaSuccess) cudaGetLastError();  // a capture error is not sticky
  if (!enqueued) return enqueued.failure();
  MLBENCH_CUDA_TRY(cuda_ok(ended, "cudaStreamEndCapture", device_));
  std::size_t nodes = 0;
  MLBENCH_CUDA_TRY(CUDA_CALL(cudaGraphGetNodes(captured, nullptr, &nodes)));
  cudaGraphExec_t exec = nullptr;
  MLBENCH_CUDA_TRY(CUDA_CALL(cudaGraphInstantiate(&exec, captured, 0)));
  if (const Result<void> uploaded = CUDA_CALL(cudaGraphUpload(exec, stream_)); !uploaded) {
    cudaGraphExecDestroy(exec);
    return uploaded.failure();
  }
  graph.exec = exec;
  ++counts_.graphs_captured;
  std::size_t free_after = 0;
  MLBENCH_CUDA_TRY(CUDA_CALL(cudaMemGetInfo(&free_after, &total)));
  // What the planner's margin (cuda_graph_reserve_bytes) is for; measured here because nothing
  // documents it.
  // The first at info, the rest (up to one per batch size) at debug. In MiB: graphs are small.
  const std::size_t used = free_before > free_after ? free_before - free_after : 0;
  spdlog::log(counts_.graphs_captured == 1 ? spdlog::level::info : spdlog::level::debug,
              "cuda backend: GPU {}: captured the batch-{} decode step as a CUDA graph, {} nodes, "
              "{:.1f} MiB of device memory",
              device_, m.steps, nodes, static_cast<double>(used) / (1 << 20));
  return {};
}

Result<std::vector<std::int32_t>> CudaBackendImpl::run(std::span<const BackendStep> steps,
                                                       std::vector<float>* logits) {
  MLBENCH_CUDA_TRY(check(steps));
  if (steps.empty()) return std::vector<std::int32_t>{};  // a kernel grid cannot be empty
  // Blocks for the new positions, all or nothing.
  std::int64_t needed = 0;
  for (const BackendStep& step : steps) {
    const auto it = sequences_.find(step.sequence);
    const std::int64_t length = it == sequences_.end() ? 0 : it->second.length;
    const std::int64_t have =
        it == sequences_.end() ? 0 : static_cast<std::int64_t>(it->second.blocks.size());
    needed +=
        kv_blocks_for(length + static_cast<std::int64_t>(step.tokens.size()), plan_.block_tokens) -
        have;
  }
  if (needed > free_kv_blocks()) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("the KV cache is full: this step needs {} more blocks of {} tokens, "
                            "{} of {} are free; release finished sequences or run fewer at once",
                            needed, plan_.block_tokens, free_kv_blocks(), plan_.num_blocks),
                fmt::format("GPU {}", device_));
  }
  MLBENCH_CUDA_TRY(CUDA_CALL(cudaSetDevice(device_)));

  // New sequences and new blocks are recorded now and undone if the step fails.
  std::vector<SequenceId> created;
  std::vector<std::pair<SequenceId, std::size_t>> grown;  // sequence, its block count before
  std::int64_t table_width = 0;  // the most blocks of any sequence in the step
  std::int64_t n = 0;
  for (const BackendStep& step : steps) {
    auto [it, inserted] = sequences_.try_emplace(step.sequence);
    if (inserted) created.push_back(step.sequence);
    Sequence& sequence = it->second;
    grown.emplace_back(step.sequence, sequence.blocks.size());
    const std::int64_t blocks = kv_blocks_for(
        sequence.length + static_cast<std::int64_t>(step.tokens.size()), plan_.block_tokens);
    while (static_cast<std::int64_t>(sequence.blocks.size()) < blocks) {
      sequence.blocks.push_back(free_blocks_.back());
      free_blocks_.pop_back();
    }
    table_width = std::max(table_width, blocks);
    n += static_cast<std::int64_t>(step.tokens.size());
  }
  const auto count = static_cast<std::int64_t>(steps.size());
  const bool decode = n == count;  // every sequence one token: the step a graph can replay
  const CudaStepMeta m = cuda_step_meta(n, count, scratch_.max_blocks_per_sequence);
  std::int32_t* tokens = host_meta_ + m.tokens;
  std::int32_t* positions = host_meta_ + m.positions;
  std::int32_t* row_steps = host_meta_ + m.row_steps;
  std::int32_t* last_rows = host_meta_ + m.last_rows;
  std::int32_t* tables = host_meta_ + m.tables;
  std::int64_t row = 0;
  for (std::int64_t s = 0; s < count; ++s) {
    const BackendStep& step = steps[static_cast<std::size_t>(s)];
    const Sequence& sequence = sequences_.at(step.sequence);
    for (std::size_t t = 0; t < step.tokens.size(); ++t, ++row) {
      tokens[row] = step.tokens[t];
      positions[row] = static_cast<std::int32_t>(sequence.length + static_cast<std::int64_t>(t));
      row_steps[row] = static_cast<std::int32_t>(s);
    }
    last_rows[s] = static_cast<std::int32_t>(row - 1);
    // Only the first table_width entries of a row are copied up; kernels read a sequence's
    // entries below its own block count.
    std::int32_t* table = tables + s * m.table_stride;
    std::fill(table, table + table_width, 0);
    std::copy(sequence.blocks.begin(), sequence.blocks.end(), table);
  }

  const auto undo = [&] {
    for (const auto& [id, before] : grown) {
      Sequence& sequence = sequences_.at(id);
      while (sequence.blocks.size() > before) {
        free_blocks_.push_back(sequence.blocks.back());
        sequence.blocks.pop_back();
      }
    }
    for (SequenceId id : created)
      sequences_.erase(id);
  };
  const std::int64_t graph_steps_before = counts_.graph_steps;
  const auto result = [&]() -> Result<std::vector<std::int32_t>> {
    // The copies stay outside the graphs: the block tables' copy is as wide as this step's
    // longest sequence, which a graph node would fix at the widest.
    MLBENCH_CUDA_TRY(
        CUDA_CALL(cudaMemcpyAsync(meta_, host_meta_, static_cast<std::size_t>(m.tables) * 4,
                                  cudaMemcpyHostToDevice, stream_)));
    const std::size_t pitch = static_cast<std::size_t>(m.table_stride) * 4;
    MLBENCH_CUDA_TRY(CUDA_CALL(cudaMemcpy2DAsync(meta_ + m.tables, pitch, host_meta_ + m.tables,
                                                 pitch, static_cast<std::size_t>(table_width) * 4,
                                                 static_cast<std::size_t>(count),
                                                 cudaMemcpyHostToDevice, stream_)));
    if (decode) {
      MLBENCH_CUDA_TRY(enqueue_decode(m));
    } else {
      MLBENCH_CUDA_TRY(enqueue_forward(m));
    }
    MLBENCH_CUDA_TRY(CUDA_CALL(cudaMemcpyAsync(host_meta_ + m.next_tokens, meta_ + m.next_tokens,
                                               static_cast<std::size_t>(count) * 4,
                                               cudaMemcpyDeviceToHost, stream_)));
    if (logits != nullptr) {
      logits->resize(static_cast<std::size_t>(count * config_.vocab_size));
      MLBENCH_CUDA_TRY(CUDA_CALL(cudaMemcpyAsync(logits->data(), logits_, logits->size() * 4,
                                                 cudaMemcpyDeviceToHost, stream_)));
    }
    MLBENCH_CUDA_TRY(CUDA_CALL(cudaStreamSynchronize(stream_)));
    return std::vector<std::int32_t>(host_meta_ + m.next_tokens,
                                     host_meta_ + m.next_tokens + count);
  }();
  if (!result) {
    // Work enqueued before the failure may still be running and reading host_meta_, which the
    // next step rewrites; wait for it (its own error, if any, is the one already returned).
    cudaStreamSynchronize(stream_);
    cudaGetLastError();
    undo();
    return result.failure();
  }
  for (const BackendStep& step : steps)
    sequences_.at(step.sequence).length += static_cast<std::int64_t>(step.tokens.size());
  if (counts_.graph_steps == graph_steps_before) ++counts_.eager_steps;
  return result;
}

}  // namespace

Result<std::unique_ptr<CudaBackend>> open_cuda_backend(const std::string& model_dir,
                                                       const CudaBackendOptions& options) {
  auto weights = ModelWeights::load(model_dir);
  if (!weights) return weights.failure();
  auto backend = std::make_unique<CudaBackendImpl>(options, weights->config());
  if (auto ok = backend->open(*weights); !ok) return ok.failure();
  return std::unique_ptr<CudaBackend>(std::move(backend));
}

Result<std::unique_ptr<InferenceBackend>> make_cuda_backend(const std::string& model_dir,
                                                            const CudaBackendOptions& options) {
  auto backend = open_cuda_backend(model_dir, options);
  if (!backend) return backend.failure();
  return std::unique_ptr<InferenceBackend>(std::move(*backend));
}

}  // namespace mlbench::model
