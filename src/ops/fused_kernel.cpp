// The fused op's interpreter: the plan (block loops, conversions and register buffers,
// decided once per op), the row walk (shared with native row functions) and the threads.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>

#include "core/parallel.hpp"
#include "ops/fused.hpp"
#include "ops/op_util.hpp"
#include "ops/random/random_ops.hpp"

namespace theon::detail {
namespace {

// Work (elements times the program's cost per element, in units of a simple op) below
// which a kernel runs on the calling thread: waking a pool thread costs ~10-30 us, the
// time of ~2^20 units (64k elements of exp(sin(x)), 350k of a three-op product).
constexpr int64_t kParallelWork = int64_t{1} << 20;
// Threads split the elements at multiples of this, so they never share a cache line.
constexpr int64_t kSplitAlign = 64;

template <class To, class From>
void convert_block(int64_t n, const void* a, const void*, const void*, void* r) {
  To* __restrict dst = static_cast<To*>(r);
  if constexpr (std::is_same_v<From, bool> && std::is_arithmetic_v<To>) {
    // Bytes 0 and 1 read as such: the loop vectorizes (a bool load alone does not).
    const uint8_t* __restrict src = static_cast<const uint8_t*>(a);
    for (int64_t j = 0; j < n; ++j) dst[j] = static_cast<To>(src[j]);
  } else {
    const From* __restrict src = static_cast<const From*>(a);
    for (int64_t j = 0; j < n; ++j) dst[j] = convert_element<To>(src[j]);
  }
}

ScalarBlockFn convert_fn(DType to, DType from) {
  return visit_dtype(to, [&](auto to_tag) {
    using To = typename decltype(to_tag)::type;
    return visit_dtype(from, [](auto from_tag) -> ScalarBlockFn {
      return &convert_block<To, typename decltype(from_tag)::type>;
    });
  });
}

// Strided copies and broadcasts by element size: no dtype logic needed.
template <size_t S>
void copy_strided(std::byte* dst, int64_t dst_step, const std::byte* src, int64_t src_step, int64_t n) {
  for (int64_t j = 0; j < n; ++j) std::memcpy(dst + j * dst_step * S, src + j * src_step * S, S);
}
void copy_elements(void* dst, int64_t dst_step, const void* src, int64_t src_step, int64_t n, size_t item) {
  auto* d = static_cast<std::byte*>(dst);
  const auto* s = static_cast<const std::byte*>(src);
  switch (item) {
    case 1: return copy_strided<1>(d, dst_step, s, src_step, n);
    case 2: return copy_strided<2>(d, dst_step, s, src_step, n);
    case 4: return copy_strided<4>(d, dst_step, s, src_step, n);
    case 8: return copy_strided<8>(d, dst_step, s, src_step, n);
    default: return copy_strided<16>(d, dst_step, s, src_step, n);
  }
}

bool is_transcendental(ScalarOpId id) {
  switch (id) {
    case ScalarOpId::Pow: case ScalarOpId::Arctan2: case ScalarOpId::Exp: case ScalarOpId::Exp2:
    case ScalarOpId::Expm1: case ScalarOpId::Log: case ScalarOpId::Log2: case ScalarOpId::Log10:
    case ScalarOpId::Log1p: case ScalarOpId::Sin: case ScalarOpId::Cos: case ScalarOpId::Tan:
    case ScalarOpId::Arcsin: case ScalarOpId::Arccos: case ScalarOpId::Arctan: case ScalarOpId::Sinh:
    case ScalarOpId::Cosh: case ScalarOpId::Tanh: case ScalarOpId::Sigmoid: case ScalarOpId::Softplus:
    case ScalarOpId::Erf: case ScalarOpId::Erfc: case ScalarOpId::Arcsinh: case ScalarOpId::Arccosh:
    case ScalarOpId::Arctanh: case ScalarOpId::Erfinv: case ScalarOpId::Erfcinv: case ScalarOpId::Gammaln:
    case ScalarOpId::Gamma: case ScalarOpId::Psi: case ScalarOpId::TriGamma:
      return true;
    default:
      return false;
  }
}

// A thread's register file and row-walk state, grown on first use and then reused by
// every fused op that runs on the thread: no allocation in steady state.
struct Scratch {
  struct Free {
    void operator()(std::byte* p) const { std::free(p); }
  };
  std::unique_ptr<std::byte, Free> memory;
  size_t capacity = 0;
  std::vector<const void*> ptrs;
  std::vector<const void*> row_in;
  std::vector<void*> row_out;
  std::vector<int64_t> offsets;
  std::vector<int64_t> counter;

  std::byte* registers(size_t bytes) {
    if (bytes > capacity) {
      capacity = std::max(bytes, capacity * 2);
      memory.reset(static_cast<std::byte*>(std::aligned_alloc(64, (capacity + 63) / 64 * 64)));
      THEON_ASSERT(memory) << "fused: out of memory for " << capacity << " bytes of registers";
    }
    return memory.get();
  }
};

Scratch& scratch() {
  thread_local Scratch s;
  return s;
}

// The operands' layout for one call: the output shape with length-1 dimensions dropped
// and dimensions that every operand walks as one merged; strides in elements, 0 where an
// operand broadcasts.
struct Layout {
  Shape shape;
  std::vector<int64_t> strides;  // operand k, dimension d at k * nd + d
  int nd = 0;
  int n_operands = 0;
  int64_t stride(int k, int d) const { return strides[k * nd + d]; }
};

void collapse(Layout& l) {
  auto erase_dim = [&](int d) {
    for (int k = l.n_operands - 1; k >= 0; --k) l.strides.erase(l.strides.begin() + k * l.nd + d);
    l.shape.erase(d);
    --l.nd;
  };
  for (int d = l.nd - 1; d >= 0; --d)
    if (l.shape[d] == 1) erase_dim(d);
  for (int d = l.nd - 2; d >= 0; --d) {
    bool mergeable = true;
    for (int k = 0; k < l.n_operands; ++k)
      mergeable = mergeable && l.stride(k, d) == l.stride(k, d + 1) * l.shape[d + 1];
    if (!mergeable) continue;
    l.shape[d] *= l.shape[d + 1];
    for (int k = 0; k < l.n_operands; ++k) l.strides[k * l.nd + d] = l.stride(k, d + 1);
    erase_dim(d + 1);
  }
  if (l.nd == 0) {  // one element
    l.shape.push_back(1);
    l.nd = 1;
    l.strides.assign(l.n_operands, 1);
  }
}

}  // namespace

void FusedElemwise::plan() {
  const FusedProgram& p = program_;
  const int n_in = p.n_inputs();
  const int n_regs = n_in + static_cast<int>(p.instrs.size());
  std::vector<DType> value_dtype;
  for (int r = 0; r < n_regs; ++r) value_dtype.push_back(p.register_dtype(r));
  std::map<std::pair<int, DType>, int> converted;
  std::vector<Step> steps;
  std::vector<int> step_instr;  // per step: its instruction, or -1 for a conversion
  // Values' ids are known only once conversions are numbered, so "none" is patched below.
  constexpr int kNone = -1;
  cost_per_element_ = 0;
  for (int i = 0; i < static_cast<int>(p.instrs.size()); ++i) {
    const auto& instr = p.instrs[i];
    Step step{nullptr, {kNone, kNone, kNone}, n_in + i};
    // A cast computed in its own dtype is one conversion from its operand's (bool -> float
    // for a mask), not a conversion and then a copy.
    if (instr.op == ScalarOpId::Identity && instr.compute == instr.out && value_dtype[instr.args[0]] != instr.out) {
      steps.push_back(Step{convert_fn(instr.out, value_dtype[instr.args[0]]), {instr.args[0], kNone, kNone}, n_in + i});
      step_instr.push_back(-1);
      cost_per_element_ += 1;
      continue;
    }
    for (size_t k = 0; k < instr.args.size(); ++k) {
      const int r = instr.args[k];
      if (instr.op == ScalarOpId::Second && k == 0) continue;  // fill reads only b
      const DType want = instr.op == ScalarOpId::Switch && k == 0 ? DType::Bool : instr.compute;
      int v = r;
      if (value_dtype[r] != want) {
        auto [it, fresh] = converted.try_emplace({r, want}, static_cast<int>(value_dtype.size()));
        if (fresh) {
          value_dtype.push_back(want);
          steps.push_back(Step{convert_fn(want, value_dtype[r]), {r, kNone, kNone}, it->second});
          if (r < p.n_operands()) steps.back().input = r;
          step_instr.push_back(-1);
          cost_per_element_ += 1;
        }
        v = it->second;
      }
      step.args[k] = v;
    }
    step.fn = simd_block_fn(instr.op, instr.compute);
    if (!step.fn) {
      step.fn = simd_compare_fn(instr.op, instr.compute);
      if (!step.fn) step.fn = scalar_block_fn(instr.op, instr.compute);
      vectorized_ = false;
    }
    THEON_ASSERT(step.fn) << "fused: " << scalar_op_info(instr.op).name << " has no loop for "
                          << dtype_name(instr.compute);
    steps.push_back(step);
    step_instr.push_back(i);
    cost_per_element_ += is_transcendental(instr.op) ? 8 : 1;
  }
  // A draw's Philox rounds cost about as much as three simple ops per element.
  cost_per_element_ += 3 * static_cast<int64_t>(p.draws.size());
  // sin(v) and cos(v) (a forward value and its derivative): one SLEEF sincos call, at the
  // first of the two steps.
  for (size_t s1 = 0; s1 < steps.size(); ++s1) {
    if (step_instr[s1] < 0) continue;
    const auto& first = p.instrs[step_instr[s1]];
    if (first.op != ScalarOpId::Sin && first.op != ScalarOpId::Cos) continue;
    const ScalarBlockFn both = simd_sincos_fn(first.compute);
    if (!both) continue;
    const ScalarOpId other = first.op == ScalarOpId::Sin ? ScalarOpId::Cos : ScalarOpId::Sin;
    for (size_t s2 = s1 + 1; s2 < steps.size(); ++s2) {
      if (step_instr[s2] < 0 || steps[s2].args[0] != steps[s1].args[0]) continue;
      const auto& second = p.instrs[step_instr[s2]];
      if (second.op != other || second.compute != first.compute) continue;
      const int sin_value = first.op == ScalarOpId::Sin ? steps[s1].dst : steps[s2].dst;
      const int cos_value = first.op == ScalarOpId::Sin ? steps[s2].dst : steps[s1].dst;
      steps[s1] = Step{both, {steps[s1].args[0], kNone, cos_value}, sin_value, cos_value};
      steps.erase(steps.begin() + static_cast<std::ptrdiff_t>(s2));
      step_instr.erase(step_instr.begin() + static_cast<std::ptrdiff_t>(s2));
      step_instr[s1] = -1;
      break;
    }
  }
  n_values_ = static_cast<int>(value_dtype.size());
  for (Step& s : steps)
    for (int& a : s.args)
      if (a == kNone) a = n_values_;

  // Register buffers: inputs and outputs keep their own; other values share by liveness.
  std::vector<int> last_use(n_values_, -1);
  for (int s = 0; s < static_cast<int>(steps.size()); ++s)
    for (int a : steps[s].args)
      if (a < n_values_) last_use[a] = s;
  std::vector<bool> pinned(n_values_, false);
  for (int r = 0; r < n_in; ++r) pinned[r] = true;
  for (const Step& s : steps)
    if (s.input >= 0) pinned[s.dst] = true;
  for (int r : p.outputs) {
    THEON_ASSERT(r >= n_in && !pinned[r]) << "fused: output register " << r << " is an input or repeated";
    pinned[r] = true;
  }
  buffer_of_.assign(n_values_, -1);
  n_buffers_ = 0;
  std::vector<int> free_buffers;
  auto take = [&] {
    if (free_buffers.empty()) return n_buffers_++;
    const int b = free_buffers.back();
    free_buffers.pop_back();
    return b;
  };
  for (int v = 0; v < n_values_; ++v)
    if (pinned[v]) buffer_of_[v] = take();
  for (int s = 0; s < static_cast<int>(steps.size()); ++s) {
    const int dst = steps[s].dst, dst2 = steps[s].dst2;
    if (!pinned[dst]) buffer_of_[dst] = take();
    if (dst2 >= 0 && !pinned[dst2]) buffer_of_[dst2] = take();
    // Released after the step: a conversion must not write over what it is reading.
    for (int a : steps[s].args)
      if (a < n_values_ && !pinned[a] && last_use[a] == s && buffer_of_[a] >= 0) {
        free_buffers.push_back(buffer_of_[a]);
        buffer_of_[a] = -1 - buffer_of_[a];  // keeps the number, marks it released
      }
    if (!pinned[dst] && last_use[dst] < 0) free_buffers.push_back(buffer_of_[dst]);
  }
  for (int& b : buffer_of_)
    if (b < 0) b = -1 - b;
  steps_ = std::move(steps);
  size_t widest = 1;
  for (DType d : value_dtype) widest = std::max(widest, itemsize(d));
  buffer_bytes_ = static_cast<size_t>(kFusedBlock) * widest;
  in_item_.clear();
  for (DType d : p.input_dtypes) in_item_.push_back(itemsize(d));
  out_item_.clear();
  out_value_.clear();
  for (int r : p.outputs) {
    out_item_.push_back(itemsize(p.register_dtype(r)));
    out_value_.push_back(r);
  }
}

void FusedElemwise::interpret_row(int64_t n, const void* const* in, const int64_t* in_step,
                                  void* const* out, const int64_t* out_step, int64_t flat,
                                  const philox::Position* draws) const {
  Scratch& s = scratch();
  std::byte* registers = s.registers(static_cast<size_t>(n_buffers_) * buffer_bytes_);
  if (s.ptrs.size() < static_cast<size_t>(n_values_) + 1) s.ptrs.resize(n_values_ + 1);
  const void** ptr = s.ptrs.data();
  ptr[n_values_] = nullptr;
  auto buffer = [&](int v) { return registers + static_cast<size_t>(buffer_of_[v]) * buffer_bytes_; };
  const int n_in = program_.n_operands();
  const int n_draws = static_cast<int>(program_.draws.size());
  const int n_out = static_cast<int>(out_value_.size());
  for (int v = n_in; v < n_values_; ++v) ptr[v] = buffer(v);
  // A broadcast operand is the same in every block: fill its register once per row.
  for (int i = 0; i < n_in; ++i) {
    if (in_step[i] != 0) continue;
    copy_elements(buffer(i), 1, in[i], 0, std::min(n, kFusedBlock), in_item_[i]);
    ptr[i] = buffer(i);
  }
  // So are its conversions.
  auto once_per_row = [&](const Step& step) { return step.input >= 0 && in_step[step.input] == 0; };
  for (const Step& step : steps_)
    if (once_per_row(step))
      step.fn(std::min(n, kFusedBlock), ptr[step.args[0]], nullptr, nullptr, const_cast<void*>(ptr[step.dst]));
  for (int64_t start = 0; start < n; start += kFusedBlock) {
    const int64_t m = std::min(kFusedBlock, n - start);
    for (int i = 0; i < n_in; ++i) {
      if (in_step[i] == 0) continue;
      const auto* src = static_cast<const std::byte*>(in[i]) +
                        start * in_step[i] * static_cast<int64_t>(in_item_[i]);
      if (in_step[i] == 1) {
        ptr[i] = src;
      } else {
        copy_elements(buffer(i), 1, src, in_step[i], m, in_item_[i]);
        ptr[i] = buffer(i);
      }
    }
    // Draws: the values of elements flat + start .. of each (their registers are theirs).
    for (int j = 0; j < n_draws; ++j) {
      void* dst = const_cast<void*>(ptr[n_in + j]);
      if (in_item_[n_in + j] == sizeof(double))
        philox::uniform_range(draws[j], flat + start, static_cast<double*>(dst), m);
      else
        philox::uniform_range(draws[j], flat + start, static_cast<float*>(dst), m);
    }
    for (int j = 0; j < n_out; ++j) {
      const int v = out_value_[j];
      ptr[v] = out_step[j] == 1 ? static_cast<std::byte*>(out[j]) + start * static_cast<int64_t>(out_item_[j])
                                : static_cast<const void*>(buffer(v));
    }
    for (const Step& step : steps_)
      if (!once_per_row(step))
        step.fn(m, ptr[step.args[0]], ptr[step.args[1]], ptr[step.args[2]], const_cast<void*>(ptr[step.dst]));
    for (int j = 0; j < n_out; ++j) {
      if (out_step[j] == 1) continue;
      copy_elements(static_cast<std::byte*>(out[j]) + start * out_step[j] * static_cast<int64_t>(out_item_[j]),
                    out_step[j], ptr[out_value_[j]], 1, m, out_item_[j]);
    }
  }
}

void FusedElemwise::shape_error(std::span<const NDArray* const> in, std::span<const Var> inputs) const {
  const int nd = ndim(inputs);
  const int n_operands = program_.n_operands();
  const int n_in = program_.n_inputs();
  const BroadcastPattern pattern = make_types(inputs)[0].broadcastable;
  std::vector<Shape> shapes;
  for (int k = 0; k < n_operands; ++k) shapes.push_back(in[k]->shape());
  for (int k = n_operands; k < n_in; ++k)
    shapes.push_back(read_size(*in[n_operands + 2 * (k - n_operands) + 1], nd, "uniform"));
  auto broadcastable = [&](int r, int d) {
    if (r < n_operands) return inputs[r].broadcastable()[d];
    return r < n_in ? program_.draws[r - n_operands].pattern[d] : pattern[d];
  };
  for (size_t i = 0; i < program_.instrs.size(); ++i) {
    const auto& instr = program_.instrs[i];
    Shape shape(nd, 1);
    for (int d = 0; d < nd; ++d) {
      bool known = false;
      for (size_t k = 0; k < instr.args.size(); ++k) {
        const int r = instr.args[k];
        if (broadcastable(r, d)) continue;
        const int64_t length = shapes[r][d];
        if (!known) {
          shape[d] = length;
          known = true;
        } else if (length != shape[d]) {
          const std::string where = format_loc(locs_[i]);
          THEON_FAIL(ShapeError)
              << scalar_op_info(instr.op).name << ": dimension " << d << " has length " << shape[d]
              << " in one operand and " << length << " in input " << k
              << " (only dimensions declared broadcastable, such as a row's first, stretch to match)"
              << "\n  op       " << scalar_op_info(instr.op).name
              << (where.empty() ? "" : "  made at " + where) << " (in a fused loop)";
        }
      }
    }
    shapes.push_back(shape);
  }
  THEON_FAIL(ShapeError) << "fused: the inputs' shapes do not broadcast together" << describe_inputs(inputs, in);
}

void FusedElemwise::perform(const ApplyNode& node, std::span<const NDArray* const> in,
                            std::span<NDArray* const> out) const {
  const int n_in = program_.n_operands();
  const int n_draws = static_cast<int>(program_.draws.size());
  const int n_out = static_cast<int>(out.size());
  const int nd = ndim(node.inputs);
  // A draw is shaped by its size vector, and sits where its register would.
  thread_local std::vector<Shape> draw_shapes_tls;
  thread_local std::vector<philox::Position> draw_at_tls;
  std::vector<Shape>& draw_shapes = draw_shapes_tls;
  std::vector<philox::Position>& draw_at = draw_at_tls;
  draw_shapes.resize(n_draws);
  draw_at.resize(n_draws);
  for (int j = 0; j < n_draws; ++j) {
    draw_at[j] = read_state(*in[n_in + 2 * j], "uniform");
    draw_shapes[j] = read_size(*in[n_in + 2 * j + 1], nd, "uniform");
  }
  auto length_of = [&](int k, int d) { return k < n_in ? in[k]->shape(d) : draw_shapes[k - n_in][d]; };
  auto broadcastable = [&](int k, int d) {
    return k < n_in ? node.inputs[k].broadcastable()[d] : program_.draws[k - n_in].pattern[d];
  };
  Shape shape(nd, 1);
  for (int d = 0; d < nd; ++d) {
    bool known = false;
    for (int k = 0; k < n_in + n_draws; ++k) {
      const int64_t length = length_of(k, d);
      if (broadcastable(k, d)) {
        THEON_ASSERT(length == 1) << "fused: broadcastable dimension " << d << " of input " << k
                                  << " has length " << length;
        continue;
      }
      if (!known) {
        shape[d] = length;
        known = true;
      } else if (length != shape[d]) {
        shape_error(in, node.inputs);
      }
    }
  }
  for (int j = 0; j < n_out; ++j)
    reuse_or_allocate(*out[j], program_.register_dtype(program_.outputs[j]), shape);
  const int64_t total = shape_size(shape);
  if (total == 0) return;
  // Native code only where the interpreter has a scalar step: a program the interpreter
  // runs wholly with SIMD (SLEEF, sincos) measured 2-7x faster than the generated loop
  // (W4 fwd+grad: 23 ms interpreted, 130-180 ms native).
  // A program with draws stays interpreted (the generated code has no Philox).
  if (!vectorized_ && n_draws == 0)
    std::call_once(native_once_, [&] { native_ = request_native_kernel(program_); });
  const FusedRowFn native = native_ ? native_->fn() : nullptr;

  thread_local Layout layout;
  Layout& l = layout;
  l.shape = shape;
  l.nd = nd;
  l.n_operands = n_in + n_out;
  l.strides.assign(static_cast<size_t>(l.n_operands) * nd, 0);
  for (int k = 0; k < l.n_operands; ++k) {
    const NDArray& a = k < n_in ? *in[k] : *out[k - n_in];
    for (int d = 0; d < nd; ++d)
      if (a.shape(d) == shape[d]) l.strides[k * nd + d] = a.strides()[d];
  }
  collapse(l);
  const int64_t inner = l.shape[l.nd - 1];
  // Named through references: in the pool's threads, the thread_locals' own names would
  // denote those threads' (empty) copies.
  thread_local std::vector<int64_t> inner_steps;
  std::vector<int64_t>& steps = inner_steps;
  steps.resize(l.n_operands);
  for (int k = 0; k < l.n_operands; ++k) steps[k] = l.stride(k, l.nd - 1);

  // Runs the elements [lo, hi) in row-major order, one row (or part of one) at a time.
  auto run_range = [&](int64_t lo, int64_t hi) {
    Scratch& s = scratch();
    s.row_in.resize(n_in);
    s.row_out.resize(n_out);
    s.offsets.assign(l.n_operands, 0);
    s.counter.assign(l.nd, 0);
    int64_t row = lo / inner, col = lo % inner;
    for (int d = l.nd - 2; d >= 0; --d) {
      s.counter[d] = row % l.shape[d];
      row /= l.shape[d];
      for (int k = 0; k < l.n_operands; ++k) s.offsets[k] += s.counter[d] * l.stride(k, d);
    }
    for (int64_t pos = lo; pos < hi;) {
      const int64_t n = std::min(inner - col, hi - pos);
      for (int k = 0; k < l.n_operands; ++k) {
        const NDArray& a = k < n_in ? *in[k] : *out[k - n_in];
        auto* p = static_cast<std::byte*>(a.raw()) +
                  (s.offsets[k] + col * steps[k]) * static_cast<int64_t>(itemsize(a.dtype()));
        if (k < n_in) s.row_in[k] = p;
        else s.row_out[k - n_in] = p;
      }
      if (native)
        native(n, s.row_in.data(), steps.data(), s.row_out.data(), steps.data() + n_in);
      else
        interpret_row(n, s.row_in.data(), steps.data(), s.row_out.data(), steps.data() + n_in, pos,
                      draw_at.data());
      pos += n;
      col = 0;
      for (int d = l.nd - 2; d >= 0; --d) {
        for (int k = 0; k < l.n_operands; ++k) s.offsets[k] += l.stride(k, d);
        if (++s.counter[d] < l.shape[d]) break;
        for (int k = 0; k < l.n_operands; ++k) s.offsets[k] -= l.stride(k, d) * l.shape[d];
        s.counter[d] = 0;
      }
    }
  };

  const int64_t work = total * cost_per_element_;
  const int n_tasks = static_cast<int>(std::min<int64_t>(max_threads(), work / kParallelWork));
  if (n_tasks <= 1) {
    run_range(0, total);
    return;
  }
  parallel_for(n_tasks, [&](int task) {
    auto bound = [&](int t) {
      return t == n_tasks ? total : std::min(total, total * t / n_tasks / kSplitAlign * kSplitAlign);
    };
    run_range(bound(task), bound(task + 1));
  });
}

}  // namespace theon::detail
