// ifelse: a lazy conditional over one or more pairs of branches.
#include "theon/ifelse.hpp"

#include "ops/op_util.hpp"
#include "theon/shape_ops.hpp"

namespace theon::detail {
namespace {

// Inputs: cond, then_0..then_{n-1}, else_0..else_{n-1}; outputs: n.
class IfElse final : public Op {
 public:
  explicit IfElse(int n) : n_(n) {}
  std::string name() const override { return "if"; }
  std::string props() const override { return std::to_string(n_); }
  bool is_lazy() const override { return true; }
  int view_of(int output) const override { return 1 + output; }

  std::vector<TensorType> make_types(std::span<const Var> in) const override {
    const Var& cond = in[0];
    THEON_CHECK_USER(cond.ndim() == 0 && !is_complex(cond.dtype()), TypeError)
        << "ifelse: the condition must be a real scalar, got " << describe(cond);
    std::vector<TensorType> out;
    for (int i = 0; i < n_; ++i) {
      const Var& a = in[1 + i];
      const Var& b = in[1 + n_ + i];
      THEON_CHECK_USER(a.type() == b.type() || (a.dtype() == b.dtype() && a.ndim() == b.ndim()),
                       TypeError)
          << "ifelse: branch " << i << " has types " << a.type().str() << " and " << b.type().str()
          << "\n  then  " << describe(a) << "\n  else  " << describe(b);
      BroadcastPattern p(a.ndim(), false);
      for (int d = 0; d < a.ndim(); ++d) p[d] = a.broadcastable()[d] && b.broadcastable()[d];
      out.emplace_back(a.dtype(), p);
    }
    return out;
  }

  std::vector<int> needed_inputs(std::span<const NDArray* const> in) const override {
    if (!in[0]->defined()) return {0};
    const int first = truth(*in[0]) ? 1 : 1 + n_;
    std::vector<int> needed;
    for (int i = 0; i < n_; ++i)
      if (!in[first + i]->defined()) needed.push_back(first + i);
    return needed;
  }

  void perform(const ApplyNode&, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override {
    const int first = truth(*in[0]) ? 1 : 1 + n_;
    for (int i = 0; i < n_; ++i) *out[i] = *in[first + i];
  }

  Vars pullback(const ApplyNode& node, std::span<const Var> gout) const override {
    const Var& cond = node.inputs[0];
    Vars grads(node.inputs.size());
    for (int i = 0; i < n_; ++i) {
      if (!gout[i].defined()) continue;
      const Var& a = node.inputs[1 + i];
      const Var& b = node.inputs[1 + n_ + i];
      grads[1 + i] = ifelse(cond, gout[i], tensor::zeros_like(a));
      grads[1 + n_ + i] = ifelse(cond, tensor::zeros_like(b), gout[i]);
    }
    return grads;
  }

  std::string print(std::span<const std::string> args) const override {
    return "if{}(" + args[0] + ", " + args[1] + ", " + args[1 + n_] + ")";
  }

 private:
  static bool truth(const NDArray& cond) { return cond.item<double>() != 0; }
  int n_;
};

}  // namespace
}  // namespace theon::detail

namespace theon {

Vars ifelse(VarArg cond, const Vars& then_branches, const Vars& else_branches) {
  THEON_CHECK_USER(then_branches.size() == else_branches.size() && !then_branches.empty(),
                   ValueError)
      << "ifelse: needs as many then-branches as else-branches, got " << then_branches.size()
      << " and " << else_branches.size();
  Vars inputs{cond.var};
  Vars thens, elses;
  for (size_t i = 0; i < then_branches.size(); ++i) {
    Var a = then_branches[i], b = else_branches[i];
    THEON_CHECK_USER(a.ndim() == b.ndim(), TypeError)
        << "ifelse: branch " << i << " has " << a.ndim() << " and " << b.ndim()
        << " dimensions\n  then  " << describe(a) << "\n  else  " << describe(b);
    // Promote as element-wise ops do (weak literals adapt to the other branch).
    DType d = a.is_weak() && !b.is_weak() ? b.dtype()
              : b.is_weak() && !a.is_weak() ? a.dtype()
                                            : promote(a.dtype(), b.dtype());
    if (a.is_weak() && b.is_weak()) d = promote(a.dtype(), b.dtype());
    thens.push_back(tensor::cast(a, d));
    elses.push_back(tensor::cast(b, d));
  }
  inputs.insert(inputs.end(), thens.begin(), thens.end());
  inputs.insert(inputs.end(), elses.begin(), elses.end());
  return make_apply(std::make_shared<const detail::IfElse>(static_cast<int>(thens.size())),
                    std::move(inputs), cond.loc);
}

Var ifelse(VarArg cond, VarArg then_branch, VarArg else_branch) {
  return ifelse(cond, Vars{then_branch.var}, Vars{else_branch.var})[0];
}

}  // namespace theon
