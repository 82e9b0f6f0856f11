// theon::tensor::nnet against NumPy: values, axes, dtypes, empty and non-contiguous
// inputs, inputs of +-1000 (finite values and gradients), and errors.
#include <cmath>

#include "test_util.hpp"
#include "theon/nnet.hpp"

namespace T = theon::tensor;
namespace nnet = theon::tensor::nnet;
using theon::array;
using theon::function;
using theon::testing::allclose;
using theon::testing::throws_with;

namespace theon {
namespace {

::testing::AssertionResult all_finite(const NDArray& a) {
  NDArray d = a.astype(DType::Float64);
  for (int64_t i = 0; i < d.size(); ++i)
    if (!std::isfinite(d.data<double>()[i]))
      return ::testing::AssertionFailure() << "element " << i << " is not finite: " << a;
  return ::testing::AssertionSuccess();
}

// x = np.array([[1., 2, 3], [-1, 0, 4]])
const NDArray kX = array({{1.0, 2.0, 3.0}, {-1.0, 0.0, 4.0}});

TEST(Softmax, MatchesNumpyAlongEachAxis) {
  auto x = T::dmatrix("x");
  // e = np.exp(x - x.max(axis, keepdims=True)); e / e.sum(axis, keepdims=True)
  const NDArray rows = array({{0.09003057317038043, 0.24472847105479767, 0.6652409557748218},
                              {0.00657326318530908, 0.0178679818703045, 0.9755587549443865}});
  const NDArray cols = array({{0.8807970779778825, 0.8807970779778825, 0.26894142136999516},
                              {0.11920292202211755, 0.11920292202211755, 0.7310585786300049}});
  EXPECT_ALLCLOSE(function({x}, nnet::softmax(x))(kX), rows, 1e-12);
  EXPECT_ALLCLOSE(function({x}, nnet::softmax(x, 1))(kX), rows, 1e-12);
  EXPECT_ALLCLOSE(function({x}, nnet::softmax(x, 0))(kX), cols, 1e-12);
  EXPECT_ALLCLOSE(function({x}, nnet::softmax(x, -2))(kX), cols, 1e-12);
  // A transposed (non-contiguous) argument: softmax over axis 0 of x.T is cols.T.
  EXPECT_ALLCLOSE(function({x}, nnet::softmax(x, 0))(kX.transpose()), rows.transpose().copy(),
                  1e-12);
  auto v = T::dvector("v");
  EXPECT_ALLCLOSE(function({v}, nnet::softmax(v))(array({1.0, 2.0, 3.0})),
                  array({0.09003057317038043, 0.24472847105479767, 0.6652409557748218}), 1e-12);
}

TEST(Softmax, LogSoftmaxMatchesNumpy) {
  auto x = T::dmatrix("x");
  // np.log(softmax(x, axis))
  EXPECT_ALLCLOSE(function({x}, nnet::log_softmax(x))(kX),
                  array({{-2.4076059644443806, -1.4076059644443801, -0.40760596444438046},
                         {-5.024744890138822, -4.024744890138822, -0.02474489013882258}}),
                  1e-12);
  EXPECT_ALLCLOSE(function({x}, nnet::log_softmax(x, 0))(kX),
                  array({{-0.12692801104297238, -0.12692801104297238, -1.3132616875182226},
                         {-2.1269280110429727, -2.1269280110429727, -0.3132616875182228}}),
                  1e-12);
}

TEST(Softmax, Tensor3Float32AndEmpty) {
  auto x = T::ftensor3("x");
  NDArray value = testing::random_array({2, 3, 4}, DType::Float32, -3, 3, 5);
  NDArray y = function({x}, nnet::softmax(x, 1))(value);
  EXPECT_EQ(y.dtype(), DType::Float32);
  NDArray sums = function({x}, T::sum(nnet::softmax(x, 1), 1))(value);
  EXPECT_ALLCLOSE(sums, NDArray::full(DType::Float32, {2, 4}, 1.0), 1e-6);
  // log_softmax = log(softmax) where both are exact.
  NDArray a = function({x}, nnet::log_softmax(x, 1))(value);
  NDArray b = function({x}, T::log(nnet::softmax(x, 1)))(value);
  EXPECT_ALLCLOSE(a, b, 1e-5, 1e-6);
  auto m = T::dmatrix("m");
  EXPECT_EQ(function({m}, nnet::softmax(m))(NDArray::zeros(DType::Float64, {0, 3})).array().shape(),
            Shape({0, 3}));
  EXPECT_EQ(function({m}, nnet::log_softmax(m))(NDArray::zeros(DType::Float64, {2, 0})).array().shape(),
            Shape({2, 0}));
}

TEST(Nnet, ActivationsMatchNumpy) {
  auto v = T::dvector("v");
  const NDArray x = array({-2.0, -0.5, 0.0, 0.5, 3.0});
  // np.where(v > 0, v, 0.1 * v); np.maximum(v, 0)
  EXPECT_ALLCLOSE(function({v}, nnet::relu(v, 0.1))(x), array({-0.2, -0.05, 0.0, 0.5, 3.0}), 1e-12);
  EXPECT_ALLCLOSE(function({v}, nnet::relu(v))(x), array({0.0, 0.0, 0.0, 0.5, 3.0}));
  // np.where(v > 0, v, 1.5 * np.expm1(v))
  EXPECT_ALLCLOSE(function({v}, nnet::elu(v, 1.5))(x),
                  array({-1.296997075145081, -0.5902040104310499, 0.0, 0.5, 3.0}), 1e-12);
  // np.log1p(np.exp(v)); 1 / (1 + np.exp(-v))
  EXPECT_ALLCLOSE(function({v}, nnet::softplus(v))(x),
                  array({0.1269280110429725, 0.4740769841801067, 0.6931471805599453,
                         0.9740769841801067, 3.048587351573742}),
                  1e-12);
  EXPECT_ALLCLOSE(function({v}, nnet::sigmoid(v))(x),
                  array({0.11920292202211755, 0.3775406687981454, 0.5, 0.6224593312018546,
                         0.9525741268224334}),
                  1e-12);
  // An integer relu stays integer; float32 stays float32.
  auto i = T::ivector("i");
  EXPECT_EQ(nnet::relu(i).dtype(), DType::Int32);
  EXPECT_EQ(nnet::relu(T::fvector("f"), 0.2).dtype(), DType::Float32);
  EXPECT_EQ(nnet::elu(T::fvector("f")).dtype(), DType::Float32);
  EXPECT_ALLCLOSE(function({i}, nnet::relu(i))(array({-3, 0, 2}).astype(DType::Int32)),
                  array({0, 0, 2}).astype(DType::Int32));
}

TEST(Nnet, ReluGradientIsAlphaAtZero) {
  auto v = T::dvector("v");
  auto g = T::grad(T::sum(nnet::relu(v, 0.25)), v);
  EXPECT_ALLCLOSE(function({v}, g)(array({-1.0, 0.0, 2.0})), array({0.25, 0.25, 1.0}));
  auto g0 = T::grad(T::sum(nnet::relu(v)), v);
  EXPECT_ALLCLOSE(function({v}, g0)(array({-1.0, 0.0, 2.0})), array({0.0, 0.0, 1.0}));
}

TEST(Nnet, CrossentropiesMatchNumpy) {
  auto o = T::dvector("o");
  auto t = T::dvector("t");
  const NDArray targets = array({0.0, 1.0, 1.0, 0.5});
  // -(t * np.log(o) + (1 - t) * np.log(1 - o))
  EXPECT_ALLCLOSE(function({o, t}, nnet::binary_crossentropy(o, t))(array({0.1, 0.6, 0.9, 0.3}),
                                                                     targets),
                  array({0.10536051565782628, 0.5108256237659907, 0.10536051565782628,
                         0.7803238741323342}),
                  1e-12);
  // s = 1 / (1 + np.exp(-z)); -(t * np.log(s) + (1 - t) * np.log(1 - s))
  EXPECT_ALLCLOSE(
      function({o, t}, nnet::sigmoid_binary_crossentropy(o, t))(array({-3.0, 0.2, 2.0, -0.4}),
                                                                 targets),
      array({0.04858735157374202, 0.5981388693815918, 0.12692801104297238, 0.7130152523999527}),
      1e-12);

  auto p = T::dmatrix("p");
  auto labels = T::ivector("labels");
  auto onehot = T::dmatrix("onehot");
  const NDArray probs = array({{0.2, 0.5, 0.3}, {0.1, 0.1, 0.8}});
  // -np.log(p[[0, 1], [1, 2]])
  EXPECT_ALLCLOSE(function({p, labels}, nnet::categorical_crossentropy(p, labels))(
                      probs, array({1, 2}).astype(DType::Int32)),
                  array({0.6931471805599453, 0.2231435513142097}), 1e-12);
  // -(T * np.log(p)).sum(1)
  EXPECT_ALLCLOSE(function({p, onehot}, nnet::categorical_crossentropy(p, onehot))(
                      probs, array({{0.0, 1.0, 0.0}, {0.25, 0.25, 0.5}})),
                  array({0.6931471805599453, 1.2628643221541276}), 1e-12);
  // Labels from a non-contiguous (strided) int64 view, and the printed form.
  auto l64 = T::lvector("l");
  NDArray strided_labels = array({1, 0, 2, 0}).slice(0, {Slice::kNone, Slice::kNone, 2});
  EXPECT_ALLCLOSE(function({p, l64}, nnet::categorical_crossentropy(p, l64))(probs, strided_labels),
                  array({0.6931471805599453, 0.2231435513142097}), 1e-12);
  EXPECT_EQ(pp(nnet::categorical_crossentropy(p, l64)), "categorical_crossentropy(p, l)");
  EXPECT_EQ(pp(nnet::softmax(p, 0)), "softmax(p, axis=0)");
  EXPECT_EQ(pp(nnet::log_softmax(p)), "log_softmax(p)");
}

// Inputs of +-1000: every output and every gradient finite.
TEST(Nnet, StableAtPlusMinus1000) {
  auto x = T::dmatrix("x");
  const NDArray big = array({{1000.0, -1000.0, 0.0}, {1000.0, 1000.0, -1000.0}});
  const NDArray targets = array({{1.0, 0.0, 0.5}, {0.0, 1.0, 1.0}});
  auto t = T::dmatrix("t");
  struct Case {
    const char* name;
    Var y;
  };
  const Case cases[] = {
      {"softmax", nnet::softmax(x)},
      {"softmax axis 0", nnet::softmax(x, 0)},
      {"log_softmax", nnet::log_softmax(x)},
      {"log_softmax axis 0", nnet::log_softmax(x, 0)},
      {"softplus", nnet::softplus(x)},
      {"sigmoid", nnet::sigmoid(x)},
      {"relu", nnet::relu(x)},
      {"leaky relu", nnet::relu(x, 0.1)},
      {"elu", nnet::elu(x)},
      {"sigmoid_binary_crossentropy", nnet::sigmoid_binary_crossentropy(x, t)},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    FunctionOptions lenient;
    lenient.on_unused_input = "ignore";
    // A projection with mixed signs, so that gradients do not cancel by symmetry.
    auto cost = T::sum(c.y * constant(array({{1.0, -2.0, 0.5}, {3.0, 1.0, -1.0}})));
    auto outs = function({x, t}, {c.y, T::grad(cost, x)}, {}, lenient)(big, targets);
    EXPECT_TRUE(all_finite(outs[0]));
    EXPECT_TRUE(all_finite(outs[1]));
  }
  // Exact values at the extremes: softmax([1000, -1000, 0]) = [1, 0, 0];
  // log_softmax = [0, -2000, -1000]; softplus(1000) = 1000, softplus(-1000) = 0.
  auto r = function({x}, {nnet::softmax(x), nnet::log_softmax(x), nnet::softplus(x)})(big);
  EXPECT_ALLCLOSE(r[0], array({{1.0, 0.0, 0.0}, {0.5, 0.5, 0.0}}));
  EXPECT_ALLCLOSE(r[1], array({{0.0, -2000.0, -1000.0},
                               {-0.6931471805599453, -0.6931471805599453, -2000.6931471805599}}),
                  1e-12);
  EXPECT_ALLCLOSE(r[2], array({{1000.0, 0.0, 0.6931471805599453}, {1000.0, 1000.0, 0.0}}), 1e-12);
  // sigmoid_binary_crossentropy at logits +-1000 with the wrong target costs ~1000.
  EXPECT_ALLCLOSE(function({x, t}, nnet::sigmoid_binary_crossentropy(x, t))(big, targets),
                  array({{0.0, 0.0, 0.6931471805599453}, {1000.0, 0.0, 1000.0}}), 1e-12);
  // float32 too.
  auto f = T::fmatrix("f");
  auto fy = function({f}, {nnet::softmax(f), T::grad(T::sum(nnet::log_softmax(f) * 0.5), f)})(
      big.astype(DType::Float32));
  EXPECT_TRUE(all_finite(fy[0]));
  EXPECT_TRUE(all_finite(fy[1]));
}

TEST(Nnet, Errors) {
  auto i = T::imatrix("i");
  EXPECT_TRUE(throws_with<TypeError>([&] { nnet::softmax(i); }, {"softmax", "float", "int32"}));
  EXPECT_TRUE(throws_with<TypeError>([&] { nnet::log_softmax(i); }, {"log_softmax"}));
  auto x = T::dmatrix("x");
  EXPECT_TRUE(throws_with<ValueError>([&] { nnet::softmax(x, 2); }, {"softmax", "axis"}));
  EXPECT_TRUE(throws_with<ValueError>([&] { nnet::softmax(T::dscalar("s")); },
                                      {"softmax", "dimension"}));
  auto labels = T::lvector("labels");
  EXPECT_TRUE(throws_with<TypeError>(
      [&] { nnet::categorical_crossentropy(T::dvector("v"), labels); },
      {"categorical_crossentropy", "matrix"}));
  EXPECT_TRUE(throws_with<TypeError>(
      [&] { nnet::categorical_crossentropy(x, T::dvector("t")); },
      {"categorical_crossentropy", "rank"}));
  auto f = function({x, labels}, nnet::categorical_crossentropy(x, labels));
  const NDArray probs = array({{0.2, 0.8}, {0.5, 0.5}});
  EXPECT_TRUE(throws_with<IndexError>([&] { f(probs, array({0, 2})); },
                                      {"categorical_crossentropy", "label 2", "row 1"}));
  EXPECT_TRUE(throws_with<IndexError>([&] { f(probs, array({-1, 0})); }, {"label -1"}));
  EXPECT_TRUE(throws_with<ShapeError>([&] { f(probs, array({0, 1, 1})); },
                                      {"categorical_crossentropy", "3 labels", "2 rows"}));
}

}  // namespace
}  // namespace theon
