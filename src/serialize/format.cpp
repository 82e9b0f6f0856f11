// The primitive encoding of saved data (Writer, Reader) and the version it carries.
#include <cstring>

#include "theon/serialize.hpp"

#ifndef THEON_VERSION_STRING
#error "THEON_VERSION_STRING comes from project(VERSION) in CMakeLists.txt"
#endif

namespace theon {

std::string_view theon_version() { return THEON_VERSION_STRING; }

void Writer::str(std::string_view s) {
  i64(static_cast<int64_t>(s.size()));
  raw(s.data(), s.size());
}

void Writer::ints(std::span<const int> v) {
  i64(static_cast<int64_t>(v.size()));
  for (int x : v) i64(x);
}

void Writer::type(const TensorType& t) {
  u8(static_cast<uint8_t>(t.dtype));
  u8(static_cast<uint8_t>(t.ndim()));
  for (bool b : t.broadcastable) boolean(b);
}

void Writer::array(const NDArray& a) {
  u8(static_cast<uint8_t>(a.dtype()));
  u8(static_cast<uint8_t>(a.ndim()));
  for (int64_t d : a.shape()) i64(d);
  const NDArray c = a.contiguous();
  raw(c.raw(), c.nbytes());
}

void Reader::fail(const std::string& why) const {
  THEON_FAIL(SerializeError) << "load: " << what_ << " is damaged or not Theon data (" << why
                             << ", at byte " << pos_ << " of " << bytes_.size() << ")";
}

std::string_view Reader::take(size_t n) {
  if (n > bytes_.size() - pos_) fail("it ends early");
  std::string_view s = bytes_.substr(pos_, n);
  pos_ += n;
  return s;
}

uint8_t Reader::u8() { return static_cast<uint8_t>(take(1)[0]); }

bool Reader::boolean() {
  const uint8_t v = u8();
  if (v > 1) fail("a flag is " + std::to_string(v));
  return v == 1;
}

int64_t Reader::i64() {
  int64_t v;
  std::memcpy(&v, take(sizeof v).data(), sizeof v);
  return v;
}

int Reader::int32() {
  const int64_t v = i64();
  if (v < INT32_MIN || v > INT32_MAX) fail("an int is " + std::to_string(v));
  return static_cast<int>(v);
}

double Reader::f64() {
  double v;
  std::memcpy(&v, take(sizeof v).data(), sizeof v);
  return v;
}

std::string Reader::str() {
  const int64_t n = i64();
  if (n < 0) fail("a length is negative");
  return std::string(take(static_cast<size_t>(n)));
}

std::vector<int> Reader::ints() {
  const int64_t n = i64();
  if (n < 0 || static_cast<uint64_t>(n) > (bytes_.size() - pos_) / 8) fail("a list length is " + std::to_string(n));
  std::vector<int> v(static_cast<size_t>(n));
  for (int& x : v) x = int32();
  return v;
}

static DType read_dtype(Reader& r) {
  const uint8_t d = r.u8();
  if (d > static_cast<uint8_t>(DType::Complex128)) r.fail("a dtype code is " + std::to_string(d));
  return static_cast<DType>(d);
}

TensorType Reader::type() {
  const DType d = read_dtype(*this);
  const int ndim = u8();
  if (ndim > kMaxDims) fail("a type has " + std::to_string(ndim) + " dimensions");
  BroadcastPattern b(static_cast<size_t>(ndim), false);
  for (int i = 0; i < ndim; ++i) b[i] = boolean();
  return TensorType(d, std::move(b));
}

NDArray Reader::array() {
  const DType d = read_dtype(*this);
  const int ndim = u8();
  if (ndim > kMaxDims) fail("an array has " + std::to_string(ndim) + " dimensions");
  Shape shape(static_cast<size_t>(ndim), 0);
  uint64_t count = 1;
  for (int64_t& s : shape) {
    s = i64();
    if (s < 0) fail("an array length is negative");
    if (s != 0 && static_cast<uint64_t>(s) > bytes_.size()) fail("an array is larger than the data");
    count *= static_cast<uint64_t>(s);
    if (s != 0 && count > bytes_.size()) fail("an array is larger than the data");
  }
  const std::string_view data = take(count * itemsize(d));
  NDArray a = NDArray::empty(d, shape);
  if (!data.empty()) std::memcpy(a.raw(), data.data(), data.size());
  return a;
}

}  // namespace theon
