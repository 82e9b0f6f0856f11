#include "grad/symbolic_zero.hpp"

#include "ops/dimshuffle.hpp"
#include "ops/elemwise.hpp"
#include "ops/shape_ops.hpp"

namespace theon::detail {
namespace {

bool constant_is_zero(const Var& v) {
  const NDArray c = v.constant_value().contiguous();
  if (c.size() == 0) return false;  // no element to tell the value by
  bool zero = true;
  visit_dtype(c.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* p = c.template data<T>();
    for (int64_t i = 0; i < c.size() && zero; ++i) zero = p[i] == T(0);
  });
  return zero;
}

// The input whose value `v` repeats or re-lays out unchanged up to zeros (0 stays 0),
// or an undefined Var.
Var zero_source(const Var& v) {
  const ApplyNode* node = v.owner();
  if (!node) return Var();
  const Op& op = node->op();
  if (dynamic_cast<const Alloc*>(&op) || dynamic_cast<const DimShuffle*>(&op) ||
      dynamic_cast<const Reshape*>(&op) || dynamic_cast<const Rebroadcast*>(&op))
    return node->inputs[0];
  if (const auto* e = dynamic_cast<const Elemwise*>(&op)) {
    switch (e->scalar_op()) {
      case ScalarOpId::Identity:  // casts: 0 is 0 in every dtype
      case ScalarOpId::Neg:
        return node->inputs[0];
      case ScalarOpId::Second:  // fill(model, value)
        return node->inputs[1];
      default:
        return Var();
    }
  }
  return Var();
}

}  // namespace

bool is_symbolic_zero(const Var& v) {
  Var x = v;
  while (x.defined()) {
    if (x.is_constant()) return constant_is_zero(x);
    x = zero_source(x);
  }
  return false;
}

}  // namespace theon::detail
