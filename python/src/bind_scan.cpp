// scan.hpp: the C++ side of theon.scan (python/theon/scan_module.py normalizes Theano's
// arguments and the step function's return value first).
#include "common.hpp"

namespace theon::python {

using namespace pybind11::literals;

void bind_scan(py::module_& m) {
  // fn(list of variables) -> (outputs list, updates list of pairs); sequences and
  // outputs_info are lists of (variable or None, taps).
  m.def("_scan", [](py::function fn, py::list sequences, py::list outputs_info, py::list non_sequences,
                    py::handle n_steps, bool go_backwards, int truncate_gradient, py::handle name) {
    const Loc loc = py_loc();
    std::vector<ScanSequence> seqs;
    for (py::handle s : sequences) {
      auto pair = s.cast<py::tuple>();
      seqs.emplace_back(as_var(pair[0], loc), pair[1].cast<std::vector<int>>());
    }
    std::vector<ScanOutputInfo> infos;
    for (py::handle o : outputs_info) {
      auto pair = o.cast<py::tuple>();
      if (pair[0].is_none())
        infos.emplace_back();
      else
        infos.emplace_back(as_var(pair[0], loc), pair[1].cast<std::vector<int>>());
    }
    Vars non_seqs;
    for (py::handle v : non_sequences) non_seqs.push_back(as_var(v, loc));
    ScanOptions options;
    if (!n_steps.is_none()) options.n_steps = VarArg(as_var(n_steps, loc), loc);
    options.go_backwards = go_backwards;
    options.truncate_gradient = truncate_gradient;
    if (!name.is_none()) options.name = name.cast<std::string>();
    auto step = [&fn, &loc](std::span<const Var> args) -> ScanStepResult {
      py::list in;
      for (const Var& a : args) in.append(py::cast(a));
      py::tuple got = fn(in).cast<py::tuple>();
      Vars outs;
      for (py::handle o : got[0]) outs.push_back(as_var(o, loc));
      Updates ups;
      for (py::handle u : got[1]) {
        auto pair = u.cast<py::sequence>();
        Var target = as_var(pair[0], loc);
        THEON_CHECK_USER(target.is_shared(), TypeError)
            << "scan: the step function updates " << describe(target) << ", which is not a shared variable";
        ups.push_back({SharedVar(target), as_var(pair[1], loc)});
      }
      return ScanStepResult(std::move(outs), std::move(ups));
    };
    ScanResult r = scan(step, std::move(seqs), std::move(infos), std::move(non_seqs), std::move(options), loc);
    py::list updates;
    for (const Update& u : r.updates) updates.append(py::make_tuple(py::cast(u.var), py::cast(u.value)));
    return py::make_tuple(py::cast(r.outputs), updates);
  }, "fn"_a, "sequences"_a, "outputs_info"_a, "non_sequences"_a, "n_steps"_a, "go_backwards"_a,
     "truncate_gradient"_a, "name"_a);
}

}  // namespace theon::python
