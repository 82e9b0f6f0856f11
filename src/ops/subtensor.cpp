// Basic indexing (Subtensor, IncSubtensor) and the index-structure helpers the advanced
// ops share. The public index / set_subtensor / inc_subtensor are in
// advanced_subtensor_index.cpp.
#include "ops/subtensor.hpp"

#include "core/slice_extent.hpp"
#include "core/strided.hpp"
#include "ops/op_util.hpp"
#include "theon/reduce.hpp"
#include "theon/shape_ops.hpp"
#include "theon/subtensor.hpp"

namespace theon::detail {
namespace {

// A slice of a length-1 axis keeps the axis broadcastable only when it provably keeps
// its one element: x[:] and x[::-1] do, x[1:] (length 0) does not.
bool slice_keeps_one(const IndexEntry& e) {
  using K = IndexBound::Kind;
  if (e.start.is_input() || e.stop.is_input()) return false;
  if (e.step.is_input()) return e.start.kind == K::Absent && e.stop.kind == K::Absent;
  auto value = [](const IndexBound& b) -> std::optional<int64_t> {
    if (b.kind == K::Absent) return std::nullopt;
    return b.value;
  };
  const Slice s{value(e.start), value(e.stop), e.step.kind == K::Absent ? 1 : e.step.value};
  return s.step != 0 && slice_extent(1, s).second == 1;
}

std::string bound_str(const IndexBound& b, std::span<const std::string> names, size_t& next) {
  switch (b.kind) {
    case IndexBound::Kind::Absent:
      return "";
    case IndexBound::Kind::Constant:
      return std::to_string(b.value);
    case IndexBound::Kind::Input:
      return next < names.size() ? names[next++] : "$";
  }
  return "";
}

// A bound's value at run time; std::nullopt when absent, so that no integer (-2^63
// included) can be mistaken for "absent".
std::optional<int64_t> resolve(const IndexBound& b, std::span<const NDArray* const> bounds,
                               size_t& next, std::string_view op) {
  switch (b.kind) {
    case IndexBound::Kind::Absent:
      return std::nullopt;
    case IndexBound::Kind::Constant:
      return b.value;
    case IndexBound::Kind::Input:
      return scalar_to_int(*bounds[next++], op);
  }
  return std::nullopt;
}

Var zero_like_scalar(DType dtype, const Loc& loc) {
  return constant(NDArray::zeros(dtype, {}), "", loc);
}

}  // namespace

int count_inputs(const IndexList& list) {
  int n = 0;
  for (const IndexEntry& e : list)
    n += e.start.is_input() + (e.is_slice && e.stop.is_input()) + (e.is_slice && e.step.is_input());
  return n;
}

std::string index_list_str(const IndexList& list, std::span<const std::string> names) {
  std::string s;
  size_t next = 0;
  for (size_t i = 0; i < list.size(); ++i) {
    const IndexEntry& e = list[i];
    if (i) s += ", ";
    s += bound_str(e.start, names, next);
    if (!e.is_slice) continue;
    s += ':';
    s += bound_str(e.stop, names, next);
    if (e.step.kind == IndexBound::Kind::Absent) continue;
    s += ':';
    s += bound_str(e.step, names, next);
  }
  return s;
}

BroadcastPattern indexed_broadcastable(const IndexList& list, const BroadcastPattern& x) {
  BroadcastPattern out;
  for (size_t axis = 0; axis < list.size(); ++axis)
    if (list[axis].is_slice) out.push_back(x[axis] && slice_keeps_one(list[axis]));
  for (size_t axis = list.size(); axis < x.size(); ++axis) out.push_back(x[axis]);
  return out;
}

NDArray apply_index(const IndexList& list, const NDArray& x, std::span<const NDArray* const> bounds,
                    std::string_view op) {
  THEON_ASSERT(static_cast<int>(list.size()) <= x.ndim())
      << op << ": " << list.size() << " indices for an array of shape " << shape_str(x.shape());
  NDArray v = x;
  size_t next = 0;
  int kept = 0;  // axis of v that corresponds to the current axis of x
  for (size_t axis = 0; axis < list.size(); ++axis) {
    const IndexEntry& e = list[axis];
    const int64_t n = v.shape(kept);
    if (!e.is_slice) {
      const int64_t i = resolve(e.start, bounds, next, op).value();
      THEON_CHECK_USER(i >= -n && i < n, IndexError)
          << op << ": index " << i << " is out of bounds for axis " << axis << " with size " << n;
      v = v.index(kept, i);
      continue;
    }
    Slice s;
    s.start = resolve(e.start, bounds, next, op);
    s.stop = resolve(e.stop, bounds, next, op);
    s.step = resolve(e.step, bounds, next, op).value_or(1);
    THEON_CHECK_USER(s.step != 0, ValueError)
        << op << ": slice step cannot be zero (axis " << axis << ")";
    v = v.slice(kept++, s);
  }
  return v;
}

NDArray broadcast_value(const NDArray& y, const TensorType& y_type, const Shape& shape,
                        std::string_view op) {
  const int pad = static_cast<int>(shape.size()) - y.ndim();
  THEON_ASSERT(pad >= 0) << op << ": value of rank " << y.ndim() << " for indexed rank "
                         << shape.size();
  for (int d = 0; d < y.ndim(); ++d) {
    const bool stretches = y_type.broadcastable[d] && y.shape(d) == 1;
    THEON_CHECK_USER(y.shape(d) == shape[pad + d] || stretches, ShapeError)
        << op << ": cannot broadcast the value of shape " << shape_str(y.shape())
        << " to the indexed shape " << shape_str(shape) << " (dimension " << d
        << " of the value is not broadcastable, so its length must match)";
  }
  return y.broadcast_to(shape);
}

void add_into(const NDArray& dst, const NDArray& src) {
  THEON_ASSERT(dst.dtype() == src.dtype() && dst.shape() == src.shape())
      << "add_into: " << shape_str(dst.shape()) << " and " << shape_str(src.shape());
  visit_dtype(dst.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* d = dst.data<T>();
    const T* s = src.data<T>();
    const int nd = dst.ndim();
    const int64_t ds = nd ? dst.strides().back() : 0, ss = nd ? src.strides().back() : 0;
    for_each_row<2>(dst.shape(), {dst.strides().data(), src.strides().data()},
                    [&](const std::array<int64_t, 2>& off, int64_t n) {
                      T* dr = d + off[0];
                      const T* sr = s + off[1];
                      for (int64_t j = 0; j < n; ++j)
                        dr[j * ds] = static_cast<T>(dr[j * ds] + sr[j * ss]);
                    });
  });
}

Var sum_to_value(const Var& gy, const Var& y, const Loc& loc) {
  Var g = gy;
  const int lead = gy.ndim() - y.ndim();
  if (lead > 0) {
    std::vector<int> axes;
    for (int d = 0; d < lead; ++d) axes.push_back(d);
    g = tensor::sum(VarArg(g, loc), Axes(axes));
  }
  std::vector<int> axes;
  for (int d = 0; d < y.ndim(); ++d)
    if (y.broadcastable()[d] && !g.broadcastable()[d]) axes.push_back(d);
  if (!axes.empty()) g = tensor::sum(VarArg(g, loc), Axes(axes), /*keepdims=*/true);
  if (g.dtype() != y.dtype()) g = tensor::cast(VarArg(g, loc), y.dtype());
  return g;
}

// ---- Subtensor ----

std::vector<TensorType> Subtensor::make_types(std::span<const Var> inputs) const {
  const Var& x = inputs[0];
  THEON_ASSERT(static_cast<int>(inputs.size()) == 1 + count_inputs(list_))
      << "subtensor{" << props() << "}: " << inputs.size() << " inputs";
  THEON_CHECK_USER(static_cast<int>(list_.size()) <= x.ndim(), IndexError)
      << "subtensor: too many indices (" << list_.size() << ") for " << describe(x);
  for (size_t i = 1; i < inputs.size(); ++i) expect_int_scalar("subtensor", inputs[i]);
  return {TensorType(x.dtype(), indexed_broadcastable(list_, x.broadcastable()))};
}

void Subtensor::perform(const ApplyNode&, std::span<const NDArray* const> in,
                        std::span<NDArray* const> out) const {
  *out[0] = apply_index(list_, *in[0], in.subspan(1), "subtensor");
}

// d x[idx] / dx: gz written into zeros shaped like x.
Vars Subtensor::pullback(const ApplyNode& node, std::span<const Var> output_grads) const {
  Vars result(node.inputs.size());
  const Var& gz = output_grads[0];
  if (!gz.defined()) return result;
  const Var& x = node.inputs[0];
  const Vars bounds(node.inputs.begin() + 1, node.inputs.end());
  Var g = gz.dtype() == x.dtype() ? gz : tensor::cast(VarArg(gz, node.loc), x.dtype());
  result[0] = inc_subtensor(tensor::zeros_like(VarArg(x, node.loc)), g, list_, bounds,
                            /*set=*/false, node.loc);
  return result;
}

std::string Subtensor::print(std::span<const std::string> args) const {
  return args[0] + "[" + index_list_str(list_, args.subspan(1)) + "]";
}

// ---- IncSubtensor ----

std::vector<TensorType> IncSubtensor::make_types(std::span<const Var> inputs) const {
  const Var& x = inputs[0];
  const Var& y = inputs[1];
  THEON_ASSERT(static_cast<int>(inputs.size()) == 2 + count_inputs(list_))
      << name() << "{" << props() << "}: " << inputs.size() << " inputs";
  THEON_CHECK_USER(static_cast<int>(list_.size()) <= x.ndim(), IndexError)
      << name() << ": too many indices (" << list_.size() << ") for " << describe(x);
  for (size_t i = 2; i < inputs.size(); ++i) expect_int_scalar(name(), inputs[i]);
  THEON_CHECK_USER(y.dtype() == x.dtype(), TypeError)
      << name() << ": the value must have the dtype of x" << describe_inputs(inputs);
  const int indexed_ndim = static_cast<int>(indexed_broadcastable(list_, x.broadcastable()).size());
  THEON_CHECK_USER(y.ndim() <= indexed_ndim, TypeError)
      << name() << ": cannot write a value of rank " << y.ndim() << " into an indexed part of rank "
      << indexed_ndim << describe_inputs(inputs);
  return {x.type()};
}

void IncSubtensor::perform(const ApplyNode& node, std::span<const NDArray* const> in,
                           std::span<NDArray* const> out) const {
  const NDArray& x = *in[0];
  NDArray& o = reuse_or_allocate(*out[0], x.dtype(), x.shape());
  // In place (the interpreter gave x's buffer to the output): nothing to copy.
  if (o.raw() != x.raw() || o.strides() != x.strides()) o.assign(x);
  const std::string op = name();
  NDArray part = apply_index(list_, o, in.subspan(2), op);
  NDArray y = broadcast_value(*in[1], node.inputs[1].type(), part.shape(), op);
  if (set_) {
    part.assign(y);
  } else {
    add_into(part, y);
  }
}

// set: gx = gz with the written part zeroed; inc: gx = gz. gy = gz[idx], summed back
// over the dimensions the value was broadcast along.
Vars IncSubtensor::pullback(const ApplyNode& node, std::span<const Var> output_grads) const {
  Vars result(node.inputs.size());
  const Var& gz = output_grads[0];
  if (!gz.defined()) return result;
  const Vars bounds(node.inputs.begin() + 2, node.inputs.end());
  result[0] = set_ ? inc_subtensor(gz, zero_like_scalar(gz.dtype(), node.loc), list_, bounds,
                                   /*set=*/true, node.loc)
                   : gz;
  result[1] = sum_to_value(subtensor(gz, list_, bounds, node.loc), node.inputs[1], node.loc);
  return result;
}

std::string IncSubtensor::print(std::span<const std::string> args) const {
  return name() + "(" + args[0] + "[" + index_list_str(list_, args.subspan(2)) + "], " + args[1] +
         ")";
}

Var subtensor(const Var& x, const IndexList& list, const Vars& bounds, const Loc& loc) {
  Vars inputs{x};
  inputs.insert(inputs.end(), bounds.begin(), bounds.end());
  return apply_op<Subtensor>(loc, std::move(inputs), list);
}

Var inc_subtensor(const Var& x, const Var& y, const IndexList& list, const Vars& bounds, bool set,
                  const Loc& loc) {
  Vars inputs{x, y};
  inputs.insert(inputs.end(), bounds.begin(), bounds.end());
  return apply_op<IncSubtensor>(loc, std::move(inputs), list, set);
}

}  // namespace theon::detail
