#include "ops/nnet/logsumexp.hpp"

#include <algorithm>
#include <cmath>

#include "ops/dimshuffle.hpp"
#include "ops/nnet/softmax_kernel.hpp"
#include "ops/op_util.hpp"
#include "theon/tensor.hpp"

namespace theon::detail {
namespace {

class LogSumExp final : public Op {
 public:
  LogSumExp(std::vector<int> axes, bool keepdims, int input_ndim)
      : axes_(std::move(axes)), keepdims_(keepdims), input_ndim_(input_ndim) {}

  std::string name() const override { return "logsumexp"; }
  std::string props() const override {
    std::string s = "axes=";
    for (int a : axes_) s += std::to_string(a) + ",";
    return s + (keepdims_ ? "keepdims" : "");
  }

  std::vector<TensorType> make_types(std::span<const Var> in) const override {
    const Var& x = in[0];
    expect_float(name(), x);
    THEON_CHECK_USER(x.ndim() == input_ndim_, TypeError)
        << name() << ": expects " << input_ndim_ << " dimensions, got " << describe(x);
    BroadcastPattern pattern;
    for (int d = 0; d < input_ndim_; ++d) {
      if (!is_reduced(d))
        pattern.push_back(x.broadcastable()[d]);
      else if (keepdims_)
        pattern.push_back(true);
    }
    return {TensorType(x.dtype(), pattern)};
  }

  void perform(const ApplyNode&, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override {
    const NDArray& x = *in[0];
    // Kept axes first, reduced axes last: each row of the (outer, inner) copy is one slice.
    std::vector<int> perm;
    Shape out_shape;
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < input_ndim_; ++d) {
      if (is_reduced(d)) {
        inner *= x.shape(d);
        if (keepdims_) out_shape.push_back(1);
      } else {
        perm.push_back(d);
        outer *= x.shape(d);
        out_shape.push_back(x.shape(d));
      }
    }
    for (int a : axes_) perm.push_back(a);
    const NDArray rows = x.transpose(perm).contiguous().reshape({outer, inner});
    NDArray& o = reuse_or_allocate(*out[0], x.dtype(), out_shape);
    visit_dtype(x.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      if constexpr (std::is_floating_point_v<T>) {
        const T* x0 = rows.data<T>();
        T* o0 = o.data<T>();
        softmax_rows::for_row_chunks(outer, inner, [&](int64_t begin, int64_t end) {
          for (int64_t i = begin; i < end; ++i) {
            const T* row = x0 + i * inner;
            T m = softmax_rows::max(row, inner);
            if (std::isinf(m)) m = 0;  // inf - inf would be NaN; the plain sum is right here
            const double total = softmax_rows::exp_sum<T>(row, m, nullptr, inner);
            o0[i] = static_cast<T>(static_cast<double>(m) + std::log(total));
          }
        });
      } else {
        THEON_ASSERT(false) << name() << " on " << dtype_name(x.dtype());
      }
    });
  }

  // d/dx = g * exp(x - out), with g and out lined up with x.
  Vars pullback(const ApplyNode& node, std::span<const Var> output_grads) const override {
    const Var& gz = output_grads[0];
    if (!gz.defined()) return {Var()};
    const Loc& loc = node.loc;
    const Var& x = node.inputs[0];
    auto expand = [&](const Var& v) {
      if (keepdims_) return v;
      std::vector<DimEntry> pattern;
      for (int d = 0, kept = 0; d < input_ndim_; ++d)
        pattern.push_back(is_reduced(d) ? DimEntry('x') : DimEntry(kept++));
      return dimshuffle_at(v, pattern, loc);
    };
    const Var g = expand(gz.dtype() == x.dtype() ? gz : tensor::cast(VarArg(gz, loc), x.dtype()));
    const Var shifted = tensor::sub(VarArg(x, loc), expand(node.output(0)));
    return {tensor::mul(VarArg(g, loc), tensor::exp(VarArg(shifted, loc)))};
  }

 private:
  bool is_reduced(int d) const { return std::find(axes_.begin(), axes_.end(), d) != axes_.end(); }

  std::vector<int> axes_;
  bool keepdims_;
  int input_ndim_;
};

}  // namespace

Var logsumexp(const Var& x, std::vector<int> axes, bool keepdims, const Loc& loc) {
  const int ndim = x.ndim();
  return apply_op<LogSumExp>(loc, {x}, std::move(axes), keepdims, ndim);
}

}  // namespace theon::detail
