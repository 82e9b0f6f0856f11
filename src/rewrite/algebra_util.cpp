#include "rewrite/algebra_util.hpp"

#include <cmath>
#include <cstring>

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

bool same_structure(const Var& a, const Var& b) {
  if (a.is(b)) return true;
  if (!(a.type() == b.type())) return false;
  if (a.is_constant() || b.is_constant()) {
    if (!a.is_constant() || !b.is_constant()) return false;
    const NDArray x = a.constant_value().contiguous(), y = b.constant_value().contiguous();
    return x.shape() == y.shape() && std::memcmp(x.raw(), y.raw(), x.nbytes()) == 0;
  }
  const ApplyNode* x = a.owner();
  const ApplyNode* y = b.owner();
  if (!x || !y || a.index() != b.index() || x->inputs.size() != y->inputs.size() ||
      !x->op().equals(y->op()))
    return false;
  for (size_t i = 0; i < x->inputs.size(); ++i)
    if (!same_structure(x->inputs[i], y->inputs[i])) return false;
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
