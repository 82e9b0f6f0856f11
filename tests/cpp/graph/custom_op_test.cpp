// A user-defined op (an Op subclass outside the library, as in examples/cpp/custom_op.cpp):
// values, gradient (verify_grad), merging by props, and errors annotated with the node.
#include <cmath>
#include <memory>

#include "support/test_util.hpp"
#include "theon/verify_grad.hpp"

namespace T = theon::tensor;

namespace theon {
namespace {

// scale * x / (1 + |x|); d/dx = scale / (1 + |x|)^2. Refuses empty inputs at run time.
class ScaledSoftsign final : public Op {
 public:
  explicit ScaledSoftsign(double scale) : scale_(scale) {}
  std::string name() const override { return "scaled_softsign"; }
  std::string props() const override { return "scale=" + std::to_string(scale_); }

  std::vector<TensorType> make_types(std::span<const Var> in) const override {
    if (in.size() != 1 || in[0].dtype() != DType::Float64) {
      throw TypeError("scaled_softsign: expects one float64 input, got " + describe(in[0]));
    }
    return {in[0].type()};
  }

  void perform(const ApplyNode&, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override {
    const NDArray x = in[0]->contiguous();
    if (x.size() == 0) throw ShapeError("scaled_softsign: empty input");
    NDArray& y = reuse_or_allocate(*out[0], x.dtype(), x.shape());
    for (int64_t i = 0; i < x.size(); ++i) {
      y.data<double>()[i] = scale_ * x.data<double>()[i] / (1 + std::abs(x.data<double>()[i]));
    }
  }

  Vars pullback(const ApplyNode& node, std::span<const Var> gout) const override {
    return {gout[0] * scale_ / T::sqr(1 + T::abs(node.inputs[0]))};
  }

 private:
  double scale_;
};

Var scaled_softsign(const Var& x, double scale, Loc loc = Loc::current()) {
  return make_apply1(std::make_shared<ScaledSoftsign>(scale), {x}, loc);
}

size_t count_custom(const Function& f) {
  size_t n = 0;
  for (const ApplyNode* node : f.fgraph().toposort()) n += node->op().name() == "scaled_softsign";
  return n;
}

TEST(CustomOp, ComputesInsideAGraph) {
  auto x = T::dmatrix("x");
  auto f = function({x}, T::exp(scaled_softsign(x * 2, 3.0)));
  // numpy: np.exp(3 * (2*x) / (1 + abs(2*x))) for x = [[-1, 0], [0.25, 2]]
  EXPECT_TRUE(testing::allclose(f(array({{-1.0, 0.0}, {0.25, 2.0}})),
                                array({{0.1353352832366127, 1.0},
                                       {2.718281828459045, 11.023176380641601}}),
                                1e-12));
}

TEST(CustomOp, GradientPassesVerifyGrad) {
  verify_grad([](const Vars& in) { return scaled_softsign(in[0], 1.5); },
              {testing::random_array({3, 4}, DType::Float64, -2, 2)});
  verify_grad([](const Vars& in) { return T::sum(scaled_softsign(in[0] * in[1], 0.5)); },
              {testing::random_array({5}, DType::Float64, 0.1, 2, 1),
               testing::random_array({5}, DType::Float64, 0.1, 2, 2)});
}

TEST(CustomOp, EqualPropsMergeOthersDoNot) {
  auto x = T::dvector("x");
  EXPECT_EQ(count_custom(function({x}, {scaled_softsign(x, 2), scaled_softsign(x, 2)})), 1u);
  EXPECT_EQ(count_custom(function({x}, {scaled_softsign(x, 2), scaled_softsign(x, 3)})), 2u);
}

TEST(CustomOp, ErrorsNameTheOpAndTheNode) {
  EXPECT_TRUE(testing::throws_with<TypeError>([] { scaled_softsign(T::fvector("v"), 1); },
                                              {"scaled_softsign", "float32 vector"}));
  auto x = T::dvector("x");
  auto f = function({x}, scaled_softsign(x, 1));
  EXPECT_TRUE(testing::throws_with<ShapeError>([&] { f(NDArray::zeros(DType::Float64, {0})); },
                                               {"scaled_softsign: empty input", "custom_op_test.cpp"}));
}

}  // namespace
}  // namespace theon
