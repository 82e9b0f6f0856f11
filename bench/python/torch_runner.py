"""PyTorch runners (CPU, eager, autograd) for W1-W5, W7, W8 and R1, single-threaded like the
peers' figures in WORKLOADS.md. Run with GLIBC_TUNABLES=glibc.malloc.hugetlb=1 (the
driver does): without it, fresh large tensors pay a page fault per 4 KiB page.

    python3 torch_runner.py --workload W3 [--repeats 7] [--scale 1]
"""
import numpy as np
import torch

import bench_common as bc

IMPL = "pytorch"
torch.set_num_threads(1)


def run_w1(args):
    t1, t2 = bc.w1_init()
    theta1 = torch.tensor(t1, requires_grad=True)
    theta2 = torch.tensor(t2, requires_grad=True)
    one = torch.ones(1, dtype=torch.float64)
    samples = [torch.tensor(s) for s in bc.XOR_SAMPLES]
    targets = [torch.tensor(t) for t in bc.XOR_TARGETS]

    def step(x, y):
        h1 = torch.sigmoid(theta1.t() @ torch.cat([x, one]))
        out = torch.sigmoid(theta2.t() @ torch.cat([h1, one])).sum()
        cost = (out - y) ** 2
        cost.backward()
        with torch.no_grad():
            theta1.sub_(0.1 * theta1.grad)
            theta2.sub_(0.1 * theta2.grad)
        theta1.grad = None
        theta2.grad = None
        return cost

    for i in range(bc.CHECK_CALLS):
        cost = step(samples[i % 4], targets[i % 4])
    bc.emit_check("W1", IMPL, "train", theta1.detach().numpy().ravel().tolist()
                  + theta2.detach().numpy().ravel().tolist() + [cost.item()])
    calls = bc.scaled(bc.W1_CALLS, args)
    k = [0]

    def body():
        i = k[0]
        step(samples[i], targets[i])
        k[0] = (i + 1) & 3

    bc.emit_time("W1", IMPL, "call", "us", bc.time_per_call(args.repeats, calls, 1e6, body), calls)


def run_w2(args):
    params = [torch.tensor(np.asarray(v, dtype=np.float64), requires_grad=True) for v in bc.w2_init()]
    w1, w2, w3, b1, b2 = params
    x, t = torch.tensor(bc.XNOR_INPUTS), torch.tensor(bc.XNOR_TARGETS)

    def step():
        a1 = torch.sigmoid(x @ w1 + b1)
        a2 = torch.sigmoid(x @ w2 + b1)
        a3 = torch.sigmoid(torch.stack([a1, a2], dim=1) @ w3 + b2)
        cost = -torch.sum(t * torch.log(a3) + (1 - t) * torch.log(1 - a3))
        cost.backward()
        with torch.no_grad():
            for p in params:
                p -= 0.01 * p.grad
                p.grad = None
        return a3, cost

    for _ in range(bc.CHECK_CALLS):
        _, cost = step()
    values = []
    for p in params:
        values += np.atleast_1d(p.detach().numpy()).tolist()
    bc.emit_check("W2", IMPL, "train", values + [cost.item()])
    calls = bc.scaled(bc.W2_CALLS, args)
    bc.emit_time("W2", IMPL, "step", "us", bc.time_per_call(args.repeats, calls, 1e6, step), calls)


def run_w3(args):
    x = torch.from_numpy(bc.w3_data())
    bc.emit_check("W3", IMPL, "fwd", bc.summary((1 / (1 + torch.exp(-x))).numpy()))
    bc.emit_time("W3", IMPL, "fwd", "ms",
                 bc.time_per_call(args.repeats, 1, 1e3, lambda: 1 / (1 + torch.exp(-x))))
    bc.emit_check("W3", IMPL, "torch.sigmoid", bc.summary(torch.sigmoid(x).numpy()))
    bc.emit_time("W3", IMPL, "torch.sigmoid", "ms",
                 bc.time_per_call(args.repeats, 1, 1e3, lambda: torch.sigmoid(x)))


def run_w4(args):
    data = torch.from_numpy(bc.w4_data())

    def fwd():
        return torch.exp(torch.sin(data * data))

    def both():
        x = data.detach().requires_grad_(True)
        y = torch.exp(torch.sin(x * x))
        (g,) = torch.autograd.grad(y, x, torch.ones_like(y))
        return y.detach(), g

    bc.emit_check("W4", IMPL, "fwd", bc.summary(fwd().numpy()))
    bc.emit_time("W4", IMPL, "fwd", "ms", bc.time_per_call(args.repeats, 1, 1e3, fwd))
    f, g = both()
    bc.emit_check("W4", IMPL, "fwd+grad", bc.summary(f.numpy()) + bc.summary(g.numpy()))
    bc.emit_time("W4", IMPL, "fwd+grad", "ms", bc.time_per_call(args.repeats, 1, 1e3, both))


def sgd_step(loss, params, lr):
    """Backpropagates `loss` and takes one SGD step on `params`, as the Theon runners'
    updates do."""
    loss.backward()
    with torch.no_grad():
        for p in params:
            p -= lr * p.grad
            p.grad = None


def run_w5(args):
    x, labels, params = bc.w5_data()
    x, labels = torch.from_numpy(x), torch.from_numpy(labels)
    params = [torch.tensor(p, requires_grad=True) for p in params]
    w1, b1, w2, b2, w3, b3 = params

    def step():
        h1 = torch.relu(x @ w1 + b1)
        h2 = torch.relu(h1 @ w2 + b2)
        loss = torch.nn.functional.cross_entropy(h2 @ w3 + b3, labels)
        sgd_step(loss, params, 0.01)
        return loss

    first = step().item()
    for _ in range(bc.W5_CHECK_STEPS - 1):
        last = step().item()
    bc.emit_check("W5", IMPL, "train", [first, last, w3.detach().double().sum().item(),
                                        w2.detach().double().sum().item()])
    calls = bc.scaled(bc.W5_CALLS, args)
    bc.emit_time("W5", IMPL, "step", "ms", bc.time_per_call(args.repeats, calls, 1e3, step), calls)


def run_w8(args):
    """LeNet-5's SGD step with torch.nn.functional (its oneDNN convolutions where this
    build has them). The filters start flipped: Theano's conv2d convolves, PyTorch's
    cross-correlates, so both compute the same values from the same data."""
    import torch.nn.functional as F

    data, labels, values = bc.w8_data()
    x, y = torch.from_numpy(data), torch.from_numpy(labels)
    values[0], values[2] = values[0][:, :, ::-1, ::-1].copy(), values[2][:, :, ::-1, ::-1].copy()
    params = [torch.tensor(v, requires_grad=True) for v in values]
    w0, b0, w1, b1, w2, b2, w3, b3 = params

    def step():
        h = torch.tanh(F.max_pool2d(F.conv2d(x, w0), 2) + b0[:, None, None])
        h = torch.tanh(F.max_pool2d(F.conv2d(h, w1), 2) + b1[:, None, None])
        h = torch.tanh(h.flatten(1) @ w2 + b2)
        loss = F.cross_entropy(h @ w3 + b3, y)
        sgd_step(loss, params, 0.01)
        return loss

    first = step().item()
    for _ in range(bc.W8_CHECK_STEPS - 1):
        last = step().item()
    bc.emit_check("W8", IMPL, "step", [first, last] + [q.detach().double().sum().item()
                                                      for q in (w0, w1, w3)])
    bc.emit_note("W8", IMPL, "step", "mkldnn %s, oneDNN convolutions %s" % (
        torch.backends.mkldnn.is_available(), torch.backends.mkldnn.enabled))
    calls = bc.scaled(bc.W8_CALLS, args)
    bc.emit_time("W8", IMPL, "step", "ms", bc.time_per_call(args.repeats, calls, 1e3, step), calls)


def run_w7(args):
    x = torch.from_numpy(bc.w7_data())

    def naive():
        e = torch.exp(x)
        return torch.log(e / e.sum(dim=1, keepdim=True))

    bad = int((~torch.isfinite(naive())).sum())
    bc.emit_note("W7", IMPL, "naive", "%d of %d outputs inf/nan" % (bad, x.numel()))
    bc.emit_time("W7", IMPL, "naive", "ms", bc.time_per_call(args.repeats, 1, 1e3, naive),
                 stable=bad == 0)
    # What a PyTorch user would write instead, for context.
    ls = torch.log_softmax(x, dim=1)
    bc.emit_check("W7", IMPL, "torch.log_softmax", [float((~torch.isfinite(ls)).sum())] + bc.summary(ls.numpy()))
    bc.emit_time("W7", IMPL, "torch.log_softmax", "ms",
                 bc.time_per_call(args.repeats, 1, 1e3, lambda: torch.log_softmax(x, dim=1)), stable=True)


def run_r1(args):
    """torch.rand with its own generator, the dropout mask written as in the other runners,
    and torch.nn.functional.dropout (what a PyTorch user would write) for context."""
    gen = torch.Generator().manual_seed(bc.R1_SEED)
    n = bc.R1_UNIFORM_N
    data = bc.r1_data()
    x = torch.from_numpy(data)

    def uniform():
        return torch.rand(n, dtype=torch.float32, generator=gen)

    def dropout():
        return x * (torch.rand(x.shape, dtype=torch.float32, generator=gen) < 0.5) / 0.5

    def functional():
        return torch.nn.functional.dropout(x, 0.5, training=True)

    calls = bc.scaled(bc.R1_CALLS, args)
    bc.emit_check("R1", IMPL, "uniform", bc.uniform_stats(uniform().numpy(), uniform().numpy()))
    bc.emit_time("R1", IMPL, "uniform", "ms", bc.time_per_call(args.repeats, calls, 1e3, uniform), calls)
    bc.emit_check("R1", IMPL, "dropout", bc.dropout_stats(data, dropout().numpy(), dropout().numpy()))
    bc.emit_time("R1", IMPL, "dropout", "ms", bc.time_per_call(args.repeats, calls, 1e3, dropout), calls)
    torch.manual_seed(bc.R1_SEED)  # F.dropout draws from the default generator
    bc.emit_check("R1", IMPL, "F.dropout", bc.dropout_stats(data, functional().numpy(), functional().numpy()))
    bc.emit_time("R1", IMPL, "F.dropout", "ms", bc.time_per_call(args.repeats, calls, 1e3, functional), calls)


if __name__ == "__main__":
    bc.run_selected(bc.parse_args(), {"W1": run_w1, "W2": run_w2, "W3": run_w3, "W4": run_w4,
                                      "W5": run_w5, "W7": run_w7, "W8": run_w8, "R1": run_r1}, IMPL)
