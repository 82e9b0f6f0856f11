#include <sys/mman.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <numeric>

#include "core/inplace.hpp"
#include "core/strided.hpp"
#include "theon/array.hpp"

namespace theon {
namespace {

constexpr size_t kHugePage = size_t{2} << 20;
constexpr size_t kAlignment = 64;  // a cache line; AVX-512 loads

std::byte* allocate_bytes(size_t nbytes) {
  size_t request = std::max<size_t>(nbytes, 1);
  if (request >= kHugePage) {
    size_t rounded = (request + kHugePage - 1) / kHugePage * kHugePage;
    void* p = std::aligned_alloc(kHugePage, rounded);
    if (p) madvise(p, rounded, MADV_HUGEPAGE);
    if (!p) throw std::bad_alloc();
    return static_cast<std::byte*>(p);
  }
  size_t rounded = (request + kAlignment - 1) / kAlignment * kAlignment;
  void* p = std::aligned_alloc(kAlignment, rounded);
  if (!p) throw std::bad_alloc();
  return static_cast<std::byte*>(p);
}

// Copies src into dst elementwise (same shape), converting the element type.
void copy_convert(const NDArray& dst, const NDArray& src) {
  visit_dtype(dst.dtype(), [&](auto dst_tag) {
    using D = typename decltype(dst_tag)::type;
    visit_dtype(src.dtype(), [&](auto src_tag) {
      using S = typename decltype(src_tag)::type;
      D* out = dst.data<D>();
      const S* in = src.data<S>();
      std::array<const int64_t*, 2> strides{dst.strides().data(), src.strides().data()};
      const int64_t so = dst.ndim() ? dst.strides().back() : 1;
      const int64_t si = src.ndim() ? src.strides().back() : 1;
      detail::for_each_row<2>(dst.shape(), strides, [&](const auto& off, int64_t n) {
        D* o = out + off[0];
        const S* i = in + off[1];
        if (so == 1 && si == 1) {
          for (int64_t j = 0; j < n; ++j) o[j] = convert_element<D>(i[j]);
        } else {
          for (int64_t j = 0; j < n; ++j) o[j * so] = convert_element<D>(i[j * si]);
        }
      });
    });
  });
}

// normalize_axis for an existing axis: unlike reductions, which accept axis 0 of a 0-d
// array as NumPy does, views need the axis to exist.
int existing_axis(int64_t axis, int ndim, std::string_view op) {
  THEON_CHECK_USER(ndim > 0, ValueError) << op << ": a 0-d array has no axis " << axis;
  return normalize_axis(axis, ndim, op);
}

}  // namespace

Buffer::Buffer(size_t nbytes) : data_(allocate_bytes(nbytes)), nbytes_(nbytes) {}
Buffer::Buffer(void* data, size_t nbytes, std::shared_ptr<void> keep_alive)
    : data_(static_cast<std::byte*>(data)), nbytes_(nbytes), keep_alive_(std::move(keep_alive)) {}
Buffer::~Buffer() {
  if (!keep_alive_) std::free(data_);
}

NDArray NDArray::empty(DType dtype, const Shape& shape) {
  for (int64_t d : shape)
    THEON_CHECK_USER(d >= 0, ValueError) << "negative dimension in shape " << shape_str(shape);
  auto buffer = std::make_shared<Buffer>(shape_size(shape) * itemsize(dtype));
  return from_buffer(std::move(buffer), dtype, shape, contiguous_strides(shape), 0);
}

NDArray NDArray::zeros(DType dtype, const Shape& shape) {
  NDArray a = empty(dtype, shape);
  std::memset(a.raw(), 0, a.nbytes());
  return a;
}

NDArray NDArray::full(DType dtype, const Shape& shape, double value) {
  NDArray a = empty(dtype, shape);
  a.fill(value);
  return a;
}

NDArray NDArray::from_buffer(std::shared_ptr<Buffer> buffer, DType dtype, const Shape& shape,
                             const Strides& strides, int64_t offset) {
  NDArray a;
  a.data_ = buffer->data() + offset * static_cast<int64_t>(itemsize(dtype));
  a.buffer_ = std::move(buffer);
  a.dtype_ = dtype;
  a.shape_ = shape;
  a.strides_ = strides;
  return a;
}

bool NDArray::is_contiguous() const {
  int64_t expected = 1;
  for (int i = ndim() - 1; i >= 0; --i) {
    if (shape_[i] == 1) continue;
    if (strides_[i] != expected) return false;
    expected *= shape_[i];
  }
  return true;
}

bool NDArray::shares_memory(const NDArray& other) const {
  if (!defined() || !other.defined() || size() == 0 || other.size() == 0) return false;
  auto extent = [](const NDArray& a) {
    int64_t lo = 0, hi = 0;
    for (int i = 0; i < a.ndim(); ++i) {
      int64_t span = (a.shape_[i] - 1) * a.strides_[i];
      (span < 0 ? lo : hi) += span;
    }
    auto* base = a.data_;
    int64_t size = static_cast<int64_t>(itemsize(a.dtype_));
    return std::pair<const std::byte*, const std::byte*>(base + lo * size, base + (hi + 1) * size);
  };
  auto [a0, a1] = extent(*this);
  auto [b0, b1] = extent(other);
  return a0 < b1 && b0 < a1;
}

NDArray NDArray::transpose() const {
  std::vector<int> axes(ndim());
  std::iota(axes.rbegin(), axes.rend(), 0);
  return transpose(axes);
}

NDArray NDArray::transpose(std::span<const int> axes) const {
  THEON_CHECK_USER(static_cast<int>(axes.size()) == ndim(), ValueError)
      << "transpose: " << axes.size() << " axes for an array of " << ndim() << " dimensions";
  NDArray out = *this;
  std::vector<bool> seen(ndim(), false);
  for (int i = 0; i < ndim(); ++i) {
    int a = normalize_axis(axes[i], ndim(), "transpose");
    THEON_CHECK_USER(!seen[a], ValueError) << "transpose: axis " << a << " repeated";
    seen[a] = true;
    out.shape_[i] = shape_[a];
    out.strides_[i] = strides_[a];
  }
  return out;
}

NDArray NDArray::slice(int axis, Slice s) const {
  axis = existing_axis(axis, ndim(), "slice");
  const int64_t n = shape_[axis];
  THEON_CHECK_USER(s.step != 0, ValueError) << "slice step cannot be zero";
  // Python's slice.indices().
  auto clamp = [&](int64_t v, int64_t fallback, bool is_stop) {
    if (v == Slice::kNone) return fallback;
    if (v < 0) v += n;
    if (s.step > 0) return std::clamp<int64_t>(v, 0, n);
    return std::clamp<int64_t>(v, -1, n - 1) + (is_stop ? 0 : 0);
  };
  int64_t start = clamp(s.start, s.step > 0 ? 0 : n - 1, false);
  int64_t stop = clamp(s.stop, s.step > 0 ? n : -1, true);
  int64_t length = 0;
  if (s.step > 0 && stop > start) length = (stop - start + s.step - 1) / s.step;
  if (s.step < 0 && start > stop) length = (start - stop - s.step - 1) / (-s.step);
  NDArray out = *this;
  if (length > 0) out.data_ += start * strides_[axis] * static_cast<int64_t>(itemsize(dtype_));
  out.shape_[axis] = length;
  out.strides_[axis] = strides_[axis] * s.step;
  return out;
}

NDArray NDArray::index(int axis, int64_t i) const {
  axis = existing_axis(axis, ndim(), "index");
  const int64_t n = shape_[axis];
  THEON_CHECK_USER(i >= -n && i < n, IndexError)
      << "index " << i << " is out of bounds for axis " << axis << " with size " << n;
  if (i < 0) i += n;
  NDArray out = *this;
  out.data_ += i * strides_[axis] * static_cast<int64_t>(itemsize(dtype_));
  out.shape_.erase(axis);
  out.strides_.erase(axis);
  return out;
}

NDArray NDArray::broadcast_to(const Shape& shape) const {
  THEON_CHECK_USER(static_cast<int>(shape.size()) >= ndim(), ShapeError)
      << "cannot broadcast shape " << shape_str(shape_) << " to " << shape_str(shape);
  NDArray out = *this;
  const int pad = static_cast<int>(shape.size()) - ndim();
  out.shape_ = shape;
  out.strides_ = Strides(shape.size(), 0);
  for (int i = 0; i < ndim(); ++i) {
    if (shape_[i] == shape[pad + i]) {
      out.strides_[pad + i] = strides_[i];
    } else {
      THEON_CHECK_USER(shape_[i] == 1, ShapeError)
          << "cannot broadcast shape " << shape_str(shape_) << " to " << shape_str(shape);
    }
  }
  return out;
}

NDArray NDArray::expand_dims(int axis) const {
  axis = normalize_axis(axis, ndim() + 1, "expand_dims");
  NDArray out = *this;
  out.shape_.insert(axis, 1);
  out.strides_.insert(axis, 0);
  return out;
}

NDArray NDArray::squeeze(int axis) const {
  axis = existing_axis(axis, ndim(), "squeeze");
  THEON_CHECK_USER(shape_[axis] == 1, ValueError)
      << "squeeze: axis " << axis << " has length " << shape_[axis] << ", not 1";
  NDArray out = *this;
  out.shape_.erase(axis);
  out.strides_.erase(axis);
  return out;
}

NDArray NDArray::reshape(const Shape& requested) const {
  Shape shape = requested;
  int unknown = -1;
  int64_t known = 1;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      THEON_CHECK_USER(unknown < 0, ValueError) << "reshape: only one dimension can be -1";
      unknown = static_cast<int>(i);
    } else {
      THEON_CHECK_USER(shape[i] >= 0, ValueError)
          << "reshape: negative dimension in " << shape_str(requested);
      known *= shape[i];
    }
  }
  if (unknown >= 0) {
    THEON_CHECK_USER(known != 0 && size() % known == 0, ShapeError)
        << "reshape: cannot reshape an array of size " << size() << " into shape "
        << shape_str(requested);
    shape[unknown] = size() / known;
  }
  THEON_CHECK_USER(shape_size(shape) == size(), ShapeError)
      << "reshape: cannot reshape an array of shape " << shape_str(shape_) << " (size " << size()
      << ") into shape " << shape_str(requested);
  NDArray source = is_contiguous() ? *this : copy();
  NDArray out = source;
  out.shape_ = shape;
  out.strides_ = contiguous_strides(shape);
  return out;
}

NDArray NDArray::copy() const {
  NDArray out = empty(dtype_, shape_);
  copy_convert(out, *this);
  return out;
}

NDArray NDArray::astype(DType dtype) const {
  NDArray out = empty(dtype, shape_);
  copy_convert(out, *this);
  return out;
}

void NDArray::assign(const NDArray& src) {
  // Overlapping memory (a.assign(reversed view of a)) must read the old values.
  const NDArray source = shares_memory(src) ? src.copy() : src;
  copy_convert(*this, source.broadcast_to(shape_));
}

void NDArray::assign_flat(const NDArray& src) {
  THEON_ASSERT(src.size() == size()) << "assign_flat of " << src.size() << " into " << size();
  NDArray flat_src = src.reshape({src.size()});
  NDArray flat_dst = *this;
  if (!is_contiguous()) {
    // Write through a contiguous temporary, then copy with this array's strides.
    NDArray tmp = empty(dtype_, shape_);
    tmp.assign_flat(src);
    assign(tmp);
    return;
  }
  flat_dst.shape_ = {size()};
  flat_dst.strides_ = {1};
  copy_convert(flat_dst, flat_src);
}

void NDArray::fill(double value) {
  NDArray scalar_value = NDArray::scalar<double>(value);
  assign(scalar_value);
}

namespace detail {
namespace {
thread_local const Buffer* t_inplace_grant = nullptr;
}  // namespace

InplaceGrant::InplaceGrant(const Buffer* buffer) : previous_(t_inplace_grant) { t_inplace_grant = buffer; }
InplaceGrant::~InplaceGrant() { t_inplace_grant = previous_; }
const Buffer* inplace_grant() { return t_inplace_grant; }

namespace {
std::atomic<size_t> g_in_place_writes{0};
std::atomic<bool> g_in_place_enabled{true};
}  // namespace
size_t in_place_writes() { return g_in_place_writes.load(std::memory_order_relaxed); }
void count_in_place_write() { g_in_place_writes.fetch_add(1, std::memory_order_relaxed); }
bool in_place_enabled() { return g_in_place_enabled.load(std::memory_order_relaxed); }
void set_in_place_for_testing(bool enabled) { g_in_place_enabled.store(enabled, std::memory_order_relaxed); }
}  // namespace detail

NDArray& reuse_or_allocate(NDArray& slot, DType dtype, const Shape& shape) {
  // Only this slot holds the buffer, or the interpreter granted it for an in-place
  // write over a dead input (core/inplace.hpp), whose slot is the one other holder.
  const long holders = slot.defined() ? slot.buffer().use_count() : 0;
  const bool granted = holders == 2 && slot.buffer().get() == detail::inplace_grant();
  if (slot.defined() && (holders == 1 || granted) && !slot.buffer()->is_borrowed() &&
      slot.dtype() == dtype && slot.is_contiguous() && slot.raw() == slot.buffer()->data()) {
    const size_t needed = static_cast<size_t>(shape_size(shape)) * itemsize(dtype);
    const size_t have = slot.buffer()->nbytes();
    // Reuse when it fits and does not waste more than half of a large block.
    if (needed <= have && (needed >= have / 2 || have < 4096)) {
      if (!(slot.shape() == shape)) {
        slot = NDArray::from_buffer(slot.buffer(), dtype, shape, contiguous_strides(shape), 0);
      }
      return slot;
    }
  }
  slot = NDArray::empty(dtype, shape);
  return slot;
}

namespace detail {
NDArray array_from_flat(DType dtype, const Shape& shape, const void* values) {
  NDArray out = NDArray::empty(dtype, shape);
  std::memcpy(out.raw(), values, out.nbytes());
  return out;
}
}  // namespace detail

}  // namespace theon
