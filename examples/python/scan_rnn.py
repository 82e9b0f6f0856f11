# scan: a small recurrent network learns to echo its input from one step earlier,
# trained by backpropagation through time. Cost per step: py_scan_rnn_cost.csv.
import numpy as np
import theon as theano
import theon.tensor as T

rng = np.random.RandomState(7)
steps, batch, hidden = 20, 16, 10
Wx = theano.shared(rng.normal(0, 0.5, (1, hidden)), name="Wx")
Wh = theano.shared(rng.normal(0, 0.2, (hidden, hidden)), name="Wh")
b = theano.shared(np.zeros(hidden), name="b")
Wo = theano.shared(rng.normal(0, 0.5, (hidden, 1)), name="Wo")

x = T.dtensor3("x")  # (steps, batch, 1)
y = T.dtensor3("y")  # x one step earlier


def step(x_t, h_prev):
    return T.tanh(T.dot(x_t, Wx) + T.dot(h_prev, Wh) + b)


h, _ = theano.scan(step, sequences=x, outputs_info=T.zeros((batch, hidden)))
cost = T.mean(T.sqr(T.dot(h, Wo) - y))
params = [Wx, Wh, b, Wo]
grads = T.grad(cost, params)
train = theano.function([x, y], cost, updates=[(p, p - 0.3 * g) for p, g in zip(params, grads)])

costs = []
for i in range(300):
    xs = rng.normal(0, 1, (steps, batch, 1))
    ys = np.zeros_like(xs)
    ys[1:] = xs[:-1]
    costs.append(float(train(xs, ys)))
    if i % 50 == 0:
        print("step %d: cost %.4f" % (i, costs[-1]))
with open("py_scan_rnn_cost.csv", "w") as f:
    f.write("step,cost\n")
    for i, c in enumerate(costs):
        f.write("%d,%r\n" % (i, c))
print("cost %.4f -> %.4f %s" % (costs[0], costs[-1], "(learned)" if costs[-1] < costs[0] / 4 else "(NOT learned)"))
assert costs[-1] < costs[0] / 4
