// Python bindings of include/theon/conv.hpp, in theon._theon.tensor.nnet (the modules
// python/theon/tensor/nnet/abstract_conv.py, conv.py and conv3d2d.py give them Theano's
// names and arguments). Border modes arrive as a string, an int or a tuple of ints;
// shape hints as None or a sequence whose entries may be None (or symbolic: unknown).
#include "common.hpp"
#include "theon/conv.hpp"

namespace theon::python {

using namespace pybind11::literals;
namespace nnet = tensor::nnet;

namespace {

int64_t int_of(py::handle h, const char* what) {
  try {
    return py::int_(py::reinterpret_borrow<py::object>(h)).cast<int64_t>();
  } catch (const py::error_already_set&) {
    throw ValueError(std::string(what) + ": expected an int, got " + std::string(py::str(h)));
  }
}

nnet::BorderMode border_from_py(py::handle mode) {
  if (py::isinstance<py::str>(mode)) return nnet::BorderMode(mode.cast<std::string>());
  if (py::isinstance<py::int_>(mode) || py::hasattr(mode, "__index__"))
    if (!py::isinstance<py::sequence>(mode)) return nnet::BorderMode(int_of(mode, "border_mode"));
  if (py::isinstance<py::sequence>(mode)) {
    std::vector<int64_t> pads;
    for (py::handle p : mode) {
      if (py::isinstance<py::sequence>(p) && !py::isinstance<py::str>(p))
        throw ValueError(
            "border_mode: asymmetric padding (a pair per axis) is not supported; give one "
            "padding per axis");
      pads.push_back(int_of(p, "border_mode"));
    }
    return nnet::BorderMode(pads);
  }
  throw ValueError("border_mode must be 'valid', 'full', 'half', an int or a tuple of ints, got " +
                   std::string(py::str(mode)));
}

nnet::ShapeHint hint_from_py(py::handle hint) {
  nnet::ShapeHint out;
  if (hint.is_none()) return out;
  for (py::handle entry : hint) {
    if (entry.is_none() || py::isinstance<Var>(entry))
      out.push_back(std::nullopt);
    else
      out.push_back(int_of(entry, "shape hint"));
  }
  return out;
}

std::vector<int64_t> ints_from_py(py::handle values, const char* what) {
  std::vector<int64_t> out;
  if (py::isinstance<py::sequence>(values)) {
    for (py::handle v : values) out.push_back(int_of(v, what));
  } else {
    out.push_back(int_of(values, what));
  }
  return out;
}

}  // namespace

void bind_conv(py::module_& /*m*/, py::module_& t) {
  py::module_ n = t.attr("nnet").cast<py::module_>();
  auto forward = [](bool is_3d) {
    return [is_3d](VarArg input, VarArg filters, py::handle input_shape, py::handle filter_shape,
                   py::handle border_mode, py::handle subsample, bool filter_flip,
                   py::handle filter_dilation, int64_t num_groups) {
      auto f = is_3d ? &nnet::conv3d : &nnet::conv2d;
      return f(input, filters, hint_from_py(input_shape), hint_from_py(filter_shape),
               border_from_py(border_mode), ints_from_py(subsample, "subsample"), filter_flip,
               ints_from_py(filter_dilation, "filter_dilation"), num_groups);
    };
  };
  n.def("conv2d", forward(false), "input"_a, "filters"_a, "input_shape"_a = py::none(),
        "filter_shape"_a = py::none(), "border_mode"_a = "valid", "subsample"_a = py::make_tuple(1, 1),
        "filter_flip"_a = true, "filter_dilation"_a = py::make_tuple(1, 1), "num_groups"_a = 1);
  n.def("conv3d", forward(true), "input"_a, "filters"_a, "input_shape"_a = py::none(),
        "filter_shape"_a = py::none(), "border_mode"_a = "valid",
        "subsample"_a = py::make_tuple(1, 1, 1), "filter_flip"_a = true,
        "filter_dilation"_a = py::make_tuple(1, 1, 1), "num_groups"_a = 1);
  auto grad_inputs = [](bool is_3d) {
    return [is_3d](VarArg output_grad, VarArg filters, py::handle input_shape,
                   py::handle filter_shape, py::handle border_mode, py::handle subsample,
                   bool filter_flip, py::handle filter_dilation, int64_t num_groups) {
      auto f = is_3d ? &nnet::conv3d_grad_wrt_inputs : &nnet::conv2d_grad_wrt_inputs;
      return f(output_grad, filters, shape_from_py(input_shape), hint_from_py(filter_shape),
               border_from_py(border_mode), ints_from_py(subsample, "subsample"), filter_flip,
               ints_from_py(filter_dilation, "filter_dilation"), num_groups);
    };
  };
  auto grad_weights = [](bool is_3d) {
    return [is_3d](VarArg input, VarArg output_grad, py::handle filter_shape,
                   py::handle input_shape, py::handle border_mode, py::handle subsample,
                   bool filter_flip, py::handle filter_dilation, int64_t num_groups) {
      auto f = is_3d ? &nnet::conv3d_grad_wrt_weights : &nnet::conv2d_grad_wrt_weights;
      return f(input, output_grad, shape_from_py(filter_shape), hint_from_py(input_shape),
               border_from_py(border_mode), ints_from_py(subsample, "subsample"), filter_flip,
               ints_from_py(filter_dilation, "filter_dilation"), num_groups);
    };
  };
  // The Python modules pass every argument; full shapes there have numbers (not None) in
  // their batch and channel entries, which are not read.
  n.def("conv2d_grad_wrt_inputs", grad_inputs(false));
  n.def("conv3d_grad_wrt_inputs", grad_inputs(true));
  n.def("conv2d_grad_wrt_weights", grad_weights(false));
  n.def("conv3d_grad_wrt_weights", grad_weights(true));
  n.def(
      "get_conv_shape_1axis",
      [](std::optional<int64_t> image, std::optional<int64_t> kernel, py::handle border_mode,
         int64_t subsample, int64_t dilation) {
        return nnet::get_conv_shape_1axis(image, kernel, border_from_py(border_mode), subsample,
                                          dilation);
      },
      "image_shape"_a, "kernel_shape"_a, "border_mode"_a, "subsample"_a, "dilation"_a = 1);
}

}  // namespace theon::python
