// Ops that change only the backward pass: zero_grad, disconnected_grad, grad_clip.
#include "ops/op_util.hpp"
#include "theon/grad.hpp"
#include "theon/shape_ops.hpp"

namespace theon::detail {
namespace {

enum class GradMode { Zero, Disconnected, Clip };

// The identity in the forward pass (its output is its input, a view).
class GradModifier final : public Op {
 public:
  GradModifier(GradMode mode, double lo = 0, double hi = 0) : mode_(mode), lo_(lo), hi_(hi) {}
  std::string name() const override {
    switch (mode_) {
      case GradMode::Zero: return "zero_grad";
      case GradMode::Disconnected: return "disconnected_grad";
      case GradMode::Clip: return "grad_clip";
    }
    return "";
  }
  std::string props() const override {
    return mode_ == GradMode::Clip ? std::to_string(lo_) + "," + std::to_string(hi_) : "";
  }
  std::vector<TensorType> make_types(std::span<const Var> in) const override { return {in[0].type()}; }
  void perform(const ApplyNode&, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override {
    *out[0] = *in[0];
  }
  int view_of(int) const override { return 0; }
  Vars pullback(const ApplyNode& node, std::span<const Var> gout) const override {
    const Var& x = node.inputs[0];
    switch (mode_) {
      case GradMode::Zero: return {tensor::zeros_like(x)};
      case GradMode::Disconnected: return {Var()};
      case GradMode::Clip: return {tensor::clip(gout[0], lo_, hi_)};
    }
    return {Var()};
  }
  std::string print(std::span<const std::string> args) const override { return args[0]; }

 private:
  GradMode mode_;
  double lo_, hi_;
};

}  // namespace
}  // namespace theon::detail

namespace theon::tensor {

Var zero_grad(VarArg x) {
  return detail::apply_op<detail::GradModifier>(x.loc, {x.var}, detail::GradMode::Zero);
}
Var disconnected_grad(VarArg x) {
  return detail::apply_op<detail::GradModifier>(x.loc, {x.var}, detail::GradMode::Disconnected);
}
Var grad_clip(VarArg x, double lo, double hi) {
  THEON_CHECK_USER(lo <= hi, ValueError) << "grad_clip: lo " << lo << " is above hi " << hi;
  return detail::apply_op<detail::GradModifier>(x.loc, {x.var}, detail::GradMode::Clip, lo, hi);
}

}  // namespace theon::tensor
