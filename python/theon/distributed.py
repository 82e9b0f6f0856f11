"""Data-parallel training over MPI (docs/distributed.md).

Every process (a "rank") holds a replica of the parameters, computes gradients on its
shard of the batch; the gradients are averaged with an all-reduce and every replica
applies the same update:

    import theon, theon.tensor as T
    from theon import distributed

    distributed.init()                       # mpirun's world, or a world of 1
    distributed.broadcast(params)            # every replica starts from rank 0's values
    x_local = distributed.shard(x_global)    # this rank's rows of the global batch
    grads = distributed.allreduce(T.grad(cost, params))   # the mean over ranks
    step = theon.function([x, y], cost, updates=[(p, p - lr * g) for p, g in zip(params, grads)])

Launch with `mpirun -np 4 python3 train.py`; without mpirun the program is a world of
size 1 and runs unchanged (the all-reduce is then the identity). The all-reduce is
symbolic: one fused buffer per dtype and bucket, started as soon as its gradients are
computed, waited for only where its result is read.
"""
import numbers
import os
import sys

import numpy as np

from . import _theon
from .compile import shared as _shared

_d = _theon.distributed

init = _d.init
is_initialized = _d.is_initialized
rank = _d.rank
size = _d.size
barrier = _d.barrier
finalize = _d.finalize
set_fusion_threshold_bytes = _d.set_fusion_threshold_bytes
fusion_threshold_bytes = _d.fusion_threshold_bytes
set_timeout_seconds = _d.set_timeout_seconds
timeout_seconds = _d.timeout_seconds
shard_range = _d.shard_range

__all__ = ["init", "is_initialized", "rank", "size", "barrier", "finalize", "broadcast",
           "allreduce", "shard", "shard_range", "DistributedSampler",
           "set_fusion_threshold_bytes", "fusion_threshold_bytes", "set_timeout_seconds",
           "timeout_seconds"]


def _end_job_on_uncaught_exception(kind, value, traceback):
    """An uncaught exception on one rank of a world > 1 ends the whole job at once: the
    traceback is printed, then the process exits without MPI_Finalize (which would wait for
    the other ranks, themselves waiting in an all-reduce until the timeout), and mpirun,
    seeing a rank exit non-zero, stops the others."""
    _previous_excepthook(kind, value, traceback)
    if _d.is_initialized() and _d.size() > 1:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(1)


_previous_excepthook = sys.excepthook
if any(v in os.environ for v in ("OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK")):
    sys.excepthook = _end_job_on_uncaught_exception


def broadcast(shared_vars, root=0):
    """Sets every rank's shared variables to root's values, in place (one variable or a
    sequence). Every rank must pass the same variables, in the same order."""
    if isinstance(shared_vars, _theon.SharedVariable):
        shared_vars = [shared_vars]
    _d.broadcast(list(shared_vars), root)


def allreduce(variables, op="mean"):
    """The mean (op='mean') or sum (op='sum') over ranks of each variable: symbolic, for use
    in a graph. A list or tuple in gives a list out; one variable in gives one out."""
    if not isinstance(op, str) or op.lower() not in ("mean", "sum"):
        raise ValueError("allreduce: op must be 'mean' or 'sum', got %r" % (op,))
    if isinstance(variables, (list, tuple)):
        return list(_d.allreduce(list(variables), op.lower()))
    return _d.allreduce([variables], op.lower())[0]


def _rank_and_size(rank_, size_):
    return (rank() if rank_ is None else rank_), (size() if size_ is None else size_)


def shard(data, axis=0, drop_remainder=False, rank=None, size=None):
    """This rank's contiguous share of `data` along `axis` (shard_range's rows).

    A NumPy array (or array-like) gives a view of it; a shared variable gives a new shared
    variable holding a copy of this rank's rows (named "<name>[shard r/N]"). Shares differ
    by at most one row; with drop_remainder every rank gets len // size rows and the last
    len % size rows are left out. `rank` and `size` default to this process's world."""
    r, n = _rank_and_size(rank, size)
    if isinstance(data, _theon.SharedVariable):
        value = data.get_value(borrow=True)
        part = value[_slice(value, axis, r, n, drop_remainder)].copy()
        name = "%s[shard %d/%d]" % (data.name or "shared", r, n)
        return _shared(part, name=name)
    array = np.asarray(data)
    return array[_slice(array, axis, r, n, drop_remainder)]


def _slice(array, axis, r, n, drop_remainder):
    if array.ndim == 0:
        raise ValueError("shard: a 0-d value has no rows to split")
    if not -array.ndim <= axis < array.ndim:
        raise ValueError("shard: axis %d is out of range for an array of shape %s"
                         % (axis, array.shape))
    begin, end = shard_range(array.shape[axis], r, n, drop_remainder)
    index = [slice(None)] * array.ndim
    index[axis] = slice(begin, end)
    return tuple(index)


class DistributedSampler:
    """The indices of a dataset of `n` rows this rank visits in an epoch, as PyTorch's
    torch.utils.data.DistributedSampler: one permutation per epoch (from `seed` and the
    epoch given to set_epoch, the same on every rank without any communication), made a
    multiple of the world size by repeating its first indices (or cut with drop_last),
    rank r taking positions r, r + size, r + 2 size, ...

        sampler = DistributedSampler(len(x_train), seed=1)
        for epoch in range(10):
            sampler.set_epoch(epoch)
            order = np.fromiter(sampler, np.int64)   # or sampler.indices()

    `n` may also be a sized dataset (len() is used). `num_replicas` and `rank` default to
    the world's, as in PyTorch."""

    def __init__(self, n, shuffle=True, seed=0, drop_last=False, num_replicas=None, rank=None):
        if not isinstance(n, numbers.Integral):
            n = len(n)
        self._n = int(n)
        self._sampler = _d.DistributedSampler(
            self._n, bool(shuffle), int(seed), bool(drop_last),
            -1 if rank is None else int(rank), -1 if num_replicas is None else int(num_replicas))
        self.shuffle, self.seed, self.drop_last = bool(shuffle), int(seed), bool(drop_last)
        self.epoch = 0

    def set_epoch(self, epoch):
        """Makes the next iteration use this epoch's permutation (call it on every rank)."""
        self.epoch = int(epoch)
        self._sampler.set_epoch(self.epoch)

    def indices(self):
        """This rank's indices for the current epoch, as an int64 NumPy array."""
        return self._sampler.indices()

    def __iter__(self):
        return iter(self._sampler.indices().tolist())

    def __len__(self):
        return int(self._sampler.size())
