// Shapes and strides: short vectors kept inline (no heap allocation up to six
// dimensions, which covers nearly every model), with a heap fallback for more.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <iosfwd>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

namespace theon {

template <class T, size_t N>
class SmallVec {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  SmallVec() = default;
  SmallVec(std::initializer_list<T> values) { assign(values.begin(), values.size()); }
  explicit SmallVec(std::span<const T> values) { assign(values.data(), values.size()); }
  SmallVec(size_t count, T value) {
    resize(count);
    std::fill(begin(), end(), value);
  }
  SmallVec(const SmallVec& other) { assign(other.data(), other.size()); }
  SmallVec& operator=(const SmallVec& other) {
    if (this != &other) assign(other.data(), other.size());
    return *this;
  }
  ~SmallVec() = default;

  T* data() { return heap_ ? heap_.get() : inline_; }
  const T* data() const { return heap_ ? heap_.get() : inline_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T* begin() { return data(); }
  T* end() { return data() + size_; }
  const T* begin() const { return data(); }
  const T* end() const { return data() + size_; }
  T& operator[](size_t i) { return data()[i]; }
  const T& operator[](size_t i) const { return data()[i]; }
  T& back() { return data()[size_ - 1]; }
  const T& back() const { return data()[size_ - 1]; }
  operator std::span<const T>() const { return {data(), size_}; }

  void resize(size_t count, T value = T{}) {
    reserve(count);
    for (size_t i = size_; i < count; ++i) data()[i] = value;
    size_ = count;
  }
  void push_back(T value) {
    reserve(size_ + 1);
    data()[size_++] = value;
  }
  void insert(size_t pos, T value) {
    reserve(size_ + 1);
    T* d = data();
    std::memmove(d + pos + 1, d + pos, (size_ - pos) * sizeof(T));
    d[pos] = value;
    ++size_;
  }
  void erase(size_t pos) {
    T* d = data();
    std::memmove(d + pos, d + pos + 1, (size_ - pos - 1) * sizeof(T));
    --size_;
  }
  void clear() { size_ = 0; }

  friend bool operator==(const SmallVec& a, const SmallVec& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  }

 private:
  void reserve(size_t count) {
    if (count <= capacity()) return;
    size_t grown = std::max(count, 2 * capacity());
    auto fresh = std::make_unique<T[]>(grown);
    std::copy(begin(), end(), fresh.get());
    heap_ = std::move(fresh);
    heap_capacity_ = grown;
  }
  size_t capacity() const { return heap_ ? heap_capacity_ : N; }
  void assign(const T* values, size_t count) {
    size_ = 0;
    reserve(count);
    std::copy(values, values + count, data());
    size_ = count;
  }

  T inline_[N] = {};
  std::unique_ptr<T[]> heap_;
  size_t heap_capacity_ = 0;
  size_t size_ = 0;
};

using Shape = SmallVec<int64_t, 6>;
// Strides count elements, not bytes (a NumPy array whose byte strides are not a
// multiple of its item size is copied when it enters Theon).
using Strides = SmallVec<int64_t, 6>;
using BroadcastPattern = SmallVec<bool, 6>;

// The most dimensions a tensor type may have (NumPy 2's NPY_MAXDIMS), so that every
// result can be returned to NumPy.
inline constexpr int kMaxDims = 64;

// Number of elements of a shape (1 for a 0-d shape). Throws MemoryError, naming the
// shape, when the product of its nonzero lengths does not fit in int64: sizes computed
// from user numbers never wrap, and a zero-size array still has strides that fit.
int64_t shape_size(std::span<const int64_t> shape);
// Strides of a C-contiguous (row-major) array of this shape (one whose shape_size fits).
Strides contiguous_strides(std::span<const int64_t> shape);
// "(3, 4)", "()" and "(5,)", as Python prints tuples.
std::string shape_str(std::span<const int64_t> shape);
std::ostream& operator<<(std::ostream& os, const Shape& shape);

// Normalizes a possibly negative axis against `ndim`; throws ValueError naming `op`.
int normalize_axis(int64_t axis, int ndim, std::string_view op);

}  // namespace theon
