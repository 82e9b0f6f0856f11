# Seed 001: f(x) = exp(sin(x**2)) at x = 10, and its derivative at x = 15 (4.347...).
import theon as theano
import theon.tensor as T
import theon.tensor.nnet as nnet
import numpy as np

x = T.dscalar()
fx = T.exp(T.sin(x**2))
print(type(fx)) #just to show you that fx is a theano variable type

f = theano.function(inputs=[x], outputs=[fx])
print(f(10))

fp = T.grad(fx, wrt=x)
fprime = theano.function([x], fp)
print(fprime(15))
