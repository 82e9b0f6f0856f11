// The generated-C++ tier: every native kernel gives the interpreter's results, over
// contiguous, broadcast (step 0) and strided operands, for n = 0, 1, odd and large.
#include <algorithm>
#include <fstream>

#include "backend/cgen_support.hpp"
#include "ops/fused.hpp"

namespace theon::testing {
namespace {

using detail::FusedProgram;
using detail::ScalarOpId;
using Instr = FusedProgram::Instr;

// exp(sin(x * x)) in dtype d.
FusedProgram exp_sin_square(DType d) {
  FusedProgram p;
  p.input_dtypes = {d};
  p.instrs = {{ScalarOpId::Mul, d, d, {0, 0}}, {ScalarOpId::Sin, d, d, {1}}, {ScalarOpId::Exp, d, d, {2}}};
  p.outputs = {3};
  return p;
}

struct Layout {
  const char* name;
  int64_t in_step;     // of every input but the last
  int64_t last_step;   // of the last input (0: broadcast)
  int64_t out_step;
};
const Layout kLayouts[] = {
    {"contiguous", 1, 1, 1}, {"broadcast", 1, 0, 1}, {"strided", 3, 2, 1}, {"strided_out", 1, 0, 2}};

// Checks fn against the interpreter for every layout and size; `make_inputs(n)` gives the
// logical inputs (the last one constant when it is to be broadcast).
template <class MakeInputs>
void expect_matches_reference(detail::FusedRowFn fn, const FusedProgram& p, MakeInputs make_inputs,
                              double rtol, int64_t large = 100003) {
  ASSERT_NE(fn, nullptr);
  for (int64_t n : {int64_t{0}, int64_t{1}, int64_t{7}, int64_t{257}, large}) {
    for (const Layout& layout : kLayouts) {
      SCOPED_TRACE(std::string(layout.name) + " n=" + std::to_string(n));
      std::vector<NDArray> inputs = make_inputs(n, layout.last_step == 0);
      std::vector<int64_t> steps(inputs.size(), layout.in_step);
      steps.back() = layout.last_step;
      const std::vector<NDArray> want = reference_outputs(p, inputs);
      const std::vector<NDArray> got = run_row_fn(fn, p, inputs, steps, layout.out_step);
      ASSERT_EQ(got.size(), want.size());
      for (size_t j = 0; j < got.size(); ++j) EXPECT_ALLCLOSE(got[j], want[j], rtol, 0) << "output " << j;
    }
  }
}

NDArray constant_like(int64_t n, DType d, double value) { return NDArray::full(d, {n}, value); }

TEST_F(CgenTest, ExpSinSquareMatchesTheInterpreterFloat64AndFloat32) {
  for (DType d : {DType::Float64, DType::Float32}) {
    SCOPED_TRACE(std::string(dtype_name(d)));
    const FusedProgram p = exp_sin_square(d);
    expect_matches_reference(native_fn(p), p, [&](int64_t n, bool broadcast) {
      return std::vector<NDArray>{broadcast ? constant_like(n, d, 0.75) : random_array({n}, d, -3, 3, 7)};
    }, d == DType::Float64 ? 1e-14 : 1e-6);
  }
  EXPECT_EQ(detail::cgen::native_stats().compiled, 2);
}

// Two outputs, mixed dtypes and a broadcast constant: y = x32 * w64 + c, z = sigmoid(y) > 0.5.
TEST_F(CgenTest, MixedDtypesSeveralOutputsAndBroadcastOperands) {
  FusedProgram p;
  p.input_dtypes = {DType::Float32, DType::Float64, DType::Float64};
  p.instrs = {{ScalarOpId::Mul, DType::Float64, DType::Float64, {0, 1}},
              {ScalarOpId::Add, DType::Float64, DType::Float64, {3, 2, 0}},  // n-ary add
              {ScalarOpId::Sigmoid, DType::Float64, DType::Float64, {4}},
              {ScalarOpId::Gt, DType::Float64, DType::Bool, {5, 1}},
              {ScalarOpId::Switch, DType::Float64, DType::Float64, {6, 4, 2}}};
  p.outputs = {4, 6, 7};
  expect_matches_reference(native_fn(p), p, [](int64_t n, bool broadcast) {
    return std::vector<NDArray>{random_array({n}, DType::Float32, -2, 2, 1),
                                random_array({n}, DType::Float64, -2, 2, 2),
                                broadcast ? constant_like(n, DType::Float64, 0.5)
                                          : random_array({n}, DType::Float64, -1, 1, 3)};
  }, 1e-14);
}

// Python's integer floor division and modulo (including by zero), comparisons, a
// bitwise op and a wrap-around cast back to int8.
TEST_F(CgenTest, IntegerProgramIsExact) {
  FusedProgram p;
  p.input_dtypes = {DType::Int32, DType::Int8};
  p.instrs = {{ScalarOpId::FloorDiv, DType::Int32, DType::Int32, {0, 1}},
              {ScalarOpId::Mod, DType::Int32, DType::Int32, {0, 1}},
              {ScalarOpId::Lt, DType::Int32, DType::Bool, {2, 3}},
              {ScalarOpId::Xor, DType::Int32, DType::Int32, {0, 3}},
              {ScalarOpId::Identity, DType::Int8, DType::Int8, {5}},  // a cast: int32 -> int8
              {ScalarOpId::Sqrt, DType::Float64, DType::Float64, {1}}};
  p.outputs = {2, 3, 4, 6, 7};
  expect_matches_reference(native_fn(p), p, [](int64_t n, bool broadcast) {
    return std::vector<NDArray>{random_array({n}, DType::Int32, -1000, 1000, 4),
                                broadcast ? constant_like(n, DType::Int8, -3)
                                          : random_array({n}, DType::Int8, -5, 5, 5)};
  }, 0);
}

// One program with every row of scalar_ops.def: the prelude covers every function the
// MATH column and scalar_math.hpp use, and each op computes what the interpreter does.
FusedProgram every_op(DType f) {
  FusedProgram p;
  // r0 x, r1 y (floats), r2 i, r3 j (int32), r4 cond (bool)
  p.input_dtypes = {f, f, DType::Int32, DType::Int32, DType::Bool};
  for (int id = 0; id <= static_cast<int>(ScalarOpId::Second); ++id) {
    const auto op = static_cast<ScalarOpId>(id);
    const detail::ScalarOpInfo& info = detail::scalar_op_info(op);
    const bool integral = info.domain == detail::Domain::integral;
    const DType c = integral ? DType::Int32 : f;
    const int a = integral ? 2 : 0, b = integral ? 3 : 1;
    DType out = c;
    if (info.rule == detail::DTypeRule::Compare || info.rule == detail::DTypeRule::Predicate)
      out = DType::Bool;
    std::vector<int> args;
    if (op == ScalarOpId::Switch) args = {4, a, b};
    else if (info.arity == 1) args = {a};
    else if (info.arity == 2) args = {a, b};
    else if (info.arity == 3) args = {a, b, a};
    else args = {a, b, a};
    p.instrs.push_back({op, c, out, args});
    p.outputs.push_back(p.n_inputs() + id);
  }
  return p;
}

TEST_F(CgenTest, EveryScalarOpMatchesTheInterpreter) {
  for (DType f : {DType::Float64, DType::Float32}) {
    SCOPED_TRACE(std::string(dtype_name(f)));
    const FusedProgram p = every_op(f);
    // x in (0.1, 0.9) keeps arcsin, log and friends in their domains.
    expect_matches_reference(native_fn(p), p, [&](int64_t n, bool broadcast) {
      return std::vector<NDArray>{random_array({n}, f, 0.1, 0.9, 8), random_array({n}, f, 0.5, 2, 9),
                                  random_array({n}, DType::Int32, -50, 50, 10),
                                  random_array({n}, DType::Int32, -7, 7, 11),
                                  broadcast ? constant_like(n, DType::Bool, 1)
                                            : random_array({n}, DType::Bool, 0, 2, 12)};
    }, f == DType::Float64 ? 1e-13 : 2e-6, /*large=*/4099);  // 55 ops: the others go larger
  }
}

TEST_F(CgenTest, IdenticalProgramsShareOneKernelAndComplexStaysInterpreted) {
  const auto a = detail::request_native_kernel(exp_sin_square(DType::Float64));
  const auto b = detail::request_native_kernel(exp_sin_square(DType::Float64));
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a.get(), b.get());
  FusedProgram complex_program = exp_sin_square(DType::Complex128);
  EXPECT_EQ(detail::request_native_kernel(complex_program), nullptr);
  detail::cgen::wait_for_native_kernels();
  EXPECT_NE(a->fn(), nullptr);
  EXPECT_EQ(detail::cgen::native_stats().requested, 1);
}

TEST_F(CgenTest, EmptyCxxDisablesNativeCode) {
  config().cxx = "";
  EXPECT_EQ(detail::request_native_kernel(exp_sin_square(DType::Float64)), nullptr);
}

TEST_F(CgenTest, MissingCompilerWarnsOnceAndLeavesTheInterpreter) {
  config().cxx = root_ + "/no-such-compiler";
  ::testing::internal::CaptureStderr();
  auto first = detail::request_native_kernel(exp_sin_square(DType::Float64));
  auto second = detail::request_native_kernel(exp_sin_square(DType::Float32));
  detail::cgen::wait_for_native_kernels();
  const std::string err = ::testing::internal::GetCapturedStderr();
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->fn(), nullptr);
  EXPECT_EQ(second->fn(), nullptr);
  EXPECT_NE(err.find("theon: warning: no C++ compiler '" + config().cxx + "'"), std::string::npos) << err;
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << "one line per process: " << err;
  EXPECT_EQ(detail::cgen::native_stats().failed, 2);
}

TEST_F(CgenTest, KeepSourceLeavesTheGeneratedCppInTheCache) {
  config().cgen_keep_source = true;
  ASSERT_NE(native_fn(exp_sin_square(DType::Float64)), nullptr);
  int sources = 0;
  for (const auto& e : std::filesystem::directory_iterator(cache_))
    if (e.path().extension() == ".cpp") {
      ++sources;
      std::ifstream in(e.path());
      std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      EXPECT_NE(text.find("std::exp(a)"), std::string::npos) << "the MATH column, stringified";
      EXPECT_EQ(text.find("#include"), std::string::npos) << "header-free";
    }
  EXPECT_EQ(sources, 1);
}

// The fused op asks for native code at its first run and uses it once it is ready. (Only
// programs with a step the interpreter has no SIMD loop for: here %.)
TEST_F(CgenTest, FusedOpSwitchesToNativeCodeWhenReady) {
  Var x = tensor::dvector("x");
  Function f = function({x}, {tensor::exp(tensor::sin(x * x)) * 2 + x % 1.5});
  const detail::FusedElemwise* fused = nullptr;
  for (const ApplyNode* node : f.fgraph().toposort())
    if (auto* op = dynamic_cast<const detail::FusedElemwise*>(&node->op())) fused = op;
  ASSERT_NE(fused, nullptr) << "FAST_RUN fuses the chain";
  const NDArray a = random_array({1001}, DType::Float64, -2, 2, 4);
  const NDArray interpreted = f(a)[0].copy();
  detail::cgen::wait_for_native_kernels();
  EXPECT_EQ(detail::cgen::native_stats().requested, 1);
  const auto kernel = detail::request_native_kernel(fused->program());  // the op's, shared
  ASSERT_NE(kernel->fn(), nullptr);
  EXPECT_ALLCLOSE(f(a)[0], interpreted, 1e-14, 0);
}

// A program the interpreter runs wholly with SIMD loops stays interpreted: it was faster
// than the generated loop (docs/cache.md).
TEST_F(CgenTest, FullyVectorizedProgramsStayInterpreted) {
  Var x = tensor::dvector("x");
  Function f = function({x}, {tensor::exp(tensor::sin(x * x)) * 2});
  f(random_array({1001}, DType::Float64, -2, 2, 4));
  detail::cgen::wait_for_native_kernels();
  EXPECT_EQ(detail::cgen::native_stats().requested, 0);
}

}  // namespace
}  // namespace theon::testing
