// sort, argsort, the permutation op that carries sort's gradient back, and searchsorted.
//
// Sorting is stable for every `kind` (std::stable_sort): equal elements keep their
// order, so sort and argsort agree and results do not depend on the algorithm. NaNs
// compare larger than everything, so they go last, as in NumPy.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "ops/extra/axis_lines.hpp"
#include "ops/op_util.hpp"
#include "serialize/private_ops.hpp"
#include "theon/extra_ops.hpp"

namespace theon::detail {
namespace {

// a < b in NumPy's sort order: NaN after every number.
template <class T>
bool sort_less(T a, T b) {
  if constexpr (std::is_floating_point_v<T>) {
    if (std::isnan(a)) return false;
    if (std::isnan(b)) return true;
  }
  return a < b;
}

void expect_sortable(std::string_view op, const Var& v) {
  THEON_CHECK_USER(!is_complex(v.dtype()), TypeError)
      << op << ": complex numbers are not ordered, got " << describe(v);
  THEON_CHECK_USER(v.ndim() > 0, ValueError)
      << op << ": needs at least one dimension, got " << describe(v);
}

class Sort final : public Op {
 public:
  Sort(int axis, bool indices) : axis_(axis), indices_(indices) {}
  std::string name() const override { return indices_ ? "argsort" : "sort"; }
  std::string props() const override { return "axis=" + std::to_string(axis_); }

  std::vector<TensorType> make_types(std::span<const Var> inputs) const override {
    const Var& x = inputs[0];
    THEON_ASSERT(axis_ >= 0 && axis_ < x.ndim()) << name() << ": axis " << axis_;
    return {TensorType(indices_ ? DType::Int64 : x.dtype(), x.broadcastable())};
  }

  void perform(const ApplyNode& node, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override {
    const NDArray& x = *in[0];
    NDArray& o = reuse_or_allocate(*out[0], node.outputs[0].type.dtype, x.shape());
    const int64_t n = x.shape(axis_);
    const int64_t xs = x.strides()[axis_], os = o.strides()[axis_];
    visit_dtype(x.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      if constexpr (ComplexElement<T>) {
        THEON_FAIL(InternalError) << name() << " reached the kernel with complex data";
      } else {
        std::vector<T> values(static_cast<size_t>(n));
        std::vector<int64_t> order(static_cast<size_t>(n));
        for_each_line<2>(x.shape(), axis_, {&x.strides(), &o.strides()},
                         [&](const std::array<int64_t, 2>& off) {
                           const T* xp = x.data<T>() + off[0];
                           for (int64_t i = 0; i < n; ++i) values[static_cast<size_t>(i)] = xp[i * xs];
                           std::iota(order.begin(), order.end(), int64_t{0});
                           std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
                             return sort_less(values[static_cast<size_t>(a)],
                                              values[static_cast<size_t>(b)]);
                           });
                           for (int64_t i = 0; i < n; ++i) {
                             const int64_t k = order[static_cast<size_t>(i)];
                             if (indices_)
                               o.data<int64_t>()[off[1] + i * os] = k;
                             else
                               o.data<T>()[off[1] + i * os] = values[static_cast<size_t>(k)];
                           }
                         });
      }
    });
  }

  Vars pullback(const ApplyNode& node, std::span<const Var> output_grads) const override;

 private:
  int axis_;
  bool indices_;
};

// (x, perm) of one shape -> x permuted along `axis` by the int64 permutation: gather
// out[i] = x[perm[i]], or (inverse) scatter out[perm[i]] = x[i]. Each is the other's
// gradient; the scatter is sort's gradient.
class PermuteAlongAxis final : public Op {
 public:
  PermuteAlongAxis(int axis, bool inverse) : axis_(axis), inverse_(inverse) {}
  std::string name() const override { return inverse_ ? "unpermute" : "permute"; }
  std::string props() const override { return "axis=" + std::to_string(axis_); }
  std::vector<TensorType> make_types(std::span<const Var> inputs) const override {
    return {inputs[0].type()};
  }
  void perform(const ApplyNode&, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override {
    const NDArray& x = *in[0];
    const NDArray& perm = *in[1];
    THEON_CHECK_USER(perm.shape() == x.shape() && perm.dtype() == DType::Int64, ShapeError)
        << name() << ": permutation of shape " << shape_str(perm.shape()) << " for "
        << shape_str(x.shape());
    NDArray& o = reuse_or_allocate(*out[0], x.dtype(), x.shape());
    const int64_t n = x.shape(axis_);
    const int64_t xs = x.strides()[axis_], ps = perm.strides()[axis_], os = o.strides()[axis_];
    visit_dtype(x.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      for_each_line<3>(x.shape(), axis_, {&x.strides(), &perm.strides(), &o.strides()},
                       [&](const std::array<int64_t, 3>& off) {
                         const T* xp = x.data<T>() + off[0];
                         const int64_t* pp = perm.data<int64_t>() + off[1];
                         T* op = o.data<T>() + off[2];
                         for (int64_t i = 0; i < n; ++i) {
                           const int64_t k = pp[i * ps];
                           THEON_CHECK_USER(k >= 0 && k < n, IndexError)
                               << name() << ": index " << k << " out of range for length " << n;
                           if (inverse_)
                             op[k * os] = xp[i * xs];
                           else
                             op[i * os] = xp[k * xs];
                         }
                       });
    });
  }
  Vars pullback(const ApplyNode& node, std::span<const Var> output_grads) const override {
    const Var& gz = output_grads[0];
    if (!gz.defined() || is_discrete(node.inputs[0].dtype())) return {Var(), Var()};
    return {apply_op<PermuteAlongAxis>(node.loc, {gz, node.inputs[1]}, axis_, !inverse_), Var()};
  }

 private:
  int axis_;
  bool inverse_;
};

Vars Sort::pullback(const ApplyNode& node, std::span<const Var> output_grads) const {
  const Var& x = node.inputs[0];
  const Var& gz = output_grads[0];
  if (!gz.defined() || is_discrete(x.dtype())) return {Var()};
  // argsort's indices are constant almost everywhere: zeros (as Theano's ArgSortOp).
  if (indices_) return {tensor::zeros_like(VarArg(x, node.loc))};
  // sorted[i] = x[order[i]], so dx[order[i]] = g[i].
  const Var order = apply_op<Sort>(node.loc, {x}, axis_, true);
  return {apply_op<PermuteAlongAxis>(node.loc, {gz, order}, axis_, true)};
}

Var sort_at(const VarArg& a, std::optional<int> axis, bool indices) {
  const char* op = indices ? "argsort" : "sort";
  const AxisInput in = flatten_unless_axis(a, axis, op);
  expect_sortable(op, in.x);
  return apply_op<Sort>(a.loc, {in.x}, in.axis, indices);
}

// ---- searchsorted ----

class SearchSorted final : public Op {
 public:
  explicit SearchSorted(bool right) : right_(right) {}
  std::string name() const override { return "searchsorted"; }
  std::string props() const override { return right_ ? "right" : "left"; }
  std::vector<TensorType> make_types(std::span<const Var> inputs) const override {
    return {TensorType(DType::Int64, inputs[1].broadcastable())};
  }
  void perform(const ApplyNode&, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override {
    const NDArray& x = *in[0];
    const NDArray& v = *in[1];
    const int64_t n = x.shape(0);
    std::vector<int64_t> order(static_cast<size_t>(n));
    std::iota(order.begin(), order.end(), int64_t{0});
    if (in.size() > 2) {
      const NDArray sorter = in[2]->astype(DType::Int64);
      THEON_CHECK_USER(sorter.shape(0) == n, ShapeError)
          << "searchsorted: sorter of length " << sorter.shape(0) << " for x of length " << n;
      for (int64_t i = 0; i < n; ++i) {
        const int64_t k = sorter.data<int64_t>()[i];
        THEON_CHECK_USER(k >= 0 && k < n, ValueError)
            << "searchsorted: sorter index " << k << " is out of range for x of length " << n;
        order[static_cast<size_t>(i)] = k;
      }
    }
    NDArray& o = reuse_or_allocate(*out[0], DType::Int64, v.shape());
    const NDArray flat_v = v.contiguous();
    int64_t* op = o.data<int64_t>();
    visit_dtype(x.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      if constexpr (ComplexElement<T>) {
        THEON_FAIL(InternalError) << "searchsorted reached the kernel with complex data";
      } else {
        const T* xp = x.data<T>();
        const int64_t xs = x.strides()[0];
        const T* vp = flat_v.data<T>();
        for (int64_t j = 0; j < flat_v.size(); ++j) {
          const T value = vp[j];
          // left: the first i with !(x[i] < value); right: the first with value < x[i].
          auto it = right_ ? std::upper_bound(order.begin(), order.end(), value,
                                              [&](T val, int64_t k) { return sort_less(val, xp[k * xs]); })
                           : std::lower_bound(order.begin(), order.end(), value,
                                              [&](int64_t k, T val) { return sort_less(xp[k * xs], val); });
          op[j] = it - order.begin();
        }
      }
    });
  }
  Vars pullback(const ApplyNode& node, std::span<const Var>) const override {
    return Vars(node.inputs.size());
  }

 private:
  bool right_;
};

}  // namespace

std::shared_ptr<const Op> make_permute_op(int axis, bool inverse) {
  return std::make_shared<const PermuteAlongAxis>(axis, inverse);
}

}  // namespace theon::detail

namespace theon::tensor {

Var sort(VarArg a, std::optional<int> axis) { return detail::sort_at(a, axis, false); }
Var argsort(VarArg a, std::optional<int> axis) { return detail::sort_at(a, axis, true); }

Var searchsorted(VarArg x, VarArg v, std::string_view side, std::optional<VarArg> sorter) {
  using namespace detail;
  THEON_CHECK_USER(side == "left" || side == "right", ValueError)
      << "searchsorted: side must be 'left' or 'right', got '" << side << "'";
  THEON_CHECK_USER(x.var.ndim() == 1, TypeError)
      << "searchsorted: x must be a vector (1-d), got " << describe(x.var);
  THEON_CHECK_USER(!is_complex(x.var.dtype()) && !is_complex(v.var.dtype()), TypeError)
      << "searchsorted: complex numbers are not ordered" << describe_inputs(Vars{x.var, v.var});
  // Both sides compare in their common dtype.
  const DType common = v.var.is_weak() ? promote(x.var.dtype(), v.var.dtype()) == x.var.dtype()
                                             ? x.var.dtype()
                                             : promote(x.var.dtype(), v.var.dtype())
                                       : promote(x.var.dtype(), v.var.dtype());
  Vars inputs{cast(x, common), cast(v, common)};
  if (sorter) {
    expect_integer("searchsorted", sorter->var, "sorter");
    THEON_CHECK_USER(sorter->var.ndim() == 1, TypeError)
        << "searchsorted: sorter must be an int vector, got " << describe(sorter->var);
    inputs.push_back(sorter->var);
  }
  return apply_op<SearchSorted>(x.loc, std::move(inputs), side == "right");
}

}  // namespace theon::tensor
