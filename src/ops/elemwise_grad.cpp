// Gradients of element-wise ops: the GRAD column of scalar_ops.def, summed back over
// broadcast dimensions and cast to each input's dtype.
#include "ops/elemwise.hpp"
#include "ops/op_util.hpp"
#include "theon/reduce.hpp"
#include "theon/shape_ops.hpp"

namespace theon::detail {
namespace {

using namespace theon::tensor;

// The gradient of one input with respect to the output, before broadcasting is undone.
Vars raw_gradients(ScalarOpId id, const ApplyNode& node, const Var& gz) {
  const Vars& in = node.inputs;
  const size_t n = in.size();
  const Var out = node.output(0);
  [[maybe_unused]] const Var a = in[0];
  [[maybe_unused]] const Var b = n > 1 ? in[1] : Var();
  [[maybe_unused]] const Var c = n > 2 ? in[2] : Var();
  auto grads = [](auto... g) { return Vars{Var(g)...}; };
  auto grads_each = [&](const Var& g) { return Vars(n, g); };
  auto zero_grads = [&]() {
    Vars z;
    for (const Var& x : in) z.push_back(zeros_like(x, is_inexact(x.dtype()) ? x.dtype() : gz.dtype()));
    return z;
  };
  auto no_grads = [&]() -> Vars {
    THEON_FAIL(TypeError) << scalar_op_info(id).name << " has no gradient (its derivative is not implemented; "
                          << "node made at " << format_loc(node.loc) << ")";
  };
  auto mul_grads = [&]() {
    Vars g;
    for (size_t i = 0; i < n; ++i) {
      Vars others{gz};
      for (size_t j = 0; j < n; ++j)
        if (j != i) others.push_back(in[j]);
      g.push_back(mul(others, node.loc));
    }
    return g;
  };
  switch (id) {
#define THEON_GRAD_CASE(NAME, FUNC, PRINT, ARITY, RULE, DOMAIN, MATH, GRAD) \
  case ScalarOpId::NAME:                                                     \
    return GRAD;
    THEON_SCALAR_OPS(THEON_GRAD_CASE)
#undef THEON_GRAD_CASE
  }
  return {};
}

}  // namespace

Vars Elemwise::pullback(const ApplyNode& node, std::span<const Var> output_grads) const {
  const Var& gz = output_grads[0];
  const Vars& in = node.inputs;
  Vars result(in.size());
  if (!gz.defined()) return result;
  THEON_CHECK_USER(!is_complex(compute_), TypeError)
      << name() << ": gradients of complex operations are not supported";
  // Discrete outputs (comparisons, floor, ...) pass no gradient back.
  Vars raw = is_discrete(out_) ? Vars(in.size()) : raw_gradients(id_, node, gz);
  const Var out = node.output(0);
  for (size_t i = 0; i < in.size(); ++i) {
    const Var& x = in[i];
    // Discrete inputs, and discrete outputs, get zero gradients (as Theano).
    if (is_discrete(x.dtype()) || !raw[i].defined()) {
      if (!(id_ == ScalarOpId::Switch && i == 0) && !(id_ == ScalarOpId::Second && i == 0))
        result[i] = zeros_like(x, is_inexact(x.dtype()) ? x.dtype() : gz.dtype());
      continue;
    }
    Var g = raw[i];
    std::vector<int> axes;
    for (int d = 0; d < x.ndim(); ++d)
      if (x.broadcastable()[d] && !out.broadcastable()[d]) axes.push_back(d);
    if (!axes.empty()) g = sum(g, Axes(axes), /*keepdims=*/true);
    if (g.dtype() != x.dtype()) g = cast(g, x.dtype());
    // Undo broadcasting from output to input pattern (g may be broadcastable in more dims
    // than x where sum kept dims); types only differ in broadcastable flags then.
    result[i] = g;
  }
  return result;
}

}  // namespace theon::detail
