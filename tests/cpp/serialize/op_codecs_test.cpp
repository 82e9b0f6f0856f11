// Codecs of the ops a user's graph or its gradient can contain beyond serialize_test.cpp's:
// the gradient ops private to their files, tril/triu, set_diagonal, the counting and index
// ops, the ops rewrites of indexing and softmax make, Print and jacobian_rows. Each graph
// is saved, loaded, and a function of the loaded graph must compute what the original does.
#include "ops/advanced_subtensor.hpp"
#include "ops/linalg/linalg_util.hpp"
#include "ops/nnet/softmax_crossentropy.hpp"
#include "support/test_util.hpp"
#include "theon/debug.hpp"
#include "theon/extra_ops.hpp"
#include "theon/linalg.hpp"
#include "theon/serialize.hpp"

namespace theon {
namespace {

namespace T = theon::tensor;
namespace nl = theon::tensor::nlinalg;
namespace sl = theon::tensor::slinalg;
using theon::testing::random_array;

// The names of the ops in the graph of `outputs` (explicit stack).
std::set<std::string> op_names(const Vars& outputs) {
  std::set<std::string> names;
  std::set<const VariableNode*> seen;
  std::vector<Var> stack(outputs.begin(), outputs.end());
  while (!stack.empty()) {
    Var v = stack.back();
    stack.pop_back();
    if (!seen.insert(v.get()).second || v.owner() == nullptr) continue;
    names.insert(v.owner()->op().name());
    for (const Var& in : v.owner()->inputs) stack.push_back(in);
  }
  return names;
}

// Saves {inputs..., outputs...}, loads them, checks that the loaded graph holds the ops
// `expected_ops` and that a function of it computes what one of the original computes.
void expect_round_trip(const Vars& inputs, const Vars& outputs, const std::vector<NDArray>& args,
                       std::initializer_list<std::string> expected_ops) {
  Vars all = inputs;
  all.insert(all.end(), outputs.begin(), outputs.end());
  const LoadedGraph g = deserialize(serialize(all));
  ASSERT_EQ(g.outputs.size(), all.size());
  const Vars loaded_inputs(g.outputs.begin(), g.outputs.begin() + static_cast<long>(inputs.size()));
  const Vars loaded_outputs(g.outputs.begin() + static_cast<long>(inputs.size()), g.outputs.end());
  const std::set<std::string> names = op_names(loaded_outputs);
  for (const std::string& op : expected_ops) EXPECT_TRUE(names.contains(op)) << "no " << op << " in the loaded graph";
  std::vector<Arg> call_args(args.begin(), args.end());
  FunctionOptions options;
  options.on_unused_input = "ignore";
  const Result want = function(inputs, outputs, {}, options).call(call_args);
  const Result got = function(loaded_inputs, loaded_outputs, {}, options).call(call_args);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_ALLCLOSE(got[i], want[i]) << "output " << i;
}

TEST(OpCodecs, GradientsOfSortRepeatCumprodEighExpmAndDiagonalRoundTrip) {
  auto a = T::dmatrix("a"), c = T::dmatrix("c");
  const Var weights = T::reshape(T::arange(9), std::vector<int64_t>{3, 3}) * 0.1 + 0.5;
  // sort's gradient is unpermute; the gradient of that in its own input is permute.
  const Var g_sort = T::grad(T::sum(T::sort(a, 0) * c), a);
  const Var g_permute = T::grad(T::sum(g_sort * weights), c);
  const Var spd = T::dot(a, T::transpose(a)) + constant(array({{3.0, 0.0, 0.0}, {0.0, 3.0, 0.0}, {0.0, 0.0, 3.0}}));
  Vars outs = {g_sort,
               g_permute,
               T::grad(T::sum(T::repeat(a, 2, 0) * T::concatenate({c, c}, 0)), a),
               T::grad(T::sum(T::cumprod(a, 1) * c), a),
               T::grad(T::sum(nl::eigh(spd, "U").first * T::index(c, {0})), a),
               T::grad(T::sum(sl::expm(a * 0.1) * c), a),
               T::grad(T::sum(nl::diagonal(a, 1, 0, 1) * T::index(c, {0, SliceArg{0, 2, std::nullopt}})), a)};
  expect_round_trip({a, c}, outs, {random_array({3, 3}, DType::Float64, -1, 1, 3), random_array({3, 3}, DType::Float64, -1, 1, 4)},
                    {"unpermute", "permute", "repeat_grad", "cumprod_grad", "eigh_grad", "expm_grad", "set_diagonal"});
}

TEST(OpCodecs, TriangularPartsRoundTripDirectlyAndInCholeskysGradient) {
  auto a = T::dmatrix("a");
  const Var spd = T::dot(a, T::transpose(a)) + constant(array({{3.0, 0.0, 0.0}, {0.0, 3.0, 0.0}, {0.0, 0.0, 3.0}}));
  Vars outs = {detail::tril_at(a, -1, Loc()), detail::triu_at(a, 1, Loc()),
               T::grad(T::sum(sl::cholesky(spd, true)), a)};
  expect_round_trip({a}, outs, {random_array({3, 3}, DType::Float64, -1, 1, 5)}, {"tril", "triu"});
}

TEST(OpCodecs, CountingAndIndexOpsRoundTrip) {
  auto labels = T::lvector("labels"), i = T::lvector("i"), j = T::lvector("j");
  auto w = T::dvector("w");
  auto m = T::dmatrix("m");
  Vars outs = {T::to_one_hot(labels, 4, DType::Float32),
               T::bincount(labels),
               T::bincount(labels, VarArg(w), VarArg(6)),
               T::nonzero(m)[1],
               T::flatnonzero(m),
               T::unravel_index(i, ShapeArg(std::vector<int64_t>{3, 4}), 'F')[1],
               T::ravel_multi_index({i, j}, ShapeArg(std::vector<int64_t>{3, 4}), "wrap", 'C')};
  expect_round_trip({labels, i, j, w, m}, outs,
                    {array({0, 3, 3, 1}), array({1, 7, 11, 2}),
                     array({5, 0, -1, 3}), array({0.5, 1.0, 2.0, 4.0}),
                     array({{0.0, 1.0, 0.0}, {2.0, 0.0, 3.0}})},
                    {"to_one_hot", "bincount", "nonzero", "unravel_index", "ravel_multi_index"});
}

TEST(OpCodecs, RewriteMadeSoftmaxCrossentropyAndRowLabelsRoundTrip) {
  auto z = T::dmatrix("z");
  auto y = T::lvector("y");
  const Var n = T::shape_i(z, 0), classes = T::shape_i(z, 1);
  const Var labels = detail::row_labels(y, n, n, classes, Loc());
  Vars outs = {detail::crossentropy_softmax_1hot(z, y, Loc()), labels,
               T::grad(T::sum(detail::crossentropy_softmax_1hot(z, labels, Loc())), z)};
  expect_round_trip({z, y}, outs,
                    {random_array({3, 4}, DType::Float64, -2, 2, 6), array({3, 0, 2})},
                    {"crossentropy_softmax_1hot", "row_labels"});
}

TEST(OpCodecs, PrintKeepsItsMessageAndAttributes) {
  auto x = T::dvector("x");
  const Var p = print(x * 2, "x times two, attrs=(odd", {"shape", "sum"});
  const LoadedGraph g = deserialize(serialize(Vars{x, p}));
  const Var& loaded = g.outputs[1];
  EXPECT_EQ(loaded.owner()->op().name(), "Print");
  EXPECT_EQ(loaded.owner()->op().props(), p.owner()->op().props());
  ::testing::internal::CaptureStdout();
  const Result r = function({g.outputs[0]}, loaded)(array({1.0, 2.0}));
  const std::string printed = ::testing::internal::GetCapturedStdout();
  EXPECT_ALLCLOSE(r.array(), array({2.0, 4.0}));
  EXPECT_NE(printed.find("x times two, attrs=(odd shape = (2,)"), std::string::npos) << printed;
  EXPECT_NE(printed.find("x times two, attrs=(odd sum = 6"), std::string::npos) << printed;
}

TEST(OpCodecs, JacobianRowsReadTheLoadedSharedVariable) {
  auto x = T::dvector("x");
  SharedVar W = shared(random_array({2, 3}, DType::Float64, -1, 1, 7), "W");
  const Var J = T::jacobian(T::tanh(T::dot(W, x)) * T::sum(x), x);
  const Var H = T::hessian(T::sum(T::exp(x) * T::sum(W, 0)), x);
  const LoadedGraph g = deserialize(serialize(Vars{x, W, J, H}));
  const Var& x2 = g.outputs[0];
  SharedVar W2(g.outputs[1]);
  EXPECT_TRUE(op_names({g.outputs[2]}).contains("jacobian_rows"));
  const NDArray at = array({0.3, -0.2, 0.5});
  Function original = function({x}, {J, H});
  Function loaded = function({x2}, {g.outputs[2], g.outputs[3]});
  Result want = original(at), got = loaded(at);
  EXPECT_ALLCLOSE(got[0], want[0]);
  EXPECT_ALLCLOSE(got[1], want[1]);
  // The inner graph reads the loaded W, not a copy of its own.
  NDArray doubled = W.get_value();
  for (int64_t k = 0; k < doubled.size(); ++k) doubled.data<double>()[k] *= 2;
  W.set_value(doubled);
  W2.set_value(doubled);
  want = original(at);
  got = loaded(at);
  EXPECT_ALLCLOSE(got[0], want[0]);
  EXPECT_ALLCLOSE(got[1], want[1]);
}

}  // namespace
}  // namespace theon
