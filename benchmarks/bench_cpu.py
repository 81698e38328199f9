"""Epoch and single-window prediction time: tsgate (Numba, CPU) vs PyTorch (CPU).

Both train the same network (recurrent layers + dense head on the last state)
on the same windows with the same batch size, Adam, MSE and global-norm
clipping. Epochs alternate between tsgate and PyTorch on 1 and on all threads
in one process; the rival is PyTorch's faster thread count, and the script
prints median ratios tsgate/PyTorch (below 1 means tsgate is faster).

Single-window prediction is timed at the engine (``Network.predict``) against
PyTorch's module call, and beside both the time to merely read each layer's
recurrent weights once per step (``read_floor``): no exact float32 prediction
on one core can be faster, so PyTorch's time over it bounds the speed-up any
implementation could reach on this machine.

OpenMP's wait policy is left at its default: ``OMP_WAIT_POLICY=PASSIVE`` made
PyTorch's 2-thread epochs 6x slower on an idle machine (W1: 2.2 s vs 0.36 s).

Public prediction: ``LSTMRegressor.predict`` / ``GRURegressor.predict`` of one
C-ordered float32 window, the call a user makes, against PyTorch's module call.

Instruction sets: ``--isa native`` runs here as the machine is; ``--isa avx2``
re-runs in a child process with ``NUMBA_CPU_NAME=haswell NUMBA_CPU_FEATURES=""``
(Numba emits AVX2 code) and ``OPENBLAS_CORETYPE=Haswell`` (PyTorch's and
NumPy's OpenBLAS run AVX2 kernels), each with its own Numba cache; ``--isa
both`` (default) prints both tables. The native run unsets
``OPENBLAS_CORETYPE`` and ``OPENBLAS_L2_SIZE`` together (a user's machine sets
neither). PyTorch's own oneDNN kernels pick their ISA by CPU detection;
``ONEDNN_MAX_CPU_ISA=AVX2`` caps them in the AVX2 run.

Usage: python benchmarks/bench_cpu.py [--epochs 5] [--workloads W1,W2,W3] [--cells lstm,gru] [--isa both]
Needs the bench extra: pip install -e ".[bench]" (torch==2.13.0 CPU).
"""
import argparse
import importlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
from numba import njit

WORKLOADS = {
    # name: (features F, window T, hidden H, layers, batch, windows N)
    "W1": (1, 48, 64, 1, 64, 8192),
    "W2": (8, 96, 128, 2, 128, 8192),
    "W3": (1, 24, 16, 1, 32, 8192),
}


def make_data(F, T, N, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(N + T + 1, dtype=np.float64)
    base = np.sin(2 * np.pi * t / 24) + 0.1 * rng.normal(size=t.size)
    X = np.stack([np.lib.stride_tricks.sliding_window_view(base, T)[:N]] * F, axis=-1)
    X = X + 0.05 * rng.normal(size=X.shape)
    Y = base[T:T + N, None]
    return np.ascontiguousarray(X, np.float32), np.ascontiguousarray(Y, np.float32)


def tsgate_runner(cell, F, T, H, L, B, X, Y, package="tsgate"):
    """An epoch and a one-window prediction of tsgate's engine; ``package``:
    the name tsgate is imported under (``ab_cpu.py --one-process`` loads
    two trees' copies side by side)."""
    get_backend = importlib.import_module(package + ".backend").get_backend
    engine = importlib.import_module(package + ".engine")
    Network, NetworkSpec = engine.Network, engine.NetworkSpec
    TrainConfig, train = engine.TrainConfig, engine.train

    net = Network(NetworkSpec(cell, F, H, 1, num_layers=L), get_backend("cpu"))
    params = net.init_params(np.random.default_rng(0))
    cfg = TrainConfig(max_iter=1, batch_size=B, learning_rate=1e-3, clip_norm=1.0, tol=-np.inf)
    rng = np.random.default_rng(1)

    def epoch():
        nonlocal params
        params = train(net, params, X, Y, cfg, rng).params

    def predict_one():
        return net.predict(params, X[:1])

    return epoch, predict_one


def public_predict(cell, F, T, H, L, B, X, Y):
    """The user's call: a fitted regressor's ``predict`` of one float32 window."""
    import tsgate

    cls = tsgate.LSTMRegressor if cell == "lstm" else tsgate.GRURegressor
    reg = cls(hidden_size=H, num_layers=L, batch_size=B, max_iter=1, random_state=0)
    with warnings.catch_warnings():  # one epoch: the weights do not matter for timing
        warnings.simplefilter("ignore")
        reg.fit(X[:256], Y[:256])
    window = np.ascontiguousarray(X[:1])
    return lambda: reg.predict(window)


def torch_runner(cell, F, T, H, L, B, X, Y):
    import torch

    torch.manual_seed(0)
    rnn = (torch.nn.LSTM if cell == "lstm" else torch.nn.GRU)(F, H, num_layers=L, batch_first=True)
    head = torch.nn.Linear(H, 1)
    params = list(rnn.parameters()) + list(head.parameters())
    opt = torch.optim.Adam(params, lr=1e-3)
    Xt, Yt = torch.from_numpy(X), torch.from_numpy(Y)
    gen = torch.Generator().manual_seed(1)

    def epoch():
        order = torch.randperm(len(Xt), generator=gen)
        for start in range(0, len(Xt), B):
            idx = order[start:start + B]
            out, _ = rnn(Xt[idx])
            loss = torch.nn.functional.mse_loss(head(out[:, -1]), Yt[idx])
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()

    def predict_one():
        with torch.no_grad():
            out, _ = rnn(Xt[:1])
            return head(out[:, -1])

    return epoch, predict_one


@njit(fastmath=True)
def _stream(W, steps, acc):
    """acc (G*H,) += every row of W (H, G*H), once per step: eight rows per pass."""
    rows, width = W.shape
    for _ in range(steps):
        for i in range(0, rows - 7, 8):
            for j in range(width):
                acc[j] += (((W[i, j] + W[i + 1, j]) + (W[i + 2, j] + W[i + 3, j]))
                           + ((W[i + 4, j] + W[i + 5, j]) + (W[i + 6, j] + W[i + 7, j])))


def read_floor(cell, T, H, L):
    """A lower bound on any exact float32 single-window prediction on one core.

    Each step of a recurrent layer multiplies the state by all of W_h, (H, G*H),
    so a prediction reads each layer's W_h T times. This streams exactly those
    bytes (from cache, as fast as ``_stream`` can) and does nothing else: no
    input product, no gates, no head.
    """
    G = (4 if cell == "lstm" else 3) * H
    Ws = [np.random.default_rng(i).random((H, G), dtype=np.float32) for i in range(L)]
    acc = np.zeros(G, np.float32)

    def run():
        for W in Ws:
            _stream(W, T, acc)

    run()  # compile (once per process)
    return run


def timed(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=5)
    ap.add_argument("--workloads", default="W1,W2,W3")
    ap.add_argument("--cells", default="lstm,gru")
    ap.add_argument("--windows", type=int, default=None, help="override N (quick runs)")
    ap.add_argument("--isa", choices=["both", "native", "avx2"], default="both")
    ap.add_argument("--here", action="store_true", help=argparse.SUPPRESS)  # a child run
    args = ap.parse_args(argv)
    if not args.here:
        given = list(argv if argv is not None else sys.argv[1:])
        rest = [a for i, a in enumerate(given)  # drop "--isa X" and "--isa=X"
                if not a.startswith("--isa") and not (i and given[i - 1] == "--isa")]
        for isa in (["native", "avx2"] if args.isa == "both" else [args.isa]):
            print(f"\n## {isa}", flush=True)
            with tempfile.TemporaryDirectory(prefix=f"tsgate-bench-{isa}-") as cache:
                env = isa_env(isa)
                env.setdefault("NUMBA_CACHE_DIR", cache)  # fresh unless the caller names one
                subprocess.run([sys.executable, __file__, *rest, "--here"], env=env, check=True)
        return
    import torch

    threads = int(os.environ.get("NUMBA_NUM_THREADS", os.cpu_count()))
    rival_threads = sorted({1, threads})
    print(f"threads={threads} torch={torch.__version__} python={sys.version.split()[0]}")
    th_cols = " | ".join(f"torch {n}t epoch s" for n in rival_threads)
    print(f"| cell | workload | tsgate epoch s | {th_cols} | epoch ratio | engine predict ms "
          "| public predict ms | torch predict ms | public / torch | W_h read floor ms |")
    print("|---|---|---|" + "---|" * len(rival_threads) + "---|---|---|---|---|---|")
    for cell in args.cells.split(","):
        for name in args.workloads.split(","):
            F, T, H, L, B, N = WORKLOADS[name]
            N = args.windows or N
            X, Y = make_data(F, T, N)
            ts_epoch, ts_pred = tsgate_runner(cell, F, T, H, L, B, X, Y)
            th_epoch, th_pred = torch_runner(cell, F, T, H, L, B, X, Y)
            pub_pred = public_predict(cell, F, T, H, L, B, X, Y)
            ts_epoch()  # warm-up (compilation, allocator)
            for n in rival_threads:
                torch.set_num_threads(n)
                th_epoch()
            ts, th = [], {n: [] for n in rival_threads}
            for _ in range(args.epochs):  # alternate so drift hits all
                ts += timed(ts_epoch, 1)
                for n in rival_threads:
                    torch.set_num_threads(n)
                    th[n] += timed(th_epoch, 1)
            floor = read_floor(cell, T, H, L)
            tp, hp, fp, up = [], {n: [] for n in rival_threads}, [], []
            for _ in range(10):
                tp += timed(ts_pred, 20)
                up += timed(pub_pred, 20)
                fp += timed(floor, 20)
                for n in rival_threads:
                    torch.set_num_threads(n)
                    if not hp[n]:
                        timed(th_pred, 20)  # warm-up
                    hp[n] += timed(th_pred, 20)
            a = statistics.median(ts)
            b = {n: statistics.median(v) for n, v in th.items()}
            pa = statistics.median(tp) * 1e3
            pb = min(statistics.median(v) for v in hp.values()) * 1e3
            pf = statistics.median(fp) * 1e3
            pu = statistics.median(up) * 1e3
            cols = " | ".join(f"{b[n]:.3f}" for n in rival_threads)
            print(f"| {cell} | {name} | {a:.3f} | {cols} | {a / min(b.values()):.2f}x | {pa:.3f} "
                  f"| {pu:.3f} | {pb:.3f} | {pu / pb:.2f}x | {pf:.3f} |", flush=True)


def isa_env(isa):
    """The environment of a child run on instruction set ``isa``."""
    env = dict(os.environ)
    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "NUMBA_CPU_NAME", "NUMBA_CPU_FEATURES",
                 "ONEDNN_MAX_CPU_ISA"):
        env.pop(name, None)
    env.pop("NUMBA_CACHE_DIR", None)  # one cache per instruction set
    if os.environ.get(f"NUMBA_CACHE_DIR_{isa.upper()}"):
        env["NUMBA_CACHE_DIR"] = os.environ[f"NUMBA_CACHE_DIR_{isa.upper()}"]
    if isa == "avx2":
        env.update(NUMBA_CPU_NAME="haswell", NUMBA_CPU_FEATURES="", OPENBLAS_CORETYPE="Haswell",
                   ONEDNN_MAX_CPU_ISA="AVX2")
    return env


if __name__ == "__main__":
    main()
