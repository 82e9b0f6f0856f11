"""W10's PyTorch peer (CPU, eager, autograd, one thread): the minibatch sliced from
tensors holding the whole data set (no DataLoader), the loss as a PyTorch user writes it
(F.cross_entropy: the same NLL of the softmax), SGD by hand as in the other PyTorch
runners. Run with GLIBC_TUNABLES=glibc.malloc.hugetlb=1 (the driver does).

    python3 w10_torch.py --workload W10 [--repeats 5] [--scale 1]
"""
import torch
import torch.nn.functional as F

import bench_common as bc
import w10_common as wc

IMPL = "pytorch"
torch.set_num_threads(1)


def run_w10(args):
    data_x, data_y = wc.data()
    train_x, train_y = torch.from_numpy(data_x), torch.from_numpy(data_y)
    params = [torch.tensor(v, requires_grad=True) for v in wc.initial_params()]
    w1, b1, w2, b2 = params
    lr = wc.LEARNING_RATE
    n = wc.BATCH

    def step(i):
        x = train_x[i * n:(i + 1) * n]
        y = train_y[i * n:(i + 1) * n]
        h = torch.tanh(x @ w1 + b1)
        loss = F.cross_entropy(h @ w2 + b2, y)
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= lr * p.grad
                p.grad = None
        return loss.item()

    wc.run(args, IMPL, step, lambda: [p.detach().numpy() for p in params])


if __name__ == "__main__":
    bc.run_selected(bc.parse_args(), {"W10": run_w10}, IMPL)
