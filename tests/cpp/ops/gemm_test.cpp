// Gemm, Gemv and Ger built directly (mode NONE, so no rewrite touches them) against the
// same expression written with dot and element-wise ops: transposed and strided
// operands, broadcast addends, zero alpha and beta next to NaN, empty shapes.
#include <cmath>

#include "ops/blas.hpp"
#include "ops/op_util.hpp"
#include "rewrite/rewrite_test_util.hpp"
#include "theon/theon.hpp"
#include "theon/verify_grad.hpp"

namespace T = theon::tensor;
using namespace theon;
using namespace theon::testing;

namespace {

FunctionOptions none() { return mode("NONE"); }

::testing::AssertionResult close(const NDArray& got, const NDArray& want) {
  const bool single = want.dtype() == DType::Float32;
  return allclose(got, want, single ? 1e-5 : 1e-12, single ? 1e-5 : 1e-12);
}

Var gemm(const Var& x, const Var& y, const Var& alpha, const Var& z, const Var& beta) {
  if (!z.defined()) return detail::apply_op<detail::Gemm>(x.loc(), {x, y, alpha}, false);
  return detail::apply_op<detail::Gemm>(x.loc(), {x, y, alpha, z, beta}, true);
}

struct GemmCase {
  const char* name;
  int64_t m, k, n;
  BroadcastPattern z_pattern;  // empty: no addend
  bool transpose_x, transpose_y;
};

class GemmValues : public ::testing::TestWithParam<DType> {};

TEST_P(GemmValues, MatchesDotAndElementwise) {
  const DType dt = GetParam();
  const GemmCase cases[] = {
      {"plain", 5, 4, 3, {false, false}, false, false},
      {"bias_row", 6, 3, 4, {true, false}, false, false},
      {"bias_col", 6, 3, 4, {false, true}, false, false},
      {"scalar_addend", 3, 2, 4, {true, true}, false, false},
      {"transposed_x", 5, 7, 3, {false, false}, true, false},
      {"transposed_both", 4, 6, 5, {true, false}, true, true},
      {"no_addend", 4, 3, 2, {}, false, true},
      {"empty_rows", 0, 3, 4, {true, false}, false, false},
      {"empty_sum", 3, 0, 4, {false, false}, true, false},
      {"one_by_one", 1, 1, 1, {false, false}, false, false},
  };
  for (const GemmCase& c : cases) {
    SCOPED_TRACE(c.name);
    // Transposed operands are dimshuffle views of the stored (transposed) data.
    Var xs = T::tensor(dt, {false, false}, "x"), ys = T::tensor(dt, {false, false}, "y");
    Var x = c.transpose_x ? T::transpose(xs) : xs;
    Var y = c.transpose_y ? T::transpose(ys) : ys;
    Var alpha = T::tensor(dt, {}, "alpha"), beta = T::tensor(dt, {}, "beta");
    const bool has_z = !c.z_pattern.empty();
    Var z = has_z ? T::tensor(dt, c.z_pattern, "z") : Var();
    Var got = gemm(x, y, alpha, z, beta);
    Var want = alpha * T::dot(x, y);
    if (has_z) want = want + beta * z;
    Vars inputs{xs, ys, alpha, beta};
    if (has_z) inputs.push_back(z);
    Function f = function(inputs, {got, want}, {}, none());

    Shape x_shape = c.transpose_x ? Shape{c.k, c.m} : Shape{c.m, c.k};
    Shape y_shape = c.transpose_y ? Shape{c.n, c.k} : Shape{c.k, c.n};
    std::vector<NDArray> args{random_array(x_shape, dt, -1, 1, 1), random_array(y_shape, dt, -1, 1, 2),
                              NDArray::full(dt, {}, 0.75), NDArray::full(dt, {}, -1.5)};
    if (has_z)
      args.push_back(random_array({c.z_pattern[0] ? 1 : c.m, c.z_pattern[1] ? 1 : c.n}, dt, -1, 1, 3));
    std::vector<NDArray> out = run(f, args);
    EXPECT_EQ(out[0].shape(), (Shape{c.m, c.n}));
    EXPECT_TRUE(close(out[0], out[1]));
  }
}

TEST_P(GemmValues, GemvMatchesDotAndElementwise) {
  const DType dt = GetParam();
  for (bool transposed : {false, true}) {
    for (bool broadcast_z : {false, true}) {
      SCOPED_TRACE(std::string(transposed ? "transposed" : "plain") + (broadcast_z ? " bz" : ""));
      Var as = T::tensor(dt, {false, false}, "a");
      Var a = transposed ? T::transpose(as) : as;
      Var x = T::tensor(dt, {false}, "x"), z = T::tensor(dt, {broadcast_z}, "z");
      Var alpha = T::tensor(dt, {}, "alpha"), beta = T::tensor(dt, {}, "beta");
      Var got = detail::apply_op<detail::Gemv>(Loc::current(), {a, x, alpha, z, beta}, true);
      Var want = alpha * T::dot(a, x) + beta * z;
      Function f = function({as, x, z, alpha, beta}, {got, want}, {}, none());
      // x read with a stride of 2: a non-contiguous vector.
      NDArray x_data = random_array({14}, dt, -1, 1, 5).slice(0, Slice{0, 14, 2});
      auto out = run(f, {random_array(transposed ? Shape{7, 5} : Shape{5, 7}, dt, -1, 1, 4), x_data,
                         random_array({broadcast_z ? 1 : 5}, dt, -1, 1, 6),
                         NDArray::full(dt, {}, 2.0), NDArray::full(dt, {}, 0.5)});
      EXPECT_TRUE(close(out[0], out[1]));
    }
  }
}

TEST_P(GemmValues, GerMatchesOuterAndElementwise) {
  const DType dt = GetParam();
  Var a = T::tensor(dt, {false, false}, "a"), r = T::tensor(dt, {true, false}, "r");
  Var x = T::tensor(dt, {false}, "x"), y = T::tensor(dt, {false}, "y");
  Var alpha = T::tensor(dt, {}, "alpha");
  Var full = detail::apply_op<detail::Ger>(Loc::current(), {a, alpha, x, y});
  Var row = detail::apply_op<detail::Ger>(Loc::current(), {r, alpha, x, y});
  Var want_full = a + alpha * T::outer(x, y), want_row = r + alpha * T::outer(x, y);
  Function f = function({a, r, x, y, alpha}, {full, want_full, row, want_row}, {}, none());
  auto out = run(f, {random_array({4, 3}, dt, -1, 1, 1), random_array({1, 3}, dt, -1, 1, 2),
                     random_array({4}, dt, -1, 1, 3), random_array({3}, dt, -1, 1, 4),
                     NDArray::full(dt, {}, -0.25)});
  EXPECT_TRUE(close(out[0], out[1]));
  EXPECT_TRUE(close(out[2], out[3]));
}

INSTANTIATE_TEST_SUITE_P(Dtypes, GemmValues, ::testing::Values(DType::Float32, DType::Float64));

// BLAS skips reading C when beta is 0 and the product when alpha is 0; 0 * NaN must
// still be NaN, as in the unfused graph.
TEST(Gemm, ZeroAlphaOrBetaKeepsNaN) {
  Var x = T::dmatrix("x"), y = T::dmatrix("y"), z = T::dmatrix("z");
  Var alpha = T::dscalar("alpha"), beta = T::dscalar("beta");
  Function f = function({x, y, z, alpha, beta}, gemm(x, y, alpha, z, beta), {}, none());
  NDArray xs = random_array({2, 3}, DType::Float64, -1, 1, 1);
  NDArray ys = random_array({3, 2}, DType::Float64, -1, 1, 2);
  NDArray zs = NDArray::full(DType::Float64, {2, 2}, NAN);
  NDArray got = f(xs, ys, zs, 1.0, 0.0).array();
  for (int64_t i = 0; i < 2; ++i) EXPECT_TRUE(std::isnan(got.at<double>({i, 1})));
  NDArray xn = xs.copy();
  xn.data<double>()[0] = NAN;  // row 0 of the product is NaN
  NDArray zero_alpha = f(xn, ys, random_array({2, 2}, DType::Float64, -1, 1, 3), 0.0, 1.0).array();
  EXPECT_TRUE(std::isnan(zero_alpha.at<double>({0, 0})));
  EXPECT_FALSE(std::isnan(zero_alpha.at<double>({1, 0})));
}

// A one-row product (X broadcastable along rows) spread over a taller Z: the output has
// Z's rows, which BLAS cannot write, so the fallback computes it.
TEST(Gemm, ProductBroadcastAgainstTallerAddend) {
  Var x = T::drow("x"), y = T::dmatrix("y"), z = T::dmatrix("z");
  Var alpha = T::dscalar("alpha"), beta = T::dscalar("beta");
  Var got = gemm(x, y, alpha, z, beta), want = alpha * T::dot(x, y) + beta * z;
  EXPECT_EQ(got.broadcastable(), want.broadcastable());
  Function f = function({x, y, z, alpha, beta}, {got, want}, {}, none());
  auto out = run(f, {random_array({1, 3}, DType::Float64, -1, 1, 1),
                     random_array({3, 4}, DType::Float64, -1, 1, 2),
                     random_array({5, 4}, DType::Float64, -1, 1, 3), NDArray::full(DType::Float64, {}, 2.0),
                     NDArray::full(DType::Float64, {}, 3.0)});
  EXPECT_EQ(out[0].shape(), (Shape{5, 4}));
  EXPECT_TRUE(close(out[0], out[1]));
}

// The pullbacks (those of the same expression with dot) against finite differences.
TEST(Gemm, GradientsMatchFiniteDifferences) {
  auto r = [](Shape s, unsigned seed) { return random_array(s, DType::Float64, -1, 1, seed); };
  NDArray a = NDArray::full(DType::Float64, {}, 0.7), b = NDArray::full(DType::Float64, {}, -1.3);
  verify_grad([](const Vars& in) {
    return gemm(in[0], T::transpose(in[1]), in[2], T::dimshuffle(in[3], {'x', 0}), in[4]);
  }, {r({3, 4}, 1), r({2, 4}, 2), a, r({2}, 3), b});
  verify_grad([](const Vars& in) { return gemm(in[0], in[1], in[2], Var(), Var()); },
              {r({3, 4}, 4), r({4, 2}, 5), a});
  verify_grad([](const Vars& in) {
    return detail::apply_op<detail::Gemv>(Loc::current(), {in[0], in[1], in[2], in[3], in[4]}, true);
  }, {r({3, 4}, 6), r({4}, 7), a, r({3}, 8), b});
  verify_grad([](const Vars& in) {
    return detail::apply_op<detail::Ger>(Loc::current(), {in[0], in[1], in[2], in[3]});
  }, {r({3, 4}, 9), a, r({3}, 10), r({4}, 11)});
}

TEST(Gemm, ShapeErrorsNameTheOp) {
  Var x = T::dmatrix("x"), y = T::dmatrix("y"), z = T::dmatrix("z");
  Var one = constant(NDArray::full(DType::Float64, {}, 1.0));
  Function f = function({x, y, z}, gemm(x, y, one, z, one), {}, none());
  EXPECT_TRUE(throws_with<ShapeError>(
      [&] { f(NDArray::zeros(DType::Float64, {2, 3}), NDArray::zeros(DType::Float64, {4, 2}),
              NDArray::zeros(DType::Float64, {2, 2})); },
      {"gemm", "not aligned"}));
  EXPECT_TRUE(throws_with<ShapeError>(
      [&] { f(NDArray::zeros(DType::Float64, {2, 3}), NDArray::zeros(DType::Float64, {3, 2}),
              NDArray::zeros(DType::Float64, {3, 2})); },
      {"gemm", "broadcast"}));
}

}  // namespace
