"""The CUDA path as a whole: no host-device traffic or device allocation per
training step, quiet launches, kernel caching, ``device="auto"``'s size
threshold, the default tunables, and ``benchmarks/gpu_check.py --tiny``."""
import ast
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from tsgate import backend, config
from tsgate.backend import get_backend
from tsgate.engine import Network, NetworkSpec, TrainConfig, train
from tsgate.engine.plan import work

ROOT = Path(__file__).resolve().parents[2]


def data(n, T, F, O, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, T, F)).astype(np.float32)
    Y = (X[:, -1, :O] * 0.5 + 0.1 * rng.standard_normal((n, O))).astype(np.float32)
    return X, Y


class Counter:
    """Counts host-to-device copies, device-to-host copies and device
    allocations, by patching numba.cuda's entry points for the test."""

    def __init__(self, monkeypatch):
        from numba import cuda

        self.counts = {"to_device": 0, "to_host": 0, "alloc": 0}
        array_type = type(cuda.device_array(1, np.float32))
        self._wrap(monkeypatch, array_type, "copy_to_host", "to_host")
        self._wrap(monkeypatch, array_type, "copy_to_device", "to_device")
        self._wrap(monkeypatch, cuda, "to_device", "to_device")
        for name in ("device_array", "device_array_like", "pinned_array", "mapped_array",
                     "managed_array"):
            if hasattr(cuda, name):
                self._wrap(monkeypatch, cuda, name, "alloc")

    def _wrap(self, monkeypatch, owner, name, key):
        real = getattr(owner, name)

        def counted(*args, **kwargs):
            self.counts[key] += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(owner, name, counted)

    def snapshot(self):
        return dict(self.counts)


def delta(after, before):
    return {k: after[k] - before[k] for k in after}


@pytest.mark.parametrize("cell,num_layers", [("lstm", 2), ("gru", 1)])
def test_no_transfer_or_allocation_per_training_step(cell, num_layers, monkeypatch):
    """Two epochs of several batches with dropout (a ragged last batch,
    bidirectional layers, stacked for the LSTM): once the first epoch has
    made its plans, a step moves nothing between host and device and
    allocates nothing; an epoch uploads its permutation and dropout masks
    and copies its losses and norms back, once each. (The stacking code is
    the cells' common engine; each simulated step of two stacked
    bidirectional layers costs about 1.5 s, so only one cell stacks.)"""
    from tsgate.engine import training

    spec = NetworkSpec(cell, 2, 3, 1, num_layers=num_layers, bidirectional=True, dropout=0.25)
    X, Y = data(10, 2, 2, 1)  # batches of 3, 3, 3, 1: one tile each; two steps (a recurrence)
    net = Network(spec, get_backend("cuda"))
    params = net.init_params(np.random.default_rng(1))
    counter = Counter(monkeypatch)
    marks = []  # snapshots at the start of every step, and at the end of every epoch
    real = training.loss_and_grad

    def marked(*args, **kwargs):
        marks.append(("step", counter.snapshot()))
        return real(*args, **kwargs)

    monkeypatch.setattr(training, "loss_and_grad", marked)
    cfg = TrainConfig(max_iter=2, batch_size=3, learning_rate=1e-2, tol=-np.inf)
    result = train(net, params, X, Y, cfg, np.random.default_rng(2),
                   log=lambda *a: marks.append(("epoch", counter.snapshot())))
    assert result.n_iter == 2 and np.isfinite(result.loss_curve).all()
    epochs, current = [], []
    for kind, snap in marks:
        current.append(snap)
        if kind == "epoch":
            epochs.append(current)
            current = []
    assert [len(e) for e in epochs] == [5, 5]  # 4 steps and the epoch's end
    first, second = epochs
    nothing = {"to_device": 0, "to_host": 0, "alloc": 0}
    for before, after in zip(second[:3], second[1:4]):  # steps 1..3 of epoch 2
        assert delta(after, before) == nothing
    # its last step, then the copy-back of the epoch's losses and norms: one copy
    assert delta(second[4], second[3]) == {"to_device": 0, "to_host": 1, "alloc": 0}
    # between the epochs: the permutation and the masks, one upload each
    assert delta(second[0], first[-1]) == {"to_device": 2, "to_host": 0, "alloc": 0}
    # in epoch 1 too, from the second step to the third (the fourth makes the
    # last batch's plan, then the epoch's end): nothing
    assert delta(first[2], first[1]) == nothing


def test_low_occupancy_warning_is_silenced_for_tsgate_launches_only():
    """numba-cuda warns when a launch configuration of < 128 blocks is made;
    ``_config.launch`` builds tsgate's configurations with that one warning
    ignored, for that call only. The simulator never warns, so the mechanism
    is tested with a kernel stub that warns as numba-cuda's dispatcher does."""
    from numba.core.errors import NumbaPerformanceWarning

    from tsgate.kernels.cuda import _config

    class Kernel:
        def __init__(self):
            self.configured = []

        def configure(self, grid, block, stream=0, shared=0):
            warnings.warn(NumbaPerformanceWarning(
                f"Grid size {grid} will likely result in GPU under-utilization due to low "
                "occupancy."))
            self.configured.append((grid, block, shared))
            return lambda *args: ("ran", args)

    kernel = Kernel()
    filters_before = list(warnings.filters)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert _config.launch(kernel, 2, 32, 8)(1) == ("ran", (1,))
        assert _config.launch(kernel, 2, 32, 8)(2) == ("ran", (2,))  # reused, not rebuilt
        assert not caught
        kernel.configure(3, 32)  # the user's own launches still warn
        assert len(caught) == 1 and "under-utilization" in str(caught[0].message)
    assert kernel.configured == [(2, 32, 8), (3, 32, 0)]
    assert warnings.filters == filters_before


def test_a_fit_emits_no_performance_warning():
    from numba.core.errors import NumbaPerformanceWarning

    X, Y = data(8, 3, 1, 1)
    net = Network(NetworkSpec("gru", 1, 3, 1, attention=True), get_backend("cuda"))
    with warnings.catch_warnings():
        warnings.simplefilter("error", NumbaPerformanceWarning)
        result = train(net, net.init_params(np.random.default_rng(0)), X, Y,
                       TrainConfig(max_iter=1, batch_size=4), np.random.default_rng(1))
        net.predict(result.params, X)


@pytest.mark.cuda_optional
def test_cuda_kernels_ask_for_caching():
    """Every ``cuda.jit`` kernel (not device function) is cached on disk
    (``cache=CACHE``: True where a cache folder is writable, see
    ``tsgate._jitcache``); the simulator accepts and ignores the option."""
    missing = []
    for path in sorted((ROOT / "tsgate" / "kernels" / "cuda").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.FunctionDef):
                continue
            for dec in node.decorator_list:
                text = ast.unparse(dec)
                if text.startswith("cuda.jit") and "device=True" not in text \
                        and "cache=CACHE" not in text:
                    missing.append(f"{path.name}:{node.name}")
    assert not missing


def test_auto_device_uses_the_cpu_below_the_size_threshold(monkeypatch):
    monkeypatch.setattr(backend, "_real_gpu", lambda: True)  # pretend the simulator is a GPU
    spec = NetworkSpec("lstm", 1, 64, 1)
    small, big = work(spec, 100, 24), work(spec, 8192, 48)
    assert small < config.AUTO_CUDA_MIN_WORK <= big
    assert backend.resolve_device("auto", work=small) == "cpu"
    assert backend.resolve_device("auto", work=big) == "cuda"
    assert backend.resolve_device("auto") == "cuda"  # size unknown: any usable GPU
    assert backend.resolve_device("cuda", work=small) == "cuda"  # an explicit choice stands


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_regressor_auto_threads_the_fit_size(monkeypatch):
    from tsgate import LSTMRegressor

    seen = []
    real = backend.resolve_device

    def spy(device, work=None):
        seen.append((device, work))
        return real(device, work)

    monkeypatch.setattr("tsgate.regressors.resolve_device", spy)
    X, Y = data(12, 4, 1, 1)
    reg = LSTMRegressor(hidden_size=3, max_iter=1, device="auto").fit(X, Y[:, 0])
    assert seen == [("auto", work(reg.spec_, 12, 4))]
    assert reg.device_ == "cpu"


@pytest.mark.default_tunables
def test_fit_at_default_tunables_matches_cpu():
    """The defaults (tiles up to 32 rows, 128-thread elementwise blocks,
    16x16 products, up to 256 recurrent threads), tiny shapes: a whole fit
    on the CUDA backend matches the CPU's to float32 rounding."""
    assert config.CUDA_TILE_ROWS == 32 and config.CUDA_THREADS == 128
    spec = NetworkSpec("lstm", 2, 3, 1, bidirectional=True, attention=True)
    X, Y = data(11, 3, 2, 1)
    cfg = TrainConfig(max_iter=1, batch_size=8, learning_rate=1e-2)  # 2 steps: a full and a ragged batch
    results = []
    for device in ("cpu", "cuda"):
        net = Network(spec, get_backend(device))
        results.append(train(net, net.init_params(np.random.default_rng(1)), X, Y, cfg,
                             np.random.default_rng(2)))
    cpu, gpu = results
    np.testing.assert_allclose(gpu.loss_curve, cpu.loss_curve, rtol=1e-4)
    np.testing.assert_allclose(gpu.params, cpu.params, rtol=1e-4, atol=1e-5)


def test_gpu_check_runs_tiny_under_the_simulator():
    """``benchmarks/gpu_check.py --tiny`` runs its whole code path (the torch
    comparison skipped) and reports every check as passed. Three of its
    cases cover both cells, stacked layers, a ragged tile and the
    bidirectional network with attention; at ``--tiny`` the other two
    (batch1024, hidden256) differ from W1 only in their shapes."""
    script = ROOT / "benchmarks" / "gpu_check.py"
    proc = subprocess.run([sys.executable, str(script), "--tiny", "--no-torch",
                           "--cases", "W1,W2,bidirectional"],
                          capture_output=True, text=True, timeout=900, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    out = proc.stdout
    assert "FAIL" not in out
    for word in ("W1 lstm", "W2 gru", "(ragged)", "bidirectional + attention", "registers",
                 "ms/step", "launches/step", "torch: skipped"):
        assert word in out, word


@pytest.mark.default_tunables
@pytest.mark.parametrize("dtype, hidden", [(np.float32, 400), (np.float64, 200), (np.float32, 64)])
def test_a_tile_of_a_wide_network_fits_in_shared_memory(dtype, hidden):
    """A recurrent kernel keeps its tile's (BT, H) state in shared memory.
    Tiles of CUDA_TILE_ROWS (32) rows of a hidden_size over 384 (float32)
    passed a fit's small batches, spread over the multiprocessors a row or
    two a tile, and failed the prediction of a few thousand windows:
    32 x 400 x 4 bytes is over the 48 KiB a block may use. The tile rows
    are now capped by the state's size; a narrow network keeps 32."""
    from tsgate.kernels.cuda import _config, _recurrent

    net = Network(NetworkSpec("lstm", 1, hidden, 1), get_backend("cuda"), dtype)
    row_bytes = hidden * np.dtype(dtype).itemsize
    for batch in (64, 5000):
        for training in (True, False):
            _, BT = net.tiles(batch, training)
            assert BT * row_bytes <= _config.MAX_SHARED_BYTES
            _recurrent.launch(BT, hidden, np.dtype(dtype).itemsize, "the test")  # no error
    assert net.tiles(5000, False)[1] == min(config.CUDA_TILE_ROWS,
                                            _config.MAX_SHARED_BYTES // row_bytes)


def test_bench_cuda_runs_tiny_under_the_simulator():
    """``benchmarks/bench_cuda.py --tiny --no-torch``: the epoch benchmark a
    GPU session runs first had no path CI ran (a GPU is lent rarely)."""
    script = ROOT / "benchmarks" / "bench_cuda.py"
    proc = subprocess.run([sys.executable, str(script), "--tiny", "--no-torch",
                           "--workloads", "W1", "--cells", "gru"],
                          capture_output=True, text=True, timeout=900, cwd=ROOT, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    rows = [line for line in proc.stdout.splitlines() if line.startswith("| gru | W1 |")]
    assert len(rows) == 1 and "skipped" in rows[0], proc.stdout
    assert float(rows[0].split("|")[3]) > 0  # an epoch's seconds
    assert "torch: skipped" in proc.stdout
