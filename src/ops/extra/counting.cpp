// to_one_hot and bincount: integer labels turned into codes and counts.
#include <algorithm>
#include <vector>

#include "ops/extra/axis_lines.hpp"
#include "ops/op_util.hpp"
#include "theon/extra_ops.hpp"
#include "theon/subtensor.hpp"

namespace theon::detail {
namespace {

// (y int vector, nb_class int scalar) -> the (len(y), nb_class) one-hot matrix.
class OneHot final : public Op {
 public:
  explicit OneHot(DType dtype) : dtype_(dtype) {}
  std::string name() const override { return "to_one_hot"; }
  std::string props() const override { return std::string(dtype_name(dtype_)); }
  std::vector<TensorType> make_types(std::span<const Var> inputs) const override {
    return {TensorType(dtype_, {inputs[0].broadcastable()[0], false})};
  }
  void perform(const ApplyNode&, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override {
    const NDArray y = in[0]->astype(DType::Int64);
    const int64_t classes = scalar_to_int(*in[1], name());
    THEON_CHECK_USER(classes >= 0, ValueError)
        << "to_one_hot: nb_class must be non-negative, got " << classes;
    NDArray& o = reuse_or_allocate(*out[0], dtype_, {y.shape(0), classes});
    o.fill(0);
    for (int64_t i = 0; i < y.shape(0); ++i) {
      const int64_t label = y.data<int64_t>()[i];
      THEON_CHECK_USER(label >= 0 && label < classes, IndexError)
          << "to_one_hot: label " << label << " at position " << i << " is outside [0, "
          << classes << ")";
      o.slice(0, Slice{i, i + 1, 1}).slice(1, Slice{label, label + 1, 1}).fill(1);
    }
  }
  Vars pullback(const ApplyNode&, std::span<const Var>) const override { return {Var(), Var()}; }

 private:
  DType dtype_;
};

// (x non-negative int vector, minlength int scalar[, weights]) -> counts or weight sums.
class Bincount final : public Op {
 public:
  std::string name() const override { return "bincount"; }
  std::vector<TensorType> make_types(std::span<const Var> inputs) const override {
    return {TensorType(inputs.size() > 2 ? inputs[2].dtype() : DType::Int64, {false})};
  }
  void perform(const ApplyNode& node, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override {
    const NDArray x = in[0]->astype(DType::Int64);
    const int64_t minlength = scalar_to_int(*in[1], name());
    THEON_CHECK_USER(minlength >= 0, ValueError)
        << "bincount: minlength must be non-negative, got " << minlength;
    const int64_t* xp = x.data<int64_t>();
    int64_t length = minlength;
    for (int64_t i = 0; i < x.size(); ++i) {
      THEON_CHECK_USER(xp[i] >= 0, ValueError)
          << "bincount: values must be non-negative, got " << xp[i] << " at position " << i;
      // max + 1 cannot overflow: a count vector that long could not be allocated anyway.
      THEON_CHECK_USER(xp[i] < (int64_t{1} << 48), MemoryError)
          << "bincount: value " << xp[i] << " asks for too many bins";
      length = std::max(length, xp[i] + 1);
    }
    NDArray& o = reuse_or_allocate(*out[0], node.outputs[0].type.dtype, {length});
    o.fill(0);
    if (in.size() == 2) {
      for (int64_t i = 0; i < x.size(); ++i) ++o.data<int64_t>()[xp[i]];
      return;
    }
    const NDArray& w = *in[2];
    THEON_CHECK_USER(w.shape(0) == x.size(), ShapeError)
        << "bincount: " << w.shape(0) << " weights for " << x.size() << " values";
    visit_dtype(w.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      if constexpr (!std::is_same_v<T, bool>) {
        T* op = o.data<T>();
        for (int64_t i = 0; i < x.size(); ++i) op[xp[i]] += w.data<T>()[i * w.strides()[0]];
      } else {
        for (int64_t i = 0; i < x.size(); ++i)
          o.data<bool>()[xp[i]] = o.data<bool>()[xp[i]] || w.data<bool>()[i * w.strides()[0]];
      }
    });
  }
  // Only the weights get a gradient: each weight feeds bin x[i].
  Vars pullback(const ApplyNode& node, std::span<const Var> output_grads) const override {
    Vars grads(node.inputs.size());
    const Var& gz = output_grads[0];
    if (node.inputs.size() > 2 && gz.defined() && !is_discrete(node.inputs[2].dtype()))
      grads[2] = tensor::index(VarArg(gz, node.loc), {IndexArg(VarArg(node.inputs[0], node.loc))});
    return grads;
  }
};

void expect_int_vector(std::string_view op, const Var& v, std::string_view what) {
  expect_integer(op, v, what);
  THEON_CHECK_USER(v.ndim() == 1, TypeError)
      << op << ": " << what << " must be a vector, got " << describe(v);
}

}  // namespace
}  // namespace theon::detail

namespace theon::tensor {

Var to_one_hot(VarArg y, VarArg nb_class, std::optional<DType> dtype) {
  using namespace detail;
  expect_int_vector("to_one_hot", y.var, "y");
  expect_int_scalar("to_one_hot", nb_class.var);
  return apply_op<OneHot>(y.loc, {y.var, nb_class.var}, dtype.value_or(config().floatX));
}

Var bincount(VarArg x, std::optional<VarArg> weights, std::optional<VarArg> minlength) {
  using namespace detail;
  expect_int_vector("bincount", x.var, "x");
  Vars inputs{x.var, minlength ? minlength->var : constant(NDArray::scalar<int64_t>(0), "", x.loc)};
  expect_int_scalar("bincount", inputs[1]);
  if (weights) {
    THEON_CHECK_USER(weights->var.ndim() == 1, TypeError)
        << "bincount: weights must be a vector, got " << describe(weights->var);
    inputs.push_back(weights->var);
  }
  return make_apply1(std::make_shared<const Bincount>(), std::move(inputs), x.loc);
}

}  // namespace theon::tensor
