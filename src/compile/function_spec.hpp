// The graph a compiled function was built from, as its user built it (a FunctionSpec,
// theon/serialize.hpp): what CompiledFunction keeps so that theon::save(Function) can
// store the function (its rewritten graph holds fused kernels, which are never saved).
#pragma once

#include <memory>

#include "theon/serialize.hpp"

namespace theon::detail {

std::shared_ptr<const FunctionSpec> make_function_spec(const Vars& inputs, const Vars& outputs, bool single,
                                                       const Updates& updates, const FunctionOptions& options);

// The spec of Function::copy(c) of the function built from `original`, whose updates,
// default updates included, are `resolved_updates` (user-graph variables): the same
// graph with c.swap as givens and update targets, c.delete_updates dropping every update,
// c.name renaming it. Its default updates are already among its updates.
std::shared_ptr<const FunctionSpec> copy_function_spec(const FunctionSpec& original, const Updates& resolved_updates,
                                                       const CopyOptions& c);

}  // namespace theon::detail
