// A custom op in the user's own program: softsign(x) = x / (1 + |x|), with its gradient
// 1 / (1 + |x|)^2, used in theon::function and theon::grad like any built-in op.
// The extension point is theon::Op (theon/graph.hpp); docs/custom_ops.md explains it.
#include <theon/theon.hpp>

#include <cmath>
#include <cstdlib>
#include <iostream>
#include <memory>

namespace T = theon::tensor;

class Softsign final : public theon::Op {
 public:
  std::string name() const override { return "softsign"; }

  // One float input; the output has its type (dtype and broadcastable pattern).
  std::vector<theon::TensorType> make_types(std::span<const theon::Var> in) const override {
    if (in.size() != 1 || in[0].dtype() != theon::DType::Float64) {
      throw theon::TypeError("softsign: expects one float64 input");
    }
    return {in[0].type()};
  }

  // The previous call's output buffer is reused when it can be (reuse_or_allocate).
  void perform(const theon::ApplyNode&, std::span<const theon::NDArray* const> in,
               std::span<theon::NDArray* const> out) const override {
    const theon::NDArray x = in[0]->contiguous();
    theon::NDArray& y = theon::reuse_or_allocate(*out[0], x.dtype(), x.shape());
    const double* a = x.data<double>();
    double* b = y.data<double>();
    for (int64_t i = 0; i < x.size(); ++i) b[i] = a[i] / (1 + std::abs(a[i]));
  }

  // d softsign(x) / dx = 1 / (1 + |x|)^2, as graph: grad stays symbolic.
  theon::Vars pullback(const theon::ApplyNode& node,
                       std::span<const theon::Var> gout) const override {
    const theon::Var& x = node.inputs[0];
    return {gout[0] / T::sqr(1 + T::abs(x))};
  }
};

theon::Var softsign(const theon::Var& x, theon::Loc loc = theon::Loc::current()) {
  return theon::make_apply1(std::make_shared<Softsign>(), {x}, loc);
}

int main() {
  auto x = T::dvector("x");
  auto y = softsign(x);
  auto g = T::grad(T::sum(y), x);
  auto f = theon::function({x}, {y, g});
  const std::vector<double> values = {-2.0, 0.0, 0.5, 3.0};
  auto outs = f(theon::array({-2.0, 0.0, 0.5, 3.0}));
  std::cout << "softsign(x) = " << outs[0] << "\ngradient    = " << outs[1] << "\n";

  // Checked against the formulas, element by element.
  for (size_t i = 0; i < values.size(); ++i) {
    const double v = values[i], d = 1 + std::abs(v);
    const double got_y = outs[0].at<double>({static_cast<int64_t>(i)});
    const double got_g = outs[1].at<double>({static_cast<int64_t>(i)});
    if (std::abs(got_y - v / d) > 1e-12 || std::abs(got_g - 1 / (d * d)) > 1e-12) {
      std::cerr << "custom_op: wrong value at " << i << "\n";
      return EXIT_FAILURE;
    }
  }
  std::cout << "matches x / (1 + |x|) and 1 / (1 + |x|)^2\n";
}
