#include "ops/nnet/softmax_crossentropy.hpp"

#include <cmath>
#include <vector>

#include "ops/nnet/softmax_kernel.hpp"
#include "ops/op_util.hpp"
#include "theon/nnet.hpp"
#include "theon/shape_ops.hpp"

namespace theon::detail {
namespace {

// Theano's CrossentropySoftmaxArgmax1HotWithBias idea without the bias and argmax
// outputs: the rewrite finds the bias add inside x anyway.
class CrossentropySoftmax1Hot final : public Op {
 public:
  std::string name() const override { return "crossentropy_softmax_1hot"; }

  std::vector<TensorType> make_types(std::span<const Var> in) const override {
    const Var& x = in[0];
    const Var& labels = in[1];
    expect_float(name(), x);
    THEON_CHECK_USER(x.ndim() == 2, TypeError)
        << name() << ": the logits must be a matrix (one row per example), got " << describe(x);
    THEON_CHECK_USER(labels.ndim() == 1 && is_integer(labels.dtype()), TypeError)
        << name() << ": integer labels must be a vector, got " << describe(labels);
    return {TensorType(x.dtype(), {x.broadcastable()[0] && labels.broadcastable()[0]})};
  }

  void perform(const ApplyNode& /*node*/, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override {
    const NDArray& x = *in[0];
    const NDArray& labels = *in[1];
    const int64_t n = x.shape(0), k = x.shape(1);
    THEON_CHECK_USER(labels.shape(0) == n, ShapeError)
        << "categorical_crossentropy: " << labels.shape(0) << " labels for " << n
        << " rows of the coding distribution";
    NDArray& o = reuse_or_allocate(*out[0], x.dtype(), {n});
    visit_dtype(x.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      if constexpr (std::is_floating_point_v<T>) {
        // Labels first: the rows may run on pool threads, which must not throw.
        std::vector<int64_t> label(static_cast<size_t>(n));
        for (int64_t i = 0; i < n; ++i) {
          label[i] = labels.at<int64_t>({i});
          THEON_CHECK_USER(label[i] >= 0 && label[i] < k, IndexError)
              << "categorical_crossentropy: label " << label[i] << " of row " << i
              << " is outside [0, " << k << ")";
        }
        const int64_t s0 = x.strides()[0], s1 = x.strides()[1];
        const T* x0 = x.data<T>();
        T* o0 = o.data<T>();
        softmax_rows::for_row_chunks(n, k, [&](int64_t begin, int64_t end) {
          std::vector<T> buffer;
          for (int64_t i = begin; i < end; ++i) {
            const T* row = x0 + i * s0;
            if (s1 != 1) {
              buffer.resize(static_cast<size_t>(k));
              for (int64_t j = 0; j < k; ++j) buffer[j] = row[j * s1];
              row = buffer.data();
            }
            // The same shift as the softmax op, so that rows with inf or NaN give what
            // -log(softmax(x)[label]) gives: NaN for +inf or NaN, inf for a -inf label.
            T m = softmax_rows::max(row, k);
            if (std::isinf(m) && m < 0) m = 0;
            const double total = softmax_rows::exp_sum<T>(row, m, nullptr, k);
            const double lse = static_cast<double>(m) + std::log(total);
            o0[i] = static_cast<T>(lse - static_cast<double>(row[label[i]]));
          }
        });
      } else {
        THEON_ASSERT(false) << name() << " on " << dtype_name(x.dtype());
      }
    });
  }

  // dx = (softmax(x) - onehot(labels)) * g[:, None]: bounded by |g| for any logits.
  Vars pullback(const ApplyNode& node, std::span<const Var> output_grads) const override {
    using namespace tensor;
    const Var& gz = output_grads[0];
    if (!gz.defined()) return {Var(), Var()};
    const Loc& loc = node.loc;
    const Var& x = node.inputs[0];
    const Var& labels = node.inputs[1];
    const Var classes = arange(VarArg(shape_i(VarArg(x, loc), 1), loc));
    const Var one_hot =
        cast(VarArg(eq(VarArg(dimshuffle(VarArg(labels, loc), {0, 'x'}), loc), classes), loc),
             x.dtype());
    const Var g = dimshuffle(VarArg(gz.dtype() == x.dtype() ? gz : cast(gz, x.dtype()), loc),
                             {0, 'x'});
    const Var p = nnet::softmax(VarArg(x, loc), 1);
    return {VarArg(VarArg(p, loc) - one_hot, loc) * g, Var()};
  }

  std::string print(std::span<const std::string> args) const override {
    return "crossentropy_softmax_1hot(" + args[0] + ", " + args[1] + ")";
  }
};

}  // namespace

Var crossentropy_softmax_1hot(const Var& x, const Var& labels, const Loc& loc) {
  return apply_op<CrossentropySoftmax1Hot>(loc, {x, labels});
}

}  // namespace theon::detail
