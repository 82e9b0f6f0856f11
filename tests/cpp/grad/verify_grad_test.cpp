// verify_grad itself: it passes correct gradients, catches a wrong pullback and names
// the worst element, and handles float32, broadcastable points and unused inputs.
#include "theon/verify_grad.hpp"

#include "ops/op_util.hpp"
#include "test_util.hpp"

namespace T = theon::tensor;
using theon::testing::random_array;
using theon::testing::throws_with;

namespace theon {
namespace {

// Doubles its input, but claims a gradient of 3 (a deliberately broken pullback),
// except at element (1, 2) of a matrix where it says 2 - 1 when `only_one` is set.
class WrongDouble final : public Op {
 public:
  explicit WrongDouble(bool only_one) : only_one_(only_one) {}
  std::string name() const override { return "wrong_double"; }
  std::vector<TensorType> make_types(std::span<const Var> in) const override {
    return {in[0].type()};
  }
  void perform(const ApplyNode&, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override {
    NDArray& o = reuse_or_allocate(*out[0], DType::Float64, in[0]->shape());
    NDArray x = in[0]->contiguous();
    for (int64_t i = 0; i < x.size(); ++i) o.data<double>()[i] = 2 * x.data<double>()[i];
  }
  Vars pullback(const ApplyNode& node, std::span<const Var> g) const override {
    if (!only_one_) return {g[0] * 3};
    // 2 everywhere except flat element 6 ((1, 2) of a 3x4 matrix), where it is 1.
    NDArray scale = NDArray::full(DType::Float64, {3, 4}, 2.0);
    scale.data<double>()[6] = 1.0;
    (void)node;
    return {g[0] * constant(scale)};
  }

 private:
  bool only_one_;
};

Var wrong_double(const Var& x, bool only_one) {
  return detail::apply_op<WrongDouble>(Loc::current(), {x}, only_one);
}

TEST(VerifyGrad, PassesCorrectGradients) {
  verify_grad([](const Vars& in) { return T::exp(in[0]) * in[1]; },
              {random_array({3, 4}, DType::Float64, -1, 1, 1),
               random_array({3, 4}, DType::Float64, -1, 1, 2)});
}

TEST(VerifyGrad, BroadcastablePointsBecomeRowsAndColumns) {
  // A (1, 4) point is a row and a (3, 1) point a column, so they broadcast.
  verify_grad([](const Vars& in) { return in[0] * in[1] + in[2]; },
              {random_array({1, 4}, DType::Float64, -1, 1, 3),
               random_array({3, 1}, DType::Float64, -1, 1, 4),
               random_array({3, 4}, DType::Float64, -1, 1, 5)});
}

TEST(VerifyGrad, CatchesAWrongPullbackAndNamesTheWorstElement) {
  EXPECT_TRUE(throws_with<GradientError>(
      [] {
        verify_grad([](const Vars& in) { return wrong_double(in[0], false); },
                    {random_array({3, 4}, DType::Float64, -1, 1, 6)});
      },
      {"input 0", "analytic", "numeric", "abs error", "rel error"}));
  try {
    verify_grad([](const Vars& in) { return wrong_double(in[0], true); },
                {random_array({3, 4}, DType::Float64, -1, 1, 7)});
    FAIL() << "did not throw";
  } catch (const GradientError& e) {
    EXPECT_EQ(e.input, 0);
    EXPECT_EQ(e.index, (std::vector<int64_t>{1, 2})) << e.what();
    EXPECT_NE(std::string(e.what()).find("(1, 2)"), std::string::npos) << e.what();
    EXPECT_NEAR(e.numeric / e.analytic, 2.0, 1e-5);
  }
}

TEST(VerifyGrad, GradientErrorIsAValueError) {
  EXPECT_TRUE(throws_with<ValueError>(
      [] {
        verify_grad([](const Vars& in) { return wrong_double(in[0], false); },
                    {random_array({3, 4}, DType::Float64, -1, 1, 8)});
      },
      {"verify_grad"}));
}

TEST(VerifyGrad, Float32UsesLooserDefaults) {
  verify_grad([](const Vars& in) { return T::tanh(in[0]) * in[0]; },
              {random_array({4, 3}, DType::Float32, -1, 1, 9)});
}

TEST(VerifyGrad, UnusedInputHasZeroGradient) {
  verify_grad([](const Vars& in) { return T::sin(in[0]); },
              {random_array({2}, DType::Float64, -1, 1, 10), random_array({3})});
}

TEST(VerifyGrad, RejectsIntegerPoints) {
  EXPECT_TRUE(throws_with<TypeError>(
      [] { verify_grad([](const Vars& in) { return in[0] * 2.0; }, {array({1, 2})}); },
      {"verify_grad", "point 0", "int64"}));
}

TEST(VerifyGrad, RejectsIntegerOutputs) {
  EXPECT_TRUE(throws_with<TypeError>(
      [] {
        verify_grad([](const Vars& in) { return T::cast(in[0], DType::Int32); },
                    {random_array({2})});
      },
      {"verify_grad", "float"}));
}

TEST(VerifyGrad, OptionsOverrideTolerances) {
  // With a huge tolerance even the wrong gradient passes.
  VerifyGradOptions loose;
  loose.abs_tol = 10;
  loose.rel_tol = 10;
  verify_grad([](const Vars& in) { return wrong_double(in[0], false); },
              {random_array({3, 4}, DType::Float64, -1, 1, 11)}, loose);
}

}  // namespace
}  // namespace theon
