// inc_subtensor_chain (specialize phase): a sum of inc_subtensors into the same array,
//   inc_subtensor(z, a, i) + inc_subtensor(z, b, j) + rest
//     -> inc_subtensor(inc_subtensor(z, a, i), b, j) + rest,
// when nothing else reads the separate results. Both sides are z + a at i + b at j; the
// chain fills one buffer (the interpreter runs each link in place of the one before)
// where the sum made a copy of z per term and added them. Gradients make this shape:
// the gradient of W read as W[0], ..., W[5] is a sum of six such terms over zeros.
#include <algorithm>

#include "ops/elemwise.hpp"
#include "ops/subtensor.hpp"
#include "rewrite/phases.hpp"
#include "theon/tensor.hpp"

namespace theon::rewrite {
namespace {

const detail::IncSubtensor* inc_of(const Var& v) {
  const auto* inc =
      v.owner() ? dynamic_cast<const detail::IncSubtensor*>(&v.owner()->op()) : nullptr;
  return inc && !inc->is_set() && v.owner()->n_outputs() == 1 ? inc : nullptr;
}

std::optional<Vars> chain_incs(const ApplyNode& node, const FunctionGraph& fgraph) {
  const auto* add = dynamic_cast<const detail::Elemwise*>(&node.op());
  if (!add || add->scalar_op() != detail::ScalarOpId::Add) return std::nullopt;
  const Var out = node.output(0);
  // The first group of two or more terms adding into the same array.
  for (size_t first = 0; first < node.inputs.size(); ++first) {
    const Var& a = node.inputs[first];
    if (!inc_of(a) || fgraph.clients(a).size() != 1 || !(a.type() == out.type())) continue;
    const Var& z = a.owner()->inputs[0];
    std::vector<size_t> group{first};
    for (size_t k = first + 1; k < node.inputs.size(); ++k) {
      const Var& b = node.inputs[k];
      if (inc_of(b) && b.owner()->inputs[0].is(z) && fgraph.clients(b).size() == 1 && !b.is(a))
        group.push_back(k);
    }
    if (group.size() < 2) continue;
    Var chain = z;
    for (size_t k : group) {
      const ApplyNode* inc = node.inputs[k].owner();
      const Vars bounds(inc->inputs.begin() + 2, inc->inputs.end());
      chain =
          detail::inc_subtensor(chain, inc->inputs[1], inc_of(node.inputs[k])->index_list(), bounds,
                                /*set=*/false, inc->loc);
    }
    Vars rest{chain};
    for (size_t k = 0; k < node.inputs.size(); ++k)
      if (std::find(group.begin(), group.end(), k) == group.end()) rest.push_back(node.inputs[k]);
    Var sum = rest.size() == 1 ? rest[0] : tensor::add(rest, node.loc);
    if (!(sum.type() == out.type())) return std::nullopt;
    return Vars{sum};
  }
  return std::nullopt;
}

}  // namespace

void register_inc_subtensor_chain(RewriteDb& db) {
  db.add("specialize", LocalRewrite{"inc_subtensor_chain", {"add"}, chain_incs}, {"fast_run"});
}

}  // namespace theon::rewrite
