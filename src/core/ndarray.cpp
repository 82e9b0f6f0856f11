#include <sys/mman.h>
#include <sys/sysinfo.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <iomanip>
#include <new>
#include <numeric>
#include <sstream>

#include "core/checked_size.hpp"
#include "core/inplace.hpp"
#include "core/slice_extent.hpp"
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

// "8000000000000 bytes (7.28 TiB)"; the product is taken in floating point so that
// requests beyond 2^64 bytes are still described.
std::string bytes_str(DType dtype, const Shape& shape) {
  long double bytes = static_cast<long double>(itemsize(dtype));
  for (int64_t d : shape) bytes *= static_cast<long double>(d);
  std::ostringstream os;
  if (bytes < 1e19L) {
    os << static_cast<uint64_t>(bytes) << " bytes";
  } else {
    os << std::setprecision(3) << static_cast<double>(bytes) << " bytes";
  }
  static constexpr const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"};
  if (bytes >= 1024) {
    int unit = -1;
    while (bytes >= 1024 && unit + 1 < 8) {
      bytes /= 1024;
      ++unit;
    }
    os << " (" << std::fixed << std::setprecision(2) << static_cast<double>(bytes) << " "
       << kUnits[unit] << ")";
  }
  return os.str();
}

[[noreturn]] void throw_cannot_allocate(DType dtype, const Shape& shape, std::string_view why) {
  THEON_FAIL(MemoryError) << "cannot allocate " << bytes_str(dtype, shape) << " for an array of shape "
                          << shape_str(shape) << " and dtype " << dtype_name(dtype) << ": " << why;
}

// Bytes of a C-contiguous array; MemoryError when they do not fit in a signed 64-bit
// integer (no machine could hold it anyway). Zero-length axes do not excuse the others:
// the strides must still fit, as in NumPy.
size_t array_nbytes(DType dtype, const Shape& shape) {
  int64_t bytes = static_cast<int64_t>(itemsize(dtype));
  bool has_zero = false;
  for (int64_t d : shape) {
    if (d == 0) {
      has_zero = true;
    } else if (__builtin_mul_overflow(bytes, d, &bytes)) {
      throw_cannot_allocate(dtype, shape, "too large to address");
    }
  }
  return has_zero ? 0 : static_cast<size_t>(bytes);
}

// RAM plus swap, read once. A single array larger than that can never be filled.
size_t system_memory_bytes() {
  static const size_t total = [] {
    struct sysinfo info {};
    if (sysinfo(&info) != 0) return SIZE_MAX;
    const unsigned __int128 bytes =
        (static_cast<unsigned __int128>(info.totalram) + info.totalswap) * info.mem_unit;
    return bytes > SIZE_MAX ? SIZE_MAX : static_cast<size_t>(bytes);
  }();
  return total;
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
  const size_t nbytes = array_nbytes(dtype, shape);
  // Refused before asking: with overcommit the system may grant it and kill the
  // process when the pages are touched.
  if (nbytes > system_memory_bytes()) {
    std::ostringstream why;
    why << "more than this machine's " << std::fixed << std::setprecision(1)
        << static_cast<double>(system_memory_bytes()) / (1 << 30) << " GiB of memory and swap";
    throw_cannot_allocate(dtype, shape, why.str());
  }
  std::shared_ptr<Buffer> buffer;
  try {
    buffer = std::make_shared<Buffer>(nbytes);
  } catch (const std::bad_alloc&) {
    throw_cannot_allocate(dtype, shape, "the system refused the memory");
  }
  return from_buffer(std::move(buffer), dtype, shape, contiguous_strides(shape), 0);
}

NDArray NDArray::zeros(DType dtype, const Shape& shape) {
  NDArray a = empty(dtype, shape);
  // An empty array may have no buffer at all; memset's pointer must not be null.
  if (a.nbytes() > 0) std::memset(a.raw(), 0, a.nbytes());
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
  const auto [start, length] = detail::slice_extent(n, s);
  NDArray out = *this;
  if (length > 0) out.data_ += start * strides_[axis] * static_cast<int64_t>(itemsize(dtype_));
  out.shape_[axis] = length;
  // With two or more elements |step| < n, so the product fits; otherwise the stride is
  // never used, and a step like -2^63 must not overflow it.
  out.strides_[axis] = length > 1 ? strides_[axis] * s.step : strides_[axis];
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
  for (int64_t d : shape)
    THEON_CHECK_USER(d >= 0, ValueError) << "cannot broadcast to shape " << shape_str(shape) << ": a negative length";
  array_nbytes(dtype_, shape);  // a view too, like NumPy, must have a size that fits
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
      known = detail::checked_mul(known, shape[i], [&] { return "reshape to " + shape_str(requested); });
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

// The span is counted in uint64, where negating a step of -2^63 cannot overflow.
std::pair<int64_t, int64_t> slice_extent(int64_t n, const Slice& s) {
  auto clamp = [&](std::optional<int64_t> bound, int64_t fallback) {
    if (!bound) return fallback;
    int64_t v = *bound;
    if (v < 0) v = v < -n ? -1 : v + n;  // v + n cannot overflow: v >= -n
    if (s.step > 0) return std::clamp<int64_t>(v, 0, n);
    return std::clamp<int64_t>(v, -1, n - 1);
  };
  const int64_t start = clamp(s.start, s.step > 0 ? 0 : n - 1);
  const int64_t stop = clamp(s.stop, s.step > 0 ? n : -1);
  const uint64_t step_size = s.step > 0 ? static_cast<uint64_t>(s.step) : 0 - static_cast<uint64_t>(s.step);
  uint64_t span = 0;  // elements between start (included) and stop (excluded)
  if (s.step > 0 && stop > start) span = static_cast<uint64_t>(stop - start);
  if (s.step < 0 && start > stop) span = static_cast<uint64_t>(start - stop);
  const int64_t length = span == 0 ? 0 : static_cast<int64_t>((span - 1) / step_size + 1);
  return {start, length};
}

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
    const size_t needed = array_nbytes(dtype, shape);
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
  if (out.nbytes() > 0) std::memcpy(out.raw(), values, out.nbytes());  // no null pointers
  return out;
}
}  // namespace detail

}  // namespace theon
