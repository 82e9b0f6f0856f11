// Zero gradients known symbolically (issue 18): every op whose derivative is zero almost
// everywhere returns a symbolic zero, grad() never pulls back a node that receives only
// zeros (nothing of its backward pass is built), and a wrt variable reached only through
// zeros gets zeros, not a disconnected error.
#include <unordered_set>

#include "grad/symbolic_zero.hpp"
#include "support/test_util.hpp"
#include "theon/extra_ops.hpp"
#include "theon/function.hpp"
#include "theon/grad.hpp"
#include "theon/reduce.hpp"
#include "theon/scan.hpp"
#include "theon/shape_ops.hpp"
#include "theon/subtensor.hpp"
#include "theon/tensor.hpp"

namespace T = theon::tensor;

namespace theon::testing {
namespace {

using detail::is_symbolic_zero;

struct ZeroRow {
  const char* name;
  std::function<Var(const Var&)> fn;  // of a float64 matrix
};

// The gradient the op's own pullback gives its first input, for an output gradient of ones.
Var pullback_of_input0(const Var& out) {
  const ApplyNode& node = *out.owner();
  Vars gouts(node.n_outputs());
  gouts[out.index()] = T::ones_like(out, is_discrete(out.dtype()) ? DType::Float64 : out.dtype());
  return node.op().pullback(node, gouts)[0];
}

TEST(ZeroGrad, EveryPiecewiseConstantOpGivesASymbolicZero) {
  const ZeroRow rows[] = {
      {"floor_div", [](const Var& x) { return T::floor_div(x, 2.0); }},
      {"floor_div of integers",
       [](const Var& x) { return T::floor_div(T::cast(x, DType::Int32), 2); }},
      {"round", [](const Var& x) { return T::round(x); }},
      {"floor", [](const Var& x) { return T::floor(x); }},
      {"ceil", [](const Var& x) { return T::ceil(x); }},
      {"trunc", [](const Var& x) { return T::trunc(x); }},
      {"sgn", [](const Var& x) { return T::sgn(x); }},
      {"lt", [](const Var& x) { return T::lt(x, 0.5); }},
      {"ge", [](const Var& x) { return T::ge(x, 0.5); }},
      {"eq", [](const Var& x) { return T::eq(x, 0.5); }},
      {"neq", [](const Var& x) { return T::neq(x, 0.5); }},
      {"isnan", [](const Var& x) { return T::isnan(x); }},
      {"isinf", [](const Var& x) { return T::isinf(x); }},
      {"cast to int32", [](const Var& x) { return T::cast(x, DType::Int32); }},
      {"cast to bool", [](const Var& x) { return T::cast(x, DType::Bool); }},
      {"argmax", [](const Var& x) { return T::argmax(x, 1); }},
      {"argmin", [](const Var& x) { return T::argmin(x); }},
      {"argsort", [](const Var& x) { return T::argsort(x, 1); }},
      {"any", [](const Var& x) { return T::any(T::gt(x, 0.0)); }},
  };
  for (const ZeroRow& row : rows) {
    SCOPED_TRACE(row.name);
    auto x = T::dmatrix("x");
    Var out = row.fn(x);
    // The op nearest x (the cast in "floor_div of integers" is the outer op's input).
    Var g = pullback_of_input0(out);
    ASSERT_TRUE(g.defined());
    EXPECT_TRUE(is_symbolic_zero(g)) << g.owner()->op().name();
    // grad() through it: zeros of x's type, with no disconnected error.
    Var gx = T::grad(T::sum(T::cast(out, DType::Float64)), x);
    EXPECT_TRUE(is_symbolic_zero(gx));
    EXPECT_EQ(gx.dtype(), DType::Float64);
  }
}

TEST(ZeroGrad, IsSymbolicZeroKnowsTheZeroForms) {
  auto x = T::dmatrix("x");
  EXPECT_TRUE(is_symbolic_zero(T::zeros_like(x)));
  EXPECT_TRUE(is_symbolic_zero(T::zeros({3, 4})));
  EXPECT_TRUE(is_symbolic_zero(T::fill(x, 0.0)));
  EXPECT_TRUE(is_symbolic_zero(T::cast(T::zeros_like(x), DType::Float32)));
  EXPECT_TRUE(is_symbolic_zero(T::transpose(T::zeros_like(x))));
  EXPECT_TRUE(is_symbolic_zero(constant(NDArray::zeros(DType::Float64, {2, 2}))));
  EXPECT_FALSE(is_symbolic_zero(x));
  EXPECT_FALSE(is_symbolic_zero(T::ones_like(x)));
  EXPECT_FALSE(is_symbolic_zero(T::fill(x, 1.0)));
  EXPECT_FALSE(is_symbolic_zero(x * 0));  // a rewrite's business, not grad's
  EXPECT_FALSE(is_symbolic_zero(constant(NDArray::zeros(DType::Float64, {0}))));
}

// Every node between the sources and `v`.
std::unordered_set<const ApplyNode*> ancestors(const Var& v) {
  std::unordered_set<const ApplyNode*> seen;
  std::vector<const ApplyNode*> stack;
  if (v.owner()) stack.push_back(v.owner());
  while (!stack.empty()) {
    const ApplyNode* n = stack.back();
    stack.pop_back();
    if (!seen.insert(n).second) continue;
    for (const Var& in : n->inputs)
      if (in.owner()) stack.push_back(in.owner());
  }
  return seen;
}

// The nodes grad() built: those of the gradient that are not in the cost's graph (the
// gradient also reads the cost itself, through fill(cost, 1)).
std::unordered_set<const ApplyNode*> backward_nodes(const Var& g, const Var& cost) {
  std::unordered_set<const ApplyNode*> built = ancestors(g);
  for (const ApplyNode* n : ancestors(cost)) built.erase(n);
  return built;
}

TEST(ZeroGrad, AFloorDivisionTermBuildsNothingOfItsBackwardPass) {
  auto x = T::dmatrix("x");
  auto w = T::dmatrix("w");
  Var h = T::sigmoid(T::dot(x, w));
  Var j = T::reshape(h * (1 - h), {4, 1, 5}) * T::reshape(w, {1, 3, 5});
  Var cost = T::sum(h) + T::floor_div(T::sum(T::sqr(j)), 4.0);
  Var cost_without = T::sum(h);
  // The gradients are kept alive while their nodes are looked at.
  const Var g = T::grad(cost, w), g_without = T::grad(cost_without, w);
  const auto built = backward_nodes(g, cost);
  for (const ApplyNode* n : built) {
    for (const Var& in : n->inputs)
      EXPECT_LT(in.ndim(), 3) << n->op().name() << " reads a 3-d value";
    for (int i = 0; i < n->n_outputs(); ++i)
      EXPECT_LT(n->output(i).ndim(), 3) << n->op().name() << " makes a 3-d value";
  }
  EXPECT_EQ(built.size(), backward_nodes(g_without, cost_without).size());
}

TEST(ZeroGrad, AWrtReachedOnlyThroughZerosGetsZeros) {
  auto x = T::dvector("x");
  for (const Var& cost :
       {T::sum(T::floor(x)), T::cast(T::argmax(x), DType::Float64),
        T::sum(T::cast(T::gt(x, 0.0), DType::Float64) * 3.0), T::floor_div(T::sum(x * x), 2.0)}) {
    Var g;
    ASSERT_NO_THROW(g = T::grad(cost, x));  // connected: disconnected_inputs = raise
    EXPECT_EQ(g.dtype(), DType::Float64);
    auto f = function({x}, g);
    EXPECT_TRUE(allclose(f(array({1.5, -2.0, 0.25})).array(), array({0.0, 0.0, 0.0})));
  }
  // An integer wrt keeps Theano's floatX zeros.
  auto n = T::ivector("n");
  Var gn = T::grad(T::sum(T::cast(n, DType::Float64) * 2.0), n);
  EXPECT_TRUE(is_symbolic_zero(gn));
}

TEST(ZeroGrad, ZeroAndNonZeroPathsAddUp) {
  auto x = T::dvector("x");
  Var cost = T::sum(x * x) + T::sum(T::round(x) * x) - T::sum(T::floor_div(x, 0.5));
  auto f = function({x}, T::grad(cost, x));
  // d/dx [x^2 + round(x) x - x // 0.5] = 2x + round(x) almost everywhere
  EXPECT_TRUE(allclose(f(array({1.3, -2.2, 0.2})).array(), array({2.6 + 1, -4.4 - 2, 0.4})));
}

TEST(ZeroGrad, AShapeStaysDisconnected) {
  auto x = T::dvector("x");
  Var cost = T::cast(T::sum(T::shape(x)), DType::Float64);
  EXPECT_THROW(T::grad(cost, x), ValueError);
  // The same when the zero reaches the shape through a float node that is not pulled back.
  Var through_alloc = T::sum(T::floor(T::alloc(1.5, {T::shape_i(x, 0)})));
  EXPECT_THROW(T::grad(through_alloc, x), ValueError);
}

// Inside scan's backward body (built by grad() over the step): the step's floor-division
// term adds nothing, and the gradient is that of the rest.
TEST(ZeroGrad, FloorDivisionInsideAScanStep) {
  auto x = T::dvector("x");
  ScanResult r = scan(
      [](std::span<const Var> v) -> ScanStepResult {
        return v[1] + T::sqr(v[0]) + T::floor_div(T::exp(v[0]) * 3.0, 2.0);
      },
      {ScanSequence(x)}, {ScanOutputInfo(constant(NDArray::zeros(DType::Float64, {})))});
  Var last = T::index(r.outputs[0], {-1});
  auto f = function({x}, T::grad(last, x));
  EXPECT_TRUE(allclose(f(array({0.5, 1.0, -2.0})).array(), array({1.0, 2.0, -4.0})));
}

// The contractive autoencoder of the classic tutorial (cA.py), small: the compiled
// gradient with the `// n` term has no node of the term (nothing 3-d, the Jacobian's
// rank) and as many nodes as the gradient without it.
TEST(ZeroGrad, CompiledCaeGradientHasNoNodeOfTheFloorDivTerm) {
  const int batch = 4, visible = 6, hidden = 5;
  auto x = T::dmatrix("x");
  auto W = shared(random_array({visible, hidden}, DType::Float64, -0.5, 0.5, 3), "W");
  auto b = shared(NDArray::zeros(DType::Float64, {hidden}), "b");
  auto b_prime = shared(NDArray::zeros(DType::Float64, {visible}), "b_prime");
  Var h = T::sigmoid(T::dot(x, W) + b);
  Var z = T::sigmoid(T::dot(h, T::transpose(W)) + b_prime);
  Var rec = T::mean(-T::sum(x * T::log(z) + (1 - x) * T::log(1 - z), 1));
  Var J = T::reshape(h * (1 - h), {batch, 1, hidden}) * T::reshape(W, {1, visible, hidden});
  Var jacob = T::floor_div(T::sum(T::sqr(J)), batch);
  Vars params{W, b, b_prime};
  auto with_term = function({x}, T::grad(rec + 0.1 * T::mean(jacob), params));
  auto without = function({x}, T::grad(rec, params));
  for (const ApplyNode* n : with_term.fgraph().toposort()) {
    for (const Var& v : n->inputs) EXPECT_LT(v.ndim(), 3) << n->op().name() << " reads a 3-d value";
    for (int i = 0; i < n->n_outputs(); ++i)
      EXPECT_LT(n->output(i).ndim(), 3) << n->op().name() << " makes a 3-d value";
  }
  EXPECT_EQ(with_term.fgraph().toposort().size(), without.fgraph().toposort().size());
  const NDArray input = random_array({batch, visible}, DType::Float64, 0, 1, 5);
  auto r1 = with_term(input);
  auto r2 = without(input);
  const std::vector<NDArray> got = r1.vector(), want = r2.vector();
  for (size_t i = 0; i < got.size(); ++i) EXPECT_TRUE(allclose(got[i], want[i], 1e-10, 1e-12));
}

}  // namespace
}  // namespace theon::testing
