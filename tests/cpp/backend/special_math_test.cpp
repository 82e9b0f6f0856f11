// theano.tensor's special functions (arcsinh, arccosh, arctanh, deg2rad, rad2deg, erfinv,
// erfcinv, gammaln, gamma, psi, tri_gamma) in every tier: the interpreter, a fused
// native kernel and the whole-graph native function. Values against references
// (mpmath at 50 digits where libm has no such function, else the libm function itself),
// special values (poles, +-1, infinities, NaN), float32, integer, empty and strided
// operands.
#include <cmath>
#include <functional>

#include "backend/cgen_support.hpp"
#include "compile/graph_kernel.hpp"
#include "theon/theon.hpp"

namespace theon::testing {
namespace {

namespace T = tensor;
constexpr double kNan = NAN, kInf = INFINITY;

struct Case {
  const char* name;
  Var (*fn)(VarArg);
  std::vector<double> x, want;
};

Case from_libm(const char* name, Var (*fn)(VarArg), double (*ref)(double), std::vector<double> x) {
  std::vector<double> want;
  for (double v : x) want.push_back(ref(v));
  return {name, fn, std::move(x), std::move(want)};
}

double lgamma_ref(double x) { return std::lgamma(x); }
double deg2rad_ref(double x) { return x * 0.017453292519943295; }
double rad2deg_ref(double x) { return x * 57.29577951308232; }

const std::vector<Case>& cases() {
  static const std::vector<Case> all = {
      {"psi", T::psi,
       {-2.5, -0.5, 1e-8, 0.5, 1.0, 1.4616321449683622, 1.5, 3.7, 9.9, 10.0, 100.0, 1e10, 1e300,
        0.0, -0.0, -1.0, -2.0, kInf, -kInf, kNan},
       {1.103156640645243, 0.03648997397857652, -100000000.57721564, -1.9635100260214235,
        -0.5772156649015329, -9.241265521729427e-17, 0.03648997397857652, 1.1671535393615113,
        2.2411803166063815, 2.251752589066721, 4.600161852738087, 23.025850929890456,
        690.7755278982137, -kInf, kInf, kNan, kNan, kInf, kNan, kNan}},
      {"tri_gamma", T::tri_gamma,
       {-2.5, -0.5, 1e-8, 0.5, 1.0, 1.5, 3.7, 100.0, 1e10, 0.0, -1.0, kInf, kNan},
       {9.539246644989124, 8.934802200544679, 1.0000000000000002e+16, 4.934802200544679,
        1.6449340668482264, 0.9348022005446793, 0.3100378576700383, 0.010050166663333571,
        1.00000000005e-10, kInf, kInf, 0.0, kNan}},
      {"erfinv", T::erfinv,
       {-0.9, -0.5, 1e-10, 0.3, 0.99, 0.9999999, 0.9999999999999999, 0.0, 1.0, -1.0, 1.5, -kInf,
        kNan},
       {-1.1630871536766743, -0.4769362762044699, 8.862269254527581e-11, 0.2724627147267543,
        1.8213863677184494, 3.7665625816384707, 5.8635847487551676, 0.0, kInf, -kInf, kNan, kNan,
        kNan}},
      {"erfcinv", T::erfcinv,
       {1e-300, 1e-20, 0.01, 0.5, 1.0, 1.5, 1.99, 0.0, 2.0, -0.5, 2.5, kNan},
       {26.209469960516124, 6.601580622355143, 1.8213863677184496, 0.4769362762044699, 0.0,
        -0.4769362762044699, -1.8213863677184494, kInf, -kInf, kNan, kNan, kNan}},
      // gammaln(-1) is +inf (a pole of |gamma|); gamma(-1) is NaN and gamma(-0) -inf, as
      // C's tgamma (SciPy says inf for both).
      from_libm("gammaln", T::gammaln, lgamma_ref,
                {-2.5, -0.5, 0.5, 1.0, 2.0, 3.7, 100.0, 1e300, 0.0, -1.0, kInf, -kInf, kNan}),
      from_libm("gamma", T::gamma, std::tgamma,
                {-2.5, -0.5, 0.5, 1.0, 3.7, 30.0, 171.0, 172.0, 0.0, -0.0, -1.0, kInf, kNan}),
      from_libm("arcsinh", T::arcsinh, std::asinh, {-1e300, -2.5, -0.0, 0.5, 3.0, 1e300, kInf, kNan}),
      from_libm("arccosh", T::arccosh, std::acosh, {1.0, 1.5, 2.0, 10.0, 1e300, 0.5, -1.0, kInf, kNan}),
      from_libm("arctanh", T::arctanh, std::atanh, {-0.9, -0.5, 0.0, 0.3, 0.99, 1.0, -1.0, 1.5, kNan}),
      from_libm("deg2rad", T::deg2rad, deg2rad_ref, {-180.0, -45.0, 0.0, 90.0, 720.0, kInf, kNan}),
      from_libm("rad2deg", T::rad2deg, rad2deg_ref, {-3.141592653589793, -0.5, 0.0, 1.0, kInf, kNan}),
  };
  return all;
}

NDArray vector_of(const std::vector<double>& values, DType dtype) {
  return array(values, {static_cast<int64_t>(values.size())}).astype(dtype);
}

enum class Tier { Interpreter, Fused, Graph };
const char* tier_name(Tier t) {
  return t == Tier::Interpreter ? "interpreter" : t == Tier::Fused ? "fused native kernel" : "graph native";
}

class SpecialMathTest : public CgenTest {
 protected:
  void SetUp() override {
    CgenTest::SetUp();
    saved_graph_ = config().cgen_graph;
    compiler_ = config().cxx;
  }
  void TearDown() override {
    config().cgen_graph = saved_graph_;
    CgenTest::TearDown();
  }

  // The interpreter alone, or native code in the fused loops, and for the whole graph.
  static void select(Tier tier) {
    config().cgen_graph = tier == Tier::Graph;
    config().cxx = tier == Tier::Interpreter ? std::string() : compiler_;
  }

  // fn(x) in `tier`: the fused tier multiplies by ones so that a fused loop runs it. An
  // empty x never reaches the graph's native function.
  static NDArray run(Tier tier, Var (*fn)(VarArg), const NDArray& x) {
    select(tier);
    Var v = T::tensor(x.dtype(), BroadcastPattern(x.ndim(), false), "x");
    if (tier != Tier::Fused) {
      Function f = function({v}, fn(v));
      if (tier == Tier::Graph) {
        const auto before = detail::native_graph_calls();
        for (int i = 0; i < detail::kCallsBeforePlan; ++i) f(x);
        detail::cgen::wait_for_native_kernels();
        NDArray out = f(x).array();
        EXPECT_EQ(detail::native_graph_calls(), before + (x.size() ? 1 : 0))
            << "the graph's native function did not run";
        return out;
      }
      return f(x).array();
    }
    Var ones = T::tensor(x.dtype(), BroadcastPattern(x.ndim(), false), "ones");
    Function f = function({v, ones}, fn(v) * ones);
    const NDArray one = NDArray::full(x.dtype(), x.shape(), 1.0);
    f(x, one);
    detail::cgen::wait_for_native_kernels();
    const auto stats = detail::cgen::native_stats();
    EXPECT_GE(stats.compiled + stats.loaded, 1) << "no native kernel was built";
    EXPECT_EQ(stats.failed, 0);
    return f(x, one).array();
  }

 private:
  bool saved_graph_ = true;
  static inline std::string compiler_;
};

TEST_F(SpecialMathTest, Float64MatchesTheReferenceInEveryTier) {
  for (Tier tier : {Tier::Interpreter, Tier::Fused, Tier::Graph}) {
    for (const Case& c : cases()) {
      SCOPED_TRACE(std::string(c.name) + " in the " + tier_name(tier));
      EXPECT_ALLCLOSE(run(tier, c.fn, vector_of(c.x, DType::Float64)), vector_of(c.want, DType::Float64),
                      4e-15, 1e-300);
    }
  }
}

// float32 gives float32, within a few ulps of the float64 op on the same (rounded) input.
TEST_F(SpecialMathTest, Float32MatchesFloat64InEveryTier) {
  for (Tier tier : {Tier::Interpreter, Tier::Fused, Tier::Graph}) {
    for (const Case& c : cases()) {
      SCOPED_TRACE(std::string(c.name) + " in the " + tier_name(tier));
      const NDArray x32 = vector_of(c.x, DType::Float32);
      const NDArray want = run(Tier::Interpreter, c.fn, x32.astype(DType::Float64)).astype(DType::Float32);
      EXPECT_ALLCLOSE(run(tier, c.fn, x32), want, 1e-6, 1e-37);
    }
  }
}

// Integers compute in float64 (the ToFloat rule); an empty vector gives an empty one;
// a transposed matrix, in the graph or as a strided argument, the transposed result.
TEST_F(SpecialMathTest, IntegerEmptyAndStridedOperands) {
  const NDArray ints = vector_of({1, 2, 3, 10, -1, 0}, DType::Int32);
  const NDArray matrix = random_array({3, 4}, DType::Float64, 0.05, 0.95, 3);
  for (Tier tier : {Tier::Interpreter, Tier::Fused, Tier::Graph}) {
    for (const Case& c : cases()) {
      SCOPED_TRACE(std::string(c.name) + " in the " + tier_name(tier));
      const NDArray got = run(tier, c.fn, ints);
      EXPECT_ALLCLOSE(got, run(Tier::Interpreter, c.fn, ints.astype(DType::Float64)), 4e-16, 0);
      const NDArray empty = run(tier, c.fn, NDArray::empty(DType::Float64, {0}));
      EXPECT_EQ(empty.size(), 0);
      EXPECT_EQ(empty.dtype(), DType::Float64);
      select(tier);
      Var m = T::dmatrix("m");
      Function f = function({m}, c.fn(T::transpose(m)));
      const NDArray want = run(Tier::Interpreter, c.fn, matrix.transpose().copy());
      EXPECT_ALLCLOSE(f(matrix).array(), want, 4e-16, 0);
      // and a strided argument: the transposed view of the matrix, not a copy
      EXPECT_ALLCLOSE(function({m}, c.fn(m))(matrix.transpose()).array(), want, 4e-16, 0);
    }
  }
}

// Identities that hold everywhere: erf(erfinv(x)) = x, erfcinv(x) = erfinv(1 - x),
// psi(x + 1) = psi(x) + 1/x and gamma(x) = exp(gammaln(x)) for x > 0.
TEST_F(SpecialMathTest, Identities) {
  Var x = T::dvector("x");
  const NDArray u = random_array({200}, DType::Float64, -0.999, 0.999, 5);
  EXPECT_ALLCLOSE(function({x}, T::erf(T::erfinv(x)))(u).array(), u, 1e-15, 1e-16);
  const NDArray half = random_array({200}, DType::Float64, 0.5, 1.5, 6);
  EXPECT_ALLCLOSE(function({x}, T::erfcinv(x))(half).array(),
                  function({x}, T::erfinv(1 - x))(half).array(), 1e-14, 1e-15);
  const NDArray pos = random_array({200}, DType::Float64, 0.2, 20, 7);
  EXPECT_ALLCLOSE(function({x}, T::psi(x + 1))(pos).array(),
                  function({x}, T::psi(x) + 1 / x)(pos).array(), 1e-14, 1e-14);
  EXPECT_ALLCLOSE(function({x}, T::gamma(x))(pos).array(),
                  function({x}, T::exp(T::gammaln(x)))(pos).array(), 1e-12, 0);
}

}  // namespace
}  // namespace theon::testing
