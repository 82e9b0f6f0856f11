#include "ops/fused_reduce.hpp"

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <memory>

#include "core/parallel.hpp"
#include "ops/op_util.hpp"
#include "ops/reduce_monoid.hpp"

namespace theon::detail {
namespace {

// Reduced elements per partial result. Fixed, so the summation order (and the rounding)
// is the same whatever the number of threads; 2^15 elements keep the partials' array
// small (80 KB for 10M elements) while a chunk amortizes its start (one division per
// reduced dimension).
constexpr int64_t kChunk = int64_t{1} << 15;
// As FusedElemwise: work (elements times cost) below which threads do not pay.
constexpr int64_t kParallelWork = int64_t{1} << 20;
constexpr int kLanes = 8;

bool is_costly(ScalarOpId id) {
  switch (id) {
    case ScalarOpId::Add: case ScalarOpId::Sub: case ScalarOpId::Mul: case ScalarOpId::Neg:
    case ScalarOpId::Abs: case ScalarOpId::Sqr: case ScalarOpId::Minimum: case ScalarOpId::Maximum:
    case ScalarOpId::Identity: case ScalarOpId::Second:
      return false;
    default:
      return true;
  }
}

std::string axes_text(const std::vector<int>& axes) {
  if (axes.size() == 1) return std::to_string(axes[0]);
  std::string s = "(";
  for (size_t i = 0; i < axes.size(); ++i) s += (i ? ", " : "") + std::to_string(axes[i]);
  return s + ")";
}

// The walk over one call's operands: for each output element (the kept dimensions, in
// row-major order) its reduced elements, rows along the innermost reduced dimension.
// Dimensions are lengths and each input's stride in elements (0 where it broadcasts),
// dimension i's at i * n_in; kept per thread and reused, so a call allocates nothing.
struct Walk {
  int n_in = 0;
  std::vector<int64_t> kept_length, kept_strides;        // outer to inner
  std::vector<int64_t> reduced_length, reduced_strides;  // the last is the row (never empty)
  int64_t n_reduced = 1;

  void clear(int n) {
    n_in = n;
    kept_length.clear();
    kept_strides.clear();
    reduced_length.clear();
    reduced_strides.clear();
    n_reduced = 1;
  }
  // Appends a dimension, merged into the previous one of its kind where every input
  // walks the two as one (a contiguous matrix's rows).
  void push(bool reduced, int64_t length, const int64_t* strides) {
    std::vector<int64_t>& lengths = reduced ? reduced_length : kept_length;
    std::vector<int64_t>& all = reduced ? reduced_strides : kept_strides;
    bool merge = !lengths.empty();
    const int64_t* last = merge ? all.data() + all.size() - n_in : nullptr;
    for (int k = 0; merge && k < n_in; ++k) merge = last[k] == strides[k] * length;
    if (merge) {
      lengths.back() *= length;
      std::copy(strides, strides + n_in, all.end() - n_in);
    } else {
      lengths.push_back(length);
      all.insert(all.end(), strides, strides + n_in);
    }
    if (reduced) n_reduced *= length;
  }
  int64_t row_length() const { return reduced_length.back(); }
  const int64_t* row_strides() const { return reduced_strides.data() + reduced_strides.size() - n_in; }

  // Each input's offset (elements) of the start of the row that holds reduced element
  // `r` of output element `o`.
  void row_offsets(int64_t o, int64_t r, int64_t* out) const {
    std::fill(out, out + n_in, 0);
    for (size_t d = kept_length.size(); d-- > 0;) {
      const int64_t i = o % kept_length[d];
      o /= kept_length[d];
      for (int k = 0; k < n_in; ++k) out[k] += i * kept_strides[d * n_in + k];
    }
    r /= row_length();
    for (size_t d = reduced_length.size() - 1; d-- > 0;) {
      const int64_t i = r % reduced_length[d];
      r /= reduced_length[d];
      for (int k = 0; k < n_in; ++k) out[k] += i * reduced_strides[d * n_in + k];
    }
  }
};

// Per-thread buffers, grown on first use and then reused: no allocation in steady state.
struct ReduceScratch {
  struct Free {
    void operator()(std::byte* p) const { std::free(p); }
  };
  std::unique_ptr<std::byte, Free> block{static_cast<std::byte*>(std::aligned_alloc(64, kFusedBlock * 16))};
  std::vector<int64_t> offsets;
  std::vector<const void*> row;
};

ReduceScratch& reduce_scratch() {
  thread_local ReduceScratch s;
  return s;
}

template <ReduceKind K, class T>
void reduce_typed(const FusedElemwise& program, const Walk& w, std::span<const NDArray* const> in,
                  int64_t n_out, int64_t cost, NDArray& out) {
  using Acc = typename AccOf<K, T>::type;
  using Out = std::conditional_t<K == ReduceKind::All || K == ReduceKind::Any, bool,
                                 std::conditional_t<(K == ReduceKind::Sum || K == ReduceKind::Prod) &&
                                                        !std::is_floating_point_v<T>,
                                                    int64_t, T>>;
  THEON_ASSERT(out.dtype() == dtype_of<Out>) << "fused_" << reduce_name(K) << ": output is "
                                             << dtype_name(out.dtype());
  const int n_in = w.n_in;
  const int64_t row_length = w.row_length();
  const int64_t* row_strides = w.row_strides();
  const int64_t n_chunks = (w.n_reduced + kChunk - 1) / kChunk;
  const int64_t n_items = n_out * n_chunks;
  thread_local std::vector<Acc> partial_storage;
  std::vector<Acc>& partials = partial_storage;  // the caller's, named in the pool's threads
  partials.resize(static_cast<size_t>(n_items));

  // Partial `item`: chunk item % n_chunks of output element item / n_chunks.
  auto run_items = [&](int64_t first, int64_t last) {
    ReduceScratch& s = reduce_scratch();
    s.offsets.resize(n_in);
    s.row.resize(n_in);
    T* block = reinterpret_cast<T*>(s.block.get());
    const int64_t one = 1;
    void* block_out = block;
    for (int64_t item = first; item < last; ++item) {
      const int64_t o = item / n_chunks;
      const int64_t lo = item % n_chunks * kChunk, hi = std::min(w.n_reduced, lo + kChunk);
      w.row_offsets(o, lo, s.offsets.data());
      int64_t col = lo % row_length;
      Acc lanes[kLanes];
      for (Acc& l : lanes) l = Monoid<K, Acc>::identity();
      for (int64_t pos = lo; pos < hi;) {
        const int64_t n = std::min(row_length - col, hi - pos);
        for (int64_t start = 0; start < n; start += kFusedBlock) {
          const int64_t m = std::min(kFusedBlock, n - start);
          for (int k = 0; k < n_in; ++k)
            s.row[k] = static_cast<const std::byte*>(in[k]->raw()) +
                       (s.offsets[k] + (col + start) * row_strides[k]) *
                           static_cast<int64_t>(itemsize(in[k]->dtype()));
          program.interpret_row(m, s.row.data(), row_strides, &block_out, &one);
          int64_t j = 0;
          for (; j + kLanes <= m; j += kLanes)
            for (int l = 0; l < kLanes; ++l)
              lanes[l] = Monoid<K, Acc>::combine(lanes[l], convert_element<Acc>(block[j + l]));
          for (; j < m; ++j) lanes[0] = Monoid<K, Acc>::combine(lanes[0], convert_element<Acc>(block[j]));
        }
        pos += n;
        if (pos < hi) {
          col = 0;
          w.row_offsets(o, pos, s.offsets.data());
        }
      }
      Acc r = lanes[0];
      for (int l = 1; l < kLanes; ++l) r = Monoid<K, Acc>::combine(r, lanes[l]);
      partials[item] = r;
    }
  };

  const int64_t work = n_out * w.n_reduced * cost;
  const int n_tasks = static_cast<int>(std::min<int64_t>({max_threads(), work / kParallelWork, n_items}));
  if (n_tasks <= 1) {
    run_items(0, n_items);
  } else {
    parallel_for(n_tasks, [&](int task) { run_items(n_items * task / n_tasks, n_items * (task + 1) / n_tasks); });
  }
  Out* o = out.data<Out>();
  for (int64_t i = 0; i < n_out; ++i) {
    Acc r = Monoid<K, Acc>::identity();
    for (int64_t c = 0; c < n_chunks; ++c) r = Monoid<K, Acc>::combine(r, partials[i * n_chunks + c]);
    o[i] = static_cast<Out>(r);
  }
}

template <ReduceKind K>
void dispatch(DType dtype, const FusedElemwise& program, const Walk& w, std::span<const NDArray* const> in,
              int64_t n_out, int64_t cost, NDArray& out) {
  visit_dtype(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (ComplexElement<T>)
      THEON_FAIL(InternalError) << "fused_" << reduce_name(K) << " reached the kernel with complex data";
    else
      reduce_typed<K, T>(program, w, in, n_out, cost, out);
  });
}

}  // namespace

FusedReduce::FusedReduce(FusedProgram program, std::vector<Loc> instr_locs, ReduceKind kind,
                         std::vector<int> axes, bool keepdims, int input_ndim)
    : elemwise_(std::move(program), std::move(instr_locs)), kind_(kind), axes_(std::move(axes)),
      keepdims_(keepdims), input_ndim_(input_ndim) {
  const FusedProgram& p = elemwise_.program();
  THEON_ASSERT(p.outputs.size() == 1) << "fused_reduce: a program with " << p.outputs.size() << " outputs";
  THEON_ASSERT(!axes_.empty()) << "fused_reduce: no axes";
  THEON_ASSERT(!is_complex(p.register_dtype(p.outputs[0]))) << "fused_reduce: complex values";
  for (const auto& instr : p.instrs) cost_per_element_ += is_costly(instr.op) ? 8 : 1;
}

std::string FusedReduce::props() const {
  return elemwise_.props() + " axis=" + axes_text(axes_) + (keepdims_ ? ",keepdims" : "");
}

std::vector<TensorType> FusedReduce::make_types(std::span<const Var> inputs) const {
  const TensorType t = elemwise_.make_types(inputs)[0];
  const int nd = static_cast<int>(t.broadcastable.size());
  THEON_ASSERT(nd == input_ndim_) << name() << ": made for rank " << input_ndim_ << ", given rank " << nd;
  for (size_t i = 0; i < axes_.size(); ++i)
    THEON_ASSERT(axes_[i] >= 0 && axes_[i] < nd && (i == 0 || axes_[i - 1] < axes_[i]))
        << name() << ": axes " << axes_text(axes_) << " are not sorted axes of rank " << nd;
  BroadcastPattern pattern;
  for (int d = 0; d < nd; ++d) {
    if (!std::binary_search(axes_.begin(), axes_.end(), d)) pattern.push_back(t.broadcastable[d]);
    else if (keepdims_) pattern.push_back(true);
  }
  return {TensorType(reduce_out_dtype(kind_, t.dtype), pattern)};
}

void FusedReduce::perform(const ApplyNode& node, std::span<const NDArray* const> in,
                          std::span<NDArray* const> out) const {
  const int n_in = static_cast<int>(in.size());
  const int nd = node.inputs[0].ndim();
  const FusedProgram& p = elemwise_.program();
  const DType value_dtype = p.register_dtype(p.outputs[0]);
  // The broadcast shape, checked as FusedElemwise checks it.
  Shape shape(nd, 1);
  bool shapes_agree = true;
  for (int d = 0; d < nd; ++d) {
    bool known = false;
    for (int k = 0; k < n_in; ++k) {
      const int64_t length = in[k]->shape(d);
      if (node.inputs[k].broadcastable()[d]) {
        shapes_agree = shapes_agree && length == 1;
      } else if (!known) {
        shape[d] = length;
        known = true;
      } else {
        shapes_agree = shapes_agree && length == shape[d];
      }
    }
  }
  const int64_t total = shape_size(shape);
  // Mismatched shapes (the element-wise op raises the user's error), empty inputs (the
  // reduction raises for max of nothing) and one-element inputs go the unfused way.
  if (!shapes_agree || total <= 1) {
    thread_local NDArray values;
    NDArray& value_slot = values;
    NDArray* value_out[] = {&value_slot};
    elemwise_.perform(node, in, value_out);
    run_reduce(kind_, value_slot, axes_, keepdims_, *out[0]);
    return;
  }

  thread_local Walk walk;
  thread_local std::vector<int64_t> dim_strides;
  Walk& w = walk;
  w.clear(n_in);
  dim_strides.resize(n_in);
  Shape out_shape;
  for (int d = 0; d < nd; ++d) {
    const bool reduced = std::binary_search(axes_.begin(), axes_.end(), d);
    if (!reduced) out_shape.push_back(shape[d]);
    else if (keepdims_) out_shape.push_back(1);
    if (shape[d] == 1) continue;
    for (int k = 0; k < n_in; ++k) dim_strides[k] = in[k]->shape(d) == shape[d] ? in[k]->strides()[d] : 0;
    w.push(reduced, shape[d], dim_strides.data());
  }
  if (w.reduced_length.empty()) {
    std::fill(dim_strides.begin(), dim_strides.end(), 0);
    w.push(true, 1, dim_strides.data());
  }
  const int64_t n_out = total / w.n_reduced;
  reuse_or_allocate(*out[0], reduce_out_dtype(kind_, value_dtype), out_shape);
  switch (kind_) {
    case ReduceKind::Sum:
      return dispatch<ReduceKind::Sum>(value_dtype, elemwise_, w, in, n_out, cost_per_element_, *out[0]);
    case ReduceKind::Prod:
      return dispatch<ReduceKind::Prod>(value_dtype, elemwise_, w, in, n_out, cost_per_element_, *out[0]);
    case ReduceKind::Max:
      return dispatch<ReduceKind::Max>(value_dtype, elemwise_, w, in, n_out, cost_per_element_, *out[0]);
    case ReduceKind::Min:
      return dispatch<ReduceKind::Min>(value_dtype, elemwise_, w, in, n_out, cost_per_element_, *out[0]);
    case ReduceKind::All:
      return dispatch<ReduceKind::All>(value_dtype, elemwise_, w, in, n_out, cost_per_element_, *out[0]);
    case ReduceKind::Any:
      return dispatch<ReduceKind::Any>(value_dtype, elemwise_, w, in, n_out, cost_per_element_, *out[0]);
  }
}

Vars FusedReduce::pullback(const ApplyNode&, std::span<const Var>) const {
  THEON_FAIL(InternalError) << name() << ": made by the fusion rewrite, after gradients; it has none";
}

// fused_sum{exp(x)}, with the axes when not all are reduced.
std::string FusedReduce::print(std::span<const std::string> args) const {
  std::string body = elemwise_.print(args);  // "fused{...}"
  body.insert(body.find('{'), std::string("_") + reduce_name(kind_));
  std::string extra;
  if (static_cast<int>(axes_.size()) != input_ndim_) extra += ", axis=" + axes_text(axes_);
  if (keepdims_) extra += ", keepdims=True";
  body.insert(body.size() - 1, extra);
  return body;
}

Var fused_reduce(FusedProgram program, std::vector<Loc> instr_locs, ReduceKind kind, std::vector<int> axes,
                 bool keepdims, Vars inputs, const Loc& loc) {
  const int nd = inputs.empty() ? 0 : inputs[0].ndim();
  return make_apply(std::make_shared<const FusedReduce>(std::move(program), std::move(instr_locs), kind,
                                                        std::move(axes), keepdims, nd),
                    std::move(inputs), loc)[0];
}

}  // namespace theon::detail
