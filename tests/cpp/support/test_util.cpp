#include "test_util.hpp"

#include <cmath>
#include <random>

namespace theon::testing {

::testing::AssertionResult allclose(const NDArray& got, const NDArray& want, double rtol,
                                    double atol, bool check_dtype) {
  if (!got.defined()) return ::testing::AssertionFailure() << "result is undefined";
  if (!(got.shape() == want.shape()))
    return ::testing::AssertionFailure()
           << "shape " << shape_str(got.shape()) << " != expected " << shape_str(want.shape());
  if (check_dtype && got.dtype() != want.dtype())
    return ::testing::AssertionFailure()
           << "dtype " << dtype_name(got.dtype()) << " != expected " << dtype_name(want.dtype());
  NDArray g = got.astype(DType::Complex128), w = want.astype(DType::Complex128);
  const complex128* pg = g.data<complex128>();
  const complex128* pw = w.data<complex128>();
  for (int64_t i = 0; i < g.size(); ++i) {
    bool nan_g = std::isnan(pg[i].real()) || std::isnan(pg[i].imag());
    bool nan_w = std::isnan(pw[i].real()) || std::isnan(pw[i].imag());
    if (nan_g || nan_w) {
      if (nan_g != nan_w)
        return ::testing::AssertionFailure() << "element " << i << ": NaN mismatch\ngot  " << got
                                             << "\nwant " << want;
      continue;
    }
    if (pg[i] == pw[i]) continue;  // equal infinities
    if (std::abs(pg[i] - pw[i]) > atol + rtol * std::abs(pw[i]))
      return ::testing::AssertionFailure() << "element " << i << " differs\ngot  " << got
                                           << "\nwant " << want;
  }
  return ::testing::AssertionSuccess();
}

NDArray random_array(const Shape& shape, DType dtype, double lo, double hi, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> dist(lo, hi);
  NDArray a = NDArray::empty(DType::Float64, shape);
  for (int64_t i = 0; i < a.size(); ++i) a.data<double>()[i] = dist(gen);
  return a.astype(dtype);
}

}  // namespace theon::testing
