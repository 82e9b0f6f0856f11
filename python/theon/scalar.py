"""theon.scalar: Theano's theano.scalar names that programs use outside custom ops.

    theano.scalar.upcast('int8', 'float32')   # 'float32'
    s = theano.scalar.float64('s')            # a 0-d float64 variable

Theon has no separate scalar type: Theano's scalar types are 0-d tensor types here,
which every tensor operation accepts. The scalar op classes (ScalarOp, Composite) are
not available.
"""
import numpy as _np

from ._theon import TensorType as _TensorType
from .configparser import config as _config


def upcast(dtype, *dtypes):
    """The dtype of an operation mixing `dtypes` (NumPy's promotion), kept in floatX:
    with floatX=float32 a result that NumPy makes float64 is float32 unless one of the
    operands is float64 itself (Theano's rule)."""
    names = [str(_np.dtype(d)) for d in (dtype,) + dtypes]
    result = str(_np.result_type(*names))
    if result == "float64" and "float64" not in names and _config.floatX == "float32":
        return "float32"
    return result


def Scalar(dtype):  # noqa: N802 (Theano's class name)
    """The 0-d tensor type of `dtype`: Scalar('float32')('x') is a float32 scalar."""
    return _TensorType(str(_np.dtype(dtype)), ())


bool = Scalar("bool")  # noqa: A001
int8, int16, int32, int64 = (Scalar(d) for d in ("int8", "int16", "int32", "int64"))
uint8 = Scalar("uint8")  # Theon's only unsigned dtype
float32, float64 = Scalar("float32"), Scalar("float64")
complex64, complex128 = Scalar("complex64"), Scalar("complex128")
int_types = [int8, int16, int32, int64]
uint_types = [uint8]
float_types = [float32, float64]
discrete_types = [bool] + int_types + uint_types
complex_types = [complex64, complex128]
continuous_types = float_types + complex_types
all_types = discrete_types + continuous_types


def as_scalar(x, name=None):
    """x as a 0-d variable (a Python number becomes a constant)."""
    from . import tensor
    return tensor.as_tensor_variable(x, name=name) if name else tensor.as_tensor_variable(x)


constant = as_scalar
