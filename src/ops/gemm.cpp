// Gemm, Gemv and Ger: a product and its scaled addition in one BLAS call, so that
// dot(x, w) + b or w - lr * dot(x.T, g) pass over the output once, inside the BLAS
// kernel, rather than once for the product and again for the sum. Z is broadcast into
// the fresh output first, then BLAS accumulates alpha * product onto beta * Z.
#include <cblas.h>

#include <climits>
#include <optional>

#include "ops/blas.hpp"
#include "ops/dimshuffle.hpp"
#include "ops/op_util.hpp"
#include "theon/grad.hpp"

namespace theon::detail {
namespace {

template <class T>
struct Cblas;

template <>
struct Cblas<float> {
  static void gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int m, int n, int k, float alpha,
                   const float* a, int lda, const float* b, int ldb, float beta, float* c, int ldc) {
    cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  }
  static void gemv(CBLAS_TRANSPOSE t, int m, int n, float alpha, const float* a, int lda,
                   const float* x, int incx, float beta, float* y) {
    cblas_sgemv(CblasRowMajor, t, m, n, alpha, a, lda, x, incx, beta, y, 1);
  }
  static void ger(int m, int n, float alpha, const float* x, int incx, const float* y, int incy,
                  float* a, int lda) {
    cblas_sger(CblasRowMajor, m, n, alpha, x, incx, y, incy, a, lda);
  }
};

template <>
struct Cblas<double> {
  static void gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int m, int n, int k, double alpha,
                   const double* a, int lda, const double* b, int ldb, double beta, double* c,
                   int ldc) {
    cblas_dgemm(CblasRowMajor, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  }
  static void gemv(CBLAS_TRANSPOSE t, int m, int n, double alpha, const double* a, int lda,
                   const double* x, int incx, double beta, double* y) {
    cblas_dgemv(CblasRowMajor, t, m, n, alpha, a, lda, x, incx, beta, y, 1);
  }
  static void ger(int m, int n, double alpha, const double* x, int incx, const double* y,
                  int incy, double* a, int lda) {
    cblas_dger(CblasRowMajor, m, n, alpha, x, incx, y, incy, a, lda);
  }
};

bool fits_int(int64_t v) { return v >= 0 && v <= INT_MAX; }

// A matrix as BLAS reads it (row-major, one leading dimension, unit stride along the
// other axis; `trans` when the memory holds the transpose): the view itself when its
// layout allows, so a dimshuffle{1,0} reaches BLAS as a flag, else a contiguous copy.
struct MatrixArg {
  NDArray array;
  bool trans;
  int ld;
};

MatrixArg as_matrix(const NDArray& m) {
  const int64_t r = m.shape(0), c = m.shape(1);
  const int64_t s0 = m.strides()[0], s1 = m.strides()[1];
  // A length-1 axis is never stepped along, so its stride does not matter.
  if ((c == 1 || s1 == 1) && (r == 1 || s0 >= std::max<int64_t>(c, 1))) {
    const int64_t ld = r == 1 ? std::max<int64_t>(c, 1) : s0;
    if (fits_int(ld)) return {m, false, static_cast<int>(ld)};
  }
  if ((r == 1 || s0 == 1) && (c == 1 || s1 >= std::max<int64_t>(r, 1))) {
    const int64_t ld = c == 1 ? std::max<int64_t>(r, 1) : s1;
    if (fits_int(ld)) return {m, true, static_cast<int>(ld)};
  }
  NDArray copy = m.copy();
  return {copy, false, static_cast<int>(std::max<int64_t>(c, 1))};
}

// A positive increment (zero, a broadcast vector, and negative ones are copied).
struct VectorArg {
  NDArray array;
  int inc;
};

VectorArg as_vector(const NDArray& v) {
  const int64_t stride = v.strides()[0];
  if (v.shape(0) <= 1) return {v, 1};
  if (stride > 0 && fits_int(stride)) return {v, static_cast<int>(stride)};
  return {v.copy(), 1};
}

// NumPy's broadcast of two lengths, or nullopt when they disagree.
std::optional<int64_t> broadcast_length(int64_t a, int64_t b) {
  if (a == b || b == 1) return a;
  if (a == 1) return b;
  return std::nullopt;
}

Shape output_shape(const std::string& op, const Shape& product, const NDArray* z) {
  if (!z) return product;
  THEON_CHECK_USER(z->ndim() == static_cast<int>(product.size()), ShapeError)
      << op << ": an addend of rank " << z->ndim() << " for a product of rank " << product.size();
  Shape shape;
  for (size_t d = 0; d < product.size(); ++d) {
    auto n = broadcast_length(product[d], z->shape(static_cast<int>(d)));
    THEON_CHECK_USER(n.has_value(), ShapeError)
        << op << ": the product of shape " << shape_str(product)
        << " does not broadcast with the addend of shape " << shape_str(z->shape());
    shape.push_back(*n);
  }
  return shape;
}

template <class T>
void scale(NDArray& out, T factor) {
  T* p = out.data<T>();
  for (int64_t i = 0; i < out.size(); ++i) p[i] *= factor;
}

// out = beta * z (broadcast) as the starting value for BLAS, and the beta BLAS must
// then apply: a beta of 0 is applied here (BLAS would skip reading z, losing 0 * NaN).
template <class T>
T start_from(NDArray& out, const NDArray* z, T beta) {
  if (!z) return T(0);
  out.assign(*z);
  if (beta != T(0)) return beta;
  scale(out, T(0));
  return T(1);
}

// The fallback for what BLAS cannot take (a product broadcast against a longer addend,
// a zero alpha whose 0 * NaN must show, lengths past int): dot_into, then the sum.
template <class T>
void general(NDArray& out, const NDArray& a, const NDArray& b, T alpha, const NDArray* z, T beta) {
  Shape product;
  if (a.ndim() == 2) product.push_back(a.shape(0));
  if (b.ndim() == 2) product.push_back(b.shape(1));
  NDArray p = NDArray::empty(out.dtype(), product);
  dot_into(a, b, p);
  NDArray spread = NDArray::empty(out.dtype(), out.shape());
  spread.assign(p);
  T* o = out.data<T>();
  const T* q = spread.data<T>();
  if (z) {
    out.assign(*z);
    for (int64_t i = 0; i < out.size(); ++i) o[i] = alpha * q[i] + beta * o[i];
  } else {
    for (int64_t i = 0; i < out.size(); ++i) o[i] = alpha * q[i];
  }
}

void expect_blas_dtype(const std::string& op, std::span<const Var> inputs) {
  const DType d = inputs[0].dtype();
  THEON_ASSERT(d == DType::Float32 || d == DType::Float64)
      << op << ": float32 or float64 operands only" << describe_inputs(inputs);
  for (const Var& v : inputs)
    THEON_ASSERT(v.dtype() == d) << op << ": operands of different dtypes" << describe_inputs(inputs);
}

template <class F>
void visit_blas_dtype(DType d, F&& f) {
  if (d == DType::Float32) {
    f(float{});
  } else {
    f(double{});
  }
}

// The gradients of `expr`, the node's value written with dot and element-wise ops.
Vars pullback_of(const Var& expr, const ApplyNode& node, std::span<const Var> output_grads) {
  if (!output_grads[0].defined()) return Vars(node.inputs.size());
  return tensor::Lop({expr}, node.inputs, {output_grads[0]}, node.loc);
}

// alpha * dot(a, b) + beta * z, the value of Gemm and Gemv.
Var scaled_sum(const ApplyNode& node, bool has_z) {
  const Vars& in = node.inputs;
  Var v = tensor::mul(VarArg(in[2], node.loc), VarArg(dot_at(in[0], in[1], node.loc), node.loc));
  if (!has_z) return v;
  return tensor::add(VarArg(v, node.loc),
                     VarArg(tensor::mul(VarArg(in[4], node.loc), VarArg(in[3], node.loc)), node.loc));
}

}  // namespace

// ---- Gemm ----

std::vector<TensorType> Gemm::make_types(std::span<const Var> inputs) const {
  THEON_ASSERT(inputs.size() == (has_z_ ? 5u : 3u)) << "gemm: wrong number of inputs";
  expect_blas_dtype("gemm", inputs);
  const Var& x = inputs[0];
  const Var& y = inputs[1];
  THEON_ASSERT(x.ndim() == 2 && y.ndim() == 2 && inputs[2].ndim() == 0)
      << "gemm: expects two matrices and a 0-d alpha" << describe_inputs(inputs);
  BroadcastPattern pattern{x.broadcastable()[0], y.broadcastable()[1]};
  if (has_z_) {
    const Var& z = inputs[3];
    THEON_ASSERT(z.ndim() == 2 && inputs[4].ndim() == 0)
        << "gemm: expects a matrix Z and a 0-d beta" << describe_inputs(inputs);
    for (int d = 0; d < 2; ++d) pattern[d] = pattern[d] && z.broadcastable()[d];
  }
  return {TensorType(x.dtype(), pattern)};
}

void Gemm::perform(const ApplyNode& /*node*/, std::span<const NDArray* const> in,
                   std::span<NDArray* const> out) const {
  const NDArray& x = *in[0];
  const NDArray& y = *in[1];
  const NDArray* z = has_z_ ? in[3] : nullptr;
  THEON_CHECK_USER(x.shape(1) == y.shape(0), ShapeError)
      << "gemm: shapes " << shape_str(x.shape()) << " and " << shape_str(y.shape())
      << " not aligned";
  const int64_t m = x.shape(0), n = y.shape(1), k = x.shape(1);
  const Shape shape = output_shape("gemm", {m, n}, z);
  NDArray& o = reuse_or_allocate(*out[0], x.dtype(), shape);
  if (o.size() == 0) return;
  visit_blas_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T alpha = in[2]->item<T>();
    const T beta = z ? in[4]->item<T>() : T(0);
    const bool blas = shape[0] == m && shape[1] == n && alpha != T(0) && fits_int(m) &&
                      fits_int(n) && fits_int(k);
    if (!blas) return general<T>(o, x, y, alpha, z, beta);
    const T c_beta = start_from<T>(o, z, beta);
    if (k == 0) {  // an empty product: only beta * Z remains
      if (!z) o.fill(0);
      else scale(o, c_beta);
      return;
    }
    MatrixArg a = as_matrix(x), b = as_matrix(y);
    Cblas<T>::gemm(a.trans ? CblasTrans : CblasNoTrans, b.trans ? CblasTrans : CblasNoTrans,
                   static_cast<int>(m), static_cast<int>(n), static_cast<int>(k), alpha,
                   a.array.template data<T>(), a.ld, b.array.template data<T>(), b.ld, c_beta,
                   o.data<T>(), static_cast<int>(n));
  });
}

Vars Gemm::pullback(const ApplyNode& node, std::span<const Var> output_grads) const {
  return pullback_of(scaled_sum(node, has_z_), node, output_grads);
}

// ---- Gemv ----

std::vector<TensorType> Gemv::make_types(std::span<const Var> inputs) const {
  THEON_ASSERT(inputs.size() == (has_z_ ? 5u : 3u)) << "gemv: wrong number of inputs";
  expect_blas_dtype("gemv", inputs);
  const Var& a = inputs[0];
  THEON_ASSERT(a.ndim() == 2 && inputs[1].ndim() == 1 && inputs[2].ndim() == 0)
      << "gemv: expects a matrix, a vector and a 0-d alpha" << describe_inputs(inputs);
  BroadcastPattern pattern{a.broadcastable()[0]};
  if (has_z_) {
    THEON_ASSERT(inputs[3].ndim() == 1 && inputs[4].ndim() == 0)
        << "gemv: expects a vector z and a 0-d beta" << describe_inputs(inputs);
    pattern[0] = pattern[0] && inputs[3].broadcastable()[0];
  }
  return {TensorType(a.dtype(), pattern)};
}

void Gemv::perform(const ApplyNode& /*node*/, std::span<const NDArray* const> in,
                   std::span<NDArray* const> out) const {
  const NDArray& a = *in[0];
  const NDArray& x = *in[1];
  const NDArray* z = has_z_ ? in[3] : nullptr;
  THEON_CHECK_USER(a.shape(1) == x.shape(0), ShapeError)
      << "gemv: shapes " << shape_str(a.shape()) << " and " << shape_str(x.shape())
      << " not aligned";
  const int64_t m = a.shape(0), n = a.shape(1);
  const Shape shape = output_shape("gemv", {m}, z);
  NDArray& o = reuse_or_allocate(*out[0], a.dtype(), shape);
  if (o.size() == 0) return;
  visit_blas_dtype(a.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T alpha = in[2]->item<T>();
    const T beta = z ? in[4]->item<T>() : T(0);
    const bool blas = shape[0] == m && alpha != T(0) && fits_int(m) && fits_int(n);
    if (!blas) return general<T>(o, a, x, alpha, z, beta);
    const T c_beta = start_from<T>(o, z, beta);
    if (n == 0) {
      if (!z) o.fill(0);
      else scale(o, c_beta);
      return;
    }
    MatrixArg ma = as_matrix(a);
    VectorArg vx = as_vector(x);
    // Row-major A^T is the transposed memory read without the flag, and vice versa.
    const int rows = static_cast<int>(ma.trans ? n : m), cols = static_cast<int>(ma.trans ? m : n);
    Cblas<T>::gemv(ma.trans ? CblasTrans : CblasNoTrans, rows, cols, alpha,
                   ma.array.template data<T>(), ma.ld, vx.array.template data<T>(), vx.inc, c_beta,
                   o.data<T>());
  });
}

Vars Gemv::pullback(const ApplyNode& node, std::span<const Var> output_grads) const {
  return pullback_of(scaled_sum(node, has_z_), node, output_grads);
}

// ---- Ger ----

std::vector<TensorType> Ger::make_types(std::span<const Var> inputs) const {
  THEON_ASSERT(inputs.size() == 4u) << "ger: wrong number of inputs";
  expect_blas_dtype("ger", inputs);
  THEON_ASSERT(inputs[0].ndim() == 2 && inputs[1].ndim() == 0 && inputs[2].ndim() == 1 &&
               inputs[3].ndim() == 1)
      << "ger: expects a matrix, a 0-d alpha and two vectors" << describe_inputs(inputs);
  return {TensorType(inputs[0].dtype(),
                     {inputs[0].broadcastable()[0] && inputs[2].broadcastable()[0],
                      inputs[0].broadcastable()[1] && inputs[3].broadcastable()[0]})};
}

void Ger::perform(const ApplyNode& /*node*/, std::span<const NDArray* const> in,
                  std::span<NDArray* const> out) const {
  const NDArray& a = *in[0];
  const NDArray& x = *in[2];
  const NDArray& y = *in[3];
  const int64_t m = x.shape(0), n = y.shape(0);
  const Shape shape = output_shape("ger", {m, n}, &a);
  NDArray& o = reuse_or_allocate(*out[0], a.dtype(), shape);
  if (o.size() == 0) return;
  visit_blas_dtype(a.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T alpha = in[1]->item<T>();
    if (!(shape[0] == m && shape[1] == n && alpha != T(0) && fits_int(m) && fits_int(n))) {
      const NDArray col = x.expand_dims(1), row = y.expand_dims(0);
      return general<T>(o, col, row, alpha, &a, T(1));
    }
    o.assign(a);
    VectorArg vx = as_vector(x), vy = as_vector(y);
    Cblas<T>::ger(static_cast<int>(m), static_cast<int>(n), alpha, vx.array.template data<T>(),
                  vx.inc, vy.array.template data<T>(), vy.inc, o.data<T>(),
                  static_cast<int>(std::max<int64_t>(n, 1)));
  });
}

Vars Ger::pullback(const ApplyNode& node, std::span<const Var> output_grads) const {
  const Vars& in = node.inputs;
  const Loc& loc = node.loc;
  Var outer = tensor::mul(VarArg(dimshuffle_at(in[2], {0, 'x'}, loc), loc),
                          VarArg(dimshuffle_at(in[3], {'x', 0}, loc), loc));
  Var expr = tensor::add(VarArg(in[0], loc), VarArg(tensor::mul(VarArg(in[1], loc), VarArg(outer, loc)), loc));
  return pullback_of(expr, node, output_grads);
}

}  // namespace theon::detail
