// The interpreter's reduction loops. The input is walked in memory order while an
// accumulator array (one entry per output element, stride 0 along reduced axes) absorbs
// it: when the innermost axis is reduced a row folds into one value (several
// independent lanes, so the loop vectorizes), when it is kept a row of inputs combines
// element-wise with a row of accumulators. Sums and products accumulate in int64,
// float64 or complex128 and are converted to the output dtype at the end.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <vector>

#include "core/strided.hpp"
#include "ops/reduce.hpp"
#include "ops/reduce_monoid.hpp"

namespace theon::detail {
namespace {

// The C++ type of reduce_out_dtype(K, dtype_of<T>).
template <ReduceKind K, class T>
using OutOf =
    std::conditional_t<K == ReduceKind::All || K == ReduceKind::Any, bool,
                       std::conditional_t<(K == ReduceKind::Sum || K == ReduceKind::Prod) &&
                                              !std::is_floating_point_v<T> && !ComplexElement<T>,
                                          int64_t, T>>;

template <class Acc, class T>
Acc to_acc(T v) {
  if constexpr (ComplexElement<Acc> && ComplexElement<T>)
    return Acc(v);
  else
    return convert_element<Acc>(v);
}

constexpr int kLanes = 8;

template <ReduceKind K, class T>
T pick(T candidate, T best) {
  if constexpr (K == ReduceKind::Max)
    return candidate > best ? candidate : best;
  else
    return candidate < best ? candidate : best;
}

// max or min of a contiguous float row. GCC vectorizes no float reduction on its own
// (it may not reorder them), so the lanes are explicit 16-byte vectors. The select
// drops NaNs, so `probe` sums v - v, which stays 0 unless a NaN or an infinity
// appears; false then asks the caller to fold the row exactly.
typedef float Float32x4 __attribute__((vector_size(16)));
typedef double Float64x2 __attribute__((vector_size(16)));

template <ReduceKind K, class T>
bool fold_extreme_fast(const T* x, int64_t n, T& result) {
  using V = std::conditional_t<std::is_same_v<T, float>, Float32x4, Float64x2>;
  constexpr int64_t kWidth = 16 / sizeof(T), kVectors = 4, kStep = kWidth * kVectors;
  if (n < kStep) return false;
  V best[kVectors], probe[kVectors];
  for (int a = 0; a < kVectors; ++a) {
    std::memcpy(&best[a], x + a * kWidth, sizeof(V));
    probe[a] = best[a] - best[a];
  }
  int64_t j = kStep;
  for (; j + kStep <= n; j += kStep) {
    for (int a = 0; a < kVectors; ++a) {
      V v;
      std::memcpy(&v, x + j + a * kWidth, sizeof(V));
      if constexpr (K == ReduceKind::Max)
        best[a] = v > best[a] ? v : best[a];
      else
        best[a] = v < best[a] ? v : best[a];
      probe[a] += v - v;
    }
  }
  T r = best[0][0], p = 0;
  for (int a = 0; a < kVectors; ++a) {
    for (int l = 0; l < kWidth; ++l) {
      r = pick<K>(best[a][l], r);
      p += probe[a][l];
    }
  }
  for (; j < n; ++j) {
    r = pick<K>(x[j], r);
    p += x[j] - x[j];
  }
  result = r;
  return p == 0;
}

// all / any of a contiguous row, a block at a time so that a decided row stops early.
template <ReduceKind K, class T>
bool fold_logical(const T* x, int64_t n) {
  constexpr int64_t kBlock = 512;
  constexpr bool kIsAll = K == ReduceKind::All;
  for (int64_t start = 0; start < n; start += kBlock) {
    const int64_t stop = std::min(n, start + kBlock);
    using Flag = std::conditional_t<sizeof(T) == 1, uint8_t, uint32_t>;  // vectorizes with T
    Flag decided = 0;
    for (int64_t j = start; j < stop; ++j) decided |= kIsAll ? x[j] == T(0) : x[j] != T(0);
    if (decided) return !kIsAll;
  }
  return kIsAll;
}

// Folds n elements at `stride` into one value.
template <ReduceKind K, class T, class Acc>
Acc fold_row(const T* x, int64_t n, int64_t stride) {
  using M = Monoid<K, Acc>;
  if constexpr ((K == ReduceKind::Max || K == ReduceKind::Min) && std::is_floating_point_v<T>) {
    T r;
    if (stride == 1 && fold_extreme_fast<K>(x, n, r)) return r;
  }
  if constexpr (K == ReduceKind::All || K == ReduceKind::Any) {
    if (stride == 1) return fold_logical<K>(x, n);
  }
  Acc lanes[kLanes];
  for (Acc& l : lanes) l = M::identity();
  int64_t j = 0;
  if (stride == 1) {
    for (; j + kLanes <= n; j += kLanes)
      for (int l = 0; l < kLanes; ++l) lanes[l] = M::combine(lanes[l], to_acc<Acc>(x[j + l]));
  }
  for (; j < n; ++j) lanes[0] = M::combine(lanes[0], to_acc<Acc>(x[j * stride]));
  Acc r = lanes[0];
  for (int l = 1; l < kLanes; ++l) r = M::combine(r, lanes[l]);
  return r;
}

// acc[j] = combine(acc[j], x[j]) over n elements.
template <ReduceKind K, class T, class Acc>
void combine_row(Acc* acc, int64_t acc_stride, const T* x, int64_t x_stride, int64_t n) {
  using M = Monoid<K, Acc>;
  if (acc_stride == 1 && x_stride == 1) {
    for (int64_t j = 0; j < n; ++j) acc[j] = M::combine(acc[j], to_acc<Acc>(x[j]));
  } else {
    for (int64_t j = 0; j < n; ++j)
      acc[j * acc_stride] = M::combine(acc[j * acc_stride], to_acc<Acc>(x[j * x_stride]));
  }
}

struct Dim {
  int64_t length;
  int64_t x_stride;
  int64_t acc_stride;
};

template <ReduceKind K, class T>
void reduce_typed(const NDArray& x, const std::vector<int>& axes, NDArray& out) {
  using Acc = typename AccOf<K, T>::type;
  using Out = OutOf<K, T>;
  using M = Monoid<K, Acc>;
  THEON_ASSERT(out.dtype() == dtype_of<Out> && out.is_contiguous())
      << reduce_name(K) << ": output is " << dtype_name(out.dtype()) << ", expected "
      << dtype_name(dtype_of<Out>);
  const int nd = x.ndim();
  auto reduced = [&](int d) { return std::binary_search(axes.begin(), axes.end(), d); };

  Shape kept_shape;
  for (int d = 0; d < nd; ++d)
    if (!reduced(d)) kept_shape.push_back(x.shape(d));
  const int64_t n_out = shape_size(kept_shape);
  Acc* acc;
  if constexpr (std::is_same_v<Acc, Out>) {
    acc = out.data<Out>();
  } else {
    // Kept between calls, so the steady state allocates nothing.
    thread_local std::vector<Acc> scratch;
    scratch.resize(static_cast<size_t>(n_out));
    acc = scratch.data();
  }
  std::fill(acc, acc + n_out, M::identity());

  // Length-1 axes do not move; the rest are walked in decreasing input stride, so the
  // innermost loop reads memory in order, and merged where both operands allow.
  const Strides kept_strides = contiguous_strides(kept_shape);
  SmallVec<Dim, 8> dims;
  for (int d = 0, k = 0; d < nd; ++d) {
    const int64_t acc_stride = reduced(d) ? 0 : kept_strides[k++];
    if (x.shape(d) != 1) dims.push_back({x.shape(d), x.strides()[d], acc_stride});
  }
  std::stable_sort(dims.begin(), dims.end(), [](const Dim& a, const Dim& b) {
    return std::abs(a.x_stride) > std::abs(b.x_stride);
  });
  Shape shape;
  Strides x_strides, acc_strides;
  for (const Dim& dim : dims) {
    const size_t last = shape.size() - 1;
    if (!shape.empty() && x_strides[last] == dim.x_stride * dim.length &&
        acc_strides[last] == dim.acc_stride * dim.length) {
      shape[last] *= dim.length;
      x_strides[last] = dim.x_stride;
      acc_strides[last] = dim.acc_stride;
      continue;
    }
    shape.push_back(dim.length);
    x_strides.push_back(dim.x_stride);
    acc_strides.push_back(dim.acc_stride);
  }

  const T* x_base = x.data<T>();
  const int64_t x_inner = shape.empty() ? 1 : x_strides.back();
  const int64_t acc_inner = shape.empty() ? 0 : acc_strides.back();
  const std::array<const int64_t*, 2> strides{x_strides.data(), acc_strides.data()};
  for_each_row<2>(shape, strides, [&](const std::array<int64_t, 2>& offsets, int64_t n) {
    const T* px = x_base + offsets[0];
    Acc* pa = acc + offsets[1];
    if (acc_inner == 0)
      *pa = M::combine(*pa, fold_row<K, T, Acc>(px, n, x_inner));
    else
      combine_row<K, T, Acc>(pa, acc_inner, px, x_inner, n);
  });

  if constexpr (!std::is_same_v<Acc, Out>) {
    Out* o = out.data<Out>();
    for (int64_t i = 0; i < n_out; ++i) o[i] = static_cast<Out>(acc[i]);
  }
}

template <ReduceKind K>
void dispatch(const NDArray& x, const std::vector<int>& axes, NDArray& out) {
  visit_dtype(x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr ((K == ReduceKind::Max || K == ReduceKind::Min) && ComplexElement<T>) {
      THEON_FAIL(InternalError) << reduce_name(K) << " reached the kernel with complex data";
    } else {
      reduce_typed<K, T>(x, axes, out);
    }
  });
}

}  // namespace

void run_reduce(ReduceKind kind, const NDArray& x, const std::vector<int>& axes, bool keepdims,
                NDArray& out) {
  Shape out_shape;
  int64_t n_reduced = 1;
  for (int d = 0; d < x.ndim(); ++d) {
    const bool is_reduced = std::binary_search(axes.begin(), axes.end(), d);
    if (is_reduced) n_reduced *= x.shape(d);
    if (!is_reduced)
      out_shape.push_back(x.shape(d));
    else if (keepdims)
      out_shape.push_back(1);
  }
  const char* name = reduce_name(kind);
  // As NumPy: an empty reduction of max or min fails even when the output is empty.
  THEON_CHECK_USER(n_reduced > 0 || (kind != ReduceKind::Max && kind != ReduceKind::Min),
                   ValueError)
      << name << ": zero-size array to reduction operation " << name
      << ", which has no identity (input shape " << shape_str(x.shape()) << ")";
  reuse_or_allocate(out, reduce_out_dtype(kind, x.dtype()), out_shape);
  switch (kind) {
    case ReduceKind::Sum:
      return dispatch<ReduceKind::Sum>(x, axes, out);
    case ReduceKind::Prod:
      return dispatch<ReduceKind::Prod>(x, axes, out);
    case ReduceKind::Max:
      return dispatch<ReduceKind::Max>(x, axes, out);
    case ReduceKind::Min:
      return dispatch<ReduceKind::Min>(x, axes, out);
    case ReduceKind::All:
      return dispatch<ReduceKind::All>(x, axes, out);
    case ReduceKind::Any:
      return dispatch<ReduceKind::Any>(x, axes, out);
  }
}

void Reduce::perform(const ApplyNode&, std::span<const NDArray* const> in,
                     std::span<NDArray* const> out) const {
  run_reduce(kind_, *in[0], axes_, keepdims_, *out[0]);
}

}  // namespace theon::detail
