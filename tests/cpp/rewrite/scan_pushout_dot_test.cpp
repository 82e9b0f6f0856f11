// scan_pushout_dot: dot(x_t, W) in a loop body becomes one dot(X, W) before the loop;
// values and gradients are the same with the rewrite on and off.
#include "ops/blas.hpp"
#include "ops/scan/scan_op.hpp"
#include "support/test_util.hpp"
#include "theon/grad.hpp"
#include "theon/scan.hpp"

namespace theon {
namespace {

namespace T = tensor;
using testing::random_array;
using Args = std::span<const Var>;

const FunctionOptions kWithoutPushout{.optimizer_excluding = "scan_pushout_dot"};

// Dot nodes inside the bodies of `f`'s scans, and the scans' sequences.
struct Counts {
  int body_dots = 0, seqs = 0;
};
Counts counts(const Function& f) {
  Counts c;
  for (const ApplyNode* node : f.fgraph().toposort()) {
    const auto* scan = detail::scan_of(node);
    if (!scan) continue;
    c.seqs += scan->spec().n_seqs;
    std::vector<const ApplyNode*> stack;
    std::unordered_set<const ApplyNode*> seen;
    for (const Var& o : scan->spec().inner_outputs)
      if (o.owner() && seen.insert(o.owner()).second) stack.push_back(o.owner());
    while (!stack.empty()) {
      const ApplyNode* n = stack.back();
      stack.pop_back();
      if (dynamic_cast<const detail::Dot*>(&n->op())) ++c.body_dots;
      for (const Var& in : n->inputs)
        if (in.owner() && seen.insert(in.owner()).second) stack.push_back(in.owner());
    }
  }
  return c;
}

// The classic LSTM's gate product: z = x_t W + h U + b (batch 3, input 2, hidden 4);
// the loss on the last state.
struct Lstm {
  Var x = T::dtensor3("x"), W = T::dmatrix("W"), U = T::dmatrix("U"), b = T::dvector("b");
  Var loss() const {
    auto gate = [](const Var& z, int n) {
      return T::index(z, {T::slice(), T::slice(4 * n, 4 * n + 4)});
    };
    auto h0 = constant(NDArray::zeros(DType::Float64, {3, 4}));
    auto r = scan(
        [&](Args a) -> ScanStepResult {
          auto z = T::dot(a[0], a[3]) + T::dot(a[1], a[4]) + a[5];
          auto c = T::sigmoid(gate(z, 1)) * a[2] + T::sigmoid(gate(z, 0)) * T::tanh(gate(z, 3));
          return {T::sigmoid(gate(z, 2)) * T::tanh(c), c};
        },
        {x}, {h0, h0}, {W, U, b});
    auto h = T::index(r.outputs[0], {-1});
    return T::sum(h * h);
  }
  Vars inputs() const { return {x, W, U, b}; }
  std::vector<NDArray> args() const {
    return {random_array({5, 3, 2}, DType::Float64, -1, 1, 11),
            random_array({2, 16}, DType::Float64, -1, 1, 12),
            random_array({4, 16}, DType::Float64, -1, 1, 13),
            random_array({16}, DType::Float64, -1, 1, 14)};
  }
};

void expect_same_values(const Vars& in, const Vars& out, const std::vector<NDArray>& args) {
  auto pushed = function(in, out);
  auto plain = function(in, out, {}, kWithoutPushout);
  std::vector<Arg> a(args.begin(), args.end());
  auto x = pushed.call(a), y = plain.call(a);
  for (size_t i = 0; i < out.size(); ++i)
    EXPECT_ALLCLOSE(x[i], y[i], 1e-12, 1e-12) << "output " << i;
}

TEST(ScanPushoutDot, InputProductLeavesTheLoop) {
  Lstm m;
  auto pushed = function(m.inputs(), m.loss());
  auto plain = function(m.inputs(), m.loss(), {}, kWithoutPushout);
  EXPECT_EQ(counts(plain).body_dots, 2);
  EXPECT_EQ(counts(pushed).body_dots, 1);  // h U stays: h is the loop's state
  EXPECT_EQ(counts(pushed).seqs, 1);       // x_t W's rows replace x (pruned)
  expect_same_values(m.inputs(), {m.loss()}, m.args());
}

// The gradient's forward loop stores x_t W for the backward loop (a stacked output):
// that output leaves the loop too, and neither x nor W is read inside it any more.
TEST(ScanPushoutDot, GradientsAgreeWithTheRewriteOnAndOff) {
  Lstm m;
  Vars grads = T::grad(m.loss(), m.inputs());
  auto pushed = function(m.inputs(), grads);
  auto plain = function(m.inputs(), grads, {}, kWithoutPushout);
  EXPECT_LT(counts(pushed).body_dots, counts(plain).body_dots);
  for (const ApplyNode* node : pushed.fgraph().toposort())
    if (const auto* scan = detail::scan_of(node);
        scan && scan->spec().n_recs() == 2)  // the forward loop
      for (int k = 0; k < scan->spec().n_non_seqs; ++k)
        EXPECT_NE(node->inputs[scan->spec().non_seq_input(k)].get(), m.W.get())
            << "W still read in the loop";
  expect_same_values(m.inputs(), grads, m.args());
}

TEST(ScanPushoutDot, GradientMatchesFiniteDifferences) {
  verify_grad(
      [](const Vars& in) {
        Lstm m;
        m.x = in[0], m.W = in[1], m.U = in[2], m.b = in[3];
        return m.loss();
      },
      Lstm().args());
}

// A vector row (x_t of a matrix sequence) and a product that is itself the body's output.
TEST(ScanPushoutDot, VectorRowsAndProductsReturnedAsTheyAre) {
  auto x = T::dmatrix("x"), W = T::dmatrix("W");
  auto r = scan(
      [](Args a) -> ScanStepResult {
        return {T::dot(a[0], a[1]), T::tanh(T::dot(a[0], a[1]))};
      },
      {x}, {ScanOutputInfo(), ScanOutputInfo()}, {W});
  expect_same_values({x, W}, r.outputs,
                     {random_array({6, 3}, DType::Float64, -1, 1, 15),
                      random_array({3, 2}, DType::Float64, -1, 1, 16)});
  auto none = scan([](Args a) { return T::dot(a[0], a[1]); }, {x}, {}, {W});  // n = 0 steps below
  expect_same_values({x, W}, none.outputs,
                     {random_array({0, 3}, DType::Float64, -1, 1, 17),
                      random_array({3, 2}, DType::Float64, -1, 1, 18)});
}

}  // namespace
}  // namespace theon
