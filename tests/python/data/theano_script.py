# A Theano script as people wrote them, not edited for Theon: it runs with
# python/compat on PYTHONPATH (tests/python/test_compat.py).
from __future__ import print_function

from collections import OrderedDict

import numpy as np
import theano
import theano.tensor as T
import theano.tensor.nnet as nnet
from theano import function, pp, shared
from theano.gradient import grad
from theano.ifelse import ifelse
from theano.printing import debugprint

rng = np.random.RandomState(42)

x = T.matrix('x')
y = T.ivector('y')
W = theano.shared(np.asarray(rng.randn(3, 2) * 0.1, dtype=theano.config.floatX), name='W', borrow=True)
b = theano.shared(np.zeros(2, dtype=theano.config.floatX), name='b')

p_y = nnet.softmax(T.dot(x, W) + b)
cost = T.mean(nnet.categorical_crossentropy(p_y, y))
gW, gb = T.grad(cost, [W, b])
train = theano.function([x, y], cost, updates=OrderedDict([(W, W - 0.5 * gW), (b, b - 0.5 * gb)]),
                        allow_input_downcast=True)
predict = theano.function([x], T.argmax(p_y, axis=1))

data = np.array([[0, 0, 1], [1, 1, 1], [1, 0, 1], [0, 1, 1]])
labels = np.array([0, 1, 1, 0])
first = train(data, labels)
for _ in range(200):
    last = train(data, labels)
print('cost decreased:', float(last) < float(first))
print('predictions:', list(predict(data)))

a = T.dscalar('a')
sq = function([a], ifelse(T.gt(a, 0), a ** 2, -a))
print('ifelse:', float(sq(3.0)), float(sq(-2.0)))

c = T.dscalar('c')
print('grad:', float(function([c], grad(c ** 3, c))(2.0)))
print('pp:', pp(T.exp(c) + 1))
counter = shared(0)
inc = function([], counter, updates=[(counter, counter + 1)])
inc(); inc()
print('counter:', int(counter.get_value()))
debugprint(T.exp(c), file=open('/dev/null', 'w'))
print('floatX:', theano.config.floatX)
