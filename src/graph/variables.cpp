// The type constructors of theon::tensor (dscalar, fmatrix, row, ...).
#include "theon/tensor.hpp"

namespace theon::tensor {

Var variable(const TensorType& type, std::string name, Loc loc) {
  return make_variable(type, std::move(name), loc);
}

Var tensor(DType dtype, BroadcastPattern broadcastable, std::string name, Loc loc) {
  return make_variable(TensorType(dtype, std::move(broadcastable)), std::move(name), loc);
}

}  // namespace theon::tensor
