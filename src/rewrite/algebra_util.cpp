#include "rewrite/algebra_util.hpp"

#include <cmath>
#include <cstring>
#include <set>

#include "rewrite/rewrite_util.hpp"
#include "theon/tensor.hpp"

namespace theon::rewrite {

Var fold_now(const Var& v) {
  if (v.is_constant()) return v;
  const ApplyNode& node = *v.owner();
  std::vector<const NDArray*> in;
  for (const Var& i : node.inputs) {
    THEON_ASSERT(i.is_constant()) << "fold_now: " << node.op().name() << " has a variable input";
    in.push_back(&i.constant_value());
  }
  std::vector<NDArray> values(node.n_outputs());
  std::vector<NDArray*> out;
  for (NDArray& value : values) out.push_back(&value);
  node.op().perform(node, in, out);
  return typed_constant(values[v.index()].copy(), v.type(), v.loc());
}

Var constant_as(const Var& c, DType dtype) {
  return c.dtype() == dtype ? c : fold_now(tensor::cast(c, dtype));
}

namespace {

// Whether a and b match at their own level (their inputs are compared separately).
bool same_node_shape(const Var& a, const Var& b) {
  if (!(a.type() == b.type())) return false;
  if (a.is_constant() || b.is_constant()) {
    if (!a.is_constant() || !b.is_constant()) return false;
    const NDArray x = a.constant_value().contiguous(), y = b.constant_value().contiguous();
    return x.shape() == y.shape() && std::memcmp(x.raw(), y.raw(), x.nbytes()) == 0;
  }
  const ApplyNode* x = a.owner();
  const ApplyNode* y = b.owner();
  return x && y && a.index() == b.index() && x->inputs.size() == y->inputs.size() && x->op().equals(y->op());
}

}  // namespace

bool same_structure(const Var& a, const Var& b) {
  // An explicit stack (graphs can be a million deep), and each pair compared once (a
  // shared subgraph would otherwise be compared once per path to it).
  std::vector<std::pair<Var, Var>> stack{{a, b}};
  std::set<std::pair<VariableNode*, VariableNode*>> compared;
  while (!stack.empty()) {
    auto [x, y] = std::move(stack.back());
    stack.pop_back();
    if (x.is(y) || !compared.insert({x.get(), y.get()}).second) continue;
    if (!same_node_shape(x, y)) return false;
    if (x.is_constant()) continue;
    const Vars& xs = x.owner()->inputs;
    const Vars& ys = y.owner()->inputs;
    for (size_t i = xs.size(); i-- > 0;) stack.push_back({xs[i], ys[i]});
  }
  return true;
}

std::optional<double> scalar_value(const Var& v) {
  if (!v.is_constant()) return std::nullopt;
  for (bool b : v.broadcastable())
    if (!b) return std::nullopt;
  return uniform_constant(v);
}

bool is_power_of_two(double value) {
  if (value == 0 || !std::isfinite(value)) return false;
  int exponent = 0;
  return std::fabs(std::frexp(value, &exponent)) == 0.5;
}

}  // namespace theon::rewrite
