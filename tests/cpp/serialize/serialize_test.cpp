// Saving and loading graphs and functions (theon/serialize.hpp): round trips of many op
// kinds compared by value, identity of shared variables, a deep chain, refused data.
#include <cstdio>
#include <fstream>

#include "support/test_util.hpp"
#include "theon/extra_ops.hpp"
#include "theon/linalg.hpp"
#include "theon/serialize.hpp"

namespace theon {
namespace {

namespace T = theon::tensor;
using theon::testing::allclose;
using theon::testing::random_array;
using theon::testing::throws_with;

// Saves {inputs..., outputs...} to bytes, loads them, and expects a function of the
// loaded graph to compute what a function of the original computes.
void expect_round_trip(const Vars& inputs, const Vars& outputs, const std::vector<NDArray>& args,
                       const Updates& updates = {}) {
  Vars all = inputs;
  all.insert(all.end(), outputs.begin(), outputs.end());
  const std::string bytes = serialize(all);
  const LoadedGraph g = deserialize(bytes);
  ASSERT_EQ(g.outputs.size(), all.size());
  const Vars loaded_inputs(g.outputs.begin(), g.outputs.begin() + static_cast<long>(inputs.size()));
  const Vars loaded_outputs(g.outputs.begin() + static_cast<long>(inputs.size()), g.outputs.end());
  for (size_t i = 0; i < inputs.size(); ++i) {
    EXPECT_EQ(loaded_inputs[i].type(), inputs[i].type());
    EXPECT_EQ(loaded_inputs[i].name(), inputs[i].name());
  }
  std::vector<Arg> call_args(args.begin(), args.end());
  FunctionOptions options;
  options.on_unused_input = "ignore";
  const Result want = function(inputs, outputs, updates, options).call(call_args);
  const Result got = function(loaded_inputs, loaded_outputs, {}, options).call(call_args);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) EXPECT_ALLCLOSE(got[i], want[i]) << "output " << i;
}

TEST(Serialize, ElementwiseReductionsDotAndIndexingRoundTrip) {
  auto x = T::dmatrix("x");
  auto v = T::lvector("labels");
  SharedVar W = shared(random_array({4, 3}, DType::Float64, -1, 1, 1), "W");
  SharedVar b = shared(random_array({3}, DType::Float64, -1, 1, 2), "b");
  Var p = T::nnet::softmax(T::dot(x, W) + b);
  Var cost = T::mean(T::nnet::categorical_crossentropy(p, v));
  Vars outs = {p,
               cost,
               T::argmax(p, 1),
               T::max(x, 0, true),
               T::index(x, {SliceArg{1, std::nullopt, std::nullopt}, SliceArg{std::nullopt, std::nullopt, -1}}),
               T::index(x, {v}),
               T::index(x, {T::arange(5), v}),
               T::inc_subtensor(T::index(x, {T::arange(5), v}), 1.0),
               T::reshape(x, std::vector<int64_t>{2, -1}),
               T::concatenate({x, x * 2}, 1),
               T::transpose(x),
               T::shape(x),
               T::switch_(x > 0, T::exp(x), T::log1p(T::abs(x))),
               T::cast(x, DType::Float32) * 2.5f};
  for (const Var& g : T::grad(cost, Vars{W, b})) outs.push_back(g);
  expect_round_trip({x, v}, outs, {random_array({5, 4}), array({0, 2, 1, 1, 0}, DType::Int64)});
}

TEST(Serialize, ConvPoolAndBatchNormRoundTrip) {
  auto x = T::tensor4("x");
  SharedVar filters = shared(random_array({2, 1, 3, 3}, DType::Float64, -1, 1, 3), "filters");
  SharedVar gamma = shared(random_array({1, 2, 1, 1}, DType::Float64, 0.5, 1.5, 4), "gamma");
  SharedVar beta = shared(random_array({1, 2, 1, 1}, DType::Float64, -1, 1, 5), "beta");
  Var c = T::nnet::conv2d(x, filters, {std::nullopt, 1, 6, 6}, {2, 1, 3, 3}, "half");
  Var pooled = T::signal::pool_2d(c, {2, 2}, true);
  auto bn = T::nnet::bn::batch_normalization_train(pooled, gamma, beta, "spatial");
  Var cost = T::sum(T::sqr(bn.out));
  Vars outs = {c, pooled, bn.out, bn.mean, cost};
  for (const Var& g : T::grad(cost, Vars{filters, gamma, beta})) outs.push_back(g);
  expect_round_trip({x}, outs, {random_array({2, 1, 6, 6}, DType::Float64, -1, 1, 6)});
}

TEST(Serialize, ScanRecurrenceAndItsGradientRoundTrip) {
  auto xs = T::dmatrix("xs");
  auto h0 = T::dvector("h0");
  SharedVar W = shared(random_array({3, 3}, DType::Float64, -0.5, 0.5, 7), "W");
  ScanResult r = scan([&](std::span<const Var> a) { return T::tanh(T::dot(a[1], W) + a[0]); }, {xs},
                      {ScanOutputInfo(h0)});
  Var h = r.outputs[0];
  Var cost = T::sum(h);
  expect_round_trip({xs, h0}, {h, cost, T::grad(cost, Var(W))},
                    {random_array({4, 3}, DType::Float64, -1, 1, 8), random_array({3})});
}

TEST(Serialize, LinearAlgebraAndExtraOpsRoundTrip) {
  namespace nl = theon::tensor::nlinalg;
  namespace sl = theon::tensor::slinalg;
  auto a = T::dmatrix("a");
  expect_round_trip({a},
                    {nl::matrix_inverse(a), nl::det(a), sl::expm(a * 0.1), sl::cholesky(T::dot(a, T::transpose(a)) + 3.0),
                     nl::eigh(T::dot(a, T::transpose(a)), "L").first, T::sort(a, 0), T::argsort(a, 1),
                     T::cumsum(a, 1), T::cumprod(a, 0), T::repeat(a, 2, 0), T::roll(a, 1, 1),
                     nl::pinv(a), sl::solve(a, T::transpose(a)), sl::solve_triangular(a, a, 0, true, true),
                     nl::diagonal(a, 1, 0, 1), nl::alloc_diag(T::index(a, {0}), -1),
                     T::specify_shape(a, std::vector<int64_t>{3, 3}), T::fill_diagonal(a, 5.0),
                     T::searchsorted(T::sort(T::index(a, {0}), 0), T::index(a, {1}), "right")},
                    {random_array({3, 3}, DType::Float64, -1, 1, 9)});
}

TEST(Serialize, IfElseAndGradientModifiersRoundTrip) {
  auto a = T::dscalar("a"), b = T::dscalar("b");
  Var y = ifelse(a < b, a * 2, T::grad_clip(b, -1, 1) + T::zero_grad(a));
  expect_round_trip({a, b}, {y, T::grad(y, b)}, {array(3.0), array(1.0)});
  expect_round_trip({a, b}, {y}, {array(0.5), array(1.0)});
}

TEST(Serialize, RandomDrawsKeepTheirStateAndDefaultUpdate) {
  random::Streams streams(42);
  Var u = streams.uniform(std::vector<int64_t>{3});
  const LoadedGraph g = deserialize(serialize(Vars{u}));
  // The loaded draw reads a loaded copy of the state, which advances by its default update.
  Function f = function({}, g.outputs[0]);
  Function original = function({}, u);
  const NDArray first = f().array().copy(), second = f().array().copy();
  EXPECT_ALLCLOSE(first, original().array());
  EXPECT_ALLCLOSE(second, original().array());
  EXPECT_FALSE(allclose(first, second));
}

TEST(Serialize, SharedVariablesStayOneVariableInsideOneSave) {
  SharedVar W = shared(array({1.0, 2.0}), "W");
  const LoadedGraph g = deserialize(serialize(Vars{W * 2, T::sum(W)}));
  const Var& w1 = g.outputs[0].owner()->inputs[0];
  EXPECT_TRUE(w1.is_shared());
  EXPECT_TRUE(w1.is(g.outputs[1].owner()->inputs[0]));
  EXPECT_FALSE(w1.is(W));  // a new variable holding a copy of the value
  EXPECT_ALLCLOSE(SharedVar(w1).get_value(), array({1.0, 2.0}));
}

TEST(Serialize, FunctionSpecKeepsUpdatesGivensAndOptions) {
  auto x = T::dscalar("x");
  auto scale = T::dscalar("scale");
  SharedVar total = shared(array(0.0), "total");
  FunctionSpec spec;
  spec.inputs = {x};
  spec.outputs = {total + x * scale};
  spec.single = true;
  spec.updates = {{total, total + x * scale}};
  spec.options.givens = {{scale, constant(array(3.0))}};
  spec.options.name = "accumulate";
  const std::string path = ::testing::TempDir() + "/accumulate.theon";
  save(spec, path);
  Function f = load_function(path);
  EXPECT_EQ(f.name(), "accumulate");
  EXPECT_ALLCLOSE(f(1.0).array(), array(3.0));
  EXPECT_ALLCLOSE(f(2.0).array(), array(9.0));  // the loaded total was updated to 3
  EXPECT_ALLCLOSE(total.get_value(), array(0.0));  // the original is not touched
  std::remove(path.c_str());
}

TEST(Serialize, DeepChainRoundTripsWithoutRecursion) {
  auto x = T::dscalar("x");
  Var y = x;
  for (int i = 0; i < 100000; ++i) y = i % 2 ? y + 1 : y * 1;
  const LoadedGraph g = deserialize(serialize(Vars{x, y}));
  int depth = 0;
  for (const ApplyNode* n = g.outputs[1].owner(); n != nullptr; n = n->inputs[0].owner()) ++depth;
  EXPECT_EQ(depth, 100000);
  EXPECT_TRUE(g.outputs[0].is(
      [&] { Var v = g.outputs[1]; while (v.owner()) v = v.owner()->inputs[0]; return v; }()));
}

TEST(Serialize, OtherFormatVersionIsRefused) {
  auto x = T::dscalar("x");
  std::string bytes = serialize(Vars{x + 1});
  bytes[8] = static_cast<char>(kSerializeFormatVersion + 1);  // the format version follows the magic
  EXPECT_TRUE(throws_with<SerializeError>([&] { deserialize(bytes); },
                                          {"format version 2", "reads format version 1"}));
}

TEST(Serialize, DamagedDataIsRefused) {
  auto x = T::dvector("x");
  const std::string bytes = serialize(Vars{T::exp(x) * 2});
  EXPECT_TRUE(throws_with<SerializeError>([&] { deserialize(bytes.substr(0, bytes.size() - 5)); },
                                          {"damaged", "ends early"}));
  EXPECT_TRUE(throws_with<SerializeError>([&] { deserialize("not a theon file at all"); }, {"THEONSAV"}));
  EXPECT_TRUE(throws_with<SerializeError>([&] { deserialize(""); }, {"empty"}));
  EXPECT_TRUE(throws_with<SerializeError>([&] { deserialize_function_spec(bytes); }, {"holds a graph"}));
  // Every truncation is refused cleanly, never misread or crashed on.
  for (size_t n = 0; n < bytes.size(); n += 7) EXPECT_THROW(deserialize(bytes.substr(0, n)), SerializeError);
}

TEST(Serialize, FlippedBytesLoadOrAreRefusedNeverCrash) {
  auto x = T::dmatrix("x");
  SharedVar W = shared(random_array({2, 3}), "W");
  const std::string bytes =
      serialize(Vars{T::sum(T::transpose(T::dot(x, W)) * 2, 1), T::index(x, {SliceArg{0, 1, std::nullopt}})});
  int refused = 0;
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string damaged = bytes;
    damaged[i] = static_cast<char>(damaged[i] ^ 0x5a);
    try {
      deserialize(damaged);
    } catch (const SerializeError&) {
      ++refused;  // any other exception fails the test
    }
  }
  EXPECT_GT(refused, static_cast<int>(bytes.size()) / 4);
}

// An op of the program's own: saved once its codec is registered.
class Clip final : public Op {
 public:
  explicit Clip(double limit) : limit_(limit) {}
  double limit() const { return limit_; }
  std::string name() const override { return "my_clip"; }
  std::string props() const override { return std::to_string(limit_); }
  std::vector<TensorType> make_types(std::span<const Var> in) const override { return {in[0].type()}; }
  void perform(const ApplyNode&, std::span<const NDArray* const> in, std::span<NDArray* const> out) const override {
    NDArray r = in[0]->copy();
    for (int64_t i = 0; i < r.size(); ++i) r.data<double>()[i] = std::min(r.data<double>()[i], limit_);
    *out[0] = r;
  }

 private:
  double limit_;
};

TEST(Serialize, OpWithoutCodecIsNamedAndARegisteredCodecWorks) {
  auto x = T::dvector("x");
  Var y = make_apply1(std::make_shared<const Clip>(0.5), {x}, Loc::current());
  EXPECT_TRUE(throws_with<SerializeError>([&] { serialize(Vars{y}); }, {"my_clip", "register_op_codec"}));
  register_op_codec(typeid(Clip), OpCodec{"test.clip",
                                          [](const Op& op, Writer& w) { w.f64(static_cast<const Clip&>(op).limit()); },
                                          [](Reader& r, std::span<const Var>) { return std::make_shared<Clip>(r.f64()); }});
  expect_round_trip({x}, {y}, {array({0.25, 0.75})});
}

}  // namespace
}  // namespace theon
