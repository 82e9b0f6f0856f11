# Contrastive divergence in the style of Theano-era RBM code: binomial samples drawn
# inside scan (each Gibbs step advances the random state), the chain's end held constant
# in the gradient, and the parameter updates added to the updates scan returned.
# Prints whether the free-energy gap shrank.
import numpy as np
import theano
import theano.tensor as T
from theano.sandbox.rng_mrg import MRG_RandomStreams

rng = np.random.RandomState(11)
draws = MRG_RandomStreams(5)
n_vis, n_hid = 8, 5
W = theano.shared((0.1 * rng.randn(n_vis, n_hid)).astype(theano.config.floatX))
b_hid = theano.shared(np.zeros(n_hid, dtype=theano.config.floatX))
b_vis = theano.shared(np.zeros(n_vis, dtype=theano.config.floatX))
v0 = T.matrix("v0")


def bernoulli(mean):
    return draws.binomial(size=mean.shape, n=1, p=mean, dtype=theano.config.floatX)


def gibbs(h):
    v = bernoulli(T.nnet.sigmoid(T.dot(h, W.T) + b_vis))
    return bernoulli(T.nnet.sigmoid(T.dot(v, W) + b_hid)), v


def free_energy(v):
    return -T.dot(v, b_vis) - T.sum(T.nnet.softplus(T.dot(v, W) + b_hid), axis=1)


h0 = bernoulli(T.nnet.sigmoid(T.dot(v0, W) + b_hid))
(hs, vs), updates = theano.scan(gibbs, outputs_info=[h0, None], n_steps=2)
chain_end = vs[-1]
gap = T.mean(free_energy(v0)) - T.mean(free_energy(chain_end))
for p, g in zip([W, b_hid, b_vis], T.grad(gap, [W, b_hid, b_vis], consider_constant=[chain_end])):
    updates[p] = p - 0.05 * g
learn = theano.function([v0], gap, updates=updates)
patterns = np.array([[1, 1, 1, 1, 0, 0, 0, 0], [0, 0, 0, 0, 1, 1, 1, 1]], dtype=theano.config.floatX)
data = patterns[rng.randint(0, 2, size=40)]
gaps = [float(learn(data)) for _ in range(200)]
print("states advanced: %s" % (len(updates) == 5))
print("gap shrank: %s" % (np.mean(gaps[-20:]) < np.mean(gaps[:20]),))
