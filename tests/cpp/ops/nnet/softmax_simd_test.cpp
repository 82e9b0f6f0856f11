// The softmax family's row kernels (src/ops/nnet/softmax_kernel.cpp: AVX-512 with SLEEF
// where the CPU has it) against a long-double reference: row lengths around the vector
// widths (8 doubles, 16 floats, and the two-vector unroll), values of +-1000, -inf
// entries, rows of -inf, NaN and +inf, strided rows (axis 0, transposed inputs), and
// arrays large enough to be split over threads.
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "ops/nnet/softmax_kernel.hpp"
#include "test_util.hpp"
#include "theon/nnet.hpp"

namespace nnet = theon::tensor::nnet;

namespace theon {
namespace {

namespace rows = detail::softmax_rows;
using LD = long double;

constexpr int64_t kLengths[] = {0, 1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 1000};
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Within tol of the reference, or the same NaN / infinity.
template <class T>
::testing::AssertionResult near(T got, LD want, LD tol, const std::string& where) {
  if (std::isnan(want) ? std::isnan(got) : std::isinf(want) ? got == want
                                                              : std::fabs(got - want) <= tol)
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << where << ": got " << got << ", want "
                                       << static_cast<double>(want) << " (tol "
                                       << static_cast<double>(tol) << ")";
}

template <class T>
LD eps() {
  return std::numeric_limits<T>::epsilon();
}

// The reference of one row, with the ops' rules: the shift is the maximum (0 where that
// is -inf), the differences x - shift are rounded to T as the kernels round them, and
// the rest is exact enough in long double.
template <class T>
struct RowRef {
  bool has_nan = false;
  T max = -std::numeric_limits<T>::infinity();
  T shift = 0;
  LD total = 0;

  RowRef(const T* x, int64_t n, bool logsumexp_shift = false) {
    for (int64_t j = 0; j < n; ++j) {
      if (std::isnan(x[j])) has_nan = true;
      else if (x[j] > max) max = x[j];
    }
    shift = has_nan ? std::numeric_limits<T>::quiet_NaN()
            : std::isinf(max) && (max < 0 || logsumexp_shift) ? T(0) : max;
    for (int64_t j = 0; j < n; ++j) total += std::exp(static_cast<LD>(static_cast<T>(x[j] - shift)));
  }
  LD softmax(T x) const { return std::exp(static_cast<LD>(static_cast<T>(x - shift))) / total; }
  LD log_softmax(T x) const { return static_cast<LD>(static_cast<T>(x - shift)) - std::log(total); }
  LD logsumexp() const { return static_cast<LD>(shift) + std::log(total); }
};

// A rows x n matrix of values in [-1000, 1000) with the special rows: row 1 a NaN, row 2
// some -inf, row 3 all -inf, row 4 a +inf (where there are that many rows and columns).
NDArray special_matrix(int64_t n_rows, int64_t n, DType dtype, unsigned seed) {
  NDArray a = testing::random_array({n_rows, n}, DType::Float64, -1000, 1000, seed);
  double* p = a.data<double>();
  if (n > 0) {
    if (n_rows > 1) p[1 * n + (n * 5) / 7] = kNaN;
    if (n_rows > 2)
      for (int64_t j = 0; j < n; j += 3) p[2 * n + j] = -kInf;
    if (n_rows > 3)
      for (int64_t j = 0; j < n; ++j) p[3 * n + j] = -kInf;
    if (n_rows > 4) p[4 * n + n - 1] = kInf;
  }
  return a.astype(dtype);
}

template <class T>
std::vector<T> values(const NDArray& a) {
  const NDArray c = a.copy();
  return std::vector<T>(c.data<T>(), c.data<T>() + c.size());
}

// ---- the row kernels ---------------------------------------------------------------

template <class T>
void check_max_at_every_position() {
  for (int64_t n : kLengths) {
    std::vector<T> row(static_cast<size_t>(n));
    for (int64_t p = 0; p < n; ++p) {
      // Negative values: the zeros loaded past the end of a row must not win.
      for (int64_t j = 0; j < n; ++j) row[j] = static_cast<T>(-1000 - j % 5);
      row[p] = -3;
      ASSERT_EQ(rows::max(row.data(), n), T(-3)) << "n=" << n << " p=" << p;
      row[p] = std::numeric_limits<T>::quiet_NaN();
      ASSERT_TRUE(std::isnan(rows::max(row.data(), n))) << "n=" << n << " p=" << p;
    }
    EXPECT_EQ(rows::max(row.data(), 0), -std::numeric_limits<T>::infinity());
  }
}

TEST(SoftmaxRows, MaxFindsTheLargestAndAnyNaNAtEveryPosition) {
  check_max_at_every_position<double>();
  check_max_at_every_position<float>();
}

template <class T>
void check_exp_sum_and_softmax() {
  for (int64_t n : kLengths) {
    // exp(x - shift) = 1 exactly for every element: the masked lanes past the end would
    // add exp(1000) = inf if they were counted.
    std::vector<T> ones(static_cast<size_t>(n), T(-1000)), e(static_cast<size_t>(n));
    EXPECT_EQ(rows::exp_sum<T>(ones.data(), T(-1000), e.data(), n), static_cast<double>(n));
    for (T v : e) ASSERT_EQ(v, T(1));

    const NDArray m = special_matrix(6, n, dtype_of<T>, 7 + static_cast<unsigned>(n));
    const std::vector<T> x = values<T>(m);
    std::vector<T> y(x.size()), z(x.size());
    for (int64_t i = 0; i < 6; ++i) {
      const T* row = x.data() + i * n;
      const RowRef<T> ref(row, n);
      rows::softmax(row, y.data() + i * n, n, false);
      rows::softmax(row, z.data() + i * n, n, true);
      for (int64_t j = 0; j < n; ++j) {
        const std::string where =
            "n=" + std::to_string(n) + " row " + std::to_string(i) + " col " + std::to_string(j);
        const LD s = ref.softmax(row[j]), l = ref.log_softmax(row[j]);
        ASSERT_TRUE(near(y[i * n + j], s, 8 * eps<T>() * s + std::numeric_limits<T>::min(), where));
        const LD tol = 8 * eps<T>() * (std::fabs(l) + std::fabs(static_cast<LD>(row[j])) +
                                       std::fabs(static_cast<LD>(ref.shift)) + 1);
        ASSERT_TRUE(near(z[i * n + j], l, tol, where + " (log)"));
      }
    }
  }
  // In place, as the ops do for strided rows.
  std::vector<T> row = {T(1), T(2), T(3)};
  rows::softmax(row.data(), row.data(), 3, false);
  EXPECT_NEAR(row[2], 0.6652409557748218, 1e-6);
}

TEST(SoftmaxRows, SoftmaxMatchesLongDoubleAtEachLength) {
  check_exp_sum_and_softmax<double>();
  check_exp_sum_and_softmax<float>();
}

// ---- the ops ------------------------------------------------------------------------

bool has_op(const Function& f, const std::string& name) {
  for (const ApplyNode* node : f.fgraph().toposort())
    if (node->op().name() == name) return true;
  return false;
}

// softmax or log_softmax of `logical` (rows along axis 1) through the op, given as
// `value` with the softmax along `axis`; `transposed_out` when the result is logical.T.
template <class T>
void check_softmax_op(const NDArray& logical, const NDArray& value, int axis,
                      bool transposed_out, const std::string& what) {
  const int64_t n_rows = logical.shape(0), n = logical.shape(1);
  const std::vector<T> x = values<T>(logical);
  auto v = tensor::tensor(value.dtype(), BroadcastPattern(static_cast<size_t>(value.ndim()), false), "x");
  for (bool is_log : {false, true}) {
    Function f = function({v}, is_log ? nnet::log_softmax(v, axis) : nnet::softmax(v, axis));
    NDArray out = f(value).array();
    ASSERT_EQ(out.dtype(), value.dtype());
    if (transposed_out) out = out.transpose();
    const std::vector<T> y = values<T>(out);  // C order: the logical rows one after another
    for (int64_t i = 0; i < n_rows; ++i) {
      const T* row = x.data() + i * n;
      const RowRef<T> ref(row, n);
      for (int64_t j = 0; j < n; ++j) {
        const std::string where = what + (is_log ? " log" : "") + " row " + std::to_string(i) +
                                  " col " + std::to_string(j);
        const LD want = is_log ? ref.log_softmax(row[j]) : ref.softmax(row[j]);
        const LD tol = is_log ? 8 * eps<T>() *
                                    (std::fabs(want) + std::fabs(static_cast<LD>(row[j])) +
                                     std::fabs(static_cast<LD>(ref.shift)) + 1)
                              : 8 * eps<T>() * want + std::numeric_limits<T>::min();
        ASSERT_TRUE(near(y[i * n + j], want, tol, where));
      }
    }
  }
}

template <class T>
void check_softmax_ops() {
  const DType dtype = dtype_of<T>;
  for (int64_t n : kLengths) {
    const std::string tag = std::string(dtype_name(dtype)) + " n=" + std::to_string(n);
    const NDArray m = special_matrix(6, n, dtype, 100 + static_cast<unsigned>(n));
    check_softmax_op<T>(m, m, 1, false, tag + " axis 1");
    check_softmax_op<T>(m, m.transpose().copy(), 0, true, tag + " axis 0");
    check_softmax_op<T>(m, m.transpose().copy().transpose(), 1, false, tag + " transposed");
  }
  // Over 2^16 elements: rows split over threads, contiguous and strided.
  const NDArray big = special_matrix(300, 1000, dtype, 3);
  check_softmax_op<T>(big, big, 1, false, "big axis 1");
  check_softmax_op<T>(big, big.transpose().copy(), 0, true, "big axis 0");
  // 3-d, split along the longest outer dimension (the middle one).
  const NDArray cube = special_matrix(2 * 150, 300, dtype, 4);
  check_softmax_op<T>(cube, cube.reshape({2, 150, 300}), 2, false, "tensor3");
}

TEST(SoftmaxSimd, SoftmaxAndLogSoftmaxOpsMatchLongDouble) {
  check_softmax_ops<double>();
  check_softmax_ops<float>();
}

template <class T>
void check_logsumexp(const NDArray& logical, const NDArray& value, int axis, const std::string& what) {
  const int64_t n_rows = logical.shape(0), n = logical.shape(1);
  const std::vector<T> x = values<T>(logical);
  auto v = tensor::tensor(value.dtype(), {false, false}, "x");
  Function f = function({v}, tensor::log(tensor::sum(tensor::exp(v), {axis})));
  ASSERT_TRUE(has_op(f, "logsumexp")) << what;
  const std::vector<T> y = values<T>(f(value).array());
  ASSERT_EQ(static_cast<int64_t>(y.size()), n_rows);
  for (int64_t i = 0; i < n_rows; ++i) {
    const RowRef<T> ref(x.data() + i * n, n, true);
    const LD want = ref.logsumexp();
    const LD tol = 8 * eps<T>() * (std::fabs(want) + std::fabs(static_cast<LD>(ref.shift)) + 1);
    ASSERT_TRUE(near(y[i], want, tol, what + " row " + std::to_string(i)));
  }
}

template <class T>
void check_crossentropy(const NDArray& logical, const NDArray& value, const std::string& what) {
  const int64_t n_rows = logical.shape(0), n = logical.shape(1);
  const std::vector<T> x = values<T>(logical);
  std::vector<int64_t> labels(static_cast<size_t>(n_rows));
  for (int64_t i = 0; i < n_rows; ++i) labels[i] = (i * 7919) % n;
  auto v = tensor::tensor(value.dtype(), {false, false}, "x");
  auto l = tensor::lvector("labels");
  Function f = function({v, l}, nnet::categorical_crossentropy(nnet::softmax(v), l));
  ASSERT_TRUE(has_op(f, "crossentropy_softmax_1hot")) << what;
  const std::vector<T> y = values<T>(f(value, array(labels, {n_rows})).array());
  for (int64_t i = 0; i < n_rows; ++i) {
    const T* row = x.data() + i * n;
    const RowRef<T> ref(row, n);
    const LD want = static_cast<LD>(ref.shift) + std::log(ref.total) - row[labels[i]];
    const LD tol = 8 * eps<T>() * (std::fabs(want) + std::fabs(static_cast<LD>(ref.shift)) +
                                   std::fabs(static_cast<LD>(row[labels[i]])) + 1);
    ASSERT_TRUE(near(y[i], want, tol, what + " row " + std::to_string(i)));
  }
}

template <class T>
void check_reductions() {
  const DType dtype = dtype_of<T>;
  for (int64_t n : kLengths) {
    const std::string tag = std::string(dtype_name(dtype)) + " n=" + std::to_string(n);
    const NDArray m = special_matrix(6, n, dtype, 200 + static_cast<unsigned>(n));
    check_logsumexp<T>(m, m, 1, tag + " logsumexp axis 1");
    check_logsumexp<T>(m, m.transpose().copy(), 0, tag + " logsumexp axis 0");
    if (n == 0) continue;  // no label fits
    check_crossentropy<T>(m, m, tag + " crossentropy");
    check_crossentropy<T>(m, m.transpose().copy().transpose(), tag + " crossentropy strided");
  }
  const NDArray big = special_matrix(2000, 100, dtype, 5);
  check_logsumexp<T>(big, big, 1, "big logsumexp");
  check_crossentropy<T>(big, big, "big crossentropy");
  check_crossentropy<T>(big, big.transpose().copy().transpose(), "big crossentropy strided");
}

TEST(SoftmaxSimd, LogSumExpAndCrossentropyOpsMatchLongDouble) {
  check_reductions<double>();
  check_reductions<float>();
}

}  // namespace
}  // namespace theon
