// The layout of x[index] for a general index (which axes each entry reads, where each
// result dimension comes from) and its resolution against values (the offsets of the
// selected elements), shared by AdvancedSubtensor and AdvancedIncSubtensor.
#include <limits>

#include "core/checked_size.hpp"
#include "core/strided.hpp"
#include "ops/advanced_subtensor.hpp"
#include "ops/op_util.hpp"

namespace theon::detail {
namespace {

using Kind = AdvancedEntry::Kind;

int bound_inputs(const IndexEntry& e) {
  return e.start.is_input() + (e.is_slice && e.stop.is_input()) + (e.is_slice && e.step.is_input());
}

int entry_inputs(const AdvancedEntry& e) {
  switch (e.kind) {
    case Kind::Slice:
    case Kind::Scalar:
      return bound_inputs(e.basic);
    case Kind::Array:
    case Kind::Mask:
      return 1;
    case Kind::NewAxis:
      return 0;
  }
  return 0;
}

std::string shapes_str(const std::vector<NDArray>& arrays) {
  std::string s;
  for (const NDArray& a : arrays) s += (s.empty() ? "" : " ") + shape_str(a.shape());
  return s;
}

// NumPy's broadcasting of the index arrays' shapes.
Shape broadcast_index_shapes(const std::vector<NDArray>& arrays, int ndim, std::string_view op) {
  Shape shape(static_cast<size_t>(ndim), 1);
  for (const NDArray& a : arrays) {
    const int pad = ndim - a.ndim();
    for (int d = 0; d < a.ndim(); ++d) {
      int64_t& s = shape[pad + d];
      const int64_t n = a.shape(d);
      THEON_CHECK_USER(n == s || n == 1 || s == 1, IndexError)
          << op << ": shape mismatch: indexing arrays could not be broadcast together with shapes "
          << shapes_str(arrays);
      if (s == 1) s = n;
    }
  }
  return shape;
}

// The k integer arrays of mask.nonzero(), in C order, after checking that the mask's
// shape is that of the axes [axis, axis + k) of x.
std::vector<NDArray> nonzero(const NDArray& mask, const NDArray& x, int axis, std::string_view op) {
  const int k = mask.ndim();
  for (int d = 0; d < k; ++d)
    THEON_CHECK_USER(mask.shape(d) == x.shape(axis + d), IndexError)
        << op << ": boolean index did not match indexed array along dimension " << axis + d
        << "; dimension is " << x.shape(axis + d) << " but corresponding boolean dimension is "
        << mask.shape(d);
  const NDArray m = mask.contiguous();
  const bool* p = m.data<bool>();
  const int64_t n = m.size();
  int64_t count = 0;
  for (int64_t i = 0; i < n; ++i) count += p[i] ? 1 : 0;
  std::vector<NDArray> out;
  for (int d = 0; d < k; ++d) out.push_back(NDArray::empty(DType::Int64, {count}));
  SmallVec<int64_t, 6> at(static_cast<size_t>(k), 0);
  int64_t next = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (p[i]) {
      for (int d = 0; d < k; ++d) out[d].data<int64_t>()[next] = at[d];
      ++next;
    }
    for (int d = k - 1; d >= 0 && ++at[d] == m.shape(d); --d) at[d] = 0;
  }
  return out;
}

// offsets[j] += (index j of `values`, broadcast to `shape`) * stride, each index
// range-checked against `length` (axis `axis` of x) and wrapped when negative.
void add_offsets(const NDArray& values, const Shape& shape, int axis, int64_t length, int64_t stride,
                 std::vector<int64_t>& offsets, std::string_view op) {
  const NDArray b = values.broadcast_to(shape);
  visit_dtype(b.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
      const T* p = b.data<T>();
      const int64_t inner = shape.empty() ? 0 : b.strides().back();
      size_t flat = 0;
      for_each_row<1>(shape, {b.strides().data()}, [&](const std::array<int64_t, 1>& off, int64_t n) {
        for (int64_t j = 0; j < n; ++j) {
          const T raw = p[off[0] + j * inner];
          bool in_range;
          int64_t i;
          if constexpr (std::is_unsigned_v<T>) {
            in_range = static_cast<uint64_t>(raw) < static_cast<uint64_t>(length);
            i = static_cast<int64_t>(raw);
          } else {
            i = static_cast<int64_t>(raw);
            in_range = i >= -length && i < length;
          }
          if (!in_range) [[unlikely]] {
            if constexpr (std::is_unsigned_v<T>) {
              THEON_FAIL(IndexError) << op << ": index " << static_cast<uint64_t>(raw)
                                     << " is out of bounds for axis " << axis << " with size " << length;
            } else {
              THEON_FAIL(IndexError) << op << ": index " << i << " is out of bounds for axis " << axis
                                     << " with size " << length;
            }
          }
          offsets[flat++] += (i < 0 ? i + length : i) * stride;
        }
      });
    } else {
      THEON_FAIL(TypeError) << op << ": arrays used as indices must be of integer (or boolean) type, got "
                            << dtype_name(b.dtype());
    }
  });
}

}  // namespace

int count_inputs(const AdvancedIndex& index) {
  int n = 0;
  for (const AdvancedEntry& e : index) n += entry_inputs(e);
  return n;
}

std::string advanced_index_str(const AdvancedIndex& index, std::span<const std::string> names) {
  std::string s;
  size_t next = 0;
  auto name = [&](const char* fallback) { return next < names.size() ? names[next++] : std::string(fallback); };
  for (size_t i = 0; i < index.size(); ++i) {
    const AdvancedEntry& e = index[i];
    if (i) s += ", ";
    switch (e.kind) {
      case Kind::Slice:
      case Kind::Scalar: {
        const size_t n = static_cast<size_t>(bound_inputs(e.basic));
        const size_t from = std::min(next, names.size());
        s += index_list_str({e.basic}, names.subspan(from, std::min(n, names.size() - from)));
        next += n;
        break;
      }
      case Kind::Array: s += name("[]"); break;
      case Kind::Mask: s += name("[mask]"); break;
      case Kind::NewAxis: s += "None"; break;
    }
  }
  return s;
}

AdvancedLayout plan_advanced(const AdvancedIndex& index, int x_ndim, std::span<const Var> inputs,
                             std::string_view op) {
  AdvancedLayout l;
  int axis = 0, input = 0, first_advanced = -1, last_advanced = -1, n_advanced = 0;
  for (size_t i = 0; i < index.size(); ++i) {
    const AdvancedEntry& e = index[i];
    const int n_in = entry_inputs(e);
    THEON_ASSERT(input + n_in <= static_cast<int>(inputs.size()))
        << op << "{" << advanced_index_str(index) << "}: " << inputs.size() << " index inputs";
    l.first_axis.push_back(e.kind == Kind::NewAxis ? -1 : axis);
    l.first_input.push_back(n_in ? input : -1);
    if (e.kind == Kind::Array) {
      const Var& a = inputs[input];
      THEON_CHECK_USER(is_integer(a.dtype()) && !is_bool(a.dtype()), TypeError)
          << op << ": arrays used as indices must be of integer (or boolean) type, got " << describe(a);
      l.index_ndim = std::max(l.index_ndim, a.ndim());
    } else if (e.kind == Kind::Mask) {
      const Var& m = inputs[input];
      THEON_CHECK_USER(is_bool(m.dtype()) && m.ndim() >= 1, TypeError)
          << op << ": a boolean mask must be a bool array of rank 1 or more, got " << describe(m);
      l.index_ndim = std::max(l.index_ndim, 1);
    } else {
      for (int k = 0; k < n_in; ++k) expect_int_scalar(op, inputs[input + k]);
    }
    input += n_in;
    if (e.kind == Kind::NewAxis) continue;
    axis += e.kind == Kind::Mask ? inputs[input - 1].ndim() : 1;
    if (e.is_advanced()) {
      if (first_advanced < 0) first_advanced = static_cast<int>(i);
      last_advanced = static_cast<int>(i);
      ++n_advanced;
    }
  }
  THEON_ASSERT(input == static_cast<int>(inputs.size()))
      << op << "{" << advanced_index_str(index) << "}: " << inputs.size() << " index inputs";
  THEON_CHECK_USER(axis <= x_ndim, IndexError)
      << op << ": too many indices for array: array is " << x_ndim << "-dimensional, but " << axis
      << " were indexed";
  l.sliced_entry.assign(static_cast<size_t>(x_ndim), -1);
  const bool front = n_advanced > 0 && last_advanced - first_advanced + 1 != n_advanced;
  auto add_index_dims = [&] {
    for (int k = 0; k < l.index_ndim; ++k) l.dims.push_back({ResultDim::Kind::Index, k});
  };
  if (front) add_index_dims();
  for (size_t i = 0; i < index.size(); ++i) {
    switch (index[i].kind) {
      case Kind::Slice:
        l.sliced_entry[l.first_axis[i]] = static_cast<int>(i);
        l.dims.push_back({ResultDim::Kind::Kept, l.first_axis[i]});
        break;
      case Kind::NewAxis: l.dims.push_back({ResultDim::Kind::New, 0}); break;
      default:
        if (!front && static_cast<int>(i) == first_advanced) add_index_dims();
    }
  }
  for (int a = axis; a < x_ndim; ++a) l.dims.push_back({ResultDim::Kind::Kept, a});
  return l;
}

BroadcastPattern advanced_broadcastable(const AdvancedIndex& index, const AdvancedLayout& l, const Var& x,
                                        std::span<const Var> inputs) {
  BroadcastPattern index_b(static_cast<size_t>(l.index_ndim), true);
  for (size_t i = 0; i < index.size(); ++i) {
    if (index[i].kind == Kind::Mask) index_b[l.index_ndim - 1] = false;
    if (index[i].kind != Kind::Array) continue;
    const Var& a = inputs[l.first_input[i]];
    for (int d = 0; d < a.ndim(); ++d) {
      auto&& flag = index_b[l.index_ndim - a.ndim() + d];
      flag = flag && a.broadcastable()[d];
    }
  }
  BroadcastPattern out;
  for (const ResultDim& d : l.dims) {
    switch (d.kind) {
      case ResultDim::Kind::Index: out.push_back(index_b[d.at]); break;
      case ResultDim::Kind::New: out.push_back(true); break;
      case ResultDim::Kind::Kept: {
        const int s = l.sliced_entry[d.at];
        const bool b = x.broadcastable()[d.at];
        out.push_back(s < 0 ? b : indexed_broadcastable({index[s].basic}, {b})[0]);
      }
    }
  }
  return out;
}

ResolvedIndex resolve_advanced(const AdvancedIndex& index, const AdvancedLayout& l, const NDArray& x,
                               std::span<const NDArray* const> inputs, std::string_view op) {
  ResolvedIndex r;
  r.view = x;
  std::vector<NDArray> arrays;
  std::vector<int> axes;
  std::vector<char> consumed(static_cast<size_t>(x.ndim()), 0);
  for (size_t i = 0; i < index.size(); ++i) {
    const AdvancedEntry& e = index[i];
    const int axis = l.first_axis[i];
    const int n_in = entry_inputs(e);
    const std::span<const NDArray* const> mine =
        n_in ? inputs.subspan(static_cast<size_t>(l.first_input[i]), static_cast<size_t>(n_in))
             : std::span<const NDArray* const>();
    switch (e.kind) {
      case Kind::Slice: {
        IndexList list(static_cast<size_t>(axis), IndexEntry{true, {}, {}, {}});
        list.push_back(e.basic);
        r.view = apply_index(list, r.view, mine, op);
        break;
      }
      case Kind::Scalar:
        arrays.push_back(NDArray::scalar<int64_t>(e.basic.start.is_input() ? scalar_to_int(*mine[0], op)
                                                                             : e.basic.start.value));
        axes.push_back(axis);
        consumed[axis] = 1;
        break;
      case Kind::Array:
        arrays.push_back(*mine[0]);
        axes.push_back(axis);
        consumed[axis] = 1;
        break;
      case Kind::Mask: {
        std::vector<NDArray> parts = nonzero(*mine[0], x, axis, op);
        for (size_t d = 0; d < parts.size(); ++d) {
          arrays.push_back(std::move(parts[d]));
          axes.push_back(axis + static_cast<int>(d));
          consumed[axis + d] = 1;
        }
        break;
      }
      case Kind::NewAxis: break;
    }
  }
  r.index_shape = broadcast_index_shapes(arrays, l.index_ndim, op);
  int64_t points = 1;
  for (int64_t n : r.index_shape)
    points = checked_mul(points, n, [&] { return std::string(op) + ": the broadcast index shape"; });
  r.offsets.assign(static_cast<size_t>(points), 0);
  for (size_t k = 0; k < arrays.size() && points > 0; ++k)
    add_offsets(arrays[k], r.index_shape, axes[k], r.view.shape(axes[k]), r.view.strides()[axes[k]], r.offsets, op);
  for (int a = 0; a < x.ndim(); ++a)
    if (!consumed[a]) {
      r.kept_shape.push_back(r.view.shape(a));
      r.kept_strides.push_back(r.view.strides()[a]);
    }
  r.index_dims_at.resize(static_cast<size_t>(l.index_ndim));
  for (size_t p = 0; p < l.dims.size(); ++p) {
    const ResultDim& d = l.dims[p];
    switch (d.kind) {
      case ResultDim::Kind::Index:
        r.index_dims_at[d.at] = static_cast<int>(p);
        r.result_shape.push_back(r.index_shape[d.at]);
        break;
      case ResultDim::Kind::Kept:
        r.kept_dims_at.push_back(static_cast<int>(p));
        r.result_shape.push_back(r.view.shape(d.at));
        break;
      case ResultDim::Kind::New: r.result_shape.push_back(1); break;
    }
  }
  int64_t size = 1;
  for (int64_t n : r.result_shape)
    size = checked_mul(size, n, [&] { return std::string(op) + ": the result size"; });
  return r;
}

}  // namespace theon::detail
