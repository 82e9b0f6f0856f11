// The max-pooling arg-max rewrite (specialize phase). A training graph computes
//   y = pool(x)                     (max)
//   gx = max_pool_grad(x, y, gz)    which searches each window of x again for y
// and the rewrite makes the forward pass record where each maximum was:
//   (y, a) = pool_argmax(x)
//   gx = max_pool_argmax_grad(x, a, gz)      a scatter: one read per output
// Both find the first maximum of each window in row-major order (the first NaN when
// there is one), so the values do not change.
#include "ops/pool/pool_ops.hpp"
#include "rewrite/phases.hpp"

namespace theon::rewrite {
namespace {

namespace P = detail::pool;

template <class O>
const O* op_of(const ApplyNode* node) {
  return node ? dynamic_cast<const O*>(&node->op()) : nullptr;
}

// A max_pool_grad(x, y, gz) node reading y = this pooling of x with the same window.
bool is_gradient_of(const ApplyNode* reader, const Var& x, const Var& y, const P::Params& p) {
  const auto* grad = op_of<P::MaxPoolGrad>(reader);
  return grad && grad->params().same_window(p) && reader->inputs[0].is(x) &&
         reader->inputs[1].is(y);
}

// pool(x) -> pool_argmax(x)[0], when the graph also takes its gradient.
std::optional<Vars> pool_argmax_forward(const ApplyNode& node, const FunctionGraph& fgraph) {
  const auto& op = dynamic_cast<const P::Pool&>(node.op());
  const Var& x = node.inputs[0];
  if (op.params().mode != P::Mode::Max || !is_float(x.dtype())) return std::nullopt;
  const Var y = node.output(0);
  for (const Client& c : fgraph.clients(y))
    if (is_gradient_of(c.node, x, y, op.params()))
      return Vars{P::pool_argmax(x, op.params(), node.loc)[0]};
  return std::nullopt;
}

// max_pool_grad(x, y, gz) -> max_pool_argmax_grad(x, a, gz) where (y, a) = pool_argmax(x)
// (made here when y is still a plain pooling; merge then joins it with the forward's).
std::optional<Vars> pool_argmax_backward(const ApplyNode& node, const FunctionGraph&) {
  const auto& op = dynamic_cast<const P::MaxPoolGrad&>(node.op());
  const Var& x = node.inputs[0];
  const Var& y = node.inputs[1];
  const ApplyNode* forward = y.owner();
  Var argmax;
  if (const auto* f = op_of<P::PoolArgmax>(forward);
      f && y.index() == 0 && f->params().same_window(op.params()) && forward->inputs[0].is(x)) {
    argmax = forward->output(1);
  } else if (const auto* f = op_of<P::Pool>(forward);
             f && f->params().mode == P::Mode::Max && f->params().same_window(op.params()) &&
             forward->inputs[0].is(x)) {
    argmax = P::pool_argmax(x, f->params(), forward->loc)[1];
  } else {
    return std::nullopt;
  }
  return Vars{P::max_pool_argmax_grad(x, argmax, node.inputs[2], op.params(), node.loc)};
}

}  // namespace

void register_pool(RewriteDb& db) {
  db.add("specialize", LocalRewrite{"pool_argmax_forward", {"pool"}, pool_argmax_forward},
         {"fast_run", "pool_argmax"});
  db.add("specialize", LocalRewrite{"pool_argmax_backward", {"max_pool_grad"}, pool_argmax_backward},
         {"fast_run", "pool_argmax"});
}

}  // namespace theon::rewrite
