"""Epoch time on an NVIDIA GPU: tsgate (numba.cuda kernels) vs PyTorch with cuDNN.

Same network (recurrent layers + dense head on the last state), same windows,
batch size, Adam, MSE and clipping; epochs alternate between the two and the
script prints median times and the ratio tsgate/PyTorch (below 1: tsgate is
faster). Workloads: W1 (window 48, hidden 64, batch 64), W2 (window 96,
hidden 128, 2 layers, batch 128) and WB (W1 with batch 1024).

Usage (on a machine with a GPU, numba-cuda and torch):
    python benchmarks/bench_cuda.py [--epochs 5] [--windows 8192] [--out results.md]

Not run in CI (no GPU there). See benchmarks/README.md for recorded figures.
"""
import argparse
import datetime
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from bench_cpu import make_data  # noqa: E402

WORKLOADS = {  # F, T, H, layers, batch
    "W1": (1, 48, 64, 1, 64),
    "W2": (8, 96, 128, 2, 128),
    "WB": (1, 48, 64, 1, 1024),
}


def tsgate_epoch(cell, F, T, H, L, B, X, Y):
    from tsgate.backend import get_backend
    from tsgate.engine import Network, NetworkSpec, TrainConfig, train

    bk = get_backend("cuda")
    net = Network(NetworkSpec(cell, F, H, 1, num_layers=L), bk)
    state = {"params": net.init_params(np.random.default_rng(0))}
    cfg = TrainConfig(max_iter=1, batch_size=B, clip_norm=1.0, tol=-np.inf)
    rng = np.random.default_rng(1)

    def epoch():
        state["params"] = train(net, state["params"], X, Y, cfg, rng).params
        bk.synchronize()

    return epoch


def torch_epoch(cell, F, T, H, L, B, X, Y):
    import torch

    dev = torch.device("cuda")
    torch.backends.cudnn.benchmark = True
    rnn = (torch.nn.LSTM if cell == "lstm" else torch.nn.GRU)(F, H, num_layers=L, batch_first=True).to(dev)
    head = torch.nn.Linear(H, 1).to(dev)
    params = list(rnn.parameters()) + list(head.parameters())
    opt = torch.optim.Adam(params, lr=1e-3)
    Xt, Yt = torch.from_numpy(X).to(dev), torch.from_numpy(Y).to(dev)

    def epoch():
        order = torch.randperm(len(Xt), device=dev)
        for start in range(0, len(Xt), B):
            idx = order[start:start + B]
            out, _ = rnn(Xt[idx])
            loss = torch.nn.functional.mse_loss(head(out[:, -1]), Yt[idx])
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
        torch.cuda.synchronize()

    return epoch


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--windows", type=int, default=8192)
    ap.add_argument("--workloads", default="W1,W2,WB")
    ap.add_argument("--cells", default="lstm,gru")
    ap.add_argument("--out", default=None, help="also append the table to this markdown file")
    args = ap.parse_args(argv)
    import torch
    from numba import cuda

    gpu = cuda.get_current_device().name
    gpu = gpu.decode() if isinstance(gpu, bytes) else gpu
    lines = [f"{datetime.date.today()} on {gpu}, torch {torch.__version__} (cuDNN "
             f"{torch.backends.cudnn.version()}), {args.windows} windows, median of {args.epochs} epochs",
             "", "| cell | workload | tsgate epoch s | torch epoch s | ratio |", "|---|---|---|---|---|"]
    print("\n".join(lines), flush=True)
    for cell in args.cells.split(","):
        for name in args.workloads.split(","):
            F, T, H, L, B = WORKLOADS[name]
            X, Y = make_data(F, T, args.windows)
            ours, theirs = tsgate_epoch(cell, F, T, H, L, B, X, Y), torch_epoch(cell, F, T, H, L, B, X, Y)
            ours(), theirs()  # compile / cuDNN autotune
            a, b = [], []
            for _ in range(args.epochs):
                t0 = time.perf_counter(); ours(); a.append(time.perf_counter() - t0)
                t0 = time.perf_counter(); theirs(); b.append(time.perf_counter() - t0)
            ma, mb = statistics.median(a), statistics.median(b)
            line = f"| {cell} | {name} | {ma:.3f} | {mb:.3f} | {ma / mb:.2f}x |"
            lines.append(line)
            print(line, flush=True)
    if args.out:
        with open(args.out, "a") as fh:
            fh.write("\n".join(lines) + "\n\n")


if __name__ == "__main__":
    main()
