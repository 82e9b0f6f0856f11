# A small all-convolutional network (no pooling layers, no dense layers: strided
# convolutions downsample, a 1x1 convolution and a global average give the class scores)
# with batch normalization after every convolution and dropout, written with Theano's
# names and run through the `theano` alias. Training normalizes with each minibatch's
# statistics and keeps running averages in shared variables (updated by the training
# function, as Theano programs do); evaluation normalizes with the running averages and
# drops nothing. Data: the synthetic MNIST-shaped images of _mnist_like.py.
# Writes py_allconv_cost.csv and py_allconv_valid_error.csv.
import numpy as np

import theano
import theano.tensor as T
from theano.sandbox.rng_mrg import MRG_RandomStreams
from theano.tensor.nnet import bn, conv2d

from _mnist_like import make_dataset

theano.config.floatX = "float32"
FLOATX = theano.config.floatX


class ConvBNLayer(object):
    """conv2d ('half' padding: the image keeps its size before striding), batch
    normalization over each channel ('spatial'), ReLU."""

    def __init__(self, rng, n_in, n_out, size=3, stride=1):
        fan_in = n_in * size * size
        self.W = theano.shared(np.asarray(rng.normal(0, np.sqrt(2.0 / fan_in),
                                                     size=(n_out, n_in, size, size)), dtype=FLOATX))
        self.gamma = theano.shared(np.ones(n_out, dtype=FLOATX))
        self.beta = theano.shared(np.zeros(n_out, dtype=FLOATX))
        self.running_mean = theano.shared(np.zeros(n_out, dtype=FLOATX))
        self.running_var = theano.shared(np.ones(n_out, dtype=FLOATX))
        self.stride = (stride, stride)
        self.params = [self.W, self.gamma, self.beta]

    def __call__(self, x, training):
        """(output, running-average updates); training=False uses the running averages."""
        z = conv2d(x, self.W, border_mode="half", subsample=self.stride)
        if not training:
            out = bn.batch_normalization_test(z, self.gamma, self.beta, self.running_mean,
                                              self.running_var, axes="spatial")
            return T.nnet.relu(out), []
        out, _, _, new_mean, new_var = bn.batch_normalization_train(
            z, self.gamma, self.beta, axes="spatial", running_mean=self.running_mean,
            running_var=self.running_var)
        return T.nnet.relu(out), [(self.running_mean, new_mean), (self.running_var, new_var)]


def main(learning_rate=0.3, n_epochs=6, batch_size=100, keep=0.9):
    rng = np.random.RandomState(1234)
    srng = MRG_RandomStreams(seed=5)
    train_x, train_y = make_dataset(3000, seed=11)
    valid_x, valid_y = make_dataset(1000, seed=12)

    x = T.tensor4("x")
    y = T.ivector("y")
    # 28x28 -> 28x28 -> 14x14 -> 7x7 -> 4x4: the last layer sees the whole glyph.
    layers = [ConvBNLayer(rng, 1, 16), ConvBNLayer(rng, 16, 32, stride=2),
              ConvBNLayer(rng, 32, 64, stride=2), ConvBNLayer(rng, 64, 64, stride=2)]
    classify = theano.shared(np.asarray(rng.normal(0, 0.1, size=(10, 64, 1, 1)), dtype=FLOATX))

    def network(training):
        h, running_updates = x, []
        for layer in layers:
            h, updates = layer(h, training)
            running_updates += updates
            if training:  # dropout: keep each activation with probability `keep`, rescale
                h = h * srng.binomial(size=h.shape, p=keep, dtype=FLOATX) / keep
        scores = conv2d(h, classify).mean(axis=(2, 3))  # 1x1 convolution, global average
        return T.nnet.softmax(scores), running_updates

    p_train, running_updates = network(training=True)
    p_eval, _ = network(training=False)
    cost = -T.mean(T.log(p_train)[T.arange(y.shape[0]), y])
    params = [classify] + [p for layer in layers for p in layer.params]
    updates = [(p, p - learning_rate * g) for p, g in zip(params, T.grad(cost, params))]
    train = theano.function([x, y], cost, updates=updates + running_updates)
    error = theano.function([x, y], T.mean(T.neq(T.argmax(p_eval, axis=1), y)))

    costs, valid_errors = [], []
    n_batches = len(train_x) // batch_size
    for epoch in range(1, n_epochs + 1):
        order = rng.permutation(len(train_x))
        epoch_cost = np.mean([train(train_x[order[i * batch_size:(i + 1) * batch_size]],
                                    train_y[order[i * batch_size:(i + 1) * batch_size]])
                              for i in range(n_batches)])
        valid_error = 100 * np.mean([error(valid_x[i:i + batch_size], valid_y[i:i + batch_size])
                                     for i in range(0, len(valid_x), batch_size)])
        print("epoch %i, training cost %.4f, validation error %.2f %%" % (epoch, epoch_cost, valid_error))
        costs.append((epoch, float(epoch_cost)))
        valid_errors.append((epoch, float(valid_error)))
    means = layers[0].running_mean.get_value()
    print("running means of layer 1 moved from zero: %s" % (bool(np.abs(means).max() > 0),))
    print("validation error decreased: %s" % (valid_errors[-1][1] < valid_errors[0][1],))
    for name, rows in (("py_allconv_cost.csv", costs), ("py_allconv_valid_error.csv", valid_errors)):
        with open(name, "w") as csv:
            csv.write("step,cost\n")
            csv.writelines("%d,%r\n" % row for row in rows)


if __name__ == "__main__":
    main()
