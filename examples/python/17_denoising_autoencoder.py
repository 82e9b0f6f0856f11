# A Theano program written the classic way, run unchanged through the `theano` alias:
# a denoising autoencoder with tied weights. Each minibatch is corrupted by a fresh
# random mask from MRG_RandomStreams (the stream's state is a shared variable that every
# call advances without being listed in the updates), encoded, decoded, and scored by
# the cross-entropy of the reconstruction against the clean input. The data are
# synthetic MNIST-shaped binary images (strokes of a few prototypes). Cost per epoch:
# py_denoising_autoencoder_cost.csv.
import numpy as np

import theano
import theano.tensor as T
from theano.sandbox.rng_mrg import MRG_RandomStreams as RandomStreams


class dA(object):
    def __init__(self, numpy_rng, theano_rng, input, n_visible, n_hidden):
        self.n_visible, self.n_hidden = n_visible, n_hidden
        bound = 4 * np.sqrt(6.0 / (n_hidden + n_visible))
        initial_W = np.asarray(numpy_rng.uniform(low=-bound, high=bound, size=(n_visible, n_hidden)),
                               dtype=theano.config.floatX)
        self.W = theano.shared(value=initial_W, name="W", borrow=True)
        self.b = theano.shared(value=np.zeros(n_hidden, dtype=theano.config.floatX), name="b", borrow=True)
        self.b_prime = theano.shared(value=np.zeros(n_visible, dtype=theano.config.floatX), name="b'", borrow=True)
        self.W_prime = self.W.T
        self.theano_rng = theano_rng
        self.x = input
        self.params = [self.W, self.b, self.b_prime]

    def get_corrupted_input(self, input, corruption_level):
        # Keeps each pixel with probability 1 - corruption_level, zeroes it otherwise.
        return self.theano_rng.binomial(size=input.shape, n=1, p=1 - corruption_level,
                                        dtype=theano.config.floatX) * input

    def get_hidden_values(self, input):
        return T.nnet.sigmoid(T.dot(input, self.W) + self.b)

    def get_reconstructed_input(self, hidden):
        return T.nnet.sigmoid(T.dot(hidden, self.W_prime) + self.b_prime)

    def get_cost_updates(self, corruption_level, learning_rate):
        tilde_x = self.get_corrupted_input(self.x, corruption_level)
        y = self.get_hidden_values(tilde_x)
        z = self.get_reconstructed_input(y)
        L = -T.sum(self.x * T.log(z) + (1 - self.x) * T.log(1 - z), axis=1)
        cost = T.mean(L)
        gparams = T.grad(cost, self.params)
        updates = [(param, param - learning_rate * gparam) for param, gparam in zip(self.params, gparams)]
        return cost, updates


def make_images(rng, n, n_prototypes=20, side=28):
    """n binary side x side images: a random prototype of strokes, with 5 % of the
    pixels flipped."""
    prototypes = np.zeros((n_prototypes, side, side))
    for p in prototypes:
        for _ in range(3):  # three horizontal or vertical strokes
            at, start = rng.randint(4, side - 4), rng.randint(0, side // 2)
            length = rng.randint(side // 3, side // 2)
            if rng.rand() < 0.5:
                p[at - 1:at + 2, start:start + length] = 1
            else:
                p[start:start + length, at - 1:at + 2] = 1
    images = prototypes[rng.randint(0, n_prototypes, size=n)].reshape(n, side * side)
    flips = rng.rand(*images.shape) < 0.05
    return np.where(flips, 1 - images, images).astype(theano.config.floatX)


def main(learning_rate=0.1, training_epochs=8, batch_size=20, corruption_level=0.3):
    rng = np.random.RandomState(123)
    train_set_x = theano.shared(make_images(rng, 2000), borrow=True)
    n_train_batches = train_set_x.get_value(borrow=True).shape[0] // batch_size

    index = T.lscalar()
    x = T.matrix("x")
    theano_rng = RandomStreams(rng.randint(2 ** 30))
    da = dA(numpy_rng=rng, theano_rng=theano_rng, input=x, n_visible=28 * 28, n_hidden=200)
    cost, updates = da.get_cost_updates(corruption_level=corruption_level, learning_rate=learning_rate)
    train_da = theano.function([index], cost, updates=updates,
                               givens={x: train_set_x[index * batch_size:(index + 1) * batch_size]})

    costs = []
    for epoch in range(training_epochs):
        c = np.mean([train_da(batch_index) for batch_index in range(n_train_batches)])
        costs.append((epoch, float(c)))
        print("training epoch %d, cost %.4f" % (epoch, c))

    # The corruption is random per call: the same minibatch twice keeps other pixels.
    kept = theano.function([index], T.sum(da.get_corrupted_input(x, corruption_level)),
                           givens={x: train_set_x[index * batch_size:(index + 1) * batch_size]})
    print("fresh corruption per call: %s" % (float(kept(0)) != float(kept(0)),))
    print("cost decreased: %s" % (costs[-1][1] < costs[0][1],))
    with open("py_denoising_autoencoder_cost.csv", "w") as csv:
        csv.write("step,cost\n")
        csv.writelines("%d,%r\n" % (s, c) for s, c in costs)


if __name__ == "__main__":
    main()
