"""copy.deepcopy of a model object (Theano programs keep the best model this way during
early stopping): the copy's shared variables are new, hold copies of the values, and
are the ones the copy's expressions and compiled functions use."""
import copy

import numpy as np

import theon
import theon.tensor as T


class Model:
    def __init__(self):
        self.x = T.dvector("x")
        self.W = theon.shared(np.ones(3), name="W")
        self.b = theon.shared(0.5, name="b")
        self.output = self.x * self.W + self.b
        self.cost = T.sum(self.output ** 2)
        self.params = [self.W, self.b]
        grads = T.grad(self.cost, self.params)
        self.train = theon.function([self.x], self.cost,
                                    updates=[(p, p - 0.1 * g) for p, g in zip(self.params, grads)])
        self.predict = theon.function([theon.In(self.x, value=np.zeros(3))], self.output)


def test_deepcopy_of_a_model_is_independent_and_consistent():
    m = Model()
    m2 = copy.deepcopy(m)
    assert m2.W is not m.W and m2.W.name == "W"
    assert m2.params[0] == m2.W and m2.params[1] == m2.b  # one copy per shared variable
    m2.train(np.ones(3))
    np.testing.assert_allclose(m.W.get_value(), np.ones(3))   # the original is untouched
    assert not np.allclose(m2.W.get_value(), np.ones(3))
    # The copy's function reads the copy's parameters; its In default came along.
    np.testing.assert_allclose(m2.predict(np.ones(3)), m2.W.get_value() + m2.b.get_value())
    np.testing.assert_allclose(m2.predict(), np.full(3, m2.b.get_value()))
    np.testing.assert_allclose(m.predict(np.ones(3)), np.full(3, 1.5))
    # The copy's expression is over the copy's input and parameters.
    f = theon.function([m2.x], m2.output)
    np.testing.assert_allclose(f(np.ones(3)), m2.predict(np.ones(3)))


def test_deepcopy_of_a_shared_variable_copies_its_value_and_type():
    s = theon.shared(np.zeros((1, 3), dtype=np.float32), name="s", broadcastable=(True, False))
    t = copy.deepcopy(s)
    assert t.broadcastable == s.broadcastable and t.dtype == "float32"
    t.set_value(np.ones((1, 3), dtype=np.float32))
    np.testing.assert_array_equal(s.get_value(), np.zeros((1, 3)))
    c = T.constant(2.0)
    assert copy.deepcopy(c) == c  # constants are shared, not copied


def test_deepcopy_of_a_model_with_random_streams():
    from theon.sandbox.rng_mrg import MRG_RandomStreams

    class Dropout:
        def __init__(self):
            self.rng = MRG_RandomStreams(7)
            self.x = T.dvector("x")
            self.W = theon.shared(np.ones(4), name="W")
            self.out = self.x * self.W * self.rng.binomial(size=(4,), p=0.5, dtype="float64")
            self.f = theon.function([self.x], self.out)

    m = Dropout()
    state = m.rng.state_updates[0][0]
    before = state.get_value()
    m2 = copy.deepcopy(m)
    masks = [m2.f(np.ones(4)) for _ in range(4)]
    # The copy's draw advances the copy's state (its default update came along)...
    assert any(not np.array_equal(masks[0], k) for k in masks[1:])
    np.testing.assert_array_equal(state.get_value(), before)  # ...not the original's
    # Both start from the same state, so the first masks agree.
    np.testing.assert_array_equal(m.f(np.ones(4)), masks[0])
    assert m2.rng.uniform(size=(2,)) is not None and len(m.rng.state_updates) == 1
