"""theon.distributed: the world of one process (pytest's own), and real worlds of 2 and 4
ranks started with mpirun on this machine, which run this same file as their program:

    mpirun -np 2 python3 tests/python/test_distributed.py <job> <output directory>

Each rank writes what it computed to <output directory>/<job>_<rank>.npz and the test
compares it with what it computes itself (sums of every rank's inputs, a single-process
training run)."""
import os
import shutil
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

if __name__ != "__main__":
    from conftest import BUILD_PYTHON  # noqa: F401  (puts build/python on the path)

import theon
import theon.tensor as T
from theon import distributed

MPIRUN = shutil.which("mpirun")
DTYPES = ["float32", "float64", "int32", "int64"]


# ---- inputs every rank can make for any rank ----

def allreduce_inputs(rank):
    """Per dtype: a vector of 1000, an empty one, a 3x4 matrix (fed transposed: a
    non-contiguous input) and a scalar, all from the rank's seed."""
    rng = np.random.RandomState(100 + rank)
    cases = {}
    for dtype in DTYPES:
        def draw(*shape):
            if dtype.startswith("int"):
                return rng.randint(-1000, 1000, size=shape).astype(dtype)
            return rng.standard_normal(shape).astype(dtype)
        cases[dtype] = [draw(1000), draw(0), draw(4, 3).T, draw()]
    return cases


def allreduce_graph(op):
    """One compiled function reducing every case of allreduce_inputs, all dtypes together
    (several buckets: the fusion threshold is set small by the caller)."""
    inputs, outputs = [], []
    for dtype in DTYPES:
        xs = [T.TensorType(dtype, (False,))("v"), T.TensorType(dtype, (False,))("empty"),
              T.TensorType(dtype, (False, False))("m"), T.TensorType(dtype, ())("s")]
        inputs += xs
        outputs += distributed.allreduce(xs, op=op)
    return theon.function(inputs, outputs)


# ---- the training runs of the correctness contract ----

def _sigmoid_layer(x, w):
    return T.nnet.sigmoid(T.dot(T.concatenate([x, T.ones((x.shape[0], 1), dtype=x.dtype)], axis=1), w))


def train_xor(rank, size, steps=100):
    """Seed 001's XOR network (3x3 and 4x1 weights with bias units), trained on the four
    samples as one batch: each rank the mean squared error of its share, gradients
    averaged. Ranks other than 0 start from other values, which broadcast replaces."""
    np.random.seed(1)
    values = [np.random.rand(3, 3), np.random.rand(4, 1)]
    if rank != 0:
        values = [v + rank for v in values]
    theta1, theta2 = (theon.shared(v) for v in values)
    distributed.broadcast([theta1, theta2])
    inputs = np.array([[0, 1], [1, 0], [1, 1], [0, 0]], dtype=np.float64)
    targets = np.array([1.0, 1.0, 0.0, 0.0])
    x, y = T.dmatrix("x"), T.dvector("y")
    out = _sigmoid_layer(_sigmoid_layer(x, theta1), theta2)[:, 0]
    cost = T.mean((out - y) ** 2)
    grads = distributed.allreduce(T.grad(cost, [theta1, theta2]))
    step = theon.function([x, y], cost, updates=[(p, p - 0.1 * g) for p, g in zip([theta1, theta2], grads)])
    xs = distributed.shard(inputs, rank=rank, size=size)
    ys = distributed.shard(targets, rank=rank, size=size)
    for _ in range(steps):
        step(xs, ys)
    return {"theta1": theta1.get_value(), "theta2": theta2.get_value()}


def train_xnor(rank, size, steps=100):
    """Seed 000's XNOR network: two hidden sigmoid units, cross-entropy summed over the
    batch, so the gradients are summed over ranks (op='sum')."""
    import random
    random.seed(1)
    w = [np.array([random.random(), random.random()]) for _ in range(3)]
    params = [theon.shared(v) for v in w] + [theon.shared(1.0), theon.shared(1.0)]
    distributed.broadcast(params)
    w1, w2, w3, b1, b2 = params
    x, a_hat = T.matrix("x"), T.vector("a_hat")
    a1 = 1 / (1 + T.exp(-T.dot(x, w1) - b1))
    a2 = 1 / (1 + T.exp(-T.dot(x, w2) - b1))
    a3 = 1 / (1 + T.exp(-T.dot(T.stack([a1, a2], axis=1), w3) - b2))
    cost = -(a_hat * T.log(a3) + (1 - a_hat) * T.log(1 - a3)).sum()
    grads = distributed.allreduce(T.grad(cost, params), op="sum")
    step = theon.function([x, a_hat], cost, updates=[(p, p - 0.01 * g) for p, g in zip(params, grads)])
    xs = distributed.shard(np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=theon.config.floatX), rank=rank, size=size)
    ys = distributed.shard(np.array([1, 0, 0, 1], dtype=theon.config.floatX), rank=rank, size=size)
    for _ in range(steps):
        step(xs, ys)
    return {"w%d" % i: p.get_value() for i, p in enumerate(params)}


def train_mlp(rank, size, steps=100, batch=64):
    """W5's network at a small width (784-32-32-10, ReLU, softmax cross-entropy, SGD) in
    float64; each step the same global batch of `batch` rows, split over the ranks."""
    rng = np.random.RandomState(5)
    shapes = [(784, 32), (32,), (32, 32), (32,), (32, 10), (10,)]
    values = [rng.uniform(-0.1, 0.1, s) for s in shapes]
    if rank != 0:
        values = [np.full(s, 7.0) for s in shapes]
    params = [theon.shared(v, name=n) for v, n in zip(values, ["W1", "b1", "W2", "b2", "W3", "b3"])]
    distributed.broadcast(params)
    w1, b1, w2, b2, w3, b3 = params
    x, y = T.dmatrix("x"), T.lvector("y")
    h1 = T.nnet.relu(T.dot(x, w1) + b1)
    h2 = T.nnet.relu(T.dot(h1, w2) + b2)
    p = T.nnet.softmax(T.dot(h2, w3) + b3)
    loss = T.mean(T.nnet.categorical_crossentropy(p, y))
    grads = distributed.allreduce(T.grad(loss, params))
    step = theon.function([x, y], loss, updates=[(q, q - 0.1 * g) for q, g in zip(params, grads)])
    data = np.random.RandomState(6)
    for _ in range(steps):
        xb, yb = data.rand(batch, 784), data.randint(0, 10, batch).astype(np.int64)
        step(distributed.shard(xb, rank=rank, size=size), distributed.shard(yb, rank=rank, size=size))
    return {n: q.get_value() for n, q in zip(["W1", "b1", "W2", "b2", "W3", "b3"], params)}


TRAININGS = {"xor": train_xor, "xnor": train_xnor, "mlp": train_mlp}


# ---- the program each rank runs under mpirun ----

def worker(job, out_dir):
    distributed.init()
    rank, size = distributed.rank(), distributed.size()
    save = lambda name, values: np.savez(os.path.join(out_dir, "%s_%d.npz" % (name, rank)), **values)
    if job == "allreduce":
        distributed.set_fusion_threshold_bytes(1024)  # several buckets per dtype
        cases = allreduce_inputs(rank)
        feed = [a for dtype in DTYPES for a in cases[dtype]]
        for op in ("sum", "mean"):
            save("allreduce_" + op, {"out%d" % i: v for i, v in enumerate(allreduce_graph(op)(*feed))})
        shared = theon.shared(np.full((2, 3), float(rank)))
        distributed.broadcast(shared, root=size - 1)
        save("broadcast", {"value": shared.get_value()})
    elif job == "train":
        for name, train in TRAININGS.items():
            save(name, train(rank, size))
    elif job == "kill":
        distributed.set_timeout_seconds(20)
        w = theon.shared(np.zeros(1000))
        step = theon.function([], [], updates=[(w, w + distributed.allreduce(w + 1))])
        for i in range(1000000):
            if rank == 1 and i == 5:
                os.kill(os.getpid(), signal.SIGKILL)
            step()
    elif job == "size":
        print("world of %d" % size, flush=True)
    elif job == "raise":
        w = theon.shared(np.zeros(1000))
        step = theon.function([], [], updates=[(w, w + distributed.allreduce(w + 1))])
        for i in range(1000000):
            if rank == 1 and i == 5:
                raise RuntimeError("rank 1 fails on purpose")
            step()
    print("rank %d of %d: %s done" % (rank, size, job), flush=True)


def mpirun(n, job, out_dir, timeout=120):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([BUILD_PYTHON] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    env["OMP_NUM_THREADS"] = env["OPENBLAS_NUM_THREADS"] = "1"  # ranks share 2 cores
    command = [MPIRUN, "-np", str(n), "--oversubscribe", "--allow-run-as-root",
               sys.executable, os.path.abspath(__file__), job, str(out_dir)]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def mpi_world(tmp_path_factory):
    """Skips unless mpirun is installed and this Theon was built with MPI (without it,
    every rank would be a world of 1 and the comparisons below meaningless)."""
    if MPIRUN is None:
        pytest.skip("mpirun is not installed")
    result = mpirun(2, "size", tmp_path_factory.mktemp("probe"), timeout=60)
    if result.returncode != 0 or "world of 2" not in result.stdout:
        pytest.skip("this Theon's theon.distributed does not run on MPI: " + result.stdout + result.stderr)


needs_mpirun = pytest.mark.usefixtures("mpi_world")


# ---- a world of one: pytest's own process ----

def test_world_of_one():
    distributed.init()
    distributed.init()  # idempotent
    assert distributed.is_initialized()
    assert (distributed.rank(), distributed.size()) == (0, 1)
    distributed.barrier()


@pytest.mark.parametrize("op", ["sum", "mean"])
def test_allreduce_is_the_identity_in_a_world_of_one(op):
    cases = allreduce_inputs(0)
    feed = [a for dtype in DTYPES for a in cases[dtype]]
    for got, want in zip(allreduce_graph(op)(*feed), feed):
        assert got.dtype == want.dtype and got.shape == want.shape
        np.testing.assert_array_equal(got, want)


def test_allreduce_one_variable_in_one_out_and_list_in_list_out():
    x, y = T.dvector("x"), T.fmatrix("y")
    one = distributed.allreduce(x)
    assert isinstance(one, theon.TensorVariable) and one.dtype == "float64"
    pair = distributed.allreduce((x, y), op="SUM")
    assert isinstance(pair, list) and [v.dtype for v in pair] == ["float64", "float32"]


def test_allreduce_rejects_an_unknown_op():
    with pytest.raises(ValueError, match="'mean' or 'sum'"):
        distributed.allreduce([T.dvector()], op="max")


def test_allreduce_rejects_an_unsupported_dtype_naming_it():
    with pytest.raises(TypeError) as info:
        distributed.allreduce([T.TensorType("int8", (False,))("counts")])
    assert "int8" in str(info.value) and "counts" in str(info.value)


def test_gradient_through_allreduce_is_the_allreduced_gradient():
    x = T.dvector("x")
    for op in ("sum", "mean"):
        g = T.grad(T.sum(distributed.allreduce(x, op=op) ** 2), x)
        value = np.array([1.0, -2.0, 3.0])
        np.testing.assert_allclose(theon.function([x], g)(value), 2 * value)


def test_broadcast_keeps_values_in_a_world_of_one_and_takes_one_or_many():
    a, b = theon.shared(np.arange(3.0)), theon.shared(np.int32(4))
    distributed.broadcast(a)
    distributed.broadcast([a, b], root=0)
    np.testing.assert_array_equal(a.get_value(), np.arange(3.0))
    assert b.get_value() == 4


def test_broadcast_rejects_what_is_not_shared():
    with pytest.raises(TypeError, match="shared variable"):
        distributed.broadcast([T.dvector("x")])


def test_shard_array_gives_views_covering_the_rows():
    data = np.arange(30.0).reshape(10, 3)
    parts = [distributed.shard(data, rank=r, size=3) for r in range(3)]
    assert [len(p) for p in parts] == [4, 3, 3]
    assert all(np.shares_memory(p, data) for p in parts)
    np.testing.assert_array_equal(np.concatenate(parts), data)
    dropped = [distributed.shard(data, drop_remainder=True, rank=r, size=3) for r in range(3)]
    np.testing.assert_array_equal(np.concatenate(dropped), data[:9])
    columns = distributed.shard(data, axis=1, rank=2, size=3)
    np.testing.assert_array_equal(columns, data[:, 2:3])
    assert distributed.shard(data) is not data and distributed.shard(data).shape == (10, 3)
    assert distributed.shard(np.zeros((0, 2)), rank=1, size=2).shape == (0, 2)


def test_shard_shared_variable_gives_a_new_shared_variable_of_the_rows():
    source = theon.shared(np.arange(10.0), name="xs")
    part = distributed.shard(source, rank=1, size=2)
    assert isinstance(part, theon.SharedVariable) and part.name == "xs[shard 1/2]"
    np.testing.assert_array_equal(part.get_value(), np.arange(5.0, 10.0))
    part.set_value(np.zeros(5))
    np.testing.assert_array_equal(source.get_value(), np.arange(10.0))


def test_shard_errors_name_the_problem():
    with pytest.raises(ValueError, match="0-d"):
        distributed.shard(np.float64(1.0))
    with pytest.raises(ValueError, match="axis 2"):
        distributed.shard(np.zeros((4, 2)), axis=2)


def test_sampler_without_shuffle_is_pytorchs_strided_padded_split():
    got = [list(distributed.DistributedSampler(10, shuffle=False, num_replicas=3, rank=r)) for r in range(3)]
    assert got == [[0, 3, 6, 9], [1, 4, 7, 0], [2, 5, 8, 1]]
    dropped = [list(distributed.DistributedSampler(10, shuffle=False, drop_last=True, num_replicas=3, rank=r))
               for r in range(3)]
    assert dropped == [[0, 3, 6], [1, 4, 7], [2, 5, 8]]
    assert len(distributed.DistributedSampler(10, num_replicas=3, rank=0)) == 4
    assert len(distributed.DistributedSampler(range(10), drop_last=True, num_replicas=3, rank=0)) == 3


def test_sampler_shuffles_one_permutation_per_epoch_shared_by_all_ranks():
    def shares(epoch, seed=0):
        samplers = [distributed.DistributedSampler(12, seed=seed, num_replicas=4, rank=r) for r in range(4)]
        for s in samplers:
            s.set_epoch(epoch)
        return np.stack([s.indices() for s in samplers])
    first = shares(0)
    assert sorted(first.T.ravel().tolist()) == list(range(12))  # disjoint and covering
    np.testing.assert_array_equal(first, shares(0))  # reproducible
    assert not np.array_equal(first, shares(1))  # a new order each epoch
    assert not np.array_equal(first, shares(0, seed=1))
    assert first.T.ravel().tolist() != list(range(12))  # shuffled at all


def test_theano_alias_reaches_the_module():
    from conftest import COMPAT
    code = "import theano.distributed as d, theon.distributed as t; assert d is t; print(d.size())"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([BUILD_PYTHON, COMPAT]))
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stdout.strip() == "1", result.stderr


# ---- worlds of 2 and 4 processes ----

@needs_mpirun
@pytest.mark.parametrize("n", [2, 4])
def test_allreduce_and_broadcast_across_ranks(n, tmp_path):
    result = mpirun(n, "allreduce", tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    inputs = [allreduce_inputs(r) for r in range(n)]
    flat = [[a for dtype in DTYPES for a in case[dtype]] for case in inputs]
    for rank in range(n):
        for op in ("sum", "mean"):
            got = np.load(tmp_path / ("allreduce_%s_%d.npz" % (op, rank)))
            for i in range(len(flat[0])):
                total = sum(f[i].astype(np.float64) for f in flat)
                dtype = flat[0][i].dtype
                out = got["out%d" % i]
                assert out.dtype == dtype and out.shape == total.shape
                if dtype.kind == "i":  # Mean of integers truncates toward zero, as C++'s division
                    np.testing.assert_array_equal(out, np.trunc(total / n) if op == "mean" else total)
                else:
                    want = total / n if op == "mean" else total
                    tol = 1e-5 if dtype == np.float32 else 1e-12  # absolute too: sums can cancel
                    np.testing.assert_allclose(out, want, rtol=tol, atol=tol)
        broadcast = np.load(tmp_path / ("broadcast_%d.npz" % rank))["value"]
        np.testing.assert_array_equal(broadcast, np.full((2, 3), float(n - 1)))


@needs_mpirun
def test_n_ranks_train_the_same_parameters_as_one_process(tmp_path):
    """The correctness contract: XOR, XNOR and a W5-shaped MLP, 100 steps on the same
    global batch under mpirun -np 1, 2 and 4, equal the single-process run (1e-6)."""
    reference = {name: train(0, 1) for name, train in TRAININGS.items()}
    for n in (1, 2, 4):
        out_dir = tmp_path / ("np%d" % n)
        out_dir.mkdir()
        result = mpirun(n, "train", out_dir)
        assert result.returncode == 0, result.stdout + result.stderr
        for name, want in reference.items():
            for rank in range(n):
                got = np.load(out_dir / ("%s_%d.npz" % (name, rank)))
                for key, value in want.items():
                    np.testing.assert_allclose(got[key], value, rtol=1e-6, atol=1e-12,
                                               err_msg="%s %s, rank %d of %d" % (name, key, rank, n))


@needs_mpirun
def test_a_killed_rank_ends_the_job_with_an_error(tmp_path):
    start = time.monotonic()
    result = mpirun(2, "kill", tmp_path, timeout=90)
    elapsed = time.monotonic() - start
    assert result.returncode != 0
    text = result.stdout + result.stderr
    assert "signal 9" in text or "Killed" in text or "a peer rank failed" in text, text
    assert elapsed < 60, "the job took %.0f s to end" % elapsed


@needs_mpirun
def test_an_exception_on_one_rank_ends_the_job_at_once(tmp_path):
    """Without theon.distributed's excepthook the failing rank would wait in MPI_Finalize
    and the others in the all-reduce, until the 300 s timeout."""
    start = time.monotonic()
    result = mpirun(2, "raise", tmp_path, timeout=90)
    elapsed = time.monotonic() - start
    assert result.returncode != 0
    assert "rank 1 fails on purpose" in result.stderr, result.stdout + result.stderr
    assert elapsed < 30, "the job took %.0f s to end" % elapsed


if __name__ == "__main__":
    worker(sys.argv[1], sys.argv[2])
