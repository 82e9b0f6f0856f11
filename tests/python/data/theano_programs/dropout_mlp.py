# A two-layer classifier in the style of Theano-era research code: dropout between the
# layers from RandomStreams, L1 and L2 penalties, minibatches selected by givens from
# shared datasets, and the NLL written with integer indexing. Prints the train error.
import numpy as np
import theano
import theano.tensor as T
from theano.tensor.shared_randomstreams import RandomStreams


def init_weights(rng, n_in, n_out):
    scale = np.sqrt(6.0 / (n_in + n_out))
    return theano.shared(rng.uniform(-scale, scale, (n_in, n_out)).astype(theano.config.floatX))


rng = np.random.RandomState(7)
features = rng.rand(400, 12).astype(theano.config.floatX)
classes = (features[:, :6].sum(axis=1) > features[:, 6:].sum(axis=1)).astype("int32")
data_x = theano.shared(features, borrow=True)
data_y = T.cast(theano.shared(classes.astype(theano.config.floatX)), "int32")

x, y, batch = T.matrix("x"), T.ivector("y"), T.lscalar("batch")
noise = RandomStreams(rng.randint(1 << 20))
W1, b1 = init_weights(rng, 12, 24), theano.shared(np.zeros(24, dtype=theano.config.floatX))
W2, b2 = init_weights(rng, 24, 2), theano.shared(np.zeros(2, dtype=theano.config.floatX))
hidden = T.tanh(T.dot(x, W1) + b1)
kept = hidden * noise.binomial(size=hidden.shape, p=0.8, dtype=theano.config.floatX) / 0.8
probs = T.nnet.softmax(T.dot(kept, W2) + b2)
nll = -T.mean(T.log(probs)[T.arange(y.shape[0]), y])
penalty = 1e-4 * (abs(W1).sum() + abs(W2).sum()) + 1e-4 * ((W1 ** 2).sum() + (W2 ** 2).sum())
params = [W1, b1, W2, b2]
step = theano.function([batch], nll + penalty,
                       updates=[(p, p - 0.2 * g) for p, g in zip(params, T.grad(nll + penalty, params))],
                       givens={x: data_x[batch * 25:(batch + 1) * 25], y: data_y[batch * 25:(batch + 1) * 25]})
clean = T.nnet.softmax(T.dot(T.tanh(T.dot(x, W1) + b1), W2) + b2)
error = theano.function([], T.mean(T.neq(T.argmax(clean, axis=1), y)), givens={x: data_x, y: data_y})
for epoch in range(40):
    for b in range(16):
        step(b)
print("train error %.3f" % error())
