// Python bindings for profiling: function(profile=True). python/theon/profiling.py wraps
// _ProfileStats in Theano's ProfileStats (the dicts keyed by node, summary(file=...)).
#include <sstream>

#include "common.hpp"
#include "profile_request.hpp"
#include "theon/profile.hpp"

namespace theon::python {

void bind_profile(py::module_& m) {
  py::class_<ProfileStats, std::shared_ptr<ProfileStats>>(m, "_ProfileStats")
      .def(py::init<std::string>(), py::arg("message") = "")
      .def_property(
          "message", [](const ProfileStats& s) { std::lock_guard lock(s.mutex); return s.message; },
          [](ProfileStats& s, const std::string& v) { std::lock_guard lock(s.mutex); s.message = v; })
      .def_property_readonly("fct_callcount",
                             [](const ProfileStats& s) { std::lock_guard lock(s.mutex); return s.fct_callcount; })
      .def_property_readonly("fct_call_time",
                             [](const ProfileStats& s) { std::lock_guard lock(s.mutex); return s.fct_call_time; })
      .def_property_readonly("compile_time",
                             [](const ProfileStats& s) { std::lock_guard lock(s.mutex); return s.compile_time; })
      .def_property_readonly("compile_phases",
                             [](const ProfileStats& s) { std::lock_guard lock(s.mutex); return s.compile_phases; })
      .def_property_readonly("memory_peak",
                             [](const ProfileStats& s) { std::lock_guard lock(s.mutex); return s.memory_peak; })
      .def_property_readonly("optimizer_time", &ProfileStats::optimizer_time)
      .def_property_readonly("linker_time", &ProfileStats::linker_time)
      .def_property_readonly("apply_time_total", &ProfileStats::apply_time)
      // Per node: (id, function, op class, op, description, calls, seconds, impl, inputs).
      .def("nodes",
           [](const ProfileStats& s) {
             std::lock_guard lock(s.mutex);
             py::list out;
             for (const NodeProfile& n : s.nodes)
               out.append(py::make_tuple(n.id, n.function, n.op_class, n.op, n.description, n.calls,
                                         n.time, n.impl, n.inputs));
             return out;
           })
      .def("summary", &ProfileStats::summary, py::arg("n_ops") = 20, py::arg("n_apply") = 20,
           py::call_guard<py::gil_scoped_release>())
      .def("merge", &ProfileStats::merge)
      // What Python appends to _function's observers to profile it (profile_request.hpp).
      .def("_request", [](const std::shared_ptr<ProfileStats>& s) -> std::shared_ptr<NodeObserver> {
        return std::make_shared<ProfileRequest>(s);
      });
  // config.profile, read and set from Python (configparser.py's mapped flags).
  m.def("_profile_flag", [] { return config().profile; });
  m.def("_set_profile_flag", [](bool on) { config().profile = on; });
  // The summaries of the profiles C++ registered for exit (THEON_FLAGS=profile=True
  // without Python's stats), as text; Python's atexit writes them where
  // config.profiling.destination says.
  m.def("_profiles_at_exit", [] {
    std::ostringstream os;
    print_profiles_at_exit(os);
    return os.str();
  });
}

}  // namespace theon::python
