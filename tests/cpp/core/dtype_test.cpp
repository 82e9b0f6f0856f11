// Dtype promotion and conversion rules against NumPy.
#include <gtest/gtest.h>

#include "support/test_util.hpp"
#include "theon/dtype.hpp"

namespace theon {
namespace {

constexpr DType b = DType::Bool, i8 = DType::Int8, i16 = DType::Int16, i32 = DType::Int32,
                i64 = DType::Int64, u8 = DType::UInt8, f32 = DType::Float32, f64 = DType::Float64,
                c64 = DType::Complex64, c128 = DType::Complex128;
constexpr DType kAll[kNumDTypes] = {b, i8, i16, i32, i64, u8, f32, f64, c64, c128};

TEST(Dtype, PromotionMatchesNumpyResultType) {
  // Rows and columns in the order of kAll (numpy 1.24.2):
  //   ds = ['bool','int8','int16','int32','int64','uint8','float32','float64','complex64',
  //         'complex128']
  //   for a in ds: print([str(np.result_type(a, b)) for b in ds])
  const DType want[kNumDTypes][kNumDTypes] = {
      {b, i8, i16, i32, i64, u8, f32, f64, c64, c128},                         // bool
      {i8, i8, i16, i32, i64, i16, f32, f64, c64, c128},                       // int8
      {i16, i16, i16, i32, i64, i16, f32, f64, c64, c128},                     // int16
      {i32, i32, i32, i32, i64, i32, f64, f64, c128, c128},                    // int32
      {i64, i64, i64, i64, i64, i64, f64, f64, c128, c128},                    // int64
      {u8, i16, i16, i32, i64, u8, f32, f64, c64, c128},                       // uint8
      {f32, f32, f32, f64, f64, f32, f32, f64, c64, c128},                     // float32
      {f64, f64, f64, f64, f64, f64, f64, f64, c128, c128},                    // float64
      {c64, c64, c64, c128, c128, c64, c64, c128, c64, c128},                  // complex64
      {c128, c128, c128, c128, c128, c128, c128, c128, c128, c128},            // complex128
  };
  for (int i = 0; i < kNumDTypes; ++i)
    for (int j = 0; j < kNumDTypes; ++j)
      EXPECT_EQ(promote(kAll[i], kAll[j]), want[i][j])
          << dtype_name(kAll[i]) << " with " << dtype_name(kAll[j]) << " gives "
          << dtype_name(promote(kAll[i], kAll[j])) << ", numpy says " << dtype_name(want[i][j]);
}

TEST(Dtype, CanCastSafelyMatchesNumpy) {
  // numpy 1.24.2: for a in ds: print(''.join('1' if np.can_cast(a, b, 'safe') else '0'
  //                                           for b in ds))
  const char* want[kNumDTypes] = {
      "1111111111",  // bool
      "0111101111",  // int8
      "0011101111",  // int16
      "0001100101",  // int32
      "0000100101",  // int64
      "0011111111",  // uint8
      "0000001111",  // float32
      "0000000101",  // float64
      "0000000011",  // complex64
      "0000000001",  // complex128
  };
  for (int i = 0; i < kNumDTypes; ++i)
    for (int j = 0; j < kNumDTypes; ++j)
      EXPECT_EQ(can_cast_safely(kAll[i], kAll[j]), want[i][j] == '1')
          << dtype_name(kAll[i]) << " -> " << dtype_name(kAll[j]);
}

TEST(Dtype, FloatOfIsTheanosUpgradeToFloat) {
  // Theano's upgrade_to_float: bool and integers up to 16 bits compute in float32,
  // wider integers in float64; floats and complex are kept.
  const DType want[kNumDTypes] = {f32, f32, f32, f64, f64, f32, f32, f64, c64, c128};
  for (int i = 0; i < kNumDTypes; ++i)
    EXPECT_EQ(float_of(kAll[i]), want[i]) << dtype_name(kAll[i]);
}

TEST(Dtype, RealOfStripsComplex) {
  EXPECT_EQ(real_of(c64), f32);
  EXPECT_EQ(real_of(c128), f64);
  for (DType d : {b, i8, i32, u8, f32, f64}) EXPECT_EQ(real_of(d), d);
}

TEST(Dtype, NamesAndSizesRoundTrip) {
  const size_t sizes[kNumDTypes] = {1, 1, 2, 4, 8, 1, 4, 8, 8, 16};
  for (int i = 0; i < kNumDTypes; ++i) {
    EXPECT_EQ(dtype_from_name(dtype_name(kAll[i])), kAll[i]);
    EXPECT_EQ(itemsize(kAll[i]), sizes[i]) << dtype_name(kAll[i]);
  }
  EXPECT_EQ(dtype_name(f32), "float32");
  EXPECT_TRUE(testing::throws_with<ValueError>([] { dtype_from_name("float16"); }, {"float16"}));
}

TEST(Dtype, KindPredicates) {
  EXPECT_TRUE(is_bool(b));
  EXPECT_TRUE(is_integer(u8) && is_integer(i64) && !is_integer(b));
  EXPECT_TRUE(is_float(f32) && !is_float(c64));
  EXPECT_TRUE(is_complex(c128) && is_inexact(c64) && is_inexact(f64) && !is_inexact(i32));
  EXPECT_TRUE(is_discrete(b) && is_discrete(i8) && !is_discrete(f32));
}

TEST(Dtype, ConvertElementFollowsAstype) {
  EXPECT_EQ((convert_element<int32_t>(-2.7)), -2);  // truncates toward zero
  EXPECT_EQ((convert_element<bool>(0.5)), true);
  EXPECT_EQ((convert_element<bool>(complex128(0, 1))), true);
  EXPECT_EQ((convert_element<double>(complex128(3, 4))), 3.0);  // real part
  EXPECT_EQ((convert_element<complex64>(2)), complex64(2, 0));
}

}  // namespace
}  // namespace theon
