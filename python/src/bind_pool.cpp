// pool.hpp: theano.tensor.signal.pool's operations, bound into the submodule
// theon._theon.tensor.signal (python/theon/tensor/signal/pool.py adds Theano's argument
// names, the deprecated ones, and the op-class spellings).
#include "common.hpp"
#include "theon/pool.hpp"

namespace theon::python {

using namespace pybind11::literals;

void bind_pool(py::module_& /*m*/, py::module_& t) {
  namespace S = tensor::signal;
  using W = S::PoolWindow;
  py::module_ s = t.def_submodule("signal", "Theano's theano.tensor.signal.pool (core)");
  s.def("pool_2d",
        [](VarArg x, const W& ws, bool ignore_border, const W& stride, const W& pad, const std::string& mode) {
          return S::pool_2d(x, ws, ignore_border, stride, pad, mode);
        },
        "input"_a, "ws"_a, "ignore_border"_a = false, "stride"_a = W{}, "pad"_a = W{}, "mode"_a = "max");
  s.def("pool_3d",
        [](VarArg x, const W& ws, bool ignore_border, const W& stride, const W& pad, const std::string& mode) {
          return S::pool_3d(x, ws, ignore_border, stride, pad, mode);
        },
        "input"_a, "ws"_a, "ignore_border"_a = false, "stride"_a = W{}, "pad"_a = W{}, "mode"_a = "max");
  s.def("max_pool_2d_same_size", [](VarArg x, const W& patch) { return S::max_pool_2d_same_size(x, patch); },
        "input"_a, "patch_size"_a);
  s.def("max_pool_grad",
        [](VarArg x, VarArg maxout, VarArg gz, const W& ws, bool ignore_border, const W& stride, const W& pad) {
          return S::max_pool_grad(x, maxout, gz, ws, ignore_border, stride, pad);
        },
        "x"_a, "maxout"_a, "gz"_a, "ws"_a, "ignore_border"_a, "stride"_a = W{}, "pad"_a = W{});
  s.def("average_pool_grad",
        [](VarArg x, VarArg gz, const W& ws, bool ignore_border, const W& stride, const W& pad,
           const std::string& mode) { return S::average_pool_grad(x, gz, ws, ignore_border, stride, pad, mode); },
        "x"_a, "gz"_a, "ws"_a, "ignore_border"_a, "stride"_a = W{}, "pad"_a = W{}, "mode"_a = "average_inc_pad");
  s.def("max_pool_grad_grad",
        [](VarArg x, VarArg maxout, VarArg ggx, const W& ws, bool ignore_border, const W& stride, const W& pad) {
          return S::max_pool_grad_grad(x, maxout, ggx, ws, ignore_border, stride, pad);
        },
        "x"_a, "maxout"_a, "ggx"_a, "ws"_a, "ignore_border"_a, "stride"_a = W{}, "pad"_a = W{});
  s.def("pool_output_length", &S::pool_output_length, "n"_a, "ws"_a, "stride"_a, "pad"_a, "ignore_border"_a);
}

}  // namespace theon::python
