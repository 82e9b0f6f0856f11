// Integer-array indexing along axis 0 (numpy.take) and its set / increment form
// (increments at repeated indices accumulate, as numpy.add.at).
#include "core/strided.hpp"
#include "ops/op_util.hpp"
#include "ops/subtensor.hpp"
#include "theon/shape_ops.hpp"

namespace theon::detail {
namespace {

void expect_index_vector(std::string_view op, const Var& idx) {
  THEON_CHECK_USER(idx.ndim() == 1 && is_integer(idx.dtype()), TypeError)
      << op << ": indices must be an integer vector, got " << describe(idx);
}

// The k-th index, range-checked against an axis of length n and made non-negative.
int64_t read_index(const NDArray& idx, int64_t k, int64_t n, std::string_view op) {
  const int64_t i = visit_dtype(idx.dtype(), [&](auto tag) -> int64_t {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_integral_v<T>) {
      return static_cast<int64_t>(idx.data<T>()[k * idx.strides()[0]]);
    } else {
      THEON_FAIL(TypeError) << op << ": indices must be integers, got " << dtype_name(idx.dtype());
    }
  });
  THEON_CHECK_USER(i >= -n && i < n, IndexError)
      << op << ": index " << i << " is out of bounds for axis 0 with size " << n;
  return i < 0 ? i + n : i;
}

// f(dst element, src element) over two equally shaped strided blocks.
template <class T, class F>
void for_each_pair(std::span<const int64_t> shape, T* dst, const int64_t* dst_strides, const T* src,
                   const int64_t* src_strides, F&& f) {
  const size_t nd = shape.size();
  if (nd == 0) {
    f(*dst, *src);
    return;
  }
  const int64_t ds = dst_strides[nd - 1], ss = src_strides[nd - 1];
  for_each_row<2>(shape, {dst_strides, src_strides},
                  [&](const std::array<int64_t, 2>& off, int64_t n) {
                    T* d = dst + off[0];
                    const T* s = src + off[1];
                    for (int64_t j = 0; j < n; ++j) f(d[j * ds], s[j * ss]);
                  });
}

// For each k, f(row idx[k] of `dst`, row k of `src`) on the rows (sub-arrays along axis
// 0), in order, so that repeated indices see each other's writes.
template <class F>
void for_each_indexed_row(const NDArray& dst, const NDArray& src, const NDArray& idx,
                          bool dst_is_indexed, std::string_view op, F&& f) {
  const NDArray& indexed = dst_is_indexed ? dst : src;
  const int64_t n = indexed.shape(0);
  const std::span<const int64_t> row_shape(dst.shape().data() + 1, dst.shape().size() - 1);
  visit_dtype(dst.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    for (int64_t k = 0; k < idx.shape(0); ++k) {
      const int64_t i = read_index(idx, k, n, op);
      const int64_t dst_row = dst_is_indexed ? i : k, src_row = dst_is_indexed ? k : i;
      for_each_pair<T>(row_shape, dst.data<T>() + dst_row * dst.strides()[0],
                       dst.strides().data() + 1, src.data<T>() + src_row * src.strides()[0],
                       src.strides().data() + 1, f);
    }
  });
}

}  // namespace

// ---- AdvancedSubtensor1 ----

std::vector<TensorType> AdvancedSubtensor1::make_types(std::span<const Var> inputs) const {
  const Var& x = inputs[0];
  const Var& idx = inputs[1];
  THEON_CHECK_USER(x.ndim() >= 1, IndexError)
      << "advanced_subtensor1: cannot index a scalar" << describe_inputs(inputs);
  expect_index_vector("advanced_subtensor1", idx);
  BroadcastPattern b{idx.broadcastable()[0]};
  for (int d = 1; d < x.ndim(); ++d) b.push_back(x.broadcastable()[d]);
  return {TensorType(x.dtype(), b)};
}

void AdvancedSubtensor1::perform(const ApplyNode&, std::span<const NDArray* const> in,
                                 std::span<NDArray* const> out) const {
  const NDArray& x = *in[0];
  const NDArray& idx = *in[1];
  Shape shape = x.shape();
  shape[0] = idx.shape(0);
  NDArray& o = reuse_or_allocate(*out[0], x.dtype(), shape);
  for_each_indexed_row(o, x, idx, /*dst_is_indexed=*/false, "advanced_subtensor1",
                       [](auto& d, const auto& s) { d = s; });
}

// d x[idx] / dx: gz added into zeros shaped like x (repeated rows accumulate).
Vars AdvancedSubtensor1::pullback(const ApplyNode& node, std::span<const Var> output_grads) const {
  Vars result(2);
  const Var& gz = output_grads[0];
  if (!gz.defined()) return result;
  const Var& x = node.inputs[0];
  Var g = gz.dtype() == x.dtype() ? gz : tensor::cast(VarArg(gz, node.loc), x.dtype());
  result[0] = advanced_inc_subtensor1(tensor::zeros_like(VarArg(x, node.loc)), g, node.inputs[1],
                                      /*set=*/false, node.loc);
  return result;
}

std::string AdvancedSubtensor1::print(std::span<const std::string> args) const {
  return args[0] + "[" + args[1] + "]";
}

// ---- AdvancedIncSubtensor1 ----

std::vector<TensorType> AdvancedIncSubtensor1::make_types(std::span<const Var> inputs) const {
  const Var& x = inputs[0];
  const Var& y = inputs[1];
  THEON_CHECK_USER(x.ndim() >= 1, IndexError)
      << name() << ": cannot index a scalar" << describe_inputs(inputs);
  expect_index_vector(name(), inputs[2]);
  THEON_CHECK_USER(y.dtype() == x.dtype(), TypeError)
      << name() << ": the value must have the dtype of x" << describe_inputs(inputs);
  THEON_CHECK_USER(y.ndim() <= x.ndim(), TypeError)
      << name() << ": cannot write a value of rank " << y.ndim() << " into an indexed part of rank "
      << x.ndim() << describe_inputs(inputs);
  return {x.type()};
}

void AdvancedIncSubtensor1::perform(const ApplyNode& node, std::span<const NDArray* const> in,
                                    std::span<NDArray* const> out) const {
  const NDArray& x = *in[0];
  const NDArray& idx = *in[2];
  const std::string op = name();
  Shape part = x.shape();
  part[0] = idx.shape(0);
  NDArray y = broadcast_value(*in[1], node.inputs[1].type(), part, op);
  NDArray& o = reuse_or_allocate(*out[0], x.dtype(), x.shape());
  o.assign(x);
  if (set_) {
    for_each_indexed_row(o, y, idx, /*dst_is_indexed=*/true, op,
                         [](auto& d, const auto& s) { d = s; });
  } else {
    for_each_indexed_row(o, y, idx, /*dst_is_indexed=*/true, op, [](auto& d, const auto& s) {
      d = static_cast<std::remove_reference_t<decltype(d)>>(d + s);
    });
  }
}

// set: gx = gz with the written rows zeroed; inc: gx = gz. gy = gz[idx], summed back
// over the dimensions the value was broadcast along. A set with repeated indices keeps
// only the last write to each row (as numpy's x[idx] = y), so only the rows of y written
// last get a gradient: last[i] is the position k of the last write to row i (computed by
// the same ordered set), and row k survives when last[idx[k]] == k.
Vars AdvancedIncSubtensor1::pullback(const ApplyNode& node,
                                     std::span<const Var> output_grads) const {
  using namespace tensor;
  Vars result(3);
  const Var& gz = output_grads[0];
  if (!gz.defined()) return result;
  const Loc& loc = node.loc;
  const Var& x = node.inputs[0];
  const Var& idx = node.inputs[2];
  result[0] = set_ ? advanced_inc_subtensor1(gz, constant(NDArray::zeros(gz.dtype(), {}), "", loc),
                                             idx, /*set=*/true, loc)
                   : gz;
  Var gy = advanced_subtensor1(gz, idx, loc);
  if (set_) {
    const Var positions = arange(VarArg(shape_i(VarArg(idx, loc), 0), loc));
    const Var last = advanced_inc_subtensor1(
        zeros({VarArg(shape_i(VarArg(x, loc), 0), loc)}, DType::Int64), positions, idx,
        /*set=*/true, loc);
    std::vector<DimEntry> pattern{0};
    for (int d = 1; d < gy.ndim(); ++d) pattern.push_back(DimEntry('x'));
    const Var survives =
        dimshuffle(VarArg(eq(VarArg(advanced_subtensor1(last, idx, loc), loc), positions), loc),
                   pattern);
    gy = switch_(VarArg(survives, loc), gy, 0);
  }
  result[1] = sum_to_value(gy, node.inputs[1], loc);
  return result;
}

Var advanced_subtensor1(const Var& x, const Var& idx, const Loc& loc) {
  return apply_op<AdvancedSubtensor1>(loc, {x, idx});
}

Var advanced_inc_subtensor1(const Var& x, const Var& y, const Var& idx, bool set, const Loc& loc) {
  return apply_op<AdvancedIncSubtensor1>(loc, {x, y, idx}, set);
}

}  // namespace theon::detail
