// print.hpp: pp and debugprint as strings (python/theon/printing.py prints them).
#include "common.hpp"

namespace theon::python {

void bind_print(py::module_& m) {
  m.def("_pp", [](const Var& v) { return pp(v); });
  m.def("_debugprint", [](const Vars& outputs) { return debugprint(outputs); });
}

}  // namespace theon::python
