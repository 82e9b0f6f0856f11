# reduce: the sum of a sequence with theano.reduce; foldl and foldr read it in either order.
import numpy as np
import theon as theano
import theon.tensor as T

x = T.dvector("x")
total, _ = theano.reduce(lambda x_t, acc: acc + x_t, sequences=x, outputs_info=T.constant(0.0))
left, _ = theano.foldl(lambda x_t, acc: acc * 10 + x_t, sequences=x, outputs_info=T.constant(0.0))
right, _ = theano.foldr(lambda x_t, acc: acc * 10 + x_t, sequences=x, outputs_info=T.constant(0.0))
f = theano.function([x], [total, left, right])
s, l, r = f(np.array([1.0, 2.0, 3.0, 4.0]))
print("sum", s)
print("foldl", l, "foldr", r)
