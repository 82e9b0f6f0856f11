// Shared by the code generator's tests: a private temporary cache directory per test,
// and a native kernel's result next to the interpreter's on the same program.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "backend/cgen/cgen.hpp"
#include "ops/elemwise.hpp"
#include "support/test_util.hpp"
#include "theon/config.hpp"

namespace theon::testing {

// The kernels whose row functions a test got from native_fn: a module is unloaded with
// its last kernel, so they are held until the test ends.
inline std::vector<std::shared_ptr<const detail::NativeKernel>>& held_kernels() {
  static std::vector<std::shared_ptr<const detail::NativeKernel>> held;
  return held;
}

// tanh(x * x * x) in float64: a small program the cache and compiler tests build.
inline detail::FusedProgram tanh_cube() {
  detail::FusedProgram p;
  p.input_dtypes = {DType::Float64};
  p.instrs = {{detail::ScalarOpId::Mul, DType::Float64, DType::Float64, {0, 0, 0}},
              {detail::ScalarOpId::Tanh, DType::Float64, DType::Float64, {1}}};
  p.outputs = {2};
  return p;
}

// Points THEON_CACHE_DIR at a fresh directory (never the user's ~/.cache) and gives
// each test a clean native tier; restores the compiler setting afterwards.
class CgenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    detail::cgen::reset_native_kernels_for_testing();
    char tmpl[] = "/tmp/theon-cgen-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    cache_ = root_ + "/cache";
    ::setenv("THEON_CACHE_DIR", cache_.c_str(), 1);
    saved_cxx_ = config().cxx;
    saved_keep_ = config().cgen_keep_source;
  }
  void TearDown() override {
    held_kernels().clear();
    detail::cgen::reset_native_kernels_for_testing();
    config().cxx = saved_cxx_;
    config().cgen_keep_source = saved_keep_;
    ::unsetenv("THEON_CACHE_DIR");
    std::error_code ec;
    std::filesystem::permissions(cache_, std::filesystem::perms::owner_all, ec);
    std::filesystem::remove_all(root_, ec);
  }

  std::string root_, cache_;

 private:
  std::string saved_cxx_;
  bool saved_keep_ = false;
};

// The program's outputs computed by the interpreter's element-wise loops, one scalar op
// at a time: the reference semantics the native code must reproduce.
inline std::vector<NDArray> reference_outputs(const detail::FusedProgram& program,
                                              const std::vector<NDArray>& inputs) {
  std::vector<NDArray> regs = inputs;
  for (const auto& instr : program.instrs) {
    detail::Elemwise op(instr.op, instr.compute, instr.out);
    std::vector<const NDArray*> args;
    std::vector<TensorType> types;
    for (int r : instr.args) {
      args.push_back(&regs.at(r));
      types.push_back(TensorType::of_rank(regs[r].dtype(), regs[r].ndim()));
    }
    std::vector<const TensorType*> type_ptrs;
    for (const auto& t : types) type_ptrs.push_back(&t);
    NDArray out;
    detail::run_elemwise(op, args, type_ptrs, out, nullptr);
    regs.push_back(out);
  }
  std::vector<NDArray> outs;
  for (int r : program.outputs) outs.push_back(regs.at(r));
  return outs;
}

// Runs `fn` over `inputs` (1-d, all of length n): input k is laid out with element step
// in_steps[k] (0: one element, broadcast), outputs with out_step; returns the outputs as
// contiguous arrays. Fails the test if the kernel writes between strided outputs.
inline std::vector<NDArray> run_row_fn(detail::FusedRowFn fn, const detail::FusedProgram& program,
                                       const std::vector<NDArray>& inputs,
                                       const std::vector<int64_t>& in_steps, int64_t out_step) {
  constexpr std::byte kGap{0x5a};
  const int64_t n = inputs.at(0).size();
  std::vector<std::vector<std::byte>> in_buffers, out_buffers;
  std::vector<const void*> in_ptrs;
  for (size_t k = 0; k < inputs.size(); ++k) {
    const NDArray a = inputs[k].contiguous();
    const size_t item = itemsize(a.dtype());
    const int64_t step = in_steps.at(k);
    auto& buffer = in_buffers.emplace_back(item * std::max<int64_t>(1, n * std::max<int64_t>(step, 1)), kGap);
    for (int64_t i = 0; i < (step == 0 ? std::min<int64_t>(n, 1) : n); ++i)
      std::memcpy(buffer.data() + i * step * item, static_cast<const std::byte*>(a.raw()) + i * item, item);
    in_ptrs.push_back(buffer.data());
  }
  std::vector<void*> out_ptrs;
  for (int r : program.outputs) {
    const size_t item = itemsize(program.register_dtype(r));
    out_ptrs.push_back(out_buffers.emplace_back(item * std::max<int64_t>(1, n * out_step), kGap).data());
  }
  const std::vector<int64_t> out_steps(program.outputs.size(), out_step);
  fn(n, in_ptrs.data(), in_steps.data(), out_ptrs.data(), out_steps.data());
  std::vector<NDArray> outs;
  for (size_t j = 0; j < program.outputs.size(); ++j) {
    const DType dtype = program.register_dtype(program.outputs[j]);
    const size_t item = itemsize(dtype);
    NDArray out = NDArray::empty(dtype, {n});
    for (int64_t i = 0; i < n; ++i) {
      std::memcpy(static_cast<std::byte*>(out.raw()) + i * item,
                  out_buffers[j].data() + i * out_step * item, item);
      for (int64_t g = 1; g < out_step; ++g)
        for (size_t b = 0; b < item; ++b)
          EXPECT_EQ(out_buffers[j][(i * out_step + g) * item + b], kGap) << "wrote into a gap";
    }
    outs.push_back(out);
  }
  return outs;
}

// Requests and waits for the native kernel of `program`; nullptr when there is none.
// The kernel (so its module) is held until the test ends.
inline detail::FusedRowFn native_fn(const detail::FusedProgram& program) {
  auto kernel = detail::request_native_kernel(program);
  if (!kernel) return nullptr;
  detail::cgen::wait_for_native_kernels();
  held_kernels().push_back(kernel);
  return kernel->fn();
}

}  // namespace theon::testing
