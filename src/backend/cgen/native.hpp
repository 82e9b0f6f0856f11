// Native code for fused element-wise kernels: the contract between the fusion op (which
// runs a FusedProgram, interpreted at first) and the C++ code generator (which compiles
// the same program with the system compiler, in the background, through the disk cache).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "ops/fused_program.hpp"

namespace theon::detail {

// Runs a fused program over one row of `n` elements. Operand i's elements are at
// in[i][k * in_step[i]] (a step of 0 broadcasts one element), output j's at
// out[j][k * out_step[j]]; pointers are typed by the program's register dtypes.
using FusedRowFn = void (*)(int64_t n, const void* const* in, const int64_t* in_step,
                            void* const* out, const int64_t* out_step);

// A whole function graph as one native function (backend/cgen/graph_emitter.hpp):
// `slots[i]` is the data of the graph's buffer i, read or written in place.
using GraphFn = void (*)(void* const* slots);

// Native code that may still be compiling. fn() is nullptr until it is ready (or for
// good, when there is no compiler or compiling failed: the interpreter serves). The
// loaded module stays as long as this object: it is unloaded (dlclose) when the last
// kernel holding it is destroyed, so a pointer from fn() must not outlive its holder.
template <class Fn>
class NativeFunction {
 public:
  Fn fn() const { return fn_.load(std::memory_order_acquire); }
  // Publishes `f`, whose code `module` owns. Called once, by the worker that loaded it.
  void set(Fn f, std::shared_ptr<const void> module) {
    module_ = std::move(module);
    fn_.store(f, std::memory_order_release);
  }

 private:
  std::atomic<Fn> fn_{nullptr};
  std::shared_ptr<const void> module_;
};

// A fused element-wise kernel's row function.
using NativeKernel = NativeFunction<FusedRowFn>;
// A native graph function.
using NativeGraph = NativeFunction<GraphFn>;

// Starts producing native code for `program` (from the disk cache, or by compiling in
// a background thread) and returns at once. Identical programs share one kernel while
// any holder of it lives; a program whose compile failed or timed out is not compiled
// again in this process.
// Returns nullptr when native code is disabled (config().cxx empty).
std::shared_ptr<const NativeKernel> request_native_kernel(const FusedProgram& program);

// The same for a whole graph: `kernel` is graph_emitter's text. nullptr when native code
// is disabled.
std::shared_ptr<const NativeGraph> request_native_graph(std::string kernel);

}  // namespace theon::detail
