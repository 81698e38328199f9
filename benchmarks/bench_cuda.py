"""Epoch time on an NVIDIA GPU: tsgate (numba.cuda kernels) vs PyTorch with cuDNN.

Same network (recurrent layers + dense head on the last state), same windows,
batch size, Adam, MSE and clipping. Both upload the data once: tsgate runs its
epochs in one ``engine.train`` call (parameters stay on the GPU between
epochs; epoch times from its log), PyTorch keeps its tensors on the device.
PyTorch runs with TF32 on and off (``torch.backends.cuda.matmul.allow_tf32``,
``torch.backends.cudnn.allow_tf32``); the script prints median times and the
ratios tsgate/PyTorch (below 1: tsgate is faster). Workloads: W1 (window 48, hidden 64, batch 64), W2 (window 96,
hidden 128, 2 layers, batch 128) and WB (W1 with batch 1024).

Usage (on a machine with a GPU, numba-cuda and torch):
    python benchmarks/bench_cuda.py [--epochs 5] [--windows 8192] [--out results.md]

``--tiny --no-torch`` runs its whole tsgate path on tiny shapes (window 6,
hidden 4, 16 windows, one timed epoch) without PyTorch: CI runs it so under
Numba's CUDA simulator (``NUMBA_ENABLE_CUDASIM=1``), so that the script a
GPU session starts with is known to run. Its times mean nothing there. See
benchmarks/README.md for recorded figures.
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
TINY = {name: (F, 6, 4, L, 16) for name, (F, T, H, L, B) in WORKLOADS.items()}  # --tiny


def tsgate_epochs(cell, F, T, H, L, B, X, Y, epochs):
    """Seconds of each of ``epochs`` epochs after a warm-up one (compilation),
    all in ONE ``engine.train`` call: windows, targets and parameters go to
    the GPU once and stay there between epochs, as PyTorch's do. An epoch's
    time is ``train``'s own (its end copies the epoch's losses back, which
    waits for the GPU)."""
    from tsgate.backend import get_backend
    from tsgate.engine import Network, NetworkSpec, TrainConfig, train

    bk = get_backend("cuda")
    net = Network(NetworkSpec(cell, F, H, 1, num_layers=L), bk)
    cfg = TrainConfig(max_iter=epochs + 1, batch_size=B, clip_norm=1.0, tol=-np.inf)
    seconds = []
    train(net, net.init_params(np.random.default_rng(0)), X, Y, cfg, np.random.default_rng(1),
          log=lambda epoch, loss, val, s: seconds.append(s))
    return seconds[1:]


def torch_epoch(cell, F, T, H, L, B, X, Y, tf32=True):
    """One PyTorch + cuDNN epoch as a function; ``tf32`` sets PyTorch's TF32
    switches for matmuls and cuDNN (on: its default for cuDNN, faster, 10-bit
    mantissas; off: float32 throughout, as tsgate computes)."""
    import torch

    dev = torch.device("cuda")
    torch.backends.cudnn.benchmark = True
    rnn = (torch.nn.LSTM if cell == "lstm" else torch.nn.GRU)(F, H, num_layers=L, batch_first=True).to(dev)
    head = torch.nn.Linear(H, 1).to(dev)
    params = list(rnn.parameters()) + list(head.parameters())
    opt = torch.optim.Adam(params, lr=1e-3)
    Xt, Yt = torch.from_numpy(X).to(dev), torch.from_numpy(Y).to(dev)

    def epoch():
        torch.backends.cuda.matmul.allow_tf32 = tf32
        torch.backends.cudnn.allow_tf32 = tf32
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
    ap.add_argument("--tiny", action="store_true",
                    help="tiny shapes, 16 windows, one epoch (the simulator's check)")
    ap.add_argument("--no-torch", action="store_true", help="tsgate only: no PyTorch columns")
    args = ap.parse_args(argv)
    from numba import cuda

    workloads = TINY if args.tiny else WORKLOADS
    if args.tiny:
        args.windows, args.epochs = 16, 1
    gpu = getattr(cuda.get_current_device(), "name", "Numba's CUDA simulator")
    gpu = gpu.decode() if isinstance(gpu, bytes) else gpu
    if args.no_torch:
        torch, versions = None, "torch: skipped"
    else:
        import torch
        versions = f"torch {torch.__version__} (cuDNN {torch.backends.cudnn.version()})"
    lines = [f"{datetime.date.today()} on {gpu}, {versions}, "
             f"{args.windows} windows, median of {args.epochs} epochs",
             "", "| cell | workload | tsgate epoch s | torch TF32 on s | torch TF32 off s | "
             "ratio (TF32 on) | ratio (TF32 off) |", "|---|---|---|---|---|---|---|"]
    print("\n".join(lines), flush=True)
    for cell in args.cells.split(","):
        for name in args.workloads.split(","):
            F, T, H, L, B = workloads[name]
            X, Y = make_data(F, T, args.windows)
            ma = statistics.median(tsgate_epochs(cell, F, T, H, L, B, X, Y, args.epochs))
            if torch is None:
                line = f"| {cell} | {name} | {ma:.3f} | skipped | skipped | - | - |"
                lines.append(line)
                print(line, flush=True)
                continue
            theirs = {}
            for tf32 in (True, False):
                run = torch_epoch(cell, F, T, H, L, B, X, Y, tf32=tf32)
                run()  # cuDNN autotune
                times = []
                for _ in range(args.epochs):
                    t0 = time.perf_counter(); run(); times.append(time.perf_counter() - t0)
                theirs[tf32] = statistics.median(times)
            on, off = theirs[True], theirs[False]
            line = (f"| {cell} | {name} | {ma:.3f} | {on:.3f} | {off:.3f} | {ma / on:.2f}x | "
                    f"{ma / off:.2f}x |")
            lines.append(line)
            print(line, flush=True)
    if args.out:
        with open(args.out, "a") as fh:
            fh.write("\n".join(lines) + "\n\n")


if __name__ == "__main__":
    main()
