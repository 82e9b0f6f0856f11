# Data-parallel training of W5's MLP (784-512-512-10, ReLU, softmax cross-entropy, SGD,
# float32, global batch 256) on a synthetic MNIST-shaped dataset (docs/distributed.md).
#
#   python3 distributed_mlp.py                                  # one process
#   mpirun -np 2 --oversubscribe python3 distributed_mlp.py     # two ranks, same result
#
# Every rank builds the same dataset and the same initial parameters (rank 0's are
# broadcast anyway), visits the same shuffled order (DistributedSampler: each rank takes
# every size-th index of one permutation per epoch, so the ranks' batches together are
# the single process's batch), and averages its gradients with the other ranks'
# (distributed.allreduce) before the same SGD update. The final loss therefore equals
# the single process's to float32 rounding. Per-rank throughput is printed; on a machine
# with fewer cores than ranks, expect no speedup.
import sys
import time

import numpy as np

import theon
import theon.tensor as T
from theon import distributed
from _mnist_like import make_dataset

EPOCHS = int(sys.argv[1]) if len(sys.argv) > 1 else 3
N_TRAIN, GLOBAL_BATCH, LEARNING_RATE = 2048, 256, np.float32(0.1)

distributed.init()
rank, size = distributed.rank(), distributed.size()
if GLOBAL_BATCH % size:
    sys.exit("the global batch of %d rows does not split over %d ranks" % (GLOBAL_BATCH, size))
local_batch = GLOBAL_BATCH // size

images, labels = make_dataset(N_TRAIN, seed=1234)
images = images.reshape(N_TRAIN, 784)
labels = labels.astype(np.int64)

rng = np.random.RandomState(5)


def glorot(fan_in, fan_out):
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32)


values = [glorot(784, 512), np.zeros(512, np.float32), glorot(512, 512), np.zeros(512, np.float32),
          glorot(512, 10), np.zeros(10, np.float32)]
params = [theon.shared(v, name=n) for v, n in zip(values, ["W1", "b1", "W2", "b2", "W3", "b3"])]
distributed.broadcast(params)  # the replicas start identical, whatever each rank drew

x, y = T.fmatrix("x"), T.lvector("y")
w1, b1, w2, b2, w3, b3 = params
h1 = T.nnet.relu(T.dot(x, w1) + b1)
h2 = T.nnet.relu(T.dot(h1, w2) + b2)
p = T.nnet.softmax(T.dot(h2, w3) + b3)
loss = T.mean(T.nnet.categorical_crossentropy(p, y))
# The mean over ranks of each rank's mean gradient is the global batch's mean gradient;
# the loss rides along in the same all-reduce (the global batch's loss).
*grads, global_loss = distributed.allreduce(T.grad(loss, params) + [loss])
step = theon.function([x, y], global_loss,
                      updates=[(q, q - LEARNING_RATE * g) for q, g in zip(params, grads)])

sampler = distributed.DistributedSampler(N_TRAIN, shuffle=True, seed=0, drop_last=True)
costs = []
start = time.perf_counter()
for epoch in range(EPOCHS):
    sampler.set_epoch(epoch)
    order = sampler.indices()
    for first in range(0, len(order) - local_batch + 1, local_batch):
        rows = order[first:first + local_batch]
        costs.append(float(step(images[rows], labels[rows])))
elapsed = time.perf_counter() - start

samples = len(costs) * local_batch
print("rank %d of %d: %d steps of %d rows in %.2f s: %.0f samples/s" %
      (rank, size, len(costs), local_batch, elapsed, samples / elapsed), flush=True)
s = T.dscalar("s")
total_rate = theon.function([s], distributed.allreduce(s, op="sum"))(samples / elapsed)
if rank == 0:
    print("all %d ranks: %.0f samples/s, %.2f ms per global step" %
          (size, total_rate, 1e3 * elapsed / len(costs)))
    print("loss %.6f -> final loss %.6f" % (costs[0], costs[-1]))
    if size == 1:
        with open("py_distributed_mlp_cost.csv", "w") as csv:
            csv.write("step,cost\n")
            csv.writelines("%d,%r\n" % (i, c) for i, c in enumerate(costs))
