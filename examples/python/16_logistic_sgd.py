# A Theano program written the classic way, run unchanged through the `theano` alias:
# multiclass logistic regression on an MNIST-shaped dataset (784 features, 10 classes),
# minibatch SGD with the data in shared variables and each minibatch selected by
# `givens`, the negative log-likelihood by integer indexing, and early stopping on a
# validation set. The dataset is synthetic (noisy class prototypes) so that the example
# needs no download. Cost per epoch: py_logistic_sgd_cost.csv.
import numpy as np

import theano
import theano.tensor as T


def make_dataset(rng, n, prototypes, noise=1.0):
    """n noisy copies of random prototypes, as (images in [0, 1], labels)."""
    labels = rng.randint(0, len(prototypes), size=n)
    images = prototypes[labels] + noise * rng.normal(size=(n, prototypes.shape[1]))
    images = 1.0 / (1.0 + np.exp(-images))  # squash into [0, 1] like pixel intensities
    return images.astype(theano.config.floatX), labels


def shared_dataset(data):
    """The data in shared variables, so that minibatches are slices, not copies per call.
    Labels are stored as floatX and cast back, as the tutorials do for GPU storage."""
    images, labels = data
    shared_x = theano.shared(np.asarray(images, dtype=theano.config.floatX), borrow=True)
    shared_y = theano.shared(np.asarray(labels, dtype=theano.config.floatX), borrow=True)
    return shared_x, T.cast(shared_y, "int32")


class LogisticRegression(object):
    def __init__(self, input, n_in, n_out):
        self.W = theano.shared(np.zeros((n_in, n_out), dtype=theano.config.floatX), name="W", borrow=True)
        self.b = theano.shared(np.zeros((n_out,), dtype=theano.config.floatX), name="b", borrow=True)
        self.p_y_given_x = T.nnet.softmax(T.dot(input, self.W) + self.b)
        self.y_pred = T.argmax(self.p_y_given_x, axis=1)
        self.params = [self.W, self.b]
        self.input = input

    def negative_log_likelihood(self, y):
        # The mean over the minibatch of -log p(correct class): row i, column y[i].
        return -T.mean(T.log(self.p_y_given_x)[T.arange(y.shape[0]), y])

    def errors(self, y):
        if y.ndim != self.y_pred.ndim:
            raise TypeError("y should have the same shape as self.y_pred")
        return T.mean(T.neq(self.y_pred, y))


def main(learning_rate=0.13, n_epochs=60, batch_size=100):
    rng = np.random.RandomState(1234)
    # Prototypes this close make classes overlap: about 7 % test error, as MNIST gives
    # logistic regression.
    prototypes = 0.13 * rng.normal(size=(10, 784))
    train_x, train_y = shared_dataset(make_dataset(rng, 5000, prototypes))
    valid_x, valid_y = shared_dataset(make_dataset(rng, 1000, prototypes))
    test_x, test_y = shared_dataset(make_dataset(rng, 1000, prototypes))
    n_train_batches = train_x.get_value(borrow=True).shape[0] // batch_size
    n_valid_batches = valid_x.get_value(borrow=True).shape[0] // batch_size
    n_test_batches = test_x.get_value(borrow=True).shape[0] // batch_size

    index = T.lscalar()
    x = T.matrix("x")
    y = T.ivector("y")
    classifier = LogisticRegression(input=x, n_in=28 * 28, n_out=10)
    cost = classifier.negative_log_likelihood(y)

    def batch(data, labels):
        return {x: data[index * batch_size:(index + 1) * batch_size],
                y: labels[index * batch_size:(index + 1) * batch_size]}

    test_model = theano.function([index], classifier.errors(y), givens=batch(test_x, test_y))
    validate_model = theano.function([index], classifier.errors(y), givens=batch(valid_x, valid_y))
    g_W = T.grad(cost=cost, wrt=classifier.W)
    g_b = T.grad(cost=cost, wrt=classifier.b)
    updates = [(classifier.W, classifier.W - learning_rate * g_W),
               (classifier.b, classifier.b - learning_rate * g_b)]
    train_model = theano.function([index], cost, updates=updates, givens=batch(train_x, train_y))

    # Early stopping: stop once `patience` minibatches passed without a significant
    # improvement; each significant improvement extends the patience.
    patience, patience_increase, improvement_threshold = 2000, 2, 0.995
    validation_frequency = min(n_train_batches, patience // 2)
    best_validation_loss, test_score, best_epoch = np.inf, 0.0, 0
    costs = []
    epoch, done_looping = 0, False
    while epoch < n_epochs and not done_looping:
        epoch += 1
        epoch_costs = []
        for minibatch_index in range(n_train_batches):
            epoch_costs.append(float(train_model(minibatch_index)))
            iteration = (epoch - 1) * n_train_batches + minibatch_index
            if (iteration + 1) % validation_frequency == 0:
                this_validation_loss = np.mean([validate_model(i) for i in range(n_valid_batches)])
                print("epoch %i, minibatch %i/%i, validation error %.2f %%"
                      % (epoch, minibatch_index + 1, n_train_batches, this_validation_loss * 100.0))
                if this_validation_loss < best_validation_loss:
                    if this_validation_loss < best_validation_loss * improvement_threshold:
                        patience = max(patience, iteration * patience_increase)
                    best_validation_loss, best_epoch = this_validation_loss, epoch
                    test_score = np.mean([test_model(i) for i in range(n_test_batches)])
            if patience <= iteration:
                done_looping = True
                break
        costs.append((epoch, float(np.mean(epoch_costs))))

    print("best validation error %.2f %% (epoch %d), test error %.2f %%"
          % (best_validation_loss * 100.0, best_epoch, test_score * 100.0))
    print("cost decreased: %s" % (costs[-1][1] < costs[0][1],))
    with open("py_logistic_sgd_cost.csv", "w") as csv:
        csv.write("step,cost\n")
        csv.writelines("%d,%r\n" % (s, c) for s, c in costs)


if __name__ == "__main__":
    main()
