// Expm: the matrix exponential by Pade approximants with scaling and squaring (Higham
// 2005, "The scaling and squaring method for the matrix exponential revisited"), in
// float64; ExpmGrad, its pullback through the Frechet derivative.
#include <cmath>
#include <limits>

#include "ops/linalg/lapack.hpp"
#include "ops/linalg/linalg_util.hpp"
#include "ops/op_util.hpp"
#include "serialize/private_ops.hpp"

namespace theon::detail {
namespace {

using Matrix = std::vector<double>;  // n x n, column-major

// The coefficients b_0..b_m of the degree-m Pade approximant's numerator, scaled so b_0 = 1:
// b_j = (2m - j)! m! / ((2m)! j! (m - j)!).
std::vector<double> pade_coefficients(int m) {
  std::vector<double> b{1.0};
  for (int j = 0; j < m; ++j) b.push_back(b.back() * (m - j) / ((j + 1.0) * (2 * m - j)));
  return b;
}

Matrix product(const Matrix& a, const Matrix& b, int n) {
  Matrix c(a.size());
  lapack::gemm(n, n, n, a.data(), n, b.data(), n, c.data(), n);
  return c;
}

// sum_i coefficients[i] * terms[i] + identity_coefficient * I.
Matrix combine(std::initializer_list<std::pair<double, const Matrix*>> terms, double identity,
               int n) {
  Matrix out(static_cast<size_t>(n) * n, 0.0);
  for (const auto& [c, m] : terms)
    for (size_t i = 0; i < out.size(); ++i) out[i] += c * (*m)[i];
  for (int i = 0; i < n; ++i) out[static_cast<size_t>(i) * n + i] += identity;
  return out;
}

// Replaces a (n x n, column-major) by exp(a).
void expm_in_place(Matrix& a, int n) {
  if (n == 0) return;
  double norm1 = 0;  // the largest column sum of |a|
  for (int j = 0; j < n; ++j) {
    double column = 0;
    for (int i = 0; i < n; ++i) column += std::abs(a[static_cast<size_t>(j) * n + i]);
    norm1 = std::max(norm1, column);
  }
  if (!std::isfinite(norm1)) {
    std::fill(a.begin(), a.end(), std::numeric_limits<double>::quiet_NaN());
    return;
  }
  // Higham's theta_m: the largest 1-norm for which degree m reaches double precision.
  const std::pair<int, double> degrees[] = {{3, 1.495585217958292e-2},
                                            {5, 2.539398330063230e-1},
                                            {7, 9.504178996162932e-1},
                                            {9, 2.097847961257068e0}};
  int m = 13, squarings = 0;
  for (const auto& [degree, theta] : degrees)
    if (norm1 <= theta) {
      m = degree;
      break;
    }
  if (m == 13) {
    const double theta13 = 5.371920351148152e0;
    squarings = std::max(0, static_cast<int>(std::ceil(std::log2(norm1 / theta13))));
    const double scale = std::ldexp(1.0, -squarings);
    for (double& v : a) v *= scale;
  }
  const std::vector<double> b = pade_coefficients(m);
  const Matrix a2 = product(a, a, n);
  Matrix odd, even;  // U = a * odd, V = even
  if (m == 13) {
    const Matrix a4 = product(a2, a2, n), a6 = product(a4, a2, n);
    const Matrix high_odd = combine({{b[13], &a6}, {b[11], &a4}, {b[9], &a2}}, 0, n);
    const Matrix high_even = combine({{b[12], &a6}, {b[10], &a4}, {b[8], &a2}}, 0, n);
    const Matrix p = product(a6, high_odd, n), q = product(a6, high_even, n);
    odd = combine({{1, &p}, {b[7], &a6}, {b[5], &a4}, {b[3], &a2}}, b[1], n);
    even = combine({{1, &q}, {b[6], &a6}, {b[4], &a4}, {b[2], &a2}}, b[0], n);
  } else {
    odd = combine({}, b[1], n);
    even = combine({}, b[0], n);
    Matrix power = a2;  // a^(2i)
    for (int i = 1; 2 * i <= m; ++i) {
      for (size_t e = 0; e < power.size(); ++e) {
        odd[e] += b[static_cast<size_t>(2 * i + 1)] * power[e];
        even[e] += b[static_cast<size_t>(2 * i)] * power[e];
      }
      if (2 * i + 2 <= m) power = product(power, a2, n);
    }
  }
  const Matrix u = product(a, odd, n);
  // r = (V - U)^-1 (V + U)
  Matrix denominator = combine({{1, &even}, {-1, &u}}, 0, n);
  a = combine({{1, &even}, {1, &u}}, 0, n);
  std::vector<int> pivots(static_cast<size_t>(n));
  int info = 0;
  lapack::gesv(n, n, denominator.data(), n, pivots.data(), a.data(), n, &info);
  if (info > 0) throw_linalg("expm", "the Pade denominator is singular");
  for (int i = 0; i < squarings; ++i) a = product(a, a, n);
}

// The n x n float64 column-major matrix whose (i, j) entry is x(j, i): x's transpose.
Matrix transposed(const NDArray& x) {
  const NDArray d = x.astype(DType::Float64).contiguous();
  return Matrix(d.data<double>(), d.data<double>() + d.size());
}

class Expm final : public Op {
 public:
  std::string name() const override { return "expm"; }
  std::vector<TensorType> make_types(std::span<const Var> inputs) const override {
    return {inputs[0].type()};
  }

  // exp(x^T) = exp(x)^T: the C-order buffer, read as column-major, gives exp(x) in C order.
  void perform(const ApplyNode&, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override {
    const NDArray& x = *in[0];
    check_square(name(), x);
    const int n = lapack::to_int(x.shape(0), "expm");
    Matrix a = transposed(x);
    expm_in_place(a, n);
    NDArray& o = reuse_or_allocate(*out[0], x.dtype(), x.shape());
    NDArray result = NDArray::empty(DType::Float64, x.shape());
    std::copy(a.begin(), a.end(), result.data<double>());
    o.assign(result);
  }

  Vars pullback(const ApplyNode& node, std::span<const Var> output_grads) const override;
};

// gx = L(x^T, g), the Frechet derivative of exp at x^T in the direction g: the upper
// right block of exp([[x^T, g], [0, x^T]]) (exact, for any x).
class ExpmGrad final : public Op {
 public:
  std::string name() const override { return "expm_grad"; }
  std::vector<TensorType> make_types(std::span<const Var> inputs) const override {
    return {TensorType(inputs[0].dtype(), {false, false})};
  }

  void perform(const ApplyNode&, std::span<const NDArray* const> in,
               std::span<NDArray* const> out) const override {
    const NDArray& x = *in[0];
    const int64_t n = x.shape(0), size = 2 * n;
    const int block = lapack::to_int(size, "expm");
    const Matrix xt = transposed(x);  // column-major x^T
    const NDArray g = in[1]->astype(DType::Float64).contiguous();
    Matrix big(static_cast<size_t>(size * size), 0.0);
    for (int64_t j = 0; j < n; ++j)
      for (int64_t i = 0; i < n; ++i) {
        const double v = xt[static_cast<size_t>(j * n + i)];
        big[static_cast<size_t>(j * size + i)] = v;
        big[static_cast<size_t>((n + j) * size + n + i)] = v;
        big[static_cast<size_t>((n + j) * size + i)] = g.data<double>()[i * n + j];
      }
    expm_in_place(big, block);
    NDArray result = NDArray::empty(DType::Float64, {n, n});
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < n; ++j)
        result.data<double>()[i * n + j] = big[static_cast<size_t>((n + j) * size + i)];
    reuse_or_allocate(*out[0], x.dtype(), {n, n}).assign(result);
  }
};

Vars Expm::pullback(const ApplyNode& node, std::span<const Var> output_grads) const {
  const Var& g = output_grads[0];
  if (!g.defined()) return {Var()};
  const Var& x = node.inputs[0];
  return {as_grad_of(apply_op<ExpmGrad>(node.loc, {x, g}), x, node.loc)};
}

}  // namespace

std::shared_ptr<const Op> make_expm_grad_op() { return std::make_shared<const ExpmGrad>(); }
}  // namespace theon::detail

namespace theon::tensor::slinalg {

Var expm(VarArg a) {
  const Var x = detail::float_matrix("expm", a);
  return detail::apply_op<detail::Expm>(a.loc, {x});
}

}  // namespace theon::tensor::slinalg
