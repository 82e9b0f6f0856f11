# A recurrent tagger in the style of Theano-era NLP code: word windows looked up in an
# embedding matrix by an index matrix, an Elman recurrence in scan whose step returns a
# softmax of a vector (a 1 x n row in Theano), the per-sentence NLL by indexing, and an
# update that renormalizes the embeddings. Prints the training accuracy.
from collections import OrderedDict

import numpy as np
import theano
import theano.tensor as T

rng = np.random.RandomState(3)
vocab, dim, window, hidden, tags = 15, 4, 3, 8, 3


def param(*shape):
    return theano.shared((0.3 * rng.uniform(-1, 1, shape)).astype(theano.config.floatX))


table, w_in, w_rec, w_out = param(vocab + 1, dim), param(dim * window, hidden), param(hidden, hidden), param(hidden, tags)
b_rec, b_out, h_start = param(hidden), param(tags), param(hidden)
params = [table, w_in, w_rec, w_out, b_rec, b_out, h_start]

windows = T.imatrix("windows")
gold = T.ivector("gold")
rate = T.scalar("rate")
inputs = table[windows].reshape((windows.shape[0], dim * window))


def tick(x_t, h_prev):
    h_t = T.nnet.sigmoid(T.dot(x_t, w_in) + T.dot(h_prev, w_rec) + b_rec)
    return h_t, T.nnet.softmax(T.dot(h_t, w_out) + b_out)


(states, rows), _ = theano.scan(tick, sequences=inputs, outputs_info=[h_start, None])
probs = rows[:, 0, :]
loss = -T.mean(T.log(probs)[T.arange(windows.shape[0]), gold])
train = theano.function([windows, gold, rate], loss,
                        updates=OrderedDict((p, p - rate * g) for p, g in zip(params, T.grad(loss, params))))
renorm = theano.function([], updates={table: table / T.sqrt((table ** 2).sum(axis=1)).dimshuffle(0, "x")})
tag = theano.function([windows], T.argmax(probs, axis=1))


def windows_of(sentence):
    padded = [-1] * (window // 2) + sentence + [-1] * (window // 2)
    return np.asarray([padded[i:i + window] for i in range(len(sentence))], dtype="int32")


sentences = [list(rng.randint(0, vocab, size=n)) for n in (5, 7, 4, 6)]
for epoch in range(60):
    for s in sentences:
        train(windows_of(s), np.asarray([w % tags for w in s], dtype="int32"), 0.5)
        renorm()
print("train accuracy %.2f" % np.mean([np.mean(tag(windows_of(s)) == [w % tags for w in s]) for s in sentences]))
