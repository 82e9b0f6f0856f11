// The blas rules (specialize phase): dot inside a sum becomes gemm, gemv or ger under
// FAST_RUN, with the same values as the graph as built; and they decline where the
// product would be computed twice or the dtypes differ.
#include <functional>
#include <map>

#include "ops/blas.hpp"
#include "rewrite/rewrite_test_util.hpp"
#include "theon/theon.hpp"

namespace T = theon::tensor;
namespace nnet = theon::tensor::nnet;
using namespace theon;
using namespace theon::testing;

namespace {

struct Graph {
  Vars inputs;
  Vars outputs;
  std::vector<Shape> shapes;  // one per input
};

struct Case {
  std::string name;
  std::function<Graph(DType)> build;
  std::map<std::string, int> counts;  // nodes per op (track_key) after FAST_RUN
};

Var mat(DType dt, const char* name) { return T::tensor(dt, {false, false}, name); }
Var vec(DType dt, const char* name) { return T::tensor(dt, {false}, name); }
Var scal(DType dt, const char* name) { return T::tensor(dt, {}, name); }

std::vector<Case> cases() {
  return {
      {"bias_row", [](DType dt) {
         Var x = mat(dt, "x"), w = mat(dt, "w"), b = vec(dt, "b");
         return Graph{{x, w, b}, {T::dot(x, w) + b}, {{5, 4}, {4, 3}, {3}}};
       }, {{"gemm", 1}, {"dot", 0}, {"add", 0}, {"fused", 0}}},
      {"bias_col", [](DType dt) {
         Var x = mat(dt, "x"), w = mat(dt, "w"), c = T::tensor(dt, {false, true}, "c");
         return Graph{{x, w, c}, {c + T::dot(x, w)}, {{5, 4}, {4, 3}, {5, 1}}};
       }, {{"gemm", 1}, {"dot", 0}, {"add", 0}}},
      {"scaled_product", [](DType dt) {
         Var x = mat(dt, "x"), y = mat(dt, "y"), z = mat(dt, "z");
         return Graph{{x, y, z}, {z + 0.5 * T::dot(x, y)}, {{3, 4}, {4, 2}, {3, 2}}};
       }, {{"gemm", 1}, {"dot", 0}, {"fused", 0}, {"mul", 0}}},
      {"difference", [](DType dt) {
         Var x = mat(dt, "x"), y = mat(dt, "y"), z = mat(dt, "z");
         return Graph{{x, y, z}, {z - T::dot(x, y)}, {{3, 4}, {4, 2}, {3, 2}}};
       }, {{"gemm", 1}, {"dot", 0}, {"sub", 0}}},
      {"product_alone", [](DType dt) {
         Var x = mat(dt, "x"), y = mat(dt, "y");
         return Graph{{x, y}, {2 * T::dot(x, y)}, {{3, 4}, {4, 2}}};
       }, {{"gemm", 1}, {"dot", 0}, {"mul", 0}}},
      {"alpha_beta_variables", [](DType dt) {
         Var x = mat(dt, "x"), y = mat(dt, "y"), z = mat(dt, "z");
         Var a = scal(dt, "a"), b = scal(dt, "b");
         return Graph{{x, y, z, a, b}, {b * z - a * T::dot(x, y)}, {{3, 4}, {4, 2}, {3, 2}, {}, {}}};
       }, {{"gemm", 1}, {"dot", 0}, {"mul", 0}, {"fused", 0}}},
      {"transposes_stay_views", [](DType dt) {
         Var x = mat(dt, "x"), y = mat(dt, "y"), z = mat(dt, "z");
         return Graph{{x, y, z}, {z + T::dot(T::transpose(x), T::transpose(y))},
                      {{4, 3}, {2, 4}, {3, 2}}};
       }, {{"gemm", 1}, {"dot", 0}, {"dimshuffle", 2}}},
      {"several_terms", [](DType dt) {
         Var x = mat(dt, "x"), y = mat(dt, "y"), z = mat(dt, "z"), u = mat(dt, "u");
         return Graph{{x, y, z, u}, {z + T::dot(x, y) - u + 3.0}, {{3, 4}, {4, 2}, {3, 2}, {3, 2}}};
       }, {{"gemm", 1}, {"dot", 0}}},
      {"two_products", [](DType dt) {
         Var x = mat(dt, "x"), y = mat(dt, "y"), u = mat(dt, "u"), v = mat(dt, "v");
         return Graph{{x, y, u, v}, {T::dot(x, y) + T::dot(u, v)}, {{3, 4}, {4, 2}, {3, 5}, {5, 2}}};
       }, {{"gemm", 1}, {"add", 0}}},
      {"matrix_vector", [](DType dt) {
         Var a = mat(dt, "a"), v = vec(dt, "v"), b = vec(dt, "b");
         return Graph{{a, v, b}, {T::dot(a, v) * 3.0 + b}, {{4, 3}, {3}, {4}}};
       }, {{"gemv", 1}, {"dot", 0}, {"add", 0}}},
      {"vector_matrix", [](DType dt) {
         Var a = mat(dt, "a"), v = vec(dt, "v"), b = vec(dt, "b");
         return Graph{{a, v, b}, {b - T::dot(v, a)}, {{4, 3}, {4}, {3}}};
       }, {{"gemv", 1}, {"dot", 0}, {"sub", 0}}},
      {"outer_dot", [](DType dt) {
         Var a = mat(dt, "a"), u = vec(dt, "u"), v = vec(dt, "v");
         return Graph{{a, u, v}, {a + 0.1 * T::outer(u, v)}, {{4, 3}, {4}, {3}}};
       }, {{"ger", 1}, {"dot", 0}, {"fused", 0}}},
      {"outer_broadcast", [](DType dt) {
         Var a = mat(dt, "a"), u = vec(dt, "u"), v = vec(dt, "v");
         Var o = T::dimshuffle(u, {0, 'x'}) * T::dimshuffle(v, {'x', 0});
         return Graph{{a, u, v}, {a - o}, {{4, 3}, {4}, {3}}};
       }, {{"ger", 1}, {"mul", 0}, {"sub", 0}}},
      {"empty_rows", [](DType dt) {
         Var x = mat(dt, "x"), w = mat(dt, "w"), b = vec(dt, "b");
         return Graph{{x, w, b}, {T::dot(x, w) + b}, {{0, 4}, {4, 3}, {3}}};
       }, {{"gemm", 1}}},
      {"empty_sum", [](DType dt) {
         Var x = mat(dt, "x"), w = mat(dt, "w"), z = mat(dt, "z");
         return Graph{{x, w, z}, {z - 2 * T::dot(x, w)}, {{2, 0}, {0, 3}, {2, 3}}};
       }, {{"gemm", 1}}},
      // Declines: the product has another reader (it would be computed twice).
      {"product_read_twice", [](DType dt) {
         Var x = mat(dt, "x"), y = mat(dt, "y"), z = mat(dt, "z");
         Var d = T::dot(x, y);
         return Graph{{x, y, z}, {d + z, d}, {{3, 4}, {4, 2}, {3, 2}}};
       }, {{"gemm", 0}, {"dot", 1}}},
      // Declines: a vector . vector product is a scalar.
      {"inner_product", [](DType dt) {
         Var u = vec(dt, "u"), v = vec(dt, "v"), s = scal(dt, "s");
         return Graph{{u, v, s}, {s + T::dot(u, v)}, {{4}, {4}, {}}};
       }, {{"gemm", 0}, {"gemv", 0}, {"dot", 1}}},
  };
}

std::vector<NDArray> args_for(const Graph& g) {
  std::vector<NDArray> args;
  unsigned seed = 11;
  for (size_t i = 0; i < g.inputs.size(); ++i)
    args.push_back(random_array(g.shapes[i], g.inputs[i].dtype(), -2, 2, seed++));
  return args;
}

::testing::AssertionResult same_values(const Function& f, const Function& ref,
                                       const std::vector<NDArray>& args) {
  const std::vector<NDArray> got = run(f, args), want = run(ref, args);
  for (size_t i = 0; i < got.size(); ++i) {
    const bool single = want[i].dtype() == DType::Float32;
    auto r = allclose(got[i], want[i], single ? 1e-5 : 1e-12, single ? 1e-5 : 1e-12);
    if (!r) return r << " (output " << i << ")";
  }
  return ::testing::AssertionSuccess();
}

class BlasRules : public ::testing::TestWithParam<DType> {};

TEST_P(BlasRules, StructureAndValues) {
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.name);
    Graph g = c.build(GetParam());
    Function f = function(g.inputs, g.outputs, {}, mode("FAST_RUN"));
    for (const auto& [op, n] : c.counts) EXPECT_EQ(count_ops(f, op), n) << op << " in " << op_list(f);
    Function ref = function(g.inputs, g.outputs, {}, mode("NONE"));
    EXPECT_TRUE(same_values(f, ref, args_for(g)));
  }
}

INSTANTIATE_TEST_SUITE_P(Dtypes, BlasRules, ::testing::Values(DType::Float32, DType::Float64));

TEST(BlasRules, TransposedOperandsReachGemmAsViews) {
  Var x = T::fmatrix("x"), y = T::fmatrix("y"), z = T::fmatrix("z");
  Function f = function({x, y, z}, z + T::dot(T::transpose(x), y), {}, mode("FAST_RUN"));
  const ApplyNode* gemm = nullptr;
  for (const ApplyNode* node : f.fgraph().toposort())
    if (node->op().name() == "gemm") gemm = node;
  ASSERT_NE(gemm, nullptr) << op_list(f);
  ASSERT_NE(gemm->inputs[0].owner(), nullptr);
  EXPECT_EQ(gemm->inputs[0].owner()->op().name(), "dimshuffle");
  EXPECT_TRUE(gemm->inputs[0].owner()->inputs[0].is(x));
  // Sliced (non-contiguous) data through the transposed view.
  NDArray xs = random_array({6, 8}, DType::Float32, -1, 1, 1).slice(1, Slice{0, 8, 2});
  std::vector<NDArray> args{xs, random_array({6, 3}, DType::Float32, -1, 1, 2),
                            random_array({4, 3}, DType::Float32, -1, 1, 3)};
  EXPECT_TRUE(same_values(f, function({x, y, z}, z + T::dot(T::transpose(x), y), {}, mode("NONE")), args));
}

TEST(BlasRules, DeclinesMixedDtypesAndIntegers) {
  Var x = T::fmatrix("x"), y = T::fmatrix("y"), z = T::dmatrix("z");
  Function mixed = function({x, y, z}, z + T::dot(x, y), {}, mode("FAST_RUN"));
  EXPECT_EQ(count_ops(mixed, "gemm"), 0) << op_list(mixed);
  Var i = T::imatrix("i"), j = T::imatrix("j"), k = T::imatrix("k");
  Function ints = function({i, j, k}, k + T::dot(i, j), {}, mode("FAST_RUN"));
  EXPECT_EQ(count_ops(ints, "gemm"), 0) << op_list(ints);
  std::vector<NDArray> args{random_array({2, 3}, DType::Float32, -1, 1, 1),
                            random_array({3, 2}, DType::Float32, -1, 1, 2),
                            random_array({2, 2}, DType::Float64, -1, 1, 3)};
  EXPECT_TRUE(same_values(mixed, function({x, y, z}, z + T::dot(x, y), {}, mode("NONE")), args));
}

TEST(BlasRules, ExcludingTheTagKeepsDot) {
  Var x = T::dmatrix("x"), w = T::dmatrix("w"), b = T::dvector("b");
  FunctionOptions o = mode("FAST_RUN");
  o.optimizer_excluding = "blas";
  Function f = function({x, w, b}, T::dot(x, w) + b, {}, o);
  EXPECT_EQ(count_ops(f, "gemm"), 0) << op_list(f);
  EXPECT_EQ(count_ops(f, "dot"), 1) << op_list(f);
}

// One SGD step of a small MLP (ReLU, softmax cross-entropy): the forward products with
// their biases and the weight updates w - lr * dot(h.T, g) all become gemm, and the
// loss and updated parameters match the unrewritten graph.
struct Mlp {
  std::vector<SharedVar> params;
  Function step;
};

Mlp make_mlp(DType dt, const std::string& mode_name) {
  const int64_t sizes[] = {7, 6, 5, 3};
  Var x = T::tensor(dt, {false, false}, "x");
  Var labels = T::lvector("labels");
  std::vector<SharedVar> params;
  Var h = x;
  for (int layer = 0; layer < 3; ++layer) {
    SharedVar w = shared(random_array({sizes[layer], sizes[layer + 1]}, dt, -0.5, 0.5, 20 + layer), "w");
    SharedVar b = shared(random_array({sizes[layer + 1]}, dt, -0.1, 0.1, 30 + layer), "b");
    params.push_back(w);
    params.push_back(b);
    Var a = T::dot(h, w) + b;
    h = layer < 2 ? nnet::relu(a) : nnet::softmax(a);
  }
  Var loss = T::mean(nnet::categorical_crossentropy(h, labels));
  Vars grads = T::grad(loss, Vars(params.begin(), params.end()));
  Updates updates;
  Var lr = constant(NDArray::full(dt, {}, 0.1));
  for (size_t i = 0; i < params.size(); ++i) updates.push_back({params[i], params[i] - lr * grads[i]});
  return {params, function({x, labels}, loss, updates, mode(mode_name))};
}

TEST_P(BlasRules, MlpTrainingStep) {
  const DType dt = GetParam();
  Mlp fast = make_mlp(dt, "FAST_RUN"), ref = make_mlp(dt, "NONE");
  // Forward x.w + b for three layers, and three weight updates.
  EXPECT_GE(count_ops(fast.step, "gemm"), 6) << op_list(fast.step);
  NDArray x = random_array({9, 7}, dt, -1, 1, 40);
  NDArray labels = array(std::vector<int64_t>{0, 1, 2, 1, 0, 2, 2, 1, 0}, {9});
  const bool single = dt == DType::Float32;
  for (int step = 0; step < 3; ++step) {
    NDArray got = fast.step(x, labels).array(), want = ref.step(x, labels).array();
    EXPECT_TRUE(allclose(got, want, single ? 1e-5 : 1e-12, single ? 1e-6 : 1e-12));
  }
  for (size_t i = 0; i < fast.params.size(); ++i)
    EXPECT_TRUE(allclose(fast.params[i].get_value(), ref.params[i].get_value(), single ? 1e-5 : 1e-12,
                         single ? 1e-6 : 1e-12))
        << "parameter " << i;
}

}  // namespace
