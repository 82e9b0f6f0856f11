"""Batch normalization, training forward + backward, spatial, float32, (128, 64, 28, 28):
Theon's ops (theano.tensor.nnet.bn.batch_normalization_train and its gradient op) against
torch.nn.functional.batch_norm with autograd, on the same thread count. Each side computes
out, dx, dgamma, dbeta from x, gamma, beta and a given output gradient dy. Prints the
median of 15 interleaved runs (ms per forward + backward) and the ratio.

    OMP_NUM_THREADS=2 PYTHONPATH=build/python /usr/bin/python3 bench/python/bn_torch.py
"""
import os
import statistics
import time

import numpy as np
import torch

import theon
import theon.tensor as T
from theon.gradient import Lop
from theon.tensor.nnet import bn

SHAPE = tuple(int(s) for s in os.environ.get("BN_SHAPE", "128,64,28,28").split(","))
threads = int(os.environ.get("OMP_NUM_THREADS", os.cpu_count()))
torch.set_num_threads(threads)

rng = np.random.default_rng(0)
xv = rng.normal(1, 2, SHAPE).astype("float32")
dyv = rng.normal(0, 1, SHAPE).astype("float32")
gv = rng.uniform(0.5, 1.5, SHAPE[1]).astype("float32")
bv = rng.normal(0, 1, SHAPE[1]).astype("float32")

x, dy = T.ftensor4("x"), T.ftensor4("dy")
g, b = T.fvector("g"), T.fvector("b")
out = bn.batch_normalization_train(x, g, b, "spatial", epsilon=1e-5)[0]
step = theon.function([x, g, b, dy], [out] + Lop([out], [x, g, b], [dy]))

tx = torch.from_numpy(xv).requires_grad_(True)
tg = torch.from_numpy(gv).requires_grad_(True)
tb = torch.from_numpy(bv).requires_grad_(True)
tdy = torch.from_numpy(dyv)


def theon_step():
    return step(xv, gv, bv, dyv)


def torch_step():
    tx.grad = tg.grad = tb.grad = None
    o = torch.nn.functional.batch_norm(tx, None, None, tg, tb, training=True, eps=1e-5)
    o.backward(tdy)
    return o.detach().numpy(), tx.grad.numpy(), tg.grad.numpy(), tb.grad.numpy()


# Same answers first.
a, t = theon_step(), torch_step()
for name, u, v in zip(("out", "dx", "dgamma", "dbeta"), a, t):
    np.testing.assert_allclose(u, v, rtol=2e-3, atol=2e-3 * max(1.0, float(np.abs(v).max())), err_msg=name)
del a, t

times = {"theon": [], "torch": []}
for _ in range(3):
    theon_step()
    torch_step()
for _ in range(15):
    for name, fn in (("theon", theon_step), ("torch", torch_step)):
        start = time.perf_counter()
        fn()
        times[name].append((time.perf_counter() - start) * 1e3)
med = {k: statistics.median(v) for k, v in times.items()}
print("bn train fwd+bwd %s float32 spatial, %d thread(s), torch %s" % (SHAPE, threads, torch.__version__))
print("  theon %8.2f ms   torch %8.2f ms   theon/torch %.2f" % (med["theon"], med["torch"], med["theon"] / med["torch"]))
