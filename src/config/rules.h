#pragma once

#include "mlbench/config/config.h"

#include "config/load_context.h"

namespace mlbench::config {

// Rules that span several keys. They run on the typed Config after the schema walk and find
// their way back to the file through the SourceMap; values already reported are left alone.

// Node names and addresses unique, the keys each launcher needs, and the implicit `local` node.
void check_nodes(LoadContext& context, Config& config);

// cpu and cuda load a real model and dataset; sim needs neither.
void check_backend_needs(LoadContext& context, const Config& config);

// `~` and relative paths made absolute where they are used: on the controller always, on the
// node only for launcher local. For launcher ssh, node-side paths must already be absolute.
// Then benchmark.user_conf must exist.
void resolve_paths(LoadContext& context, Config& config);

// False when cluster.launcher was written wrong: launcher-specific rules cannot apply.
bool launcher_is_known(const SourceMap& source_map);

}  // namespace mlbench::config
