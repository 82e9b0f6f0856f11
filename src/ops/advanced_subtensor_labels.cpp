// row_labels: the checks and the wrapping that x[arange(n), labels] performs on its
// indices, kept by the rewrite that hands the labels to ops indexing one label per row
// (crossentropy_softmax_1hot, the one-hot form of its gradient).
#include "ops/advanced_subtensor.hpp"
#include "ops/op_util.hpp"

namespace theon::detail {
namespace {

class RowLabels final : public Op {
 public:
  std::string name() const override { return "row_labels"; }

  std::vector<TensorType> make_types(std::span<const Var> in) const override {
    THEON_CHECK_USER(in[0].ndim() == 1 && is_integer(in[0].dtype()), TypeError)
        << name() << ": labels must be an integer vector" << describe_inputs(in);
    for (int i = 1; i < 4; ++i) expect_int_scalar(name(), in[i]);
    return {TensorType(DType::Int64, {false})};
  }

  void perform(const ApplyNode&, std::span<const NDArray* const> in, std::span<NDArray* const> out) const override {
    const NDArray& labels = *in[0];
    const std::string_view op = "advanced_subtensor";
    const int64_t n = std::max<int64_t>(scalar_to_int(*in[1], op), 0);
    const int64_t rows = scalar_to_int(*in[2], op), classes = scalar_to_int(*in[3], op);
    const int64_t len = labels.shape(0);
    THEON_CHECK_USER(len == n || len == 1, IndexError)
        << op << ": shape mismatch: indexing arrays could not be broadcast together with shapes (" << n << ",) ("
        << len << ",)";
    THEON_CHECK_USER(n <= rows, IndexError)
        << op << ": index " << rows << " is out of bounds for axis 0 with size " << rows;
    NDArray& o = reuse_or_allocate(*out[0], DType::Int64, {n});
    int64_t* dst = o.data<int64_t>();
    visit_dtype(labels.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
        const T* src = labels.data<T>();
        const int64_t stride = len == 1 ? 0 : labels.strides()[0];
        for (int64_t i = 0; i < n; ++i) {
          const T raw = src[i * stride];
          const bool in_range = std::is_unsigned_v<T> ? static_cast<uint64_t>(raw) < static_cast<uint64_t>(classes)
                                                      : static_cast<int64_t>(raw) >= -classes &&
                                                            static_cast<int64_t>(raw) < classes;
          const int64_t v = static_cast<int64_t>(raw);
          THEON_CHECK_USER(in_range, IndexError)
              << op << ": index " << +raw << " is out of bounds for axis 1 with size " << classes;
          dst[i] = v < 0 ? v + classes : v;
        }
      } else {
        THEON_ASSERT(false) << name() << " on " << dtype_name(labels.dtype());
      }
    });
  }

  Vars pullback(const ApplyNode&, std::span<const Var>) const override { return Vars(4); }

  std::string print(std::span<const std::string> args) const override {
    return "row_labels(" + args[0] + ", n=" + args[1] + ", rows=" + args[2] + ", classes=" + args[3] + ")";
  }
};

}  // namespace

Var row_labels(const Var& labels, const Var& n, const Var& rows, const Var& classes, const Loc& loc) {
  return apply_op<RowLabels>(loc, {labels, n, rows, classes});
}

}  // namespace theon::detail
