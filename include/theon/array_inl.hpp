// Template definitions for array.hpp; not included directly.
#pragma once

namespace theon {
namespace detail {

template <class T>
void record_length(int depth, size_t length, Shape& shape) {
  if (static_cast<int>(shape.size()) <= depth) {
    shape.push_back(static_cast<int64_t>(length));
  } else {
    THEON_CHECK_USER(shape[depth] == static_cast<int64_t>(length), ShapeError)
        << "array: nested lists have uneven lengths (" << shape[depth] << " and " << length
        << " at depth " << depth << ")";
  }
}

template <class T, class L>
void flatten_nested(const L& list, int depth, Shape& shape, std::vector<ArrayElement<T>>& out) {
  record_length<T>(depth, list.size(), shape);
  for (const auto& item : list) {
    if constexpr (std::is_same_v<std::decay_t<decltype(item)>, T>) {
      out.push_back(static_cast<ArrayElement<T>>(item));
    } else {
      flatten_nested<T>(item, depth + 1, shape, out);
    }
  }
}

template <class T, class L>
NDArray array_from_nested(const L& values) {
  Shape shape;
  std::vector<ArrayElement<T>> flat;
  flatten_nested<T>(values, 0, shape, flat);
  using E = ArrayElement<T>;
  if constexpr (std::is_same_v<E, bool>) {
    // std::vector<bool> is packed; copy into bytes first.
    std::vector<uint8_t> bytes(flat.begin(), flat.end());
    return array_from_flat(DType::Bool, shape, bytes.data());
  } else {
    return array_from_flat(dtype_of<E>, shape, flat.data());
  }
}

}  // namespace detail

template <class T>
NDArray array(std::initializer_list<T> values) {
  return detail::array_from_nested<T>(values);
}
template <class T>
NDArray array(std::initializer_list<std::initializer_list<T>> values) {
  return detail::array_from_nested<T>(values);
}
template <class T>
NDArray array(std::initializer_list<std::initializer_list<std::initializer_list<T>>> values) {
  return detail::array_from_nested<T>(values);
}
template <class T>
NDArray array(
    std::initializer_list<std::initializer_list<std::initializer_list<std::initializer_list<T>>>>
        values) {
  return detail::array_from_nested<T>(values);
}

template <Element T>
T NDArray::at(std::span<const int64_t> index) const {
  THEON_CHECK_USER(static_cast<int>(index.size()) == ndim(), IndexError)
      << "at: " << index.size() << " indices for an array of " << ndim() << " dimensions";
  int64_t offset = 0;
  for (int i = 0; i < ndim(); ++i) {
    int64_t k = index[i] < 0 ? index[i] + shape_[i] : index[i];
    THEON_CHECK_USER(k >= 0 && k < shape_[i], IndexError)
        << "at: index " << index[i] << " is out of bounds for axis " << i << " of length "
        << shape_[i];
    offset += k * strides_[i];
  }
  return visit_dtype(dtype_, [&](auto tag) -> T {
    using S = typename decltype(tag)::type;
    return convert_element<T>(reinterpret_cast<const S*>(data_)[offset]);
  });
}

template <Element T>
T NDArray::item() const {
  THEON_CHECK_USER(defined() && size() == 1, ValueError)
      << "item: needs an array of exactly one element, got shape " << shape_str(shape_);
  return visit_dtype(dtype_, [&](auto tag) -> T {
    using S = typename decltype(tag)::type;
    return convert_element<T>(*reinterpret_cast<const S*>(data_));
  });
}

}  // namespace theon
