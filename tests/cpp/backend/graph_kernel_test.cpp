// Whole-graph native functions (compile/graph_kernel.hpp): once a small function has
// been called kCallsBeforePlan times and its native function is compiled, calls with
// the recorded layouts run it, and it must give the interpreter's results; calls with
// other layouts, failing calls and graphs it cannot take stay interpreted.
#include "backend/cgen_support.hpp"
#include "compile/graph_kernel.hpp"
#include "theon/theon.hpp"

namespace theon::testing {
namespace {

namespace T = tensor;

class GraphKernelTest : public CgenTest {
 protected:
  void SetUp() override {
    CgenTest::SetUp();
    saved_graph_ = config().cgen_graph;
  }
  void TearDown() override {
    config().cgen_graph = saved_graph_;
    CgenTest::TearDown();
  }

  // `output` of `inputs` on `args`, by the interpreter alone.
  template <class... A>
  static NDArray interpreted(const std::vector<Var>& inputs, const Var& output, const A&... args) {
    const bool saved = config().cgen_graph;
    config().cgen_graph = false;
    NDArray result = function(inputs, output)(args...).array();
    config().cgen_graph = saved;
    return result;
  }

  // Calls `f` until its native function is planned, then waits for the compile.
  static void warm(const std::function<void()>& call) {
    for (int i = 0; i < detail::kCallsBeforePlan; ++i) call();
    detail::cgen::wait_for_native_kernels();
  }

 private:
  bool saved_graph_ = true;
};

Var layer(const Var& x, const Var& theta) {
  auto with_bias = T::concatenate({x, constant(array({1.0}))});
  return T::sigmoid(T::dot(T::transpose(theta), with_bias));
}

// The seeds' XOR step (W1): theta1, theta2 after `steps` calls, and the last cost.
std::vector<NDArray> train_xor(int steps) {
  auto x = T::dvector("x");
  auto y = T::dscalar("y");
  auto theta1 = shared(random_array({3, 3}, DType::Float64, -1, 1, 7), "theta1");
  auto theta2 = shared(random_array({4, 1}, DType::Float64, -1, 1, 8), "theta2");
  auto cost = T::sqr(T::sum(layer(layer(x, theta1), theta2)) - y);
  auto step = function({x, y}, cost,
                       {{theta1, theta1 - 0.1 * T::grad(cost, theta1)},
                        {theta2, theta2 - 0.1 * T::grad(cost, theta2)}});
  const NDArray samples[] = {array({0.0, 0.0}), array({0.0, 1.0}), array({1.0, 0.0}), array({1.0, 1.0})};
  const double targets[] = {0, 1, 1, 0};
  NDArray last;
  for (int i = 0; i < steps; ++i) {
    last = step(samples[i % 4], targets[i % 4]).array();
    if (i == detail::kCallsBeforePlan) detail::cgen::wait_for_native_kernels();
  }
  return {theta1.get_value(), theta2.get_value(), last};
}

TEST_F(GraphKernelTest, XorTrainingMatchesTheInterpreter) {
  config().cgen_graph = false;
  const auto calls_before = detail::native_graph_calls();
  const auto interpreted = train_xor(200);
  EXPECT_EQ(detail::native_graph_calls(), calls_before);
  config().cgen_graph = true;
  const auto native = train_xor(200);
  EXPECT_GE(detail::native_graph_calls(), calls_before + 150);
  for (size_t i = 0; i < native.size(); ++i) EXPECT_ALLCLOSE(native[i], interpreted[i], 1e-12, 1e-12);
}

// The XNOR full-batch step (W2): gemv, split, join, sums with keepdims, several outputs.
std::vector<NDArray> train_xnor(int steps) {
  auto X = T::dmatrix("x");
  auto t = T::dvector("t");
  auto w1 = shared(array({0.1, 0.2}), "w1"), w2 = shared(array({0.3, -0.4}), "w2");
  auto w3 = shared(array({0.5, 0.6}), "w3");
  auto b1 = shared(0.5, "b1"), b2 = shared(-0.5, "b2");
  auto a1 = 1 / (1 + T::exp(-T::dot(X, w1) - b1));
  auto a2 = 1 / (1 + T::exp(-T::dot(X, w2) - b1));
  auto a3 = 1 / (1 + T::exp(-T::dot(T::stack({a1, a2}, 1), w3) - b2));
  auto xent = -T::sum(t * T::log(a3) + (1 - t) * T::log(1 - a3));
  auto g = T::grad(xent, {w1, w2, w3, b1, b2});
  auto step = function({X, t}, {a3, xent},
                       {{w1, w1 - 0.1 * g[0]}, {w2, w2 - 0.1 * g[1]}, {w3, w3 - 0.1 * g[2]},
                        {b1, b1 - 0.1 * g[3]}, {b2, b2 - 0.1 * g[4]}});
  auto inputs = array({{0.0, 0.0}, {0.0, 1.0}, {1.0, 0.0}, {1.0, 1.0}});
  auto targets = array({1.0, 0.0, 0.0, 1.0});
  Result last;
  for (int i = 0; i < steps; ++i) {
    last = step(inputs, targets);
    if (i == detail::kCallsBeforePlan) detail::cgen::wait_for_native_kernels();
  }
  return {w1.get_value(), w2.get_value(), w3.get_value(), b1.get_value(), b2.get_value(), last[0], last[1]};
}

TEST_F(GraphKernelTest, XnorTrainingMatchesTheInterpreter) {
  config().cgen_graph = false;
  const auto interpreted = train_xnor(100);
  config().cgen_graph = true;
  const auto calls_before = detail::native_graph_calls();
  const auto native = train_xnor(100);
  EXPECT_GE(detail::native_graph_calls(), calls_before + 90);
  for (size_t i = 0; i < native.size(); ++i) EXPECT_ALLCLOSE(native[i], interpreted[i], 1e-12, 1e-12);
}

// Reductions (every kind, over axes, keepdims; fused with their element-wise input),
// join on axis 1, gemm with a bias row, ger, shape values, integer and bool data,
// float32: each output against the interpreter.
TEST_F(GraphKernelTest, EveryEmittedOpMatchesTheInterpreter) {
  auto A = T::fmatrix("A");
  auto B = T::fmatrix("B");
  auto v = T::fvector("v");
  auto n = T::ivector("n");
  auto outputs = std::vector<Var>{
      T::sum(A, 0), T::prod(A, 1, true), T::max(A, 1), T::min(A), T::mean(A, 0),
      T::concatenate({A, B}, 1), T::dot(A, T::transpose(B)) + v, A + 0.5f * T::outer(v, v),
      T::sum(n), T::sum(T::gt(A, 0.0f), 1), T::any(T::lt(A, -0.5f)), T::all(T::gt(n, 0)),
      T::cast(T::shape_i(A, 0), DType::Float32) * T::exp(A), T::zeros_like(A) + v,
      T::floor_div(T::sqr(n), 2), T::sum(T::exp(A) * v, 1), T::max(T::abs(B))};
  config().cgen_graph = false;
  auto plain = function({A, B, v, n}, outputs);
  config().cgen_graph = true;
  auto native = function({A, B, v, n}, outputs);
  auto a = random_array({3, 3}, DType::Float32, -1, 1, 1), b = random_array({3, 3}, DType::Float32, -1, 1, 2);
  auto vv = random_array({3}, DType::Float32, -1, 1, 3);
  auto nn = array({3, -2, 5}).astype(DType::Int32);
  warm([&] { native(a, b, vv, nn); });
  const auto calls_before = detail::native_graph_calls();
  for (int trial = 0; trial < 3; ++trial) {
    a = random_array({3, 3}, DType::Float32, -1, 1, 10 + trial);
    const Result want = plain(a, b, vv, nn), got = native(a, b, vv, nn);
    ASSERT_EQ(want.size(), got.size());
    for (size_t i = 0; i < want.size(); ++i) {
      SCOPED_TRACE("output " + std::to_string(i));
      EXPECT_EQ(got[i].dtype(), want[i].dtype());
      EXPECT_ALLCLOSE(got[i], want[i], 1e-6, 1e-6);
    }
  }
  EXPECT_EQ(detail::native_graph_calls(), calls_before + 3);
}

TEST_F(GraphKernelTest, OtherShapesAndStridedInputsFallBackToTheInterpreter) {
  auto x = T::dmatrix("x");
  auto y = T::sum(T::exp(x) * 2.0, 1);
  auto f = function({x}, y);
  const auto m = random_array({3, 4}, DType::Float64, -1, 1, 4);
  warm([&] { f(m); });
  auto calls = detail::native_graph_calls();
  EXPECT_ALLCLOSE(f(m).array(), interpreted({x}, y, m), 1e-12, 1e-12);
  EXPECT_EQ(detail::native_graph_calls(), calls + 1);
  // Another shape, and a transposed view of the recorded shape: interpreted, and right.
  const auto wide = random_array({3, 5}, DType::Float64, -1, 1, 5);
  const auto tall = random_array({4, 3}, DType::Float64, -1, 1, 6);
  EXPECT_ALLCLOSE(f(wide).array(), interpreted({x}, y, wide), 1e-12, 1e-12);
  EXPECT_ALLCLOSE(f(tall.transpose()).array(), interpreted({x}, y, tall.transpose().copy()), 1e-12, 1e-12);
  EXPECT_EQ(detail::native_graph_calls(), calls + 1);
  EXPECT_EQ(f(m).array().shape(), (Shape{3}));
  EXPECT_EQ(detail::native_graph_calls(), calls + 2);
}

// Reshape views a contiguous input but copies a transposed one; the copy is no offset
// into the input, so such a layout stays interpreted (it once read garbage).
TEST_F(GraphKernelTest, AReshapeThatCopiesStaysInterpreted) {
  auto x = T::dmatrix("x");
  auto p = T::dmatrix("p");
  auto y = T::sum(T::reshape(T::transpose(x), {2, 6}) * p);
  auto f = function({x, p}, y);
  const auto m = random_array({3, 4}, DType::Float64, -1, 1, 7);
  const auto q = random_array({2, 6}, DType::Float64, -1, 1, 8);
  const NDArray want = interpreted({x, p}, y, m, q);
  warm([&] { f(m, q); });
  for (int i = 0; i < 3; ++i) EXPECT_ALLCLOSE(f(m, q).array(), want, 1e-12, 1e-12);
  // The same graph on a contiguous view still gets native code.
  auto z = T::sum(T::reshape(x, {2, 6}) * p);
  auto g = function({x, p}, z);
  warm([&] { g(m, q); });
  const auto calls = detail::native_graph_calls();
  EXPECT_ALLCLOSE(g(m, q).array(), interpreted({x, p}, z, m, q), 1e-12, 1e-12);
  EXPECT_EQ(detail::native_graph_calls(), calls + 1);
}

TEST_F(GraphKernelTest, EachLayoutUsedOftenGetsItsOwnVariant) {
  auto x = T::dmatrix("x");
  auto y = T::sum(T::exp(x) * 2.0, 1);
  auto f = function({x}, y);
  const NDArray shapes[] = {random_array({3, 4}, DType::Float64, -1, 1, 20),
                            random_array({5, 2}, DType::Float64, -1, 1, 21)};
  // Alternating: each layout is interpreted until its own variant is compiled.
  for (int i = 0; i < 2 * detail::kCallsBeforePlan + 2; ++i) {
    f(shapes[i % 2]);
    if (i % 2) detail::cgen::wait_for_native_kernels();
  }
  detail::cgen::wait_for_native_kernels();
  const auto calls = detail::native_graph_calls();
  for (int i = 0; i < 4; ++i) {
    const NDArray& m = shapes[i % 2];
    EXPECT_ALLCLOSE(f(m).array(), interpreted({x}, y, m), 1e-12, 1e-12);
  }
  EXPECT_EQ(detail::native_graph_calls(), calls + 4);
}

TEST_F(GraphKernelTest, ResultsHeldByTheCallerAreNotOverwritten) {
  auto x = T::dvector("x");
  auto f = function({x}, T::exp(x) + 1.0);
  warm([&] { f(array({0.0, 1.0})); });
  const NDArray first = f(array({0.0, 1.0})).array();
  const NDArray second = f(array({1.0, 2.0})).array();
  EXPECT_ALLCLOSE(first, array({2.0, std::exp(1.0) + 1}), 1e-12, 1e-12);
  EXPECT_ALLCLOSE(second, array({std::exp(1.0) + 1, std::exp(2.0) + 1}), 1e-12, 1e-12);
  EXPECT_NE(first.raw(), second.raw());
}

TEST_F(GraphKernelTest, AFailingCallLeavesSharedValuesAlone) {
  auto x = T::dvector("x");
  auto w = shared(array({1.0, 2.0}), "w");
  auto f = function({x}, T::sum(x * w), {{w, w + x}});
  warm([&] { f(array({0.0, 0.0})); });
  auto calls = detail::native_graph_calls();
  f(array({1.0, 1.0}));
  EXPECT_EQ(detail::native_graph_calls(), calls + 1);
  EXPECT_ALLCLOSE(w.get_value(), array({2.0, 3.0}), 0, 0);
  EXPECT_THROW(f(array({1.0, 1.0, 1.0})), ShapeError);
  EXPECT_ALLCLOSE(w.get_value(), array({2.0, 3.0}), 0, 0);
}

TEST_F(GraphKernelTest, LazyGraphsAndLargeArraysStayInterpreted) {
  auto a = T::dscalar("a"), b = T::dscalar("b");
  auto choose = function({a, b}, ifelse(T::lt(a, b), a * 2.0, b * 3.0));
  auto x = T::dvector("x");
  auto doubled = T::exp(x) * 2.0;
  auto big = function({x}, doubled);
  const auto large = random_array({detail::kMaxGraphElements + 1}, DType::Float64, -1, 1, 9);
  warm([&] {
    choose(1.0, 2.0);
    big(large);
  });
  const auto calls = detail::native_graph_calls();
  EXPECT_EQ(choose(1.0, 2.0).array().item<double>(), 2.0);
  EXPECT_EQ(choose(3.0, 2.0).array().item<double>(), 6.0);
  EXPECT_ALLCLOSE(big(large).array(), interpreted({x}, doubled, large), 1e-12, 1e-12);
  EXPECT_EQ(detail::native_graph_calls(), calls);
}

}  // namespace
}  // namespace theon::testing
