// config.hpp: the flags behind theon.config (python/theon/configparser.py adds the
// Python-only ones and attribute syntax).
#include "common.hpp"

namespace theon::python {

namespace {

py::object get_flag(const std::string& name) {
  const Config& c = config();
  if (name == "floatX") return py::str(std::string(dtype_name(c.floatX)));
  if (name == "optimizer") return py::str(c.optimizer);
  if (name == "optimizer_including") return py::str(c.optimizer_including);
  if (name == "optimizer_excluding") return py::str(c.optimizer_excluding);
  if (name == "optimizer_verbose") return py::bool_(c.optimizer_verbose);
  if (name == "exception_verbosity") return py::str(c.exception_verbosity);
  if (name == "conv_algorithm") return py::str(c.conv_algorithm);
  if (name == "compute_test_value") return py::str(c.compute_test_value);
  throw py::attribute_error("theon.config has no flag '" + name + "'");
}

void set_flag(const std::string& name, py::handle value) {
  // apply_flags validates values and names the flag in its errors.
  std::string text = py::str(value).cast<std::string>();
  if (py::isinstance<py::bool_>(value)) text = value.cast<bool>() ? "1" : "0";
  if (name == "floatX" && !py::isinstance<py::str>(value)) text = std::string(dtype_name(dtype_from_py(value)));
  apply_flags(config(), name + "=" + text);
}

}  // namespace

void bind_config(py::module_& m) {
  m.def("_config_get", &get_flag);
  m.def("_config_set", &set_flag);
  m.def("_config_names", [] {
    return std::vector<std::string>{"floatX", "optimizer", "optimizer_including", "optimizer_excluding",
                                    "optimizer_verbose", "exception_verbosity", "conv_algorithm",
                                    "compute_test_value"};
  });
  m.def("_apply_flags", [](const std::string& flags) { apply_flags(config(), flags); });
  // theon.wait_for_native_code(): the compile cache's (include/theon/cache.hpp).
  m.def("wait_for_native_code", [] {
    py::gil_scoped_release release;
    wait_for_native_code();
  });
}

}  // namespace theon::python
