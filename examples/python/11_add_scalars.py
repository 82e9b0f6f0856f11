# Seed 002, "Theano expression into callable objects": 1.5 + 2.5.
import theon as theano
from theon import tensor

x = tensor.dscalar()
y = tensor.dscalar()
z = x + y
f = theano.function([x,y], z)
print(f(1.5, 2.5))
