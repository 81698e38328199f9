"""Test helpers, defined once for the whole suite.

Import the plain helpers with ``from tests.conftest import FAST, monthly``
(``tests`` is a package); the fixtures (``small_tiles``, ``gpu``) are found
by pytest. The CUDA tests' own setup (simulator, tiny CUDA tunables) is in
``tests/cuda/conftest.py``.
"""
import contextlib

import numba
import numpy as np
import pandas as pd
import pytest

from tsgate import config

# The quickest estimator settings that still run every code path (a model
# this small fits nothing well: tests on accuracy set their own).
FAST = dict(hidden_size=4, max_iter=2, random_state=0)
# A little more capacity and training, where a test needs the fit to move.
SMALL = dict(hidden_size=8, max_iter=3, random_state=0)


# ------------------------------------------------------------------ series


def monthly(n=40, columns=None, start="2000-01-01", level=0.0, name=None):
    """A linear monthly series ``level + 0, 1, 2, ...`` (a Series named
    ``name``), or with ``columns`` a DataFrame whose column i adds i."""
    index = pd.date_range(start, periods=n, freq="MS")
    values = np.arange(n, dtype=float) + level
    if columns is None:
        return pd.Series(values, index=index, name=name)
    return pd.DataFrame({c: values + i for i, c in enumerate(columns)}, index=index)


def seasonal(n, period, index, name="value", seed=0):
    """Trend + sine of ``period`` + small noise, on ``index``."""
    t = np.arange(n)
    rng = np.random.default_rng(seed)
    return pd.Series(10 + 0.05 * t + np.sin(2 * np.pi * t / period) + 0.1 * rng.normal(size=n),
                     index=index, name=name)


def ar1_seasonal(n, level=0.0, seed=0):
    """``level`` + an AR(1) (phi 0.6, unit noise) + a sine of period 12, on a RangeIndex."""
    e = np.random.default_rng(seed).normal(size=n)
    v = np.zeros(n)
    for t in range(1, n):
        v[t] = 0.6 * v[t - 1] + e[t]
    return pd.Series(level + v + 2 * np.sin(2 * np.pi * np.arange(n) / 12), index=pd.RangeIndex(n))


def noisy_sine(n=300, window=12, seed=0):
    """Windows X (n, window, 1) float32 of a noisy sine, and the next value Y (n, 1)."""
    rng = np.random.default_rng(seed)
    series = np.sin(0.3 * np.arange(n + window)) + 0.1 * rng.standard_normal(n + window)
    X = np.stack([series[i:i + window] for i in range(n)])[:, :, None].astype(np.float32)
    Y = series[window:window + n, None].astype(np.float32)
    return X, Y


def rand(rng, *shape, scale=0.5, dtype=np.float32):
    """Normal draws times ``scale``, as ``dtype``."""
    return (scale * rng.standard_normal(shape)).astype(dtype)


# ----------------------------------------------------------------- engine


def make_net(cell="lstm", n_features=2, hidden_size=3, n_outputs=2, dtype=np.float64, seed=0,
             backend="cpu", **spec):
    """A ``Network`` and its initial parameters (drawn with ``seed``)."""
    from tsgate.backend import get_backend
    from tsgate.engine import Network, NetworkSpec

    net = Network(NetworkSpec(cell, n_features, hidden_size, n_outputs, **spec),
                  get_backend(backend), dtype)
    return net, net.init_params(np.random.default_rng(seed))


def workspace_bytes(plan):
    """Bytes of the arrays (host or device) in a plan's workspace."""
    total, stack = 0, [plan.work]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif hasattr(item, "nbytes"):
            total += item.nbytes
    return total


@contextlib.contextmanager
def one_thread():
    """Run the block on one Numba thread (results are the same bits with 1
    and 2 threads, tested): on a busy 2-core machine each parallel region of
    a tiny batch otherwise waits up to a scheduler slice for its 2nd thread."""
    before = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        yield
    finally:
        numba.set_num_threads(before)


@pytest.fixture(scope="module")
def gpu():
    """``(numba.cuda, tsgate.kernels.cuda)`` for the CUDA tests (a GPU or the
    simulator; ``tests/cuda/conftest.py`` skips them otherwise)."""
    from numba import cuda

    from tsgate.kernels import cuda as kernels

    return cuda, kernels


@pytest.fixture
def small_tiles(monkeypatch):
    """Tiles of 3 rows in training and prediction, at most 2 gradient
    groups: tiny batches then span several tiles, partial tiles and groups
    that sum the partials of several tiles."""
    monkeypatch.setattr(config, "TILE_ROWS", 3)
    monkeypatch.setattr(config, "PREDICT_TILE_ROWS", 3)
    monkeypatch.setattr(config, "GRAD_GROUPS", 2)


def spy_on_run_fits(monkeypatch):
    """The ``concurrent`` flag of every ensemble fit the forecasters run
    from now on (``fitplan.run_fits``), as a list that fills."""
    from tsgate import ensemble, fitplan

    seen = []
    real = ensemble.run_fits

    def spy(jobs, concurrent, *args, **kwargs):
        seen.append(concurrent)
        return real(jobs, concurrent, *args, **kwargs)

    monkeypatch.setattr(fitplan, "run_fits", spy)
    return seen
