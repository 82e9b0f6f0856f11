// NDArray: construction, views and copies, element access, slicing, empty arrays.
// Printing is tested in array_print_test.cpp.
#include <gtest/gtest.h>

#include <numeric>

#include "support/test_util.hpp"
#include "theon/array.hpp"

namespace theon {
namespace {

using testing::throws_with;
constexpr auto kNone = Slice::kNone;

// numpy.arange(n).reshape(shape), as int64.
NDArray arange(const Shape& shape) {
  std::vector<int64_t> values(shape_size(shape));
  std::iota(values.begin(), values.end(), 0);
  return array(values, shape);
}

// The elements in C order, as doubles.
std::vector<double> elements(const NDArray& a) {
  NDArray c = a.astype(DType::Float64);
  return std::vector<double>(c.data<double>(), c.data<double>() + c.size());
}

TEST(Array, NestedIntsBecomeInt64) {
  NDArray a = array({{1, 2, 3}, {4, 5, 6}});
  EXPECT_EQ(a.dtype(), DType::Int64);
  EXPECT_EQ(a.shape(), (Shape{2, 3}));
  EXPECT_EQ(a.strides(), (Strides{3, 1}));
  EXPECT_EQ(a.at<int64_t>({1, 2}), 6);
  EXPECT_TRUE(a.is_contiguous());
}

TEST(Array, NestedDoublesBecomeFloat64AndBoolsBool) {
  NDArray d = array({{{1.5}, {2.5}}});
  EXPECT_EQ(d.dtype(), DType::Float64);
  EXPECT_EQ(d.shape(), (Shape{1, 2, 1}));
  EXPECT_EQ(d.at<double>({0, 1, 0}), 2.5);
  NDArray b = array({true, false, true});
  EXPECT_EQ(b.dtype(), DType::Bool);
  EXPECT_EQ(elements(b), (std::vector<double>{1, 0, 1}));
  NDArray four = array({{{{1.0f}}}});
  EXPECT_EQ(four.dtype(), DType::Float32);
  EXPECT_EQ(four.ndim(), 4);
}

TEST(Array, ScalarsAndExplicitDtypes) {
  EXPECT_EQ(array(7).dtype(), DType::Int64);
  EXPECT_EQ(array(7).ndim(), 0);
  EXPECT_EQ(array(7).size(), 1);
  EXPECT_EQ(array(2.5f).dtype(), DType::Float32);
  EXPECT_EQ(array(complex128(1, 2)).item<complex128>(), complex128(1, 2));
  NDArray f = array({1, 2}, DType::Float32);
  EXPECT_EQ(f.dtype(), DType::Float32);
  EXPECT_EQ(f.at<float>({1}), 2.0f);
  NDArray v = array(std::vector<int32_t>{1, 2, 3, 4, 5, 6}, {3, 2});
  EXPECT_EQ(v.dtype(), DType::Int32);
  EXPECT_EQ(v.at<int32_t>({2, 0}), 5);
}

TEST(Array, ConstructionErrors) {
  EXPECT_TRUE(throws_with<ShapeError>([] { array({{1, 2}, {3}}); }, {"uneven"}));
  EXPECT_TRUE(
      throws_with<ShapeError>([] { array(std::vector<double>{1, 2, 3}, {2, 2}); }, {"(2, 2)"}));
  EXPECT_TRUE(throws_with<ValueError>([] { NDArray::zeros(DType::Float64, {2, -1}); },
                                      {"negative dimension"}));
}

TEST(Array, ZerosFullAndFill) {
  EXPECT_EQ(elements(NDArray::zeros(DType::Int32, {2, 2})), (std::vector<double>(4, 0)));
  NDArray f = NDArray::full(DType::Float32, {3}, 1.5);
  EXPECT_EQ(f.dtype(), DType::Float32);
  EXPECT_EQ(elements(f), (std::vector<double>{1.5, 1.5, 1.5}));
  f.fill(-2);
  EXPECT_EQ(elements(f), (std::vector<double>{-2, -2, -2}));
}

TEST(Array, SliceTransposeIndexAreViews) {
  NDArray a = arange({3, 4});
  NDArray s = a.slice(1, {1, 3});
  NDArray t = a.transpose();
  NDArray row = a.index(0, -1);
  for (const NDArray* v : {&s, &t, &row}) {
    EXPECT_EQ(v->buffer(), a.buffer());
    EXPECT_TRUE(v->shares_memory(a));
  }
  EXPECT_EQ(s.shape(), (Shape{3, 2}));
  EXPECT_FALSE(s.is_contiguous());
  EXPECT_EQ(t.shape(), (Shape{4, 3}));
  EXPECT_EQ(t.strides(), (Strides{1, 4}));
  EXPECT_EQ(row.shape(), (Shape{4}));
  EXPECT_EQ(elements(row), (std::vector<double>{8, 9, 10, 11}));
  // Writing through a view changes the original.
  s.assign(array(-1));
  EXPECT_EQ(elements(a.index(0, 0)), (std::vector<double>{0, -1, -1, 3}));
  EXPECT_EQ(t.at<int64_t>({2, 1}), -1);
}

TEST(Array, TransposeWithAxes) {
  NDArray a = arange({2, 3, 4});
  const int axes[] = {1, -1, 0};
  NDArray t = a.transpose(axes);
  EXPECT_EQ(t.shape(), (Shape{3, 4, 2}));
  EXPECT_EQ(t.at<int64_t>({2, 1, 1}), a.at<int64_t>({1, 2, 1}));
  const int repeated[] = {0, 0, 1};
  EXPECT_TRUE(throws_with<ValueError>([&] { a.transpose(repeated); }, {"transpose"}));
}

TEST(Array, BroadcastToUsesZeroStrides) {
  NDArray row = array({1.0, 2.0, 3.0});
  NDArray b = row.broadcast_to({2, 3});
  EXPECT_EQ(b.strides(), (Strides{0, 1}));
  EXPECT_TRUE(b.shares_memory(row));
  EXPECT_EQ(elements(b), (std::vector<double>{1, 2, 3, 1, 2, 3}));
  NDArray col = array({{1.0}, {2.0}}).broadcast_to({2, 3});
  EXPECT_EQ(elements(col), (std::vector<double>{1, 1, 1, 2, 2, 2}));
  EXPECT_TRUE(throws_with<ShapeError>([&] { row.broadcast_to({2, 4}); }, {"(3,)", "(2, 4)"}));
  EXPECT_TRUE(throws_with<ShapeError>([&] { b.broadcast_to({3}); }, {"broadcast"}));
}

TEST(Array, ExpandDimsAndSqueeze) {
  NDArray a = arange({2, 3});
  NDArray e = a.expand_dims(1);
  EXPECT_EQ(e.shape(), (Shape{2, 1, 3}));
  EXPECT_TRUE(e.shares_memory(a));
  EXPECT_EQ(a.expand_dims(-1).shape(), (Shape{2, 3, 1}));
  EXPECT_EQ(e.squeeze(1).shape(), (Shape{2, 3}));
  EXPECT_TRUE(throws_with<ValueError>([&] { a.squeeze(0); }, {"squeeze"}));
}

TEST(Array, ReshapeIsAViewWhenContiguousAndACopyOtherwise) {
  NDArray a = arange({2, 3});
  NDArray r = a.reshape({3, -1});
  EXPECT_EQ(r.shape(), (Shape{3, 2}));
  EXPECT_EQ(r.buffer(), a.buffer());
  EXPECT_EQ(elements(r), elements(a));
  // numpy: np.arange(6).reshape(2, 3).T.reshape(6) -> [0 3 1 4 2 5], a copy
  NDArray t = a.transpose().reshape({6});
  EXPECT_FALSE(t.shares_memory(a));
  EXPECT_EQ(elements(t), (std::vector<double>{0, 3, 1, 4, 2, 5}));
  // A contiguous slice reshapes in place, from its own first element.
  NDArray tail = arange({12}).slice(0, {6, kNone}).reshape({2, 3});
  EXPECT_EQ(elements(tail), (std::vector<double>{6, 7, 8, 9, 10, 11}));
  EXPECT_TRUE(throws_with<ShapeError>([&] { a.reshape({4, 2}); }, {"reshape", "(4, 2)"}));
  EXPECT_TRUE(throws_with<ShapeError>([&] { a.reshape({4, -1}); }, {"reshape"}));
  EXPECT_TRUE(throws_with<ValueError>([&] { a.reshape({-1, -1}); }, {"-1"}));
}

TEST(Array, CopyIsIndependentAndContiguous) {
  NDArray a = arange({2, 3});
  NDArray c = a.transpose().copy();
  EXPECT_TRUE(c.is_contiguous());
  EXPECT_FALSE(c.shares_memory(a));
  EXPECT_EQ(elements(c), (std::vector<double>{0, 3, 1, 4, 2, 5}));
  c.fill(0);
  EXPECT_EQ(a.at<int64_t>({1, 2}), 5);
  EXPECT_EQ(a.contiguous().buffer(), a.buffer());  // already contiguous: no copy
}

TEST(Array, AstypeConvertsLikeNumpy) {
  NDArray f = array({-2.7, -0.5, 0.0, 0.5, 2.7});
  // numpy: np.array([-2.7, -0.5, 0, 0.5, 2.7]).astype(np.int32) -> [-2 0 0 0 2]
  NDArray i = f.astype(DType::Int32);
  EXPECT_EQ(i.dtype(), DType::Int32);
  EXPECT_EQ(elements(i), (std::vector<double>{-2, 0, 0, 0, 2}));
  EXPECT_EQ(elements(f.astype(DType::Bool)), (std::vector<double>{1, 1, 0, 1, 1}));
  NDArray z = array({complex128(1.5, 2), complex128(-3, 0)});
  EXPECT_EQ(elements(z.astype(DType::Float64)), (std::vector<double>{1.5, -3}));
  NDArray u = array({300, -1}).astype(DType::UInt8);  // wraps modulo 256, as numpy
  EXPECT_EQ(elements(u), (std::vector<double>{44, 255}));
  // astype of a strided view reads the view's elements.
  EXPECT_EQ(elements(arange({2, 3}).transpose().astype(DType::Float32)),
            (std::vector<double>{0, 3, 1, 4, 2, 5}));
}

TEST(Array, AssignBroadcastsAndConverts) {
  NDArray m = NDArray::zeros(DType::Float32, {2, 3});
  m.assign(array({1, 2, 3}));  // an int64 row into every float32 row
  EXPECT_EQ(elements(m), (std::vector<double>{1, 2, 3, 1, 2, 3}));
  m.assign(array({{10.5}, {20.5}}));
  EXPECT_EQ(elements(m), (std::vector<double>{10.5, 10.5, 10.5, 20.5, 20.5, 20.5}));
  m.assign(array(0));
  EXPECT_EQ(elements(m), (std::vector<double>(6, 0)));
  // Into a transposed view: the original sees the values transposed.
  NDArray a = NDArray::zeros(DType::Int64, {2, 3});
  a.transpose().assign(arange({3, 2}));
  EXPECT_EQ(elements(a), (std::vector<double>{0, 2, 4, 1, 3, 5}));
  EXPECT_TRUE(throws_with<ShapeError>([&] { m.assign(array({1, 2})); }, {"broadcast"}));
}

TEST(Array, AssignFromOverlappingMemoryReadsTheOldValues) {
  // numpy: a = np.arange(6); a[:] = a[::-1] -> [5 4 3 2 1 0]
  NDArray a = arange({6});
  a.assign(a.slice(0, {kNone, kNone, -1}));
  EXPECT_EQ(elements(a), (std::vector<double>{5, 4, 3, 2, 1, 0}));
  // a = np.arange(4).reshape(2, 2); a[...] = a.T -> [[0 2] [1 3]]
  NDArray m = arange({2, 2});
  m.assign(m.transpose());
  EXPECT_EQ(elements(m), (std::vector<double>{0, 2, 1, 3}));
}

TEST(Array, AtAndItem) {
  NDArray a = arange({2, 3});
  EXPECT_EQ(a.at<int64_t>({-1, -1}), 5);
  EXPECT_EQ(a.at<double>({0, 1}), 1.0);
  EXPECT_EQ(a.transpose().at<int64_t>({2, 0}), 2);
  EXPECT_TRUE(throws_with<IndexError>([&] { a.at<int64_t>({2, 0}); }, {"out of bounds"}));
  EXPECT_TRUE(throws_with<IndexError>([&] { a.at<int64_t>({0}); }, {"2 dimensions"}));
  EXPECT_EQ(array({{4.5}}).item<double>(), 4.5);
  EXPECT_EQ(array(3).item<float>(), 3.0f);
  EXPECT_TRUE(throws_with<ValueError>([&] { a.item<double>(); }, {"item", "(2, 3)"}));
  EXPECT_TRUE(throws_with<IndexError>([&] { a.index(1, 3); }, {"out of bounds"}));
  EXPECT_TRUE(throws_with<ValueError>([&] { a.slice(2, {0, 1}); }, {"slice", "axis 2"}));
  NDArray s = array(1.5);  // a 0-d array has no axis to view
  EXPECT_TRUE(throws_with<ValueError>([&] { s.index(0, 0); }, {"index", "0-d"}));
  EXPECT_TRUE(throws_with<ValueError>([&] { s.slice(0, {0, 1}); }, {"slice", "0-d"}));
  EXPECT_TRUE(throws_with<ValueError>([&] { s.squeeze(0); }, {"squeeze", "0-d"}));
  EXPECT_EQ(s.expand_dims(0).shape(), (Shape{1}));
}

TEST(Array, NegativeStepSlicesFollowPython) {
  NDArray a = arange({6});
  struct Case {
    Slice s;
    std::vector<double> want;  // numpy: np.arange(6)[start:stop:step]
  };
  const Case cases[] = {
      {{kNone, kNone, -1}, {5, 4, 3, 2, 1, 0}},  // [::-1]
      {{4, 0, -2}, {4, 2}},                     // [4:0:-2]
      {{-1, kNone, -2}, {5, 3, 1}},             // [-1::-2]
      {{kNone, 2, -1}, {5, 4, 3}},              // [:2:-1]
      {{10, -10, -3}, {5, 2}},                  // [10:-10:-3]
      {{1, 4, -1}, {}},                         // [1:4:-1]
      {{-2, kNone, 1}, {4, 5}},                 // [-2:]
      {{kNone, 100, 4}, {0, 4}},                // [:100:4]
  };
  for (const Case& c : cases) {
    NDArray v = a.slice(0, c.s);
    auto bound = [](std::optional<int64_t> b) { return b ? std::to_string(*b) : std::string(); };
    EXPECT_EQ(elements(v), c.want) << bound(c.s.start) << ":" << bound(c.s.stop) << ":" << c.s.step;
    EXPECT_EQ(v.size(), static_cast<int64_t>(c.want.size()));
  }
  NDArray r = a.slice(0, {kNone, kNone, -2});
  EXPECT_EQ(r.strides(), (Strides{-2}));
  EXPECT_TRUE(r.shares_memory(a));
  // A reversed view of a matrix, and a copy of it.
  NDArray m = arange({2, 3}).slice(1, {kNone, kNone, -1});
  EXPECT_EQ(elements(m), (std::vector<double>{2, 1, 0, 5, 4, 3}));
  EXPECT_EQ(elements(m.copy()), (std::vector<double>{2, 1, 0, 5, 4, 3}));
  EXPECT_TRUE(throws_with<ValueError>([&] { a.slice(0, {0, 1, 0}); }, {"step"}));
}

TEST(Array, EmptyArrays) {
  NDArray e = NDArray::zeros(DType::Float64, {0, 3});
  EXPECT_EQ(e.size(), 0);
  EXPECT_EQ(e.nbytes(), 0u);
  EXPECT_EQ(e.copy().shape(), (Shape{0, 3}));
  EXPECT_EQ(e.astype(DType::Int8).shape(), (Shape{0, 3}));
  EXPECT_EQ(e.transpose().shape(), (Shape{3, 0}));
  EXPECT_EQ(e.reshape({3, 0}).shape(), (Shape{3, 0}));
  EXPECT_FALSE(e.shares_memory(e));  // no elements, no overlap
  e.assign(array(1.0));              // nothing to write
  e.fill(2);
  NDArray s = arange({4}).slice(0, {3, 1});
  EXPECT_EQ(s.shape(), (Shape{0}));
  EXPECT_EQ(elements(s.copy()), std::vector<double>{});
  EXPECT_EQ(arange({2, 3}).slice(1, {3, kNone}).shape(), (Shape{2, 0}));
  EXPECT_EQ(array(std::vector<double>{}, {0}).size(), 0);
  EXPECT_EQ(NDArray::zeros(DType::Float32, {2, 0}).broadcast_to({4, 2, 0}).size(), 0);
}

TEST(Array, SharesMemoryDetectsOverlapOnly) {
  NDArray a = arange({10});
  EXPECT_TRUE(a.slice(0, {0, 5}).shares_memory(a.slice(0, {4, 8})));
  EXPECT_FALSE(a.slice(0, {0, 5}).shares_memory(a.slice(0, {5, 10})));
  EXPECT_TRUE(a.slice(0, {kNone, kNone, -1}).shares_memory(a.slice(0, {9, 10})));
  EXPECT_FALSE(a.shares_memory(a.copy()));
  EXPECT_FALSE(a.shares_memory(NDArray()));
}

TEST(Array, ReuseOrAllocateKeepsAnUnsharedBuffer) {
  NDArray slot;
  reuse_or_allocate(slot, DType::Float64, {4, 4});
  const void* first = slot.raw();
  reuse_or_allocate(slot, DType::Float64, {2, 8});
  EXPECT_EQ(slot.raw(), first);
  EXPECT_EQ(slot.shape(), (Shape{2, 8}));
  NDArray holder = slot;  // someone else holds it now: it must not be overwritten
  reuse_or_allocate(slot, DType::Float64, {2, 8});
  EXPECT_NE(slot.raw(), holder.raw());
  reuse_or_allocate(slot, DType::Int32, {2, 8});
  EXPECT_EQ(slot.dtype(), DType::Int32);
}

}  // namespace
}  // namespace theon
