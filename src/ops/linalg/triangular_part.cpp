// TriangularPart: numpy.tril / numpy.triu of a matrix, the masks that the gradients of
// triangular solves, Cholesky and eigh apply.
#include "ops/linalg/linalg_util.hpp"
#include "ops/op_util.hpp"

namespace theon::detail {
namespace {

// lower: keeps x[i, j] with j - i <= k; upper: keeps j - i >= k; zeros elsewhere.
class TriangularPart final : public Op {
 public:
  TriangularPart(bool lower, int k) : lower_(lower), k_(k) {}
  std::string name() const override { return lower_ ? "tril" : "triu"; }
  std::string props() const override { return "k=" + std::to_string(k_); }

  std::vector<TensorType> make_types(std::span<const Var> inputs) const override {
    THEON_ASSERT(inputs.size() == 1 && inputs[0].ndim() == 2) << name() << " takes a matrix";
    return {inputs[0].type()};
  }

  void perform(const ApplyNode&, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override {
    const NDArray& x = *in[0];
    NDArray& o = reuse_or_allocate(*out[0], x.dtype(), x.shape());
    o.assign(x);
    visit_dtype(x.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      T* p = o.data<T>();
      const int64_t rows = o.shape(0), cols = o.shape(1);
      for (int64_t i = 0; i < rows; ++i)
        for (int64_t j = 0; j < cols; ++j)
          if (lower_ ? j - i > k_ : j - i < k_) p[i * cols + j] = T{};
    });
  }

  // The mask is linear: its pullback is the same mask.
  Vars pullback(const ApplyNode& node, std::span<const Var> output_grads) const override {
    const Var& g = output_grads[0];
    if (!g.defined()) return {Var()};
    return {apply_op<TriangularPart>(node.loc, {g}, lower_, k_)};
  }

 private:
  bool lower_;
  int k_;
};

}  // namespace

Var tril_at(const Var& x, int k, const Loc& loc) {
  return apply_op<TriangularPart>(loc, {x}, true, k);
}
Var triu_at(const Var& x, int k, const Loc& loc) {
  return apply_op<TriangularPart>(loc, {x}, false, k);
}

}  // namespace theon::detail
