// AdvancedSubtensor and AdvancedIncSubtensor: NumPy's full indexing and its set /
// increment form, computed in the interpreter (the native tiers leave them to it).
#include "core/strided.hpp"
#include "ops/advanced_subtensor.hpp"
#include "ops/op_util.hpp"
#include "theon/reduce.hpp"
#include "theon/shape_ops.hpp"

namespace theon::detail {
namespace {

// f(dst element, src element) over two equally shaped strided blocks.
template <class T, class F>
void for_each_pair(std::span<const int64_t> shape, T* dst, const int64_t* dst_strides, const T* src,
                   const int64_t* src_strides, F& f) {
  const size_t nd = shape.size();
  if (nd == 0) {
    f(*dst, *src);
    return;
  }
  const int64_t ds = dst_strides[nd - 1], ss = src_strides[nd - 1];
  for_each_row<2>(shape, {dst_strides, src_strides}, [&](const std::array<int64_t, 2>& off, int64_t n) {
    T* d = dst + off[0];
    const T* s = src + off[1];
    for (int64_t j = 0; j < n; ++j) f(d[j * ds], s[j * ss]);
  });
}

// For every selected block, in the index shape's C order (so that repeated indices see
// each other's writes, the last one winning a set): f(view element, element of
// `other`), or f(element of other, view element) when `other` is written. `other` is
// shaped like the result, with `other_strides`.
template <class T, class F>
void walk_selected(const ResolvedIndex& r, T* other, const Strides& other_strides, bool write_view, F&& f) {
  const size_t nb = r.index_shape.size();
  std::vector<int64_t> kept_other;
  for (int p : r.kept_dims_at) kept_other.push_back(other_strides[p]);
  std::vector<int64_t> counter(nb, 0);
  int64_t other_offset = 0;
  T* view = r.view.data<T>();
  for (int64_t offset : r.offsets) {
    if (write_view) {
      for_each_pair<T>(r.kept_shape, view + offset, r.kept_strides.data(), other + other_offset, kept_other.data(), f);
    } else {
      for_each_pair<T>(r.kept_shape, other + other_offset, kept_other.data(), view + offset, r.kept_strides.data(), f);
    }
    for (size_t k = nb; k-- > 0;) {
      const int64_t stride = other_strides[r.index_dims_at[k]];
      other_offset += stride;
      if (++counter[k] < r.index_shape[k]) break;
      other_offset -= stride * r.index_shape[k];
      counter[k] = 0;
    }
  }
}

Vars entry_inputs(const ApplyNode& node, int first) { return Vars(node.inputs.begin() + first, node.inputs.end()); }

Var as_dtype_of(const Var& g, const Var& x, const Loc& loc) {
  return g.dtype() == x.dtype() ? g : tensor::cast(VarArg(g, loc), x.dtype());
}

}  // namespace

// ---- AdvancedSubtensor ----

std::vector<TensorType> AdvancedSubtensor::make_types(std::span<const Var> inputs) const {
  const Var& x = inputs[0];
  const std::span<const Var> entries = inputs.subspan(1);
  const AdvancedLayout l = plan_advanced(index_, x.ndim(), entries, name());
  return {TensorType(x.dtype(), advanced_broadcastable(index_, l, x, entries))};
}

void AdvancedSubtensor::perform(const ApplyNode& node, std::span<const NDArray* const> in,
                                std::span<NDArray* const> out) const {
  const NDArray& x = *in[0];
  const AdvancedLayout l = plan_advanced(index_, x.ndim(), std::span<const Var>(node.inputs).subspan(1), name());
  const ResolvedIndex r = resolve_advanced(index_, l, x, in.subspan(1), name());
  NDArray& o = reuse_or_allocate(*out[0], x.dtype(), r.result_shape);
  visit_dtype(x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    walk_selected<T>(r, o.data<T>(), o.strides(), /*write_view=*/false, [](T& d, const T& s) { d = s; });
  });
}

// d x[index] / dx: gz added into zeros shaped like x (repeated positions accumulate).
Vars AdvancedSubtensor::pullback(const ApplyNode& node, std::span<const Var> output_grads) const {
  Vars result(node.inputs.size());
  const Var& gz = output_grads[0];
  if (!gz.defined()) return result;
  const Var& x = node.inputs[0];
  result[0] = advanced_inc_subtensor(tensor::zeros_like(VarArg(x, node.loc)), as_dtype_of(gz, x, node.loc),
                                     index_, entry_inputs(node, 1), /*set=*/false, node.loc);
  return result;
}

std::string AdvancedSubtensor::print(std::span<const std::string> args) const {
  return args[0] + "[" + advanced_index_str(index_, args.subspan(1)) + "]";
}

// ---- AdvancedIncSubtensor ----

std::vector<TensorType> AdvancedIncSubtensor::make_types(std::span<const Var> inputs) const {
  const Var& x = inputs[0];
  const Var& y = inputs[1];
  const std::span<const Var> entries = inputs.subspan(2);
  const AdvancedLayout l = plan_advanced(index_, x.ndim(), entries, name());
  THEON_CHECK_USER(y.dtype() == x.dtype(), TypeError)
      << name() << ": the value must have the dtype of x" << describe_inputs(inputs);
  const int indexed_ndim = static_cast<int>(l.dims.size());
  THEON_CHECK_USER(y.ndim() <= indexed_ndim, TypeError)
      << name() << ": cannot write a value of rank " << y.ndim() << " into an indexed part of rank "
      << indexed_ndim << describe_inputs(inputs);
  return {x.type()};
}

void AdvancedIncSubtensor::perform(const ApplyNode& node, std::span<const NDArray* const> in,
                                   std::span<NDArray* const> out) const {
  const NDArray& x = *in[0];
  const std::string op = name();
  NDArray& o = reuse_or_allocate(*out[0], x.dtype(), x.shape());
  o.assign(x);
  const AdvancedLayout l = plan_advanced(index_, x.ndim(), std::span<const Var>(node.inputs).subspan(2), op);
  const ResolvedIndex r = resolve_advanced(index_, l, o, in.subspan(2), op);
  const NDArray y = broadcast_value(*in[1], node.inputs[1].type(), r.result_shape, op);
  visit_dtype(x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    if (set_) {
      walk_selected<T>(r, y.data<T>(), y.strides(), /*write_view=*/true, [](T& d, const T& s) { d = s; });
    } else {
      walk_selected<T>(r, y.data<T>(), y.strides(), /*write_view=*/true,
                       [](T& d, const T& s) { d = static_cast<T>(d + s); });
    }
  });
}

// inc: gx = gz; set: gx = gz with the written positions zeroed. gy = gz[index], summed
// back over the dimensions the value was broadcast along. A set with repeated positions
// keeps the last write (as NumPy's x[index] = y), so only the elements of y written last
// get a gradient: numbering the written elements 1, 2, ... and setting those numbers
// into zeros by the same index leaves at each position the number of its last write;
// element k survives when reading them back gives k.
Vars AdvancedIncSubtensor::pullback(const ApplyNode& node, std::span<const Var> output_grads) const {
  using namespace tensor;
  Vars result(node.inputs.size());
  const Var& gz = output_grads[0];
  if (!gz.defined()) return result;
  const Loc& loc = node.loc;
  const Var& x = node.inputs[0];
  const Vars entries = entry_inputs(node, 2);
  const Var g = as_dtype_of(gz, x, loc);
  result[0] = set_ ? advanced_inc_subtensor(g, constant(NDArray::zeros(g.dtype(), {}), "", loc), index_, entries,
                                            /*set=*/true, loc)
                   : g;
  Var gy = advanced_subtensor(g, index_, entries, loc);
  if (set_) {
    const Var shape = tensor::shape(VarArg(gy, loc));
    const Var count = prod(VarArg(shape, loc));
    const Var numbers = reshape(VarArg(arange(VarArg(1, loc), VarArg(count + 1, loc)), loc), ShapeArg(shape, loc));
    const Var last = advanced_inc_subtensor(zeros_like(VarArg(x, loc), DType::Int64), numbers, index_, entries,
                                            /*set=*/true, loc);
    const Var survives = eq(VarArg(advanced_subtensor(last, index_, entries, loc), loc), numbers);
    gy = switch_(VarArg(survives, loc), gy, 0);
  }
  result[1] = sum_to_value(gy, node.inputs[1], loc);
  return result;
}

std::string AdvancedIncSubtensor::print(std::span<const std::string> args) const {
  return name() + "(" + args[0] + "[" + advanced_index_str(index_, args.subspan(2)) + "], " + args[1] + ")";
}

Var advanced_subtensor(const Var& x, const AdvancedIndex& index, const Vars& inputs, const Loc& loc) {
  Vars all{x};
  all.insert(all.end(), inputs.begin(), inputs.end());
  return apply_op<AdvancedSubtensor>(loc, std::move(all), index);
}

Var advanced_inc_subtensor(const Var& x, const Var& y, const AdvancedIndex& index, const Vars& inputs, bool set,
                           const Loc& loc) {
  Vars all{x, y};
  all.insert(all.end(), inputs.begin(), inputs.end());
  return apply_op<AdvancedIncSubtensor>(loc, std::move(all), index, set);
}

}  // namespace theon::detail
