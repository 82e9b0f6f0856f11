// jacobian, hessian, Lop and Rop, built on grad.
#include <unordered_set>

#include "ops/op_util.hpp"
#include "ops/shape_ops.hpp"
#include "serialize/private_ops.hpp"
#include "theon/clone.hpp"
#include "theon/function.hpp"
#include "theon/grad.hpp"
#include "theon/reduce.hpp"
#include "theon/shape_ops.hpp"
#include "theon/subtensor.hpp"

namespace theon::detail {
namespace {

// The sources of `root`'s graph that must be passed in: not constants, not shared.
Vars free_inputs(const Var& root, const Var& except) {
  Vars out;
  std::unordered_set<VariableNode*> seen{except.get()};
  std::vector<Var> stack{root};
  while (!stack.empty()) {
    Var v = stack.back();
    stack.pop_back();
    if (!seen.insert(v.get()).second) continue;
    if (v.owner()) {
      for (const Var& in : v.owner()->inputs) stack.push_back(in);
    } else if (!v.is_constant() && !v.is_shared()) {
      out.push_back(v);
    }
  }
  return out;
}

// Stacks grad(expr_flat[i], wrt) for every i: a loop whose body is a compiled
// function of the row index and the graph's free inputs.
// Node inputs: expr_flat, wrt, free inputs...
class GradRows final : public Op {
 public:
  GradRows(Var index, Var row, Vars free) : index_(std::move(index)), row_(std::move(row)), free_(std::move(free)) {}
  std::string name() const override { return "jacobian_rows"; }
  JacobianRowsParts parts() const { return {index_, row_, free_}; }
  // Each instance has its own inner graph: never merge two of them.
  std::string props() const override { return std::to_string(reinterpret_cast<uintptr_t>(this)); }

  std::vector<TensorType> make_types(std::span<const Var> in) const override {
    const Var& wrt = in[1];
    BroadcastPattern b{false};
    for (bool x : wrt.broadcastable()) b.push_back(x);
    return {TensorType(row_.dtype(), b)};
  }

  void perform(const ApplyNode&, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override {
    if (!body_) {
      Vars inputs{index_};
      inputs.insert(inputs.end(), free_.begin(), free_.end());
      body_ = std::make_unique<Function>(function(inputs, row_, {}, {.on_unused_input = "ignore"}));
    }
    const int64_t n = in[0]->shape(0);
    Shape shape{n};
    for (int64_t d : in[1]->shape()) shape.push_back(d);
    NDArray& result = reuse_or_allocate(*out[0], row_.dtype(), shape);
    std::vector<Arg> args;
    args.reserve(1 + free_.size());
    for (int64_t i = 0; i < n; ++i) {
      args.clear();
      args.emplace_back(i);
      for (size_t k = 0; k < free_.size(); ++k) args.emplace_back(*in[2 + k]);
      Result row = body_->call(args);
      result.index(0, i).assign(row.array());
    }
  }

 private:
  Var index_, row_;
  Vars free_;
  mutable std::unique_ptr<Function> body_;  // compiled on first use
};

}  // namespace

std::shared_ptr<const Op> make_jacobian_rows_op(JacobianRowsParts parts) {
  return std::make_shared<const GradRows>(std::move(parts.index), std::move(parts.row), std::move(parts.free));
}

JacobianRowsParts jacobian_rows_parts(const Op& op) { return static_cast<const GradRows&>(op).parts(); }

}  // namespace theon::detail

namespace theon::tensor {

Var jacobian(const Var& expr, const Var& wrt, Loc loc) {
  Var flat = expr.ndim() == 1 ? expr : flatten(expr, 1);
  Var i = lscalar("i", loc);
  Var row = grad(index(flat, {IndexArg(i)}), wrt,
                 {.disconnected_inputs = "ignore", .return_disconnected = "zero"}, loc);
  Vars free = detail::free_inputs(row, i);
  Vars inputs{flat, wrt};
  inputs.insert(inputs.end(), free.begin(), free.end());
  Var rows = make_apply1(std::make_shared<const detail::GradRows>(i, row, free), inputs, loc);
  if (expr.ndim() == 1) return rows;
  // Back to expr.shape + wrt.shape.
  Vars dims;
  for (int d = 0; d < expr.ndim(); ++d) dims.push_back(shape_i(expr, d));
  for (int d = 0; d < wrt.ndim(); ++d) dims.push_back(shape_i(wrt, d));
  return reshape(rows, ShapeArg(detail::make_vector(dims, loc), loc));
}

Var hessian(const Var& cost, const Var& wrt, Loc loc) {
  THEON_CHECK_USER(cost.ndim() == 0, TypeError) << "hessian: the cost must be a scalar, got " << describe(cost);
  return jacobian(grad(cost, wrt, {}, loc), wrt, loc);
}

Vars Lop(const Vars& f, const Vars& wrt, const Vars& eval_points, Loc loc) {
  THEON_CHECK_USER(f.size() == eval_points.size(), ValueError)
      << "Lop: " << f.size() << " expressions but " << eval_points.size() << " eval points";
  GradOptions options{.disconnected_inputs = "ignore", .return_disconnected = "zero"};
  for (size_t k = 0; k < f.size(); ++k) options.known_grads.push_back({f[k], eval_points[k]});
  return grad(Var(), wrt, options, loc);
}

Vars Rop(const Vars& f, const Vars& wrt, const Vars& eval_points, Loc loc) {
  THEON_CHECK_USER(wrt.size() == eval_points.size(), ValueError)
      << "Rop: " << wrt.size() << " variables but " << eval_points.size() << " eval points";
  // J.v is the transpose of the (linear) map u -> J^T.u: differentiate <J^T.u, v> in u.
  Vars u;
  for (const Var& y : f) u.push_back(variable(y.type(), "u", loc));
  Vars jt_u = Lop(f, wrt, u, loc);
  Vars terms;
  for (size_t j = 0; j < wrt.size(); ++j) terms.push_back(sum(jt_u[j] * eval_points[j]));
  Var inner = add(terms, loc);
  Vars jv = grad(inner, u, {.disconnected_inputs = "ignore", .return_disconnected = "zero"}, loc);
  // The result is independent of u's value but may read its shape: give it f's.
  std::vector<std::pair<Var, Var>> replace;
  for (size_t k = 0; k < f.size(); ++k) replace.push_back({u[k], zeros_like(f[k])});
  return clone(jv, replace);
}

}  // namespace theon::tensor
