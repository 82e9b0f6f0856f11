// fill_diagonal and fill_diagonal_offset: one op, its gradient built from itself.
#include <algorithm>
#include <vector>

#include "ops/op_util.hpp"
#include "theon/extra_ops.hpp"
#include "theon/reduce.hpp"

namespace theon::detail {
namespace {

// (a, val scalar, offset int scalar) -> a copy of a with a[i, i + offset] = val (for a
// matrix), or a[i, i, ..., i] = val (for a tensor with equal dimensions, offset 0).
class FillDiagonal final : public Op {
 public:
  std::string name() const override { return "fill_diagonal"; }
  std::vector<TensorType> make_types(std::span<const Var> inputs) const override {
    return {inputs[0].type()};
  }
  void perform(const ApplyNode&, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override {
    const NDArray& a = *in[0];
    const int64_t offset = scalar_to_int(*in[2], name());
    NDArray& o = reuse_or_allocate(*out[0], a.dtype(), a.shape());
    o.assign(a);
    int64_t count = 0;
    int64_t start = 0;  // element offset of the first diagonal entry in o
    int64_t step = 0;   // and the step between entries
    if (a.ndim() == 2) {
      const int64_t rows = a.shape(0), cols = a.shape(1);
      if (offset >= 0) {
        count = std::max<int64_t>(0, std::min(rows, cols - std::min(offset, cols)));
        start = std::min(offset, cols) * o.strides()[1];
      } else {
        const int64_t down = offset < -rows ? rows : -offset;  // no overflow at INT64_MIN
        count = std::max<int64_t>(0, std::min(rows - down, cols));
        start = down * o.strides()[0];
      }
      step = o.strides()[0] + o.strides()[1];
    } else {
      THEON_CHECK_USER(offset == 0, ValueError)
          << "fill_diagonal_offset: needs a matrix, got an array of shape " << shape_str(a.shape());
      for (int d = 1; d < a.ndim(); ++d)
        THEON_CHECK_USER(a.shape(d) == a.shape(0), ShapeError)
            << "fill_diagonal: all dimensions of a " << a.ndim()
            << "-d array must have the same length, got shape " << shape_str(a.shape());
      count = a.shape(0);
      for (int d = 0; d < a.ndim(); ++d) step += o.strides()[d];
    }
    const NDArray val = in[1]->astype(a.dtype());
    visit_dtype(a.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      const T v = *val.data<T>();
      T* base = o.data<T>() + start;
      for (int64_t i = 0; i < count; ++i) base[i * step] = v;
    });
  }
  // d/da: g with the diagonal cleared; d/dval: the sum of g over the diagonal.
  Vars pullback(const ApplyNode& node, std::span<const Var> output_grads) const override {
    const Var& gz = output_grads[0];
    const Var& a = node.inputs[0];
    const Var& val = node.inputs[1];
    if (!gz.defined() || is_discrete(a.dtype())) return {Var(), Var(), Var()};
    const Loc& loc = node.loc;
    const Var& offset = node.inputs[2];
    auto fill = [&](const Var& target, double value) {
      const Var v = tensor::cast(VarArg(value, loc), target.dtype());
      return make_apply1(std::make_shared<const FillDiagonal>(), {target, v, offset}, loc);
    };
    const Var ga = fill(gz, 0);
    Var gval;
    if (!is_discrete(val.dtype())) {
      const Var mask = fill(tensor::zeros_like(VarArg(gz, loc)), 1);
      gval = tensor::sum(VarArg(gz * mask, loc));
      if (gval.dtype() != val.dtype()) gval = tensor::cast(VarArg(gval, loc), val.dtype());
    }
    return {ga, gval, Var()};
  }
};

Var fill_diagonal_at(const VarArg& a, const VarArg& val, const Var& offset, const char* op) {
  const Var& av = a.var;
  THEON_CHECK_USER(av.ndim() >= 2, TypeError)
      << op << ": needs an array of at least 2 dimensions, got " << describe(av);
  THEON_CHECK_USER(val.var.ndim() == 0, TypeError)
      << op << ": val must be a scalar, got " << describe(val.var);
  // NumPy would cast silently; as Theano, a value that needs a wider dtype than a's is
  // refused rather than truncated (a C++ or Python literal takes a's dtype).
  THEON_CHECK_USER(val.var.is_weak() ? !(is_float(val.var.dtype()) && is_discrete(av.dtype()))
                                     : promote(av.dtype(), val.var.dtype()) == av.dtype(),
                   TypeError)
      << op << ": val of dtype " << dtype_name(val.var.dtype()) << " does not fit a's dtype "
      << dtype_name(av.dtype()) << describe_inputs(Vars{av, val.var});
  expect_int_scalar(op, offset);
  const Var v = tensor::cast(val, av.dtype());
  return make_apply1(std::make_shared<const FillDiagonal>(), {av, v, offset}, a.loc);
}

}  // namespace
}  // namespace theon::detail

namespace theon::tensor {

Var fill_diagonal(VarArg a, VarArg val) {
  return detail::fill_diagonal_at(a, val, constant(NDArray::scalar<int64_t>(0), "", a.loc),
                                  "fill_diagonal");
}

Var fill_diagonal_offset(VarArg a, VarArg val, VarArg offset) {
  THEON_CHECK_USER(a.var.ndim() == 2, TypeError)
      << "fill_diagonal_offset: needs a matrix, got " << describe(a.var);
  return detail::fill_diagonal_at(a, val, offset.var, "fill_diagonal_offset");
}

}  // namespace theon::tensor
