// NDArray <-> NumPy without copies. A NumPy array with one of Theon's dtypes, native
// byte order and strides that are whole elements is borrowed: the NDArray points into
// its memory and holds a reference to the array. An NDArray leaves as a NumPy array
// whose base is a capsule owning a handle to it, so the buffer lives as long as the
// NumPy array does.
#include <cstring>

#include "common.hpp"

namespace theon::python {
namespace {

// The reference a borrowed Buffer holds. It may be released on any thread (or during
// interpreter shutdown, when it must not touch Python at all).
void release_pyobject(void* p) {
#if PY_VERSION_HEX >= 0x030D0000
  if (!Py_IsInitialized() || Py_IsFinalizing()) return;
#else
  if (!Py_IsInitialized() || _Py_IsFinalizing()) return;
#endif
  if (PyGILState_Check()) {
    Py_DECREF(static_cast<PyObject*>(p));
    return;
  }
  PyGILState_STATE state = PyGILState_Ensure();
  Py_DECREF(static_cast<PyObject*>(p));
  PyGILState_Release(state);
}

// The dtype NumPy data without a Theon dtype is converted to (uint16 -> int32, ...).
std::optional<DType> nearest_dtype(const py::dtype& dt) {
  const char kind = dt.kind();
  const auto size = dt.itemsize();
  if (kind == 'u') return size <= 2 ? DType::Int32 : DType::Int64;
  if (kind == 'f') return size <= 4 ? DType::Float32 : DType::Float64;
  if (kind == 'c') return DType::Complex128;
  return std::nullopt;
}

}  // namespace

std::optional<DType> dtype_from_numpy(const py::dtype& dt) {
  const auto size = dt.itemsize();
  switch (dt.kind()) {
    case 'b': return DType::Bool;
    case 'i':
      if (size == 1) return DType::Int8;
      if (size == 2) return DType::Int16;
      if (size == 4) return DType::Int32;
      if (size == 8) return DType::Int64;
      return std::nullopt;
    case 'u':
      if (size == 1) return DType::UInt8;
      return std::nullopt;
    case 'f':
      if (size == 4) return DType::Float32;
      if (size == 8) return DType::Float64;
      return std::nullopt;
    case 'c':
      if (size == 8) return DType::Complex64;
      if (size == 16) return DType::Complex128;
      return std::nullopt;
    default: return std::nullopt;
  }
}

py::dtype numpy_dtype(DType dtype) {
  // Created once, never destroyed (Python may be gone when statics are).
  static py::dtype* table = [] {
    auto* t = new py::dtype[kNumDTypes];
    for (int i = 0; i < kNumDTypes; ++i)
      t[i] = py::dtype(std::string(dtype_name(static_cast<DType>(i))));
    return t;
  }();
  return table[static_cast<int>(dtype)];
}

DType dtype_from_py(py::handle obj) {
  if (py::isinstance<py::str>(obj)) {
    std::string name = obj.cast<std::string>();
    if (name == "floatX") return config().floatX;
    // Theano's short names.
    if (name == "float") return DType::Float64;
    if (name == "int") return DType::Int64;
    return dtype_from_name(name);
  }
  if (obj.is_none()) return config().floatX;
  py::dtype dt = py::dtype::from_args(py::reinterpret_borrow<py::object>(obj));
  auto d = dtype_from_numpy(dt);
  THEON_CHECK_USER(d.has_value(), TypeError)
      << "dtype " << py::str(obj).cast<std::string>() << " is not supported by Theon";
  return *d;
}

NDArray to_ndarray(const py::array& a, bool* copied) {
  const py::dtype dt = a.dtype();
  const auto dtype = dtype_from_numpy(dt);
  const ssize_t itemsize = dt.itemsize();
  const int nd = static_cast<int>(a.ndim());
  bool usable = dtype.has_value() && dt.byteorder() != '>';
  for (int d = 0; d < nd && usable; ++d) usable = a.strides(d) % itemsize == 0;
  if (!usable) {
    auto target = dtype ? dtype : nearest_dtype(dt);
    THEON_CHECK_USER(target.has_value(), TypeError)
        << "arrays of dtype " << py::str(py::handle(dt)).cast<std::string>() << " are not supported by Theon";
    // uint64 becomes int64 only when every value fits: never by wrapping around.
    THEON_CHECK_USER(dt.kind() != 'u' || itemsize < 8 || a.size() == 0 ||
                         a.attr("max")().cast<unsigned long long>() <= static_cast<unsigned long long>(INT64_MAX),
                     TypeError)
        << "a uint64 array with values above 2**63 - 1 does not fit in int64, Theon's widest integer; "
           "cast it to float64 first";
    py::array converted = py::module_::import("numpy").attr("ascontiguousarray")(a, numpy_dtype(*target));
    if (copied) *copied = true;
    return to_ndarray(converted, nullptr);
  }
  if (copied) *copied = false;

  Shape shape;
  Strides strides;
  int64_t lo = 0, hi = 0;
  bool empty = false;
  for (int d = 0; d < nd; ++d) {
    const int64_t n = a.shape(d), s = a.strides(d) / itemsize;
    shape.push_back(n);
    strides.push_back(s);
    if (n == 0) empty = true;
    (s < 0 ? lo : hi) += s * (n - 1);
  }
  const size_t nbytes = empty ? 0 : static_cast<size_t>(hi - lo + 1) * itemsize;
  auto* base = static_cast<std::byte*>(const_cast<void*>(a.data())) + lo * itemsize;
  PyObject* owner = a.ptr();
  Py_INCREF(owner);
  auto buffer = std::make_shared<Buffer>(base, nbytes, std::shared_ptr<void>(owner, release_pyobject));
  return NDArray::from_buffer(std::move(buffer), *dtype, shape, strides, -lo);
}

NDArray any_to_ndarray(py::handle obj, bool* copied) {
  if (py::isinstance<py::array>(obj)) return to_ndarray(py::reinterpret_borrow<py::array>(obj), copied);
  py::array a = py::module_::import("numpy").attr("asarray")(obj);
  if (copied) *copied = true;
  return to_ndarray(a, nullptr);
}

py::array to_numpy(NDArray a, bool copy_small) {
  const int nd = a.ndim();
  const DType dtype = a.dtype();
  py::dtype dt = numpy_dtype(dtype);
  Py_intptr_t shape[kMaxDims], strides[kMaxDims];
  THEON_CHECK_USER(nd <= kMaxDims, ValueError)
      << "an array of " << nd << " dimensions cannot become a NumPy array (at most " << kMaxDims << ")";
  const auto item = static_cast<Py_intptr_t>(itemsize(dtype));
  for (int d = 0; d < nd; ++d) {
    shape[d] = a.shape(d);
    strides[d] = a.strides()[d] * item;
  }
  if (a.size() == 0) return py::array(dt, std::vector<ssize_t>(shape, shape + nd));
  auto& api = py::detail::npy_api::get();
  if (copy_small && a.nbytes() <= 64 && a.is_contiguous()) {
    PyObject* out = api.PyArray_NewFromDescr_(api.PyArray_Type_, dt.release().ptr(), nd, shape, nullptr,
                                              nullptr, 0, nullptr);
    if (out == nullptr) throw py::error_already_set();
    std::memcpy(py::detail::array_proxy(out)->data, a.raw(), a.nbytes());
    return py::reinterpret_steal<py::array>(out);
  }
  void* data = a.raw();
  auto* holder = new NDArray(std::move(a));
  py::capsule base(holder, [](void* p) { delete static_cast<NDArray*>(p); });
  PyObject* out = api.PyArray_NewFromDescr_(api.PyArray_Type_, dt.release().ptr(), nd, shape, strides,
                                            data, py::detail::npy_api::NPY_ARRAY_WRITEABLE_, nullptr);
  if (out == nullptr) throw py::error_already_set();
  if (api.PyArray_SetBaseObject_(out, base.release().ptr()) != 0) {
    Py_DECREF(out);
    throw py::error_already_set();
  }
  return py::reinterpret_steal<py::array>(out);
}

void bind_array(py::module_& m) {
  // For tests: the array as Theon sees it, back as NumPy, and whether entering copied.
  m.def("_roundtrip", [](py::handle obj) {
    bool copied = false;
    NDArray a = any_to_ndarray(obj, &copied);
    return py::make_tuple(to_numpy(a), copied);
  });
  m.def("_dtype_name", [](py::handle obj) { return std::string(dtype_name(dtype_from_py(obj))); });
}

}  // namespace theon::python
