// The emulated cuBLAS: a handle bound to a stream and a workspace, and cublasGemmEx computing
// exactly what its documentation defines (column-major C = alpha·op(A)·op(B) + beta·C, C not
// read when beta is 0), in fp32 with one sum per output in order of k. The operands must lie
// in device memory, which the real library cannot check and faults on later.

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "mlbench/model/dtype.h"

#include "cublas_v2.h"
#include "emulator.h"

struct cublasContext {
  cudaStream_t stream = nullptr;
  void* workspace = nullptr;
  std::size_t workspace_bytes = 0;
};

namespace {

float bf16_at(const void* matrix, std::int64_t index) {
  return mlbench::model::bf16_to_f32(static_cast<const std::uint16_t*>(matrix)[index]);
}

// Elements a column-major operand of `rows` × `cols` with leading dimension `ld` spans.
std::int64_t extent(int rows, int cols, int ld) {
  if (rows == 0 || cols == 0) return 0;
  return static_cast<std::int64_t>(ld) * (cols - 1) + rows;
}

}  // namespace

cublasStatus_t cublasCreate(cublasHandle_t* handle) {
  if (handle == nullptr) return CUBLAS_STATUS_INVALID_VALUE;
  int devices = 0;
  if (cudaGetDeviceCount(&devices) != cudaSuccess || devices == 0) {
    cudaGetLastError();
    return CUBLAS_STATUS_NOT_INITIALIZED;
  }
  *handle = new cublasContext;
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasDestroy(cublasHandle_t handle) {
  if (handle == nullptr) return CUBLAS_STATUS_NOT_INITIALIZED;
  delete handle;
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasSetStream(cublasHandle_t handle, cudaStream_t stream) {
  if (handle == nullptr) return CUBLAS_STATUS_NOT_INITIALIZED;
  handle->stream = stream;
  return CUBLAS_STATUS_SUCCESS;
}

cublasStatus_t cublasSetWorkspace(cublasHandle_t handle, void* workspace, std::size_t bytes) {
  if (handle == nullptr) return CUBLAS_STATUS_NOT_INITIALIZED;
  if (bytes != 0 && !mlbench::cuda_emulation::is_device_range(workspace, bytes)) {
    return CUBLAS_STATUS_INVALID_VALUE;
  }
  handle->workspace = workspace;
  handle->workspace_bytes = bytes;
  return CUBLAS_STATUS_SUCCESS;
}

const char* cublasGetStatusName(cublasStatus_t status) {
  switch (status) {
    case CUBLAS_STATUS_SUCCESS: return "CUBLAS_STATUS_SUCCESS";
    case CUBLAS_STATUS_NOT_INITIALIZED: return "CUBLAS_STATUS_NOT_INITIALIZED";
    case CUBLAS_STATUS_ALLOC_FAILED: return "CUBLAS_STATUS_ALLOC_FAILED";
    case CUBLAS_STATUS_INVALID_VALUE: return "CUBLAS_STATUS_INVALID_VALUE";
    case CUBLAS_STATUS_ARCH_MISMATCH: return "CUBLAS_STATUS_ARCH_MISMATCH";
    case CUBLAS_STATUS_MAPPING_ERROR: return "CUBLAS_STATUS_MAPPING_ERROR";
    case CUBLAS_STATUS_EXECUTION_FAILED: return "CUBLAS_STATUS_EXECUTION_FAILED";
    case CUBLAS_STATUS_INTERNAL_ERROR: return "CUBLAS_STATUS_INTERNAL_ERROR";
    case CUBLAS_STATUS_NOT_SUPPORTED: return "CUBLAS_STATUS_NOT_SUPPORTED";
  }
  return "CUBLAS_STATUS_UNKNOWN";
}

const char* cublasGetStatusString(cublasStatus_t status) {
  switch (status) {
    case CUBLAS_STATUS_SUCCESS: return "success";
    case CUBLAS_STATUS_NOT_INITIALIZED: return "the library was not initialized";
    case CUBLAS_STATUS_ALLOC_FAILED: return "the resource allocation failed";
    case CUBLAS_STATUS_INVALID_VALUE: return "an invalid numeric value was used as an argument";
    case CUBLAS_STATUS_ARCH_MISMATCH: return "an absent device architectural feature is required";
    case CUBLAS_STATUS_MAPPING_ERROR: return "an access to GPU memory space failed";
    case CUBLAS_STATUS_EXECUTION_FAILED: return "the GPU program failed to execute";
    case CUBLAS_STATUS_INTERNAL_ERROR: return "an internal operation failed";
    case CUBLAS_STATUS_NOT_SUPPORTED: return "the functionality requested is not supported";
  }
  return "unknown error";
}

cublasStatus_t cublasGemmEx(cublasHandle_t handle, cublasOperation_t transa,
                            cublasOperation_t transb, int m, int n, int k, const void* alpha,
                            const void* a, cudaDataType a_type, int lda, const void* b,
                            cudaDataType b_type, int ldb, const void* beta, void* c,
                            cudaDataType c_type, int ldc, cublasComputeType_t compute_type,
                            cublasGemmAlgo_t /*algo*/) {
  if (handle == nullptr) return CUBLAS_STATUS_NOT_INITIALIZED;
  if (a_type != CUDA_R_16BF || b_type != CUDA_R_16BF || c_type != CUDA_R_32F ||
      compute_type != CUBLAS_COMPUTE_32F || transa == CUBLAS_OP_C || transb == CUBLAS_OP_C) {
    return CUBLAS_STATUS_NOT_SUPPORTED;
  }
  // The documented argument checks.
  const int a_rows = transa == CUBLAS_OP_N ? m : k;  // as stored
  const int a_cols = transa == CUBLAS_OP_N ? k : m;
  const int b_rows = transb == CUBLAS_OP_N ? k : n;
  const int b_cols = transb == CUBLAS_OP_N ? n : k;
  if (m < 0 || n < 0 || k < 0 || lda < std::max(1, a_rows) || ldb < std::max(1, b_rows) ||
      ldc < std::max(1, m) || alpha == nullptr || beta == nullptr) {
    return CUBLAS_STATUS_INVALID_VALUE;
  }
  using mlbench::cuda_emulation::is_device_range;
  const auto bytes = [](std::int64_t elements, std::size_t size) {
    return static_cast<std::size_t>(elements) * size;
  };
  if ((extent(a_rows, a_cols, lda) > 0 &&
       !is_device_range(a, bytes(extent(a_rows, a_cols, lda), 2))) ||
      (extent(b_rows, b_cols, ldb) > 0 &&
       !is_device_range(b, bytes(extent(b_rows, b_cols, ldb), 2))) ||
      (extent(m, n, ldc) > 0 && !is_device_range(c, bytes(extent(m, n, ldc), 4)))) {
    return CUBLAS_STATUS_EXECUTION_FAILED;
  }
  // Host pointer mode: the scalars are read now.
  float alpha_value;
  float beta_value;
  std::memcpy(&alpha_value, alpha, sizeof(float));
  std::memcpy(&beta_value, beta, sizeof(float));
  const bool a_transposed = transa == CUBLAS_OP_T;
  const bool b_transposed = transb == CUBLAS_OP_T;
  const cudaError_t queued = mlbench::cuda_emulation::enqueue(handle->stream, [=] {
    // op(B)'s columns and each row of op(A) widened once, so the inner sum runs over
    // contiguous floats.
    std::vector<float> b_columns(static_cast<std::size_t>(n) * static_cast<std::size_t>(k));
    for (int j = 0; j < n; ++j) {
      for (int l = 0; l < k; ++l) {
        b_columns[static_cast<std::size_t>(j) * static_cast<std::size_t>(k) +
                  static_cast<std::size_t>(l)] =
            bf16_at(b, b_transposed ? j + static_cast<std::int64_t>(l) * ldb
                                    : l + static_cast<std::int64_t>(j) * ldb);
      }
    }
    std::vector<float> a_row(static_cast<std::size_t>(k));
    float* out = static_cast<float*>(c);
    for (int i = 0; i < m; ++i) {
      for (int l = 0; l < k; ++l) {
        a_row[static_cast<std::size_t>(l)] =
            bf16_at(a, a_transposed ? l + static_cast<std::int64_t>(i) * lda
                                    : i + static_cast<std::int64_t>(l) * lda);
      }
      for (int j = 0; j < n; ++j) {
        const float* column =
            b_columns.data() + static_cast<std::size_t>(j) * static_cast<std::size_t>(k);
        float sum = 0.0f;
        for (int l = 0; l < k; ++l)
          sum += a_row[static_cast<std::size_t>(l)] * column[l];
        float& result = out[i + static_cast<std::int64_t>(j) * ldc];
        result = beta_value == 0.0f ? alpha_value * sum : alpha_value * sum + beta_value * result;
      }
    }
  });
  return queued == cudaSuccess ? CUBLAS_STATUS_SUCCESS : CUBLAS_STATUS_EXECUTION_FAILED;
}
