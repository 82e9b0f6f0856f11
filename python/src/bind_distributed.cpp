// Python bindings for data-parallel training (theon/distributed.hpp), as the submodule
// _theon.distributed; python/theon/distributed.py is the user-facing module (argument
// forms, NumPy shards). Calls that wait for other ranks release the GIL, so that a
// Python thread of this process (a data loader) keeps running meanwhile.
#include "common.hpp"

#include "theon/distributed.hpp"

namespace theon::python {

using namespace pybind11::literals;
namespace D = theon::distributed;

namespace {

D::ReduceOp reduce_op_from_py(const std::string& op) {
  if (op == "mean") return D::ReduceOp::Mean;
  if (op == "sum") return D::ReduceOp::Sum;
  throw py::value_error("allreduce: op must be 'mean' or 'sum', got '" + op + "'");
}

std::vector<SharedVar> shared_vars_from_py(py::handle sequence) {
  std::vector<SharedVar> vars;
  for (py::handle item : sequence) {
    if (!py::isinstance<SharedVar>(item)) {
      throw py::type_error("broadcast: every item must be a shared variable, got " +
                           py::str(py::type::of(item)).cast<std::string>());
    }
    vars.push_back(item.cast<SharedVar>());
  }
  return vars;
}

}  // namespace

void bind_distributed(py::module_& m) {
  py::module_ d = m.def_submodule("distributed", "theon/distributed.hpp; import theon.distributed");
  d.def("init", [] {
    py::gil_scoped_release unlocked;
    D::init();
  });
  d.def("is_initialized", &D::is_initialized);
  d.def("rank", &D::rank);
  d.def("size", &D::size);
  d.def("barrier", [] {
    py::gil_scoped_release unlocked;
    D::barrier();
  });
  d.def("finalize", [] {
    py::gil_scoped_release unlocked;
    D::finalize();
  });
  d.def("broadcast", [](py::handle vars, int root) {
    const std::vector<SharedVar> list = shared_vars_from_py(vars);
    py::gil_scoped_release unlocked;
    D::broadcast(list, root);
  }, "vars"_a, "root"_a = 0);
  d.def("allreduce", [](py::handle vars, const std::string& op) {
    const Loc loc = py_loc();
    return D::allreduce(as_vars(vars), reduce_op_from_py(op), loc);
  }, "vars"_a, "op"_a = "mean");
  d.def("set_fusion_threshold_bytes", &D::set_fusion_threshold_bytes, "bytes"_a);
  d.def("fusion_threshold_bytes", &D::fusion_threshold_bytes);
  d.def("set_timeout_seconds", &D::set_timeout_seconds, "seconds"_a);
  d.def("timeout_seconds", &D::timeout_seconds);
  d.def("shard_range", [](int64_t n, int rank, int size, bool drop_remainder) {
    const D::Range r = D::shard_range(n, rank, size, drop_remainder);
    return py::make_tuple(r.begin, r.end);
  }, "n"_a, "rank"_a, "size"_a, "drop_remainder"_a = false);

  py::class_<D::DistributedSampler>(d, "DistributedSampler")
      .def(py::init<int64_t, bool, uint64_t, bool, int, int>(), "n"_a, "shuffle"_a = true,
           "seed"_a = 0, "drop_last"_a = false, "rank"_a = -1, "size"_a = -1)
      .def("set_epoch", &D::DistributedSampler::set_epoch, "epoch"_a)
      .def("indices", [](const D::DistributedSampler& s) {
        const std::vector<int64_t> indices = s.indices();
        py::array_t<int64_t> out(static_cast<py::ssize_t>(indices.size()));
        std::copy(indices.begin(), indices.end(), out.mutable_data());
        return out;
      })
      .def("size", &D::DistributedSampler::size);
}

}  // namespace theon::python
