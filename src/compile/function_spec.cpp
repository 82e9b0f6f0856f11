#include "compile/function_spec.hpp"

namespace theon::detail {

std::shared_ptr<const FunctionSpec> make_function_spec(const Vars& inputs, const Vars& outputs, bool single,
                                                       const Updates& updates, const FunctionOptions& options) {
  return std::make_shared<const FunctionSpec>(FunctionSpec{inputs, outputs, single, updates, options, {}});
}

std::shared_ptr<const FunctionSpec> copy_function_spec(const FunctionSpec& original, const Updates& resolved_updates,
                                                       const CopyOptions& c) {
  auto spec = std::make_shared<FunctionSpec>(original);
  spec->updates.clear();
  if (!c.delete_updates) {
    for (const Update& u : resolved_updates) {
      SharedVar target = u.var;
      for (const auto& [from, to] : c.swap)
        if (from.is(target)) target = to;
      spec->updates.push_back({target, u.value});
    }
  }
  for (const auto& [from, to] : c.swap) spec->options.givens.push_back({from, to});
  spec->options.no_default_updates = true;  // they are among the updates, or deleted
  if (!c.name.empty()) spec->options.name = c.name;
  return spec;
}

}  // namespace theon::detail
