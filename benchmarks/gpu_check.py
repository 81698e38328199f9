"""One prepared check of the CUDA path on a real GPU, at real sizes and the
DEFAULT tunables (under 8 minutes on a current NVIDIA GPU).

For each case (W1: window 48, hidden 64, batch 64; W2: window 96, hidden
128, 2 layers, batch 128; batch 1024; hidden 256; a bidirectional layer with
attention and a ragged last tile) and cell:

1. loss and gradient of one batch on the CUDA kernels against the CPU
   kernels (same parameters, same windows; float32, so to rounding: the GPU's
   libm tanh/exp against the CPU's rational tanh, other summation orders);
2. registers and local memory per thread of every kernel the case launched
   (numba-cuda's ``get_regs_per_thread``/``get_local_mem_per_thread``);
3. kernel launches and milliseconds per training step (``engine.train``,
   the second epoch, so compilation is out);
4. the epoch time over PyTorch + cuDNN's on the same network, when torch
   with CUDA is installed (unidirectional cases without attention, which
   ``bench_cuda.py``'s PyTorch model covers); otherwise it says so.

Prints one line per check with PASS or FAIL and exits 1 on any FAIL.

Usage:
    python benchmarks/gpu_check.py               # on a machine with a GPU
    NUMBA_ENABLE_CUDASIM=1 python benchmarks/gpu_check.py --tiny --no-torch

``--tiny`` shrinks every shape, and under the simulator the thread blocks
too (the simulator runs each CUDA thread as a Python thread; the default
tunables are what a real GPU runs and ``tests/cuda`` checks them separately)
and assumes two multiprocessors, so the ragged case still has a padded last
tile: the code path runs under Numba's CUDA simulator, as
``tests/cuda/test_cuda_engine.py`` does. Not run in CI at full size (no GPU
there).
"""
import argparse
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.dirname(HERE)]  # bench_cuda; this checkout's tsgate

#        name:        (cells, F, T, H, layers, bidirectional, attention, batch, steps per epoch)
CASES = {
    "W1": (("lstm", "gru"), 1, 48, 64, 1, False, False, 64, 32),
    "W2": (("lstm", "gru"), 8, 96, 128, 2, False, False, 128, 16),
    "batch1024": (("lstm", "gru"), 1, 48, 64, 1, False, False, 1024, 8),
    "hidden256": (("lstm", "gru"), 1, 48, 256, 1, False, False, 64, 16),
    "bidirectional": (("lstm", "gru"), 2, 24, 64, 1, True, True, 999, 4),  # 999: a ragged tile
}
TINY = {  # the same code path, shrunk for the simulator; one cell per case
    "W1": (("lstm",), 1, 3, 4, 1, False, False, 4, 1),
    "W2": (("gru",), 2, 3, 4, 2, False, False, 5, 1),
    "batch1024": (("gru",), 1, 2, 3, 1, False, False, 9, 1),
    "hidden256": (("lstm",), 1, 2, 8, 1, False, False, 3, 1),
    "bidirectional": (("lstm",), 2, 3, 3, 1, True, True, 7, 1),
}
LOSS_RTOL = 1e-4   # float32 loss, GPU against CPU
GRAD_RTOL = 2e-3   # largest gradient difference over the largest gradient


def data(F, T, N, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((N, T, F)).astype(np.float32)
    Y = (np.tanh(X[:, -1, :1]) + 0.1 * rng.standard_normal((N, 1))).astype(np.float32)
    return X, Y


def loss_and_grad(device, spec, params, X, Y):
    """Host loss and gradient (P,) of one batch (all of X) on ``device``."""
    from tsgate.backend import get_backend
    from tsgate.engine import Network

    bk = get_backend(device)
    net = Network(spec, bk)
    plan = net.plan(len(X), X.shape[1])
    idx = bk.to_device(np.arange(len(X), dtype=np.int64))
    xb = plan.pack(bk.to_device(X), idx)
    yb = plan.pack_targets(bk.to_device(Y), idx)
    grad = bk.zeros((net.size,), np.float32)
    loss = net.loss_and_grad(bk.to_device(params), xb, yb, grad)
    return loss, bk.to_host(grad), plan.shape


class Launches:
    """Counts kernel launches (and remembers the kernels) through
    ``kernels/cuda/_config.launch``, which every tsgate launch goes through."""

    def __init__(self):
        from tsgate.kernels.cuda import _config

        self.count, self.kernels, self._config = 0, {}, _config
        self._real = _config.launch
        modules = [m for name, m in sys.modules.items()
                   if name.startswith("tsgate.kernels.cuda") and hasattr(m, "launch")]
        self._patched = [(m, m.launch) for m in modules if m.launch is self._real]
        for m, _ in self._patched:
            m.launch = self._launch

    def _launch(self, kernel, *args, **kwargs):
        self.count += 1
        func = getattr(kernel, "py_func", None) or getattr(kernel, "fn", None) or kernel
        name = f"{func.__module__.rsplit('.', 1)[-1]}.{func.__qualname__}"
        self.kernels.setdefault(name, kernel)
        return self._real(kernel, *args, **kwargs)

    def close(self):
        for m, real in self._patched:
            m.launch = real


def resources(kernel):
    """'regs R, local L B' of a compiled kernel (every signature it was
    compiled for), or why not."""
    get_regs = getattr(kernel, "get_regs_per_thread", None)
    get_local = getattr(kernel, "get_local_mem_per_thread", None)
    if get_regs is None or get_local is None:
        return "n/a (simulator)"
    try:
        regs, local = get_regs(), get_local()
    except Exception as exc:  # an API change: say so, do not fail the check
        return f"n/a ({type(exc).__name__}: {exc})"
    if isinstance(regs, dict):
        return "; ".join(f"regs {regs[s]}, local {local.get(s, '?')} B" for s in regs)
    return f"regs {regs}, local {local} B"


def train_timing(spec, X, Y, batch, launches):
    """(ms per step, launches per step, epoch seconds) of the second epoch."""
    from tsgate.backend import get_backend
    from tsgate.engine import Network, TrainConfig, train

    bk = get_backend("cuda")
    net = Network(spec, bk)
    marks = []

    def log(epoch, loss, val_loss, seconds):
        bk.synchronize()
        marks.append((time.perf_counter(), launches.count))

    steps = -(-len(X) // batch)
    cfg = TrainConfig(max_iter=2, batch_size=batch, tol=-np.inf)
    train(net, net.init_params(np.random.default_rng(0)), X, Y, cfg, np.random.default_rng(1),
          log=log)
    (t1, n1), (t2, n2) = marks
    return 1e3 * (t2 - t1) / steps, (n2 - n1) / steps, t2 - t1


def torch_ratio(cell, F, T, H, L, batch, X, Y, ours_seconds):
    from bench_cuda import torch_epoch

    epoch = torch_epoch(cell, F, T, H, L, batch, X, Y)
    epoch()  # cuDNN autotune
    t0 = time.perf_counter()
    epoch()
    theirs = time.perf_counter() - t0
    return ours_seconds / theirs, theirs


def torch_unavailable(no_torch):
    if no_torch:
        return "--no-torch"
    try:
        import torch
    except ImportError:
        return "torch is not installed"
    if not torch.cuda.is_available():
        return "torch has no CUDA device"
    return None


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tiny", action="store_true", help="shrunk shapes (for the simulator)")
    ap.add_argument("--no-torch", action="store_true", help="skip the PyTorch comparison")
    ap.add_argument("--cases", default=",".join(CASES), help="comma-separated case names")
    args = ap.parse_args(argv)
    from numba import cuda

    from tsgate import config
    from tsgate.engine import NetworkSpec
    from tsgate.kernels.cuda import _config

    simulator = _config.SIMULATOR
    if simulator:  # its block manager busy-polls: switch threads often (tests/cuda/conftest.py)
        sys.setswitchinterval(5e-5)
    if args.tiny and simulator:
        config.CUDA_SIM_MULTIPROCESSORS = 2  # tiles of ceil(batch/2) rows: a ragged one at 7
        config.CUDA_THREADS, _config.GEMM_TILE, _config.RECURRENT_THREADS = 8, 4, 8
    cases = TINY if args.tiny else CASES
    if simulator:
        where = "Numba's CUDA simulator"
    else:
        dev = cuda.get_current_device()
        name = dev.name.decode() if isinstance(dev.name, bytes) else dev.name
        where = f"{name}, {dev.MULTIPROCESSOR_COUNT} multiprocessors"
    print(f"gpu_check on {where}; tunables: CUDA_TILE_ROWS={config.CUDA_TILE_ROWS}, "
          f"CUDA_THREADS={config.CUDA_THREADS}, GEMM_TILE={_config.GEMM_TILE}, "
          f"RECURRENT_THREADS={_config.RECURRENT_THREADS}, "
          f"ROWS_PER_THREAD={_config.ROWS_PER_THREAD}", flush=True)
    no_torch = torch_unavailable(args.no_torch)
    if no_torch:
        print(f"torch: skipped ({no_torch})", flush=True)
    failed = 0
    started = time.perf_counter()
    for case in args.cases.split(","):
        cells, F, T, H, L, bidir, att, batch, steps = cases[case]
        for cell in cells:
            label = f"{case} {cell} (F {F}, T {T}, H {H}, layers {L}, batch {batch}" + \
                (", bidirectional + attention" if bidir else "") + ")"
            spec = NetworkSpec(cell, F, H, 1, num_layers=L, bidirectional=bidir, attention=att)
            from tsgate.engine import Network
            from tsgate.backend import get_backend

            params = Network(spec, get_backend("cpu")).init_params(np.random.default_rng(3))
            X, Y = data(F, T, batch * steps)
            launches = Launches()
            try:
                gpu_loss, gpu_grad, shape = loss_and_grad("cuda", spec, params, X[:batch],
                                                          Y[:batch])
                cpu_loss, cpu_grad, _ = loss_and_grad("cpu", spec, params, X[:batch], Y[:batch])
                loss_err = abs(gpu_loss - cpu_loss) / max(abs(cpu_loss), 1e-30)
                grad_err = float(np.max(np.abs(gpu_grad - cpu_grad)) /
                                 max(float(np.max(np.abs(cpu_grad))), 1e-30))
                ok = loss_err <= LOSS_RTOL and grad_err <= GRAD_RTOL and \
                    np.isfinite(gpu_grad).all()
                failed += not ok
                NT, _, BT = shape
                print(f"{'PASS' if ok else 'FAIL'} {label}: tiles {NT} x {BT} rows"
                      f"{' (ragged)' if NT * BT != batch else ''}; loss {gpu_loss:.6g} vs CPU "
                      f"{cpu_loss:.6g} (rel {loss_err:.1e}), gradient rel {grad_err:.1e}",
                      flush=True)
                ms, per_step, seconds = train_timing(spec, X, Y, batch, launches)
                print(f"     {ms:.3f} ms/step, {per_step:.1f} launches/step, epoch "
                      f"{seconds:.3f} s ({steps} steps)", flush=True)
                print("     registers and local memory per thread:", flush=True)
                for name in sorted(launches.kernels):
                    print(f"       {name}: {resources(launches.kernels[name])}", flush=True)
                if not no_torch and not (bidir or att):
                    ratio, theirs = torch_ratio(cell, F, T, H, L, batch, X, Y, seconds)
                    print(f"     epoch ratio tsgate/PyTorch+cuDNN: {ratio:.2f}x "
                          f"(torch {theirs:.3f} s)", flush=True)
            finally:
                launches.close()
    print(f"{'FAIL' if failed else 'all checks passed'} "
          f"({time.perf_counter() - started:.0f} s)", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
