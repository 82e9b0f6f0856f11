// The backward loop's sums over steps (src/ops/scan/scan_grad_sums.hpp): a weight read as
// W[k] and multiplied by the state, a table read as E[:, x_t] with repeated indices, and
// both under truncate_gradient, against finite differences; and the loop carries no
// accumulator shaped like those weights.
#include "ops/scan/scan_op.hpp"
#include "support/test_util.hpp"
#include "theon/scan.hpp"

namespace theon {
namespace {

namespace T = tensor;
using testing::random_array;
using Args = std::span<const Var>;

// x_t indexes the columns of E; W holds one matrix per gate, W[0] and W[1].
Var gated_loop(const Var& E, const Var& W, const Var& h0, int truncate) {
  Var tokens = constant(array({int32_t(2), int32_t(0), int32_t(2), int32_t(3), int32_t(2)}));
  auto r = scan(
      [&](Args a) {
        // a = x_t, h, E, W
        Var e = T::index(VarArg(a[2]), {T::slice(), IndexArg(a[0])});
        Var z = T::sigmoid(T::dot(T::index(VarArg(a[3]), {0}), a[1]) + e);
        Var c = T::tanh(T::dot(T::index(VarArg(a[3]), {1}), a[1] * z) - e);
        return (1.0 - z) * c + z * a[1];
      },
      {tokens}, {h0}, {E, W}, {.truncate_gradient = truncate});
  return T::sum(T::sqr(r.output()));
}

std::vector<NDArray> inputs() {
  return {random_array({3, 4}, DType::Float64, -1, 1, 1),
          random_array({2, 3, 3}, DType::Float64, -1, 1, 2),
          random_array({3}, DType::Float64, -1, 1, 3)};
}

TEST(ScanGradSums, IndexedWeightsAndRepeatedTokens) {
  verify_grad([](const Vars& in) { return gated_loop(in[0], in[1], in[2], -1); }, inputs());
}

TEST(ScanGradSums, TruncatedGradient) {
  // truncate_gradient = 2: only the last two steps send gradient to E and W, and h0 gets
  // none. The reference cuts the earlier steps out of the loop by hand: the same loop
  // whose first three steps read a constant copy of the weights.
  const std::vector<NDArray> values = inputs();
  auto E = T::dmatrix("E");
  auto W = T::dtensor3("W");
  auto h0 = T::dvector("h0");
  auto cost = gated_loop(E, W, h0, 2);
  auto f = function({E, W, h0}, T::grad(cost, Vars{E, W, h0}));
  auto got = f(values[0], values[1], values[2]);
  EXPECT_ALLCLOSE(got[2], array({0.0, 0.0, 0.0}));
  // Finite differences of the cost where only the last two steps see a change in E, W.
  Var tokens = constant(array({int32_t(2), int32_t(0), int32_t(2), int32_t(3), int32_t(2)}));
  auto step = [](const Var& x, const Var& h, const Var& Ev, const Var& Wv) {
    Var e = T::index(VarArg(Ev), {T::slice(), IndexArg(x)});
    Var z = T::sigmoid(T::dot(T::index(VarArg(Wv), {0}), h) + e);
    Var c = T::tanh(T::dot(T::index(VarArg(Wv), {1}), h * z) - e);
    return (1.0 - z) * c + z * h;
  };
  auto E0 = constant(values[0]);
  auto W0 = constant(values[1]);
  Var h = h0;
  Var total = constant(array(0.0));
  for (int t = 0; t < 5; ++t) {
    const bool late = t >= 3;
    h = step(T::index(VarArg(tokens), {t}), h, late ? E : E0, late ? W : W0);
    total = total + T::sum(T::sqr(h));
  }
  auto want = function({E, W, h0}, T::grad(total, Vars{E, W}))(values[0], values[1], values[2]);
  EXPECT_ALLCLOSE(got[0], want[0]);
  EXPECT_ALLCLOSE(got[1], want[1]);
}

TEST(ScanGradSums, NoAccumulatorShapedLikeTheWeights) {
  auto E = T::dmatrix("E");
  auto W = T::dtensor3("W");
  auto h0 = T::dvector("h0");
  auto f = function({E, W, h0}, T::grad(gated_loop(E, W, h0, -1), Vars{E, W}));
  int loops = 0;
  for (const ApplyNode* node : f.fgraph().toposort()) {
    const detail::Scan* scan = detail::scan_of(node);
    if (!scan) continue;
    ++loops;
    // A carried sum of W's gradient would be a (steps + 1, 2, 3, 3) buffer, E's a
    // (steps + 1, 3, 4) one; the state's window is (steps + 1, 1, 3), broadcastable.
    for (int j = 0; j < scan->spec().n_recs(); ++j) {
      const TensorType& type = node->outputs[j].type;
      const bool like_e = type.ndim() == 3 && !type.broadcastable[1];
      EXPECT_TRUE(type.ndim() < 4 && !like_e) << scan->spec().name << " carries " << type.str();
    }
  }
  EXPECT_EQ(loops, 2);
}

}  // namespace
}  // namespace theon
