// NDArray: an n-dimensional, strided, reference-counted array with a dtype.
//
// Copying an NDArray copies a handle: both handles see the same elements. Views
// (slices, transposes, broadcasts, reshapes of contiguous data) share the buffer of
// the array they come from; `copy()` makes an independent array. Strides count
// elements and may be zero (broadcast) or negative (reversed slices).
//
//   auto a = theon::array({{0, 1}, {-1, -2}});   // int64, shape (2, 2)
//   auto t = a.transpose();                       // a view: no copy
//   std::cout << t << "\n";                       // [[ 0 -1]
//                                                 //  [ 1 -2]]
#pragma once

#include <complex>
#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "theon/dtype.hpp"
#include "theon/error.hpp"
#include "theon/shape.hpp"

namespace theon {

// Owned memory. Large blocks are aligned to 2 MiB and advised to use huge pages: on
// these machines the first touch of a fresh 4 KiB page costs ~17 µs.
class Buffer {
 public:
  explicit Buffer(size_t nbytes);
  // Borrows memory owned by someone else (a NumPy array); `keep_alive` holds the owner.
  Buffer(void* data, size_t nbytes, std::shared_ptr<void> keep_alive);
  ~Buffer();
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  std::byte* data() const { return data_; }
  size_t nbytes() const { return nbytes_; }
  bool is_borrowed() const { return keep_alive_ != nullptr; }

 private:
  std::byte* data_;
  size_t nbytes_;
  std::shared_ptr<void> keep_alive_;
};

// One slice of an axis, as Python's start:stop:step (step may be negative). An absent
// bound is std::nullopt (spelled Slice::kNone), never an integer, so every int64 value,
// INT64_MIN included, is a bound or a step.
struct Slice {
  static constexpr std::nullopt_t kNone = std::nullopt;
  std::optional<int64_t> start;
  std::optional<int64_t> stop;
  int64_t step = 1;
};

class NDArray {
 public:
  // An undefined array (no dtype, no data); `defined()` is false.
  NDArray() = default;

  // Uninitialized contents. Reuses no memory; see `reuse_or_allocate` for that.
  static NDArray empty(DType dtype, const Shape& shape);
  static NDArray zeros(DType dtype, const Shape& shape);
  static NDArray full(DType dtype, const Shape& shape, double value);
  // A view of existing memory; `owner` keeps it alive.
  static NDArray from_buffer(std::shared_ptr<Buffer> buffer, DType dtype, const Shape& shape,
                             const Strides& strides, int64_t offset);
  // A 0-d array holding `value`.
  template <Element T>
  static NDArray scalar(T value) {
    NDArray out = empty(dtype_of<T>, {});
    *out.data<T>() = value;
    return out;
  }

  bool defined() const { return buffer_ != nullptr; }
  DType dtype() const { return dtype_; }
  int ndim() const { return static_cast<int>(shape_.size()); }
  const Shape& shape() const { return shape_; }
  const Strides& strides() const { return strides_; }
  int64_t shape(int axis) const { return shape_[axis]; }
  int64_t size() const { return shape_size(shape_); }
  size_t nbytes() const { return static_cast<size_t>(size()) * itemsize(dtype_); }

  // Pointer to element (0, ..., 0). Elements sit at data + sum(index[i] * strides[i]).
  void* raw() const { return data_; }
  template <Element T>
  T* data() const {
    return reinterpret_cast<T*>(data_);
  }
  const std::shared_ptr<Buffer>& buffer() const { return buffer_; }

  bool is_contiguous() const;  // C order, no gaps
  // True when the two arrays' elements may overlap in memory.
  bool shares_memory(const NDArray& other) const;

  // Element access (mostly for tests): the element at `index`, converted to T.
  template <Element T>
  T at(std::span<const int64_t> index) const;
  template <Element T>
  T at(std::initializer_list<int64_t> index) const {
    return at<T>(std::span<const int64_t>(index.begin(), index.size()));
  }
  // The single element of a size-1 array, converted to T; ValueError otherwise.
  template <Element T>
  T item() const;

  // ---- views: share this array's buffer ----
  NDArray transpose() const;  // reverses the axes
  NDArray transpose(std::span<const int> axes) const;
  NDArray slice(int axis, Slice s) const;
  NDArray index(int axis, int64_t i) const;  // drops `axis`; negative i counts from the end
  NDArray broadcast_to(const Shape& shape) const;
  NDArray expand_dims(int axis) const;  // inserts a length-1 axis
  NDArray squeeze(int axis) const;      // removes a length-1 axis
  // A view when the layout allows, otherwise a copy. One entry may be -1.
  NDArray reshape(const Shape& shape) const;

  // ---- copies ----
  NDArray copy() const;  // C-contiguous
  NDArray astype(DType dtype) const;
  NDArray contiguous() const { return is_contiguous() ? *this : copy(); }
  // Copies `src` into this array (same shape, or broadcastable to it), converting dtype.
  void assign(const NDArray& src);
  // Copies `src` into this array, converting dtype; the element counts must match and
  // the elements are taken in C order (used by reshape copies).
  void assign_flat(const NDArray& src);
  void fill(double value);

 private:
  std::shared_ptr<Buffer> buffer_;
  std::byte* data_ = nullptr;
  DType dtype_ = DType::Float64;
  Shape shape_;
  Strides strides_;
};

// Makes `slot` a C-contiguous array of this dtype and shape, keeping its buffer when
// no one else holds it and it is large enough: called on every run of an op, it
// makes the steady state allocation-free.
NDArray& reuse_or_allocate(NDArray& slot, DType dtype, const Shape& shape);

// NumPy-style printing: "[[0.5        0.73105858]\n [0.26894142 0.11920292]]".
std::ostream& operator<<(std::ostream& os, const NDArray& a);
std::string to_string(const NDArray& a);

// ---- construction from C++ values ----
// C++ int becomes int64 and double float64, as Python ints and floats do in NumPy.
template <class T>
using ArrayElement = std::conditional_t<std::is_same_v<T, int> || std::is_same_v<T, long> ||
                                            std::is_same_v<T, long long>,
                                        int64_t, T>;

namespace detail {
NDArray array_from_flat(DType dtype, const Shape& shape, const void* values);
template <class T, class L>
void flatten_nested(const L& list, int depth, Shape& shape, std::vector<ArrayElement<T>>& out);
}  // namespace detail

template <class T>
NDArray array(T value) requires Element<ArrayElement<T>> {
  return NDArray::scalar<ArrayElement<T>>(static_cast<ArrayElement<T>>(value));
}
template <class T>
NDArray array(std::initializer_list<T> values);
template <class T>
NDArray array(std::initializer_list<std::initializer_list<T>> values);
template <class T>
NDArray array(std::initializer_list<std::initializer_list<std::initializer_list<T>>> values);
template <class T>
NDArray array(
    std::initializer_list<std::initializer_list<std::initializer_list<std::initializer_list<T>>>>
        values);
// Same, converted to `dtype`: theon::array({1, 2}, DType::Float32).
template <class L>
NDArray array(const L& values, DType dtype) requires requires { array(values); } {
  return array(values).astype(dtype);
}
// (A braced list deduces no L above, so nested lists need their own overloads.)
template <class T>
NDArray array(std::initializer_list<T> values, DType dtype) {
  return array(values).astype(dtype);
}
template <class T>
NDArray array(std::initializer_list<std::initializer_list<T>> values, DType dtype) {
  return array(values).astype(dtype);
}
template <class T>
NDArray array(std::initializer_list<std::initializer_list<std::initializer_list<T>>> values,
              DType dtype) {
  return array(values).astype(dtype);
}
// From a flat vector and a shape.
template <Element T>
NDArray array(const std::vector<T>& values, const Shape& shape) {
  THEON_CHECK_USER(static_cast<int64_t>(values.size()) == shape_size(shape), ShapeError)
      << "array: " << values.size() << " values do not fill shape " << shape_str(shape);
  return detail::array_from_flat(dtype_of<T>, shape, values.data());
}

}  // namespace theon

#include "theon/array_inl.hpp"
