// Sizes computed from user numbers never wrap: a shape whose element or byte count
// does not fit, or that the machine cannot hold, is a MemoryError naming the shape and
// the bytes, raised before any memory is touched. Also: slice steps at the int64
// extremes, and user errors that must not surface as other exception types.
#include <gtest/gtest.h>

#include <sys/resource.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <numeric>

#include "support/test_util.hpp"
#include "theon/function.hpp"
#include "theon/type.hpp"

namespace theon {
namespace {

using testing::throws_with;
constexpr int64_t k2to31 = int64_t{1} << 31;
constexpr int64_t k2to40 = int64_t{1} << 40;

NDArray arange(int64_t n) {
  std::vector<int64_t> values(n);
  std::iota(values.begin(), values.end(), 0);
  return array(values, {n});
}

std::vector<int64_t> elements(const NDArray& a) {
  NDArray c = a.copy();
  return std::vector<int64_t>(c.data<int64_t>(), c.data<int64_t>() + c.size());
}

TEST(Sizes, ElementCountOverflowIsMemoryError) {
  EXPECT_TRUE(throws_with<MemoryError>([] { shape_size(Shape{k2to40, k2to40}); },
                                       {"(1099511627776, 1099511627776)"}));
  // A zero-length axis does not excuse the others: strides must still fit (as NumPy).
  EXPECT_TRUE(throws_with<MemoryError>([] { shape_size(Shape{0, k2to40, k2to40}); }, {"shape"}));
  EXPECT_EQ(shape_size(Shape{0, k2to31, k2to31}), 0);
  EXPECT_EQ(shape_size(Shape{k2to31, k2to31}), int64_t{1} << 62);
}

TEST(Sizes, ByteCountOverflowFailsBeforeAllocating) {
  // 2^62 float64 elements: the count fits in int64, the 2^65 bytes do not.
  EXPECT_TRUE(throws_with<MemoryError>([] { NDArray::zeros(DType::Float64, {k2to31, k2to31}); },
                                       {"(2147483648, 2147483648)", "float64", "bytes"}));
  EXPECT_TRUE(throws_with<MemoryError>([] { NDArray::empty(DType::Int8, {k2to40, k2to40}); },
                                       {"(1099511627776, 1099511627776)"}));
}

TEST(Sizes, TooLargeForTheMachineIsMemoryErrorWithTheByteCount) {
  // 1e12 float64 elements: 8e12 bytes, refused without asking the system for them.
  EXPECT_TRUE(throws_with<MemoryError>(
      [] { NDArray::full(DType::Float64, {1'000'000'000'000}, 1.0); },
      {"8000000000000 bytes", "7.28 TiB", "(1000000000000,)", "float64"}));
}

TEST(Sizes, SystemRefusalIsMemoryErrorWithShapeAndBytes) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "sanitizer allocators abort instead of failing an allocation";
#endif
  // Cap the address space a little above what is mapped now, so that a 1 GiB request
  // (less than the machine's memory, so asked of the system) is refused by it.
  rlimit old{};
  ASSERT_EQ(getrlimit(RLIMIT_AS, &old), 0);
  long mapped_pages = 0;
  std::FILE* statm = std::fopen("/proc/self/statm", "r");
  ASSERT_NE(statm, nullptr);
  ASSERT_EQ(std::fscanf(statm, "%ld", &mapped_pages), 1);
  std::fclose(statm);
  rlimit tight = old;
  tight.rlim_cur = static_cast<rlim_t>(mapped_pages) * sysconf(_SC_PAGESIZE) + (rlim_t{256} << 20);
  ASSERT_EQ(setrlimit(RLIMIT_AS, &tight), 0);
  const bool threw = throws_with<MemoryError>(
      [] { NDArray::empty(DType::Float64, {int64_t{1} << 27}); },
      {"1073741824 bytes", "(134217728,)", "float64", "refused"});
  setrlimit(RLIMIT_AS, &old);
  EXPECT_TRUE(threw);
}

TEST(Sizes, NegativeLengthsAreValueErrors) {
  EXPECT_TRUE(throws_with<ValueError>([] { NDArray::empty(DType::Float64, {3, -1}); }, {"(3, -1)"}));
  EXPECT_TRUE(throws_with<ValueError>([] { arange(6).reshape({-2, -3}); }, {"negative"}));
  EXPECT_TRUE(throws_with<ValueError>([] { arange(1).broadcast_to({-1}); }, {"negative"}));
}

TEST(Sizes, ReshapeAndBroadcastCheckTheRequestedShape) {
  // -1 next to lengths whose product wraps must not be solved against the wrapped value.
  EXPECT_TRUE(throws_with<MemoryError>([] { arange(4).reshape({int64_t{1} << 62, 8, -1}); },
                                       {"reshape"}));
  EXPECT_TRUE(throws_with<MemoryError>(
      [] { NDArray::scalar<double>(1).broadcast_to({k2to40, k2to40}); }, {"(1099511627776, 1099511627776)"}));
  // A large view is fine when its bytes could be addressed: nothing is allocated.
  EXPECT_EQ(NDArray::scalar<double>(1).broadcast_to({k2to31, int64_t{1} << 28}).size(), int64_t{1} << 59);
  EXPECT_TRUE(throws_with<MemoryError>(
      [] { NDArray::scalar<double>(1).broadcast_to({k2to31, k2to31}); }, {"3.69e+19 bytes"}));
}

TEST(Slices, StepsAtTheInt64ExtremesAreSteps) {
  const NDArray a = arange(6);
  EXPECT_EQ(elements(a.slice(0, {Slice::kNone, Slice::kNone, INT64_MIN})), (std::vector<int64_t>{5}));
  EXPECT_EQ(elements(a.slice(0, {3, Slice::kNone, INT64_MIN})), (std::vector<int64_t>{3}));
  EXPECT_EQ(elements(a.slice(0, {Slice::kNone, Slice::kNone, INT64_MAX})), (std::vector<int64_t>{0}));
  EXPECT_EQ(elements(a.slice(0, {INT64_MIN, INT64_MAX, 1})), (std::vector<int64_t>{0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(a.slice(0, {INT64_MIN, Slice::kNone, -1}).size(), 0);
  EXPECT_EQ(elements(a.slice(0, {INT64_MAX, INT64_MIN, -1})), (std::vector<int64_t>{5, 4, 3, 2, 1, 0}));
}

TEST(Slices, SymbolicStepOfMinusTwoToThe63IsAStepNotAbsent) {
  namespace T = tensor;
  Var x = T::lvector("x");
  Var s = T::lscalar("s");
  Function f = function({x, s}, T::index(x, {T::slice({}, {}, s)}));
  // With -2^63 read as "no step", this was the whole vector.
  EXPECT_EQ(elements(f(arange(6), INT64_MIN)), (std::vector<int64_t>{5}));
  EXPECT_EQ(elements(f(arange(6), int64_t{-2})), (std::vector<int64_t>{5, 3, 1}));
}

TEST(Sizes, SymbolicAllocOfAnOverflowingShapeIsMemoryError) {
  namespace T = tensor;
  Var n = T::lscalar("n");
  Function zeros = function({n}, T::zeros(ShapeArg({n, n})));
  EXPECT_TRUE(throws_with<MemoryError>([&] { zeros(k2to31); }, {"(2147483648, 2147483648)"}));
  Function ones = function({n}, T::sum(T::ones(ShapeArg({n, int64_t{4}}))));
  EXPECT_TRUE(throws_with<MemoryError>([&] { ones(int64_t{1} << 62); }, {"(4611686018427387904, 4)"}));
  EXPECT_TRUE(throws_with<ValueError>([&] { zeros(int64_t{-1}); }, {"negative"}));
}

TEST(Sizes, ConstantAllocOfAnOverflowingShapeIsNotFoldedAndFailsAtRun) {
  // Constant folding sizes the alloc before computing it: that product must not wrap
  // (undefined behaviour, which UBSan reports) and the call names the shape.
  namespace T = tensor;
  Var x = T::dscalar("x");
  Function f = function({x}, T::zeros(ShapeArg({int64_t{1} << 40, int64_t{1} << 40})) + x);
  EXPECT_TRUE(throws_with<MemoryError>([&] { f(1.0); }, {"(1099511627776, 1099511627776)"}));
}

TEST(UserErrors, ResultIndexOutOfRangeIsIndexError) {
  const Result r({NDArray::scalar<double>(1)}, true);
  EXPECT_TRUE(throws_with<IndexError>([&] { (void)r[1]; }, {"output 1", "1 output"}));
}

TEST(UserErrors, TooManyDimensionsIsValueErrorNamingTheLimit) {
  EXPECT_TRUE(throws_with<ValueError>([] { TensorType::of_rank(DType::Float64, 70); },
                                      {"at most 64 dimensions", "70"}));
  EXPECT_NO_THROW(TensorType::of_rank(DType::Float64, 64));
}

}  // namespace
}  // namespace theon
