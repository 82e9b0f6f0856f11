# LeNet-5 the way Theano's convolutional tutorial wrote it, run unchanged through the
# `theano` alias: two convolution + max-pooling blocks, a tanh hidden layer and a softmax
# output, trained by minibatch SGD with the data in shared variables and each minibatch
# selected by `givens`. The data are synthetic MNIST-shaped images (_mnist_like.py), so
# the example needs no download. Prints the validation error after every epoch and
# writes py_lenet5_cost.csv (mean training cost per epoch) and
# py_lenet5_valid_error.csv (validation error in % per epoch).
import time

import numpy as np

import theano
import theano.tensor as T
from theano.tensor.nnet import conv2d
from theano.tensor.signal import pool

from _mnist_like import make_dataset

theano.config.floatX = "float32"


class LeNetConvPoolLayer(object):
    """A convolution with `filter_shape` filters, 2x2 max-pooling, a bias and tanh."""

    def __init__(self, rng, input, filter_shape, image_shape, poolsize=(2, 2)):
        fan_in = np.prod(filter_shape[1:])
        fan_out = filter_shape[0] * np.prod(filter_shape[2:]) // np.prod(poolsize)
        bound = np.sqrt(6.0 / (fan_in + fan_out))
        self.W = theano.shared(
            np.asarray(rng.uniform(-bound, bound, size=filter_shape), dtype=theano.config.floatX),
            borrow=True)
        self.b = theano.shared(np.zeros((filter_shape[0],), dtype=theano.config.floatX),
                               borrow=True)
        conv_out = conv2d(input=input, filters=self.W, filter_shape=filter_shape,
                          input_shape=image_shape)
        pooled_out = pool.pool_2d(input=conv_out, ws=poolsize, ignore_border=True)
        self.output = T.tanh(pooled_out + self.b.dimshuffle("x", 0, "x", "x"))
        self.params = [self.W, self.b]


class HiddenLayer(object):
    def __init__(self, rng, input, n_in, n_out):
        bound = np.sqrt(6.0 / (n_in + n_out))
        self.W = theano.shared(
            np.asarray(rng.uniform(-bound, bound, size=(n_in, n_out)), dtype=theano.config.floatX),
            name="W", borrow=True)
        self.b = theano.shared(np.zeros((n_out,), dtype=theano.config.floatX), name="b", borrow=True)
        self.output = T.tanh(T.dot(input, self.W) + self.b)
        self.params = [self.W, self.b]


class LogisticRegression(object):
    def __init__(self, input, n_in, n_out):
        self.W = theano.shared(np.zeros((n_in, n_out), dtype=theano.config.floatX), name="W",
                               borrow=True)
        self.b = theano.shared(np.zeros((n_out,), dtype=theano.config.floatX), name="b", borrow=True)
        self.p_y_given_x = T.nnet.softmax(T.dot(input, self.W) + self.b)
        self.y_pred = T.argmax(self.p_y_given_x, axis=1)
        self.params = [self.W, self.b]

    def negative_log_likelihood(self, y):
        return -T.mean(T.log(self.p_y_given_x)[T.arange(y.shape[0]), y])

    def errors(self, y):
        return T.mean(T.neq(self.y_pred, y))


def shared_dataset(data):
    images, labels = data
    shared_x = theano.shared(images.reshape(len(images), -1), borrow=True)
    shared_y = theano.shared(labels.astype(theano.config.floatX), borrow=True)
    return shared_x, T.cast(shared_y, "int32")


def main(learning_rate=0.1, n_epochs=6, nkerns=(20, 50), batch_size=100):
    rng = np.random.RandomState(23455)
    train_x, train_y = shared_dataset(make_dataset(4000, seed=1))
    valid_x, valid_y = shared_dataset(make_dataset(1000, seed=2))
    test_x, test_y = shared_dataset(make_dataset(1000, seed=3))
    n_train_batches = train_x.get_value(borrow=True).shape[0] // batch_size
    n_valid_batches = valid_x.get_value(borrow=True).shape[0] // batch_size
    n_test_batches = test_x.get_value(borrow=True).shape[0] // batch_size

    index = T.lscalar()
    x = T.matrix("x")
    y = T.ivector("y")
    layer0_input = x.reshape((batch_size, 1, 28, 28))
    # 28x28 -> conv 5x5 -> 24x24 -> pool -> 12x12; then 12x12 -> 8x8 -> 4x4.
    layer0 = LeNetConvPoolLayer(rng, layer0_input, image_shape=(batch_size, 1, 28, 28),
                                filter_shape=(nkerns[0], 1, 5, 5))
    layer1 = LeNetConvPoolLayer(rng, layer0.output, image_shape=(batch_size, nkerns[0], 12, 12),
                                filter_shape=(nkerns[1], nkerns[0], 5, 5))
    layer2 = HiddenLayer(rng, layer1.output.flatten(2), n_in=nkerns[1] * 4 * 4, n_out=500)
    layer3 = LogisticRegression(layer2.output, n_in=500, n_out=10)
    cost = layer3.negative_log_likelihood(y)

    def batch(data, labels):
        return {x: data[index * batch_size:(index + 1) * batch_size],
                y: labels[index * batch_size:(index + 1) * batch_size]}

    test_model = theano.function([index], layer3.errors(y), givens=batch(test_x, test_y))
    validate_model = theano.function([index], layer3.errors(y), givens=batch(valid_x, valid_y))
    params = layer3.params + layer2.params + layer1.params + layer0.params
    grads = T.grad(cost, params)
    updates = [(p, p - learning_rate * g) for p, g in zip(params, grads)]
    train_model = theano.function([index], cost, updates=updates, givens=batch(train_x, train_y))

    costs, valid_errors = [], []
    start = time.time()
    for epoch in range(1, n_epochs + 1):
        epoch_cost = np.mean([train_model(i) for i in range(n_train_batches)])
        valid_error = np.mean([validate_model(i) for i in range(n_valid_batches)]) * 100
        print("epoch %i, training cost %.4f, validation error %.2f %%"
              % (epoch, epoch_cost, valid_error))
        costs.append((epoch, float(epoch_cost)))
        valid_errors.append((epoch, float(valid_error)))
    test_error = np.mean([test_model(i) for i in range(n_test_batches)]) * 100
    print("test error %.2f %% after %d epochs (%.1f s of training)"
          % (test_error, n_epochs, time.time() - start))
    print("validation error decreased: %s" % (valid_errors[-1][1] < valid_errors[0][1],))
    for name, rows in (("py_lenet5_cost.csv", costs), ("py_lenet5_valid_error.csv", valid_errors)):
        with open(name, "w") as csv:
            csv.write("step,cost\n")
            csv.writelines("%d,%r\n" % row for row in rows)


if __name__ == "__main__":
    main()
