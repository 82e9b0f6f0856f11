// unravel_index and ravel_multi_index: flat indices to coordinates and back.
#include <vector>

#include "core/checked_size.hpp"
#include "ops/extra/axis_lines.hpp"
#include "ops/op_util.hpp"
#include "ops/shape_ops.hpp"
#include "theon/extra_ops.hpp"

namespace theon::detail {
namespace {

// The dims vector as lengths, checked non-negative, with their product.
Shape read_dims(const NDArray& dims_value, size_t expected, std::string_view op) {
  const NDArray d = dims_value.astype(DType::Int64);
  THEON_CHECK_USER(d.ndim() == 1 && static_cast<size_t>(d.shape(0)) == expected, ShapeError)
      << op << ": dims of shape " << shape_str(d.shape()) << " for " << expected << " coordinates";
  Shape dims;
  for (int64_t i = 0; i < d.shape(0); ++i) {
    THEON_CHECK_USER(d.data<int64_t>()[i] >= 0, ValueError)
        << op << ": dimensions must be non-negative, got " << to_string(d);
    dims.push_back(d.data<int64_t>()[i]);
  }
  shape_size(dims);  // MemoryError when the product does not fit
  return dims;
}

// The step of each coordinate in the flat index: row-major for 'C', column-major for 'F'.
std::vector<int64_t> place_values(const Shape& dims, bool fortran) {
  const size_t k = dims.size();
  std::vector<int64_t> steps(k);
  int64_t step = 1;
  for (size_t j = 0; j < k; ++j) {
    const size_t i = fortran ? j : k - 1 - j;
    steps[i] = step;
    step *= dims[i] == 0 ? 1 : dims[i];
  }
  return steps;
}

// (indices, dims) -> one coordinate array per dimension.
class Unravel final : public Op {
 public:
  Unravel(int n, bool fortran) : n_(n), fortran_(fortran) {}
  std::string name() const override { return "unravel_index"; }
  std::string props() const override { return std::to_string(n_) + (fortran_ ? ",F" : ",C"); }
  std::vector<TensorType> make_types(std::span<const Var> inputs) const override {
    return std::vector<TensorType>(static_cast<size_t>(n_),
                                   TensorType(DType::Int64, inputs[0].broadcastable()));
  }
  void perform(const ApplyNode&, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override {
    const NDArray indices = in[0]->astype(DType::Int64);
    const Shape dims = read_dims(*in[1], static_cast<size_t>(n_), name());
    const int64_t size = shape_size(dims);
    const std::vector<int64_t> steps = place_values(dims, fortran_);
    std::vector<int64_t*> coords;
    for (int k = 0; k < n_; ++k)
      coords.push_back(reuse_or_allocate(*out[k], DType::Int64, indices.shape()).data<int64_t>());
    const int64_t* ip = indices.data<int64_t>();
    for (int64_t j = 0; j < indices.size(); ++j) {
      const int64_t flat = ip[j];
      THEON_CHECK_USER(flat >= 0 && flat < size, ValueError)
          << "unravel_index: index " << flat << " is out of bounds for an array of shape "
          << shape_str(dims) << " (size " << size << ")";
      for (int k = 0; k < n_; ++k)
        coords[static_cast<size_t>(k)][j] = (flat / steps[static_cast<size_t>(k)]) % dims[k];
    }
  }
  Vars pullback(const ApplyNode&, std::span<const Var>) const override { return {Var(), Var()}; }

 private:
  int n_;
  bool fortran_;
};

enum class RavelMode { Raise, Wrap, Clip };

// (coordinate arrays..., dims) -> flat indices, the coordinates broadcast together.
class Ravel final : public Op {
 public:
  Ravel(RavelMode mode, bool fortran) : mode_(mode), fortran_(fortran) {}
  std::string name() const override { return "ravel_multi_index"; }
  std::string props() const override {
    return std::to_string(static_cast<int>(mode_)) + (fortran_ ? ",F" : ",C");
  }
  std::vector<TensorType> make_types(std::span<const Var> inputs) const override {
    int nd = 0;
    for (size_t k = 0; k + 1 < inputs.size(); ++k) nd = std::max(nd, inputs[k].ndim());
    BroadcastPattern pattern(static_cast<size_t>(nd), true);
    for (size_t k = 0; k + 1 < inputs.size(); ++k) {
      const int pad = nd - inputs[k].ndim();
      for (int d = 0; d < inputs[k].ndim(); ++d)
        pattern[pad + d] = pattern[pad + d] && inputs[k].broadcastable()[d];
    }
    return {TensorType(DType::Int64, pattern)};
  }
  void perform(const ApplyNode& node, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override {
    const size_t n = in.size() - 1;
    const Shape dims = read_dims(*in[n], n, name());
    const std::vector<int64_t> steps = place_values(dims, fortran_);
    // NumPy broadcasting of the coordinate arrays.
    const int nd = node.outputs[0].type.ndim();
    Shape shape(static_cast<size_t>(nd), 1);
    for (size_t k = 0; k < n; ++k) {
      const int pad = nd - in[k]->ndim();
      for (int d = 0; d < in[k]->ndim(); ++d) {
        const int64_t len = in[k]->shape(d);
        int64_t& s = shape[static_cast<size_t>(pad + d)];
        THEON_CHECK_USER(len == s || len == 1 || s == 1, ShapeError)
            << "ravel_multi_index: coordinate arrays of shapes that do not broadcast (input "
            << k << " has shape " << shape_str(in[k]->shape()) << ")";
        if (s == 1) s = len;
      }
    }
    std::vector<NDArray> coords;
    for (size_t k = 0; k < n; ++k)
      coords.push_back(in[k]->astype(DType::Int64).broadcast_to(shape).contiguous());
    NDArray& o = reuse_or_allocate(*out[0], DType::Int64, shape);
    int64_t* op = o.data<int64_t>();
    for (int64_t j = 0; j < o.size(); ++j) {
      int64_t flat = 0;
      for (size_t k = 0; k < n; ++k) {
        int64_t c = coords[k].data<int64_t>()[j];
        const int64_t len = dims[k];
        if (c < 0 || c >= len) {
          THEON_CHECK_USER(mode_ != RavelMode::Raise && len > 0, ValueError)
              << "ravel_multi_index: coordinate " << c << " is out of range for dimension " << k
              << " of length " << len << " (mode 'raise')";
          c = mode_ == RavelMode::Wrap ? ((c % len) + len) % len : (c < 0 ? 0 : len - 1);
        }
        flat += c * steps[k];
      }
      op[j] = flat;
    }
  }
  Vars pullback(const ApplyNode& node, std::span<const Var>) const override {
    return Vars(node.inputs.size());
  }

 private:
  RavelMode mode_;
  bool fortran_;
};

bool is_fortran(char order, std::string_view op) {
  THEON_CHECK_USER(order == 'C' || order == 'F', ValueError)
      << op << ": order must be 'C' or 'F', got '" << order << "'";
  return order == 'F';
}

}  // namespace
}  // namespace theon::detail

namespace theon::tensor {

std::vector<Var> unravel_index(VarArg indices, const ShapeArg& dims, char order) {
  using namespace detail;
  const bool fortran = is_fortran(order, "unravel_index");
  expect_integer("unravel_index", indices.var, "indices");
  expect_integer("unravel_index", dims.vector(), "dims");
  THEON_CHECK_USER(dims.length() >= 1, ValueError)
      << "unravel_index: dims must be a non-empty list whose length is known when the graph "
         "is built, got "
      << describe(dims.vector());
  return make_apply(std::make_shared<const Unravel>(dims.length(), fortran),
                    {indices.var, dims.vector()}, indices.loc);
}

Var ravel_multi_index(const std::vector<Var>& multi_index, const ShapeArg& dims,
                      std::string_view mode, char order, Loc loc) {
  using namespace detail;
  const bool fortran = is_fortran(order, "ravel_multi_index");
  THEON_CHECK_USER(mode == "raise" || mode == "wrap" || mode == "clip", ValueError)
      << "ravel_multi_index: mode must be 'raise', 'wrap' or 'clip', got '" << mode << "'";
  THEON_CHECK_USER(dims.length() >= 1 && dims.length() == static_cast<int>(multi_index.size()),
                   ValueError)
      << "ravel_multi_index: " << multi_index.size() << " coordinate arrays for dims "
      << describe(dims.vector());
  for (const Var& c : multi_index) expect_integer("ravel_multi_index", c, "coordinates");
  expect_integer("ravel_multi_index", dims.vector(), "dims");
  const RavelMode m = mode == "raise" ? RavelMode::Raise
                      : mode == "wrap" ? RavelMode::Wrap
                                       : RavelMode::Clip;
  Vars inputs = multi_index;
  inputs.push_back(dims.vector());
  return apply_op<Ravel>(loc, std::move(inputs), m, fortran);
}

}  // namespace theon::tensor
