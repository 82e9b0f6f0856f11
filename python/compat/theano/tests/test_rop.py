"""theano.tests.test_rop.RopLop_checker: checks an expression's R-operator and
L-operator against its Jacobian (Theano's base class for op authors' tests).

As in Theano, setUp makes vectors self.x, self.v (length self.in_shape[0]) and matrices
self.mx, self.mv (shape self.mat_in_shape); check_rop_lop(y, out_shape) compares
Rop(y, x, v) with J v and Lop(y, x, u) with u J, where J is y's Jacobian, on random values;
check_mat_rop_lop does the same for y built on self.mx; check_nondiff_rop(y) expects Rop to
refuse y.
"""
import unittest

import numpy

import theon
import theon.tensor as T

from . import unittest_tools as utt


class RopLop_checker(unittest.TestCase):  # noqa: N801 (Theano's name)
    def setUp(self):
        utt.seed_rng()
        self.rng = numpy.random.RandomState(utt.fetch_seed())
        self.x = T.vector("x")
        self.v = T.vector("v")
        self.in_shape = (5 + self.rng.randint(3),)
        self.mx = T.matrix("mx")
        self.mv = T.matrix("mv")
        self.mat_in_shape = (5 + self.rng.randint(3), 5 + self.rng.randint(3))

    def _random(self, shape):
        return numpy.asarray(self.rng.uniform(size=shape), dtype=theon.config.floatX)

    def check_nondiff_rop(self, y):
        try:
            T.Rop(y, self.x, self.v)
        except (ValueError, TypeError, NotImplementedError):
            return
        self.fail("Rop of an expression that is not differentiable in x did not raise")

    def _compare(self, wrt, point, y, out_shape, in_shape):
        flat_y = y.flatten()
        jac = T.jacobian(flat_y, wrt).reshape((flat_y.shape[0], -1))
        x_val, v_val = self._random(in_shape), self._random(in_shape)
        rop = theon.function([wrt, point], T.Rop(y, wrt, point), on_unused_input="ignore")
        by_jacobian = theon.function([wrt, point], T.dot(jac, point.flatten()).reshape(y.shape),
                                     on_unused_input="ignore")
        utt.assert_allclose(by_jacobian(x_val, v_val), rop(x_val, v_val))
        u = T.TensorType(theon.config.floatX, (False,) * len(out_shape))("u")
        u_val = self._random(out_shape)
        lop = theon.function([wrt, u], T.Lop(y, wrt, u), on_unused_input="ignore")
        by_jacobian = theon.function([wrt, u], T.dot(u.flatten(), jac).reshape(wrt.shape),
                                     on_unused_input="ignore")
        utt.assert_allclose(by_jacobian(x_val, u_val), lop(x_val, u_val))

    def check_rop_lop(self, y, out_shape):
        self._compare(self.x, self.v, y, tuple(out_shape), self.in_shape)

    def check_mat_rop_lop(self, y, out_shape):
        self._compare(self.mx, self.mv, y, tuple(out_shape), self.mat_in_shape)
