"""W9's PyTorch peers (CPU, eager, autograd, one thread), in one process: `nn.LSTM` over
the whole sequence (variant "step") and a Python loop over `nn.LSTMCell` (variant
"step (LSTMCell loop)"). Same initial values as the Theon runners, mapped to PyTorch's
gate order (w9_common.py), same loss, SGD by hand. Run with
GLIBC_TUNABLES=glibc.malloc.hugetlb=1 (the driver does).

    python3 w9_torch.py --workload W9 [--repeats 5] [--scale 1]
"""
import numpy as np
import torch

import bench_common as bc
import w9_common as wc

IMPL = "pytorch"
torch.set_num_threads(1)


def load(module, values, suffix=""):
    """Theon's W (in x 4H), U (H x 4H), b into a module's (4H x in) weights, gate order i, f, g, o."""
    w, u, b = values
    perm = wc.TORCH_ORDER
    with torch.no_grad():
        getattr(module, "weight_ih" + suffix).copy_(torch.from_numpy(np.ascontiguousarray(w[:, perm].T)))
        getattr(module, "weight_hh" + suffix).copy_(torch.from_numpy(np.ascontiguousarray(u[:, perm].T)))
        getattr(module, "bias_ih" + suffix).copy_(torch.from_numpy(b[perm]))
        getattr(module, "bias_hh" + suffix).zero_()
    # One bias, as in Theon: PyTorch's second bias would get the same gradient and double
    # the SGD step of their sum.
    getattr(module, "bias_hh" + suffix).requires_grad_(False)


def unload(module, suffix=""):
    """The module's weights back in Theon's layout: W, U, b (bias_ih + bias_hh)."""
    inverse = np.argsort(wc.TORCH_ORDER)
    w = getattr(module, "weight_ih" + suffix).detach().numpy().T[:, inverse]
    u = getattr(module, "weight_hh" + suffix).detach().numpy().T[:, inverse]
    b = (getattr(module, "bias_ih" + suffix) + getattr(module, "bias_hh" + suffix)).detach().numpy()[inverse]
    return [w, u, b]


def sgd(module, loss):
    module.zero_grad(set_to_none=True)
    loss.backward()
    with torch.no_grad():
        for p in module.parameters():
            if p.grad is not None:
                p -= wc.LEARNING_RATE * p.grad
    return loss.item()


def run_w9(args):
    x_data, values = wc.data()
    x = torch.from_numpy(x_data)

    lstm = torch.nn.LSTM(wc.N_IN, wc.HIDDEN)
    load(lstm, values, "_l0")

    def step_lstm():
        _, (h_last, _) = lstm(x)
        return sgd(lstm, (h_last[0] ** 2).sum() / wc.BATCH)

    cell = torch.nn.LSTMCell(wc.N_IN, wc.HIDDEN)
    load(cell, values)

    def step_cell():
        h = torch.zeros(wc.BATCH, wc.HIDDEN)
        c = torch.zeros(wc.BATCH, wc.HIDDEN)
        for t in range(wc.STEPS):
            h, c = cell(x[t], (h, c))
        return sgd(cell, (h ** 2).sum() / wc.BATCH)

    bc.emit_note("W9", IMPL, "step", "nn.LSTM, mkldnn %s" % torch.backends.mkldnn.is_available())
    wc.run(args, IMPL, step_lstm, lambda: unload(lstm, "_l0"))
    # The LSTMCell loop: its own variant, checked against the same reference values.
    wc.run(args, IMPL, step_cell, lambda: unload(cell), variant="step (LSTMCell loop)")

if __name__ == "__main__":
    bc.run_selected(bc.parse_args(), {"W9": run_w9}, IMPL)
