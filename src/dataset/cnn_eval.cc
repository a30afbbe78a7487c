#include "mlbench/dataset/cnn_eval.h"

namespace mlbench::dataset {

// The loader lands with the dataset issue.
Result<Dataset> load_cnn_eval(const std::filesystem::path& path, const LoadOptions&) {
  return fail(ErrorCode::kNotBuilt, "the cnn_eval.json loader is not built yet", path.string());
}

}  // namespace mlbench::dataset
