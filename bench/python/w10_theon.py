"""W10 from Python, written as the classic tutorials write it (through the `theano` alias):
the data in shared variables, an integer index argument, the minibatch selected by
`givens`, NLL by indexing, SGD updates.

    PYTHONPATH=build/python python3 w10_theon.py --workload W10 [--repeats 5] [--scale 1]
"""
import numpy as np

import bench_common as bc
import w10_common as wc
import theano
import theano.tensor as T
import theon  # the one call the tutorial has no counterpart for: wait_for_native_code

IMPL = "theon-py"


def run_w10(args):
    theano.config.floatX = "float32"
    data_x, data_y = wc.data()
    w1v, b1v, w2v, b2v = wc.initial_params()
    # As the tutorial's load_data: labels stored as floatX, cast to int32 for indexing.
    train_set_x = theano.shared(np.asarray(data_x, dtype=theano.config.floatX), borrow=True)
    shared_y = theano.shared(np.asarray(data_y, dtype=theano.config.floatX), borrow=True)
    train_set_y = T.cast(shared_y, "int32")

    index = T.lscalar()
    x = T.matrix("x")
    y = T.ivector("y")
    W1 = theano.shared(w1v, name="W1", borrow=True)
    b1 = theano.shared(b1v, name="b1", borrow=True)
    W2 = theano.shared(w2v, name="W2", borrow=True)
    b2 = theano.shared(b2v, name="b2", borrow=True)
    params = [W1, b1, W2, b2]
    hidden = T.tanh(T.dot(x, W1) + b1)
    p_y_given_x = T.nnet.softmax(T.dot(hidden, W2) + b2)
    cost = -T.mean(T.log(p_y_given_x)[T.arange(y.shape[0]), y])
    gparams = [T.grad(cost, param) for param in params]
    learning_rate = wc.LEARNING_RATE
    batch_size = wc.BATCH
    train_model = theano.function(
        inputs=[index], outputs=cost,
        updates=[(param, param - learning_rate * gparam) for param, gparam in zip(params, gparams)],
        givens={x: train_set_x[index * batch_size:(index + 1) * batch_size],
                y: train_set_y[index * batch_size:(index + 1) * batch_size]})
    assert W1.get_value(borrow=True).dtype == np.float32
    wc.run(args, IMPL, train_model, lambda: [p.get_value(borrow=True) for p in params],
           settle=theon.wait_for_native_code)


if __name__ == "__main__":
    bc.run_selected(bc.parse_args(), {"W10": run_w10}, IMPL)
