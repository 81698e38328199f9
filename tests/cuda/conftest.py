"""The CUDA kernel tests run on a GPU or on Numba's CUDA simulator.

Run them in their own process, with the variable set before numba.cuda is
first imported::

    NUMBA_ENABLE_CUDASIM=1 python -m pytest -q tests/cuda

Without the simulator and without a GPU every test here is skipped, except
those marked ``cuda_optional`` (static checks, and the check that
``device="cuda"`` then fails with a reason).

The tunables are patched small for every test, so that tiny shapes still
span several blocks, several tiles and several loop trips per thread; a test
marked ``default_tunables`` runs at the defaults instead (tiny shapes still).
"""
import os
import sys
from pathlib import Path

import pytest

SIMULATOR = os.environ.get("NUMBA_ENABLE_CUDASIM") == "1"
HERE = Path(__file__).resolve().parent


def _cuda_usable():
    if SIMULATOR:
        return True
    try:
        from numba import cuda

        return bool(cuda.is_available())
    except Exception:  # pragma: no cover - depends on the install
        return False


CUDA_USABLE = _cuda_usable()


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "cuda_optional: runs even without a GPU or the CUDA simulator")
    config.addinivalue_line(
        "markers", "default_tunables: run at tsgate's default tunables, not conftest's small ones")


def pytest_collection_modifyitems(config, items):
    if CUDA_USABLE:
        return
    skip = pytest.mark.skip(
        reason="no usable GPU and NUMBA_ENABLE_CUDASIM is not 1; run "
               "`NUMBA_ENABLE_CUDASIM=1 python -m pytest tests/cuda` in its own process")
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents and \
                item.get_closest_marker("cuda_optional") is None:
            item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def _fast_simulator():
    """The simulator runs each CUDA thread as a Python thread and its block
    manager busy-polls them; a short GIL switch interval makes every
    ``syncthreads`` several times cheaper. Restored afterwards."""
    if not SIMULATOR:
        yield
        return
    old = sys.getswitchinterval()
    sys.setswitchinterval(5e-5)
    yield
    sys.setswitchinterval(old)


@pytest.fixture(autouse=True)
def small_tunables(request, monkeypatch):
    """Tiny blocks and tiles: several blocks, partial tiles, loops over items
    (not for tests marked ``default_tunables``)."""
    from tsgate import config

    if request.node.get_closest_marker("default_tunables") is not None:
        return

    monkeypatch.setattr(config, "CUDA_THREADS", 4)
    monkeypatch.setattr(config, "TILE_ROWS", 3)
    monkeypatch.setattr(config, "PREDICT_TILE_ROWS", 3)
    monkeypatch.setattr(config, "CUDA_TILE_ROWS", 3, raising=False)
    if CUDA_USABLE:
        from tsgate.kernels.cuda import _config

        monkeypatch.setattr(_config, "GEMM_TILE", 4)
        monkeypatch.setattr(_config, "RECURRENT_THREADS", 4)
        monkeypatch.setattr(_config, "ROWS_PER_THREAD", 2)
