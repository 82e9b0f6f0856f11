// NDArray printing matches numpy's str() with the default print options.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "support/test_util.hpp"
#include "theon/array.hpp"

namespace theon {
namespace {

constexpr double kNan = NAN, kInf = INFINITY;

// numpy.arange(n).reshape(shape) * scale, as `dtype`.
NDArray arange(const Shape& shape, DType dtype = DType::Int64, double scale = 1) {
  std::vector<double> values(shape_size(shape));
  std::iota(values.begin(), values.end(), 0.0);
  for (double& v : values) v *= scale;
  return array(values, shape).astype(dtype);
}

struct PrintCase {
  const char* name;
  NDArray value;
  const char* want;  // str(value) in numpy 1.24.2, command in the comment
};

TEST(ArrayPrint, MatchesNumpyStr) {
  NDArray summarized_outlier = NDArray::zeros(DType::Float64, {1001});
  summarized_outlier.index(0, 500).fill(1e9);  // not shown, so it does not force "e+09"
  const PrintCase cases[] = {
      // np.array([[0.5, 0.7310585786300049], [0.2689414213699951, 0.11920292202211755]])
      {"eight digits", array({{0.5, 0.7310585786300049}, {0.2689414213699951, 0.11920292202211755}}),
       "[[0.5        0.73105858]\n [0.26894142 0.11920292]]"},
      {"whole floats", array({1.0, 0.0}), "[1. 0.]"},  // np.array([1.0, 0.0])
      {"negative ints", array({{1, 0}, {-1, -2}}), "[[ 1  0]\n [-1 -2]]"},
      {"negative floats", array({-1.5, 2.25, 10.0}), "[-1.5   2.25 10.  ]"},
      {"negative zero", array({0.0, -0.0}), "[ 0. -0.]"},
      {"bools", array({true, false, true}), "[ True False  True]"},
      {"all true", array({true, true}), "[ True  True]"},
      {"int8", array({-128, 127}).astype(DType::Int8), "[-128  127]"},
      {"uint8", array({0, 255}).astype(DType::UInt8), "[  0 255]"},
      {"tiny forces scientific", array({1e-5, 1.0}), "[1.e-05 1.e+00]"},
      {"1e8 forces scientific", array({1e8, 1.5}), "[1.0e+08 1.5e+00]"},
      {"ratio over 1000", array({0.001, 10.0, 2000.0}), "[1.e-03 1.e+01 2.e+03]"},
      {"three-digit exponents", array({1e100, 1.0}), "[1.e+100 1.e+000]"},
      {"rounding carries", array({0.99999999999, 1e-3}), "[1.    0.001]"},
      {"nan and inf", array({kNan, kInf, -kInf, 1.5}), "[ nan  inf -inf  1.5]"},
      {"nan with whole floats", array({kNan, 1.0, -2.0}), "[nan  1. -2.]"},
      {"nonfinite only", array({kNan, kInf}), "[nan inf]"},
      {"nonfinite matrix", array({{1.5, kNan}, {-kInf, 2.0}}), "[[ 1.5  nan]\n [-inf  2. ]]"},
      // np.array([0.1, 1/3], dtype=np.float32): float32's own shortest digits
      {"float32", array({0.1, 1.0 / 3}).astype(DType::Float32), "[0.1        0.33333334]"},
      {"float32 whole digits", array({123456.79f}), "[123456.79]"},
      {"float32 padding", array({0.001f, 0.01f}), "[0.001 0.01 ]"},
      {"0-d float", array(4.5), "4.5"},
      {"0-d whole float", array(48.0), "48.0"},
      {"0-d all digits", array(0.1234567891234), "0.1234567891234"},
      {"0-d small float", array(1e-5), "1e-05"},
      {"0-d large float", array(1e16), "1e+16"},
      {"0-d negative tiny", array(-2.5e-7), "-2.5e-07"},
      {"0-d float32", array(3.4e38f), "3.4e+38"},
      {"0-d nan", array(kNan), "nan"},
      {"0-d int", array(-7), "-7"},
      {"0-d bool", array(true), "True"},
      // np.array([1+2j, -0.5-1j, 3j])
      {"complex", array({complex128(1, 2), complex128(-0.5, -1), complex128(0, 3)}),
       "[ 1. +2.j -0.5-1.j  0. +3.j]"},
      // np.array([complex(np.nan, np.nan), 2])
      {"complex nan", array({complex128(kNan, kNan), complex128(2, 0)}), "[nan+nanj  2. +0.j]"},
      {"complex nan imaginary", array({complex128(1, kNan), complex128(2, 0)}),
       "[1.+nanj 2. +0.j]"},
      {"complex64 scientific", array({complex64(1.5f, 0), complex64(1e-5f, 0)}),
       "[1.5e+00+0.j 1.0e-05+0.j]"},
      {"0-d complex", array(complex128(1.5, -2)), "(1.5-2j)"},
      {"0-d imaginary", array(complex128(0, 3)), "3j"},
      {"0-d complex whole", array(complex128(1, 0)), "(1+0j)"},
      {"0-d complex nan", array(complex128(1, kNan)), "(1+nanj)"},
      {"0-d complex negative zero", array(complex128(-0.0, 1)), "(-0+1j)"},
      {"0-d complex small", array(complex128(1e-5, 2)), "(1e-05+2j)"},
      // np.arange(12).reshape(2, 2, 3)
      {"3-d", arange({2, 2, 3}), "[[[ 0  1  2]\n  [ 3  4  5]]\n\n [[ 6  7  8]\n  [ 9 10 11]]]"},
      {"3-d float", arange({2, 2, 2}, DType::Float64, 0.25),
       "[[[0.   0.25]\n  [0.5  0.75]]\n\n [[1.   1.25]\n  [1.5  1.75]]]"},
      {"transposed view", arange({2, 3}).transpose(), "[[0 3]\n [1 4]\n [2 5]]"},
      {"reversed view", arange({6}).slice(0, {Slice::kNone, Slice::kNone, -2}), "[5 3 1]"},
      // np.arange(30) * 1000: wraps before column 75
      {"wrap", arange({30}, DType::Int64, 1000),
       "[    0  1000  2000  3000  4000  5000  6000  7000  8000  9000 10000 11000\n"
       " 12000 13000 14000 15000 16000 17000 18000 19000 20000 21000 22000 23000\n"
       " 24000 25000 26000 27000 28000 29000]"},
      // np.linspace(0, 1, 12)
      {"wrap floats", arange({12}, DType::Float64, 1.0 / 11),
       "[0.         0.09090909 0.18181818 0.27272727 0.36363636 0.45454545\n"
       " 0.54545455 0.63636364 0.72727273 0.81818182 0.90909091 1.        ]"},
      // np.arange(40).reshape(2, 20) * 1000: nested rows wrap one column earlier
      {"wrap nested", arange({2, 20}, DType::Int64, 1000),
       "[[    0  1000  2000  3000  4000  5000  6000  7000  8000  9000 10000 11000\n"
       "  12000 13000 14000 15000 16000 17000 18000 19000]\n"
       " [20000 21000 22000 23000 24000 25000 26000 27000 28000 29000 30000 31000\n"
       "  32000 33000 34000 35000 36000 37000 38000 39000]]"},
      {"summary", arange({1001}), "[   0    1    2 ...  998  999 1000]"},
      {"summary floats", arange({1001}, DType::Float64, 0.125),
       "[  0.      0.125   0.25  ... 124.75  124.875 125.   ]"},
      // a = np.zeros(1001); a[500] = 1e9: only the shown elements choose the format
      {"summary ignores hidden", summarized_outlier, "[0. 0. 0. ... 0. 0. 0.]"},
      // np.arange(2000.).reshape(40, 50)
      {"summary 2-d", arange({40, 50}, DType::Float64),
       "[[0.000e+00 1.000e+00 2.000e+00 ... 4.700e+01 4.800e+01 4.900e+01]\n"
       " [5.000e+01 5.100e+01 5.200e+01 ... 9.700e+01 9.800e+01 9.900e+01]\n"
       " [1.000e+02 1.010e+02 1.020e+02 ... 1.470e+02 1.480e+02 1.490e+02]\n"
       " ...\n"
       " [1.850e+03 1.851e+03 1.852e+03 ... 1.897e+03 1.898e+03 1.899e+03]\n"
       " [1.900e+03 1.901e+03 1.902e+03 ... 1.947e+03 1.948e+03 1.949e+03]\n"
       " [1.950e+03 1.951e+03 1.952e+03 ... 1.997e+03 1.998e+03 1.999e+03]]"},
      // np.arange(1600).reshape(8, 2, 100)
      {"summary 3-d", arange({8, 2, 100}),
       "[[[   0    1    2 ...   97   98   99]\n  [ 100  101  102 ...  197  198  199]]\n\n"
       " [[ 200  201  202 ...  297  298  299]\n  [ 300  301  302 ...  397  398  399]]\n\n"
       " [[ 400  401  402 ...  497  498  499]\n  [ 500  501  502 ...  597  598  599]]\n\n"
       " ...\n\n"
       " [[1000 1001 1002 ... 1097 1098 1099]\n  [1100 1101 1102 ... 1197 1198 1199]]\n\n"
       " [[1200 1201 1202 ... 1297 1298 1299]\n  [1300 1301 1302 ... 1397 1398 1399]]\n\n"
       " [[1400 1401 1402 ... 1497 1498 1499]\n  [1500 1501 1502 ... 1597 1598 1599]]]"},
      {"empty", NDArray::zeros(DType::Float64, {0}), "[]"},
      {"empty 2-d", NDArray::zeros(DType::Int32, {2, 0}), "[]"},
  };
  for (const PrintCase& c : cases) EXPECT_EQ(to_string(c.value), c.want) << c.name;
}

TEST(ArrayPrint, StreamAndUndefined) {
  std::ostringstream os;
  os << array({1, 2}) << "|" << NDArray();
  EXPECT_EQ(os.str(), "[1 2]|<undefined array>");
}

}  // namespace
}  // namespace theon
