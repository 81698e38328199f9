"""``device="cuda"`` selection, the Backend's array functions, and the layering
rule that keeps ``numba.cuda`` inside the CUDA kernels and the backend."""
import ast
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tsgate import backend

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "tsgate"


def test_resolve_and_get_backend_cuda():
    assert backend.resolve_device("cuda") == "cuda"
    with pytest.raises(ValueError, match="device must be one of"):  # as the estimators'
        backend.resolve_device("CUDA")  # parameter check: exact names
    bk = backend.get_backend("cuda")
    from tsgate.kernels import cuda as kernels

    assert bk.name == "cuda" and bk.kernels is kernels
    if os.environ.get("NUMBA_ENABLE_CUDASIM") == "1":
        assert backend.resolve_device("auto") == "cpu"  # never the simulator


def test_backend_arrays_round_trip():
    bk = backend.get_backend("cuda")
    host = np.arange(12, dtype=np.float32).reshape(3, 4)
    dev = bk.to_device(host)
    assert not isinstance(dev, np.ndarray)
    assert bk.to_device(dev) is dev  # already on the device: no copy
    np.testing.assert_array_equal(bk.to_host(dev), host)
    np.testing.assert_array_equal(bk.to_host(bk.zeros((2, 5), np.float32)), np.zeros((2, 5)))
    assert bk.empty((4,), np.float32).shape == (4,)
    bk.synchronize()


def test_cuda_without_gpu_or_simulator_raises(monkeypatch):
    from numba import cuda
    from numba.core import config as numba_config

    # Numba's own setting, not the variable: it is read once, when Numba is imported
    monkeypatch.setattr(numba_config, "ENABLE_CUDASIM", 0)
    monkeypatch.setattr(cuda, "is_available", lambda: False)
    with pytest.raises(RuntimeError, match="no usable NVIDIA GPU"):
        backend.resolve_device("cuda")
    with pytest.raises(RuntimeError, match="device='cuda' is not usable"):
        backend.get_backend("cuda")
    assert backend.resolve_device("auto") == "cpu"


@pytest.mark.cuda_optional
def test_cuda_in_a_fresh_process_without_simulator():
    """Without the simulator, ``device="cuda"`` works on a GPU machine and
    raises RuntimeError with a reason everywhere else."""
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_ENABLE_CUDASIM"}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    code = (
        "from numba import cuda\n"
        "from tsgate.backend import resolve_device\n"
        "gpu = cuda.is_available()\n"
        "try:\n"
        "    print('ok', gpu, resolve_device('cuda'))\n"
        "except RuntimeError as exc:\n"
        "    print('error', gpu, exc)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    status, gpu, message = out.stdout.strip().split(" ", 2)
    if gpu == "True":
        assert status == "ok" and message == "cuda"
    else:
        assert status == "error"
        assert "not usable" in message and "GPU" in message


def _imports(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:  # relative: resolve against the file's package
                package = path.relative_to(ROOT).parent.parts
                package = package[:len(package) - node.level + 1]
                module = ".".join(package + ((module,) if module else ()))
            yield module
            for alias in node.names:
                yield f"{module}.{alias.name}"


@pytest.mark.cuda_optional
def test_numba_cuda_only_in_cuda_kernels_and_backend():
    cuda_dir = PACKAGE / "kernels" / "cuda"
    for path in PACKAGE.rglob("*.py"):
        names = set(_imports(path))
        in_cuda = cuda_dir in path.parents
        if not in_cuda and path != PACKAGE / "backend.py":
            assert not any(n == "numba.cuda" or n.startswith("numba.cuda.") for n in names), path
        if in_cuda:  # CPU and CUDA kernels never import each other
            assert not any(n.startswith("tsgate.kernels.cpu") for n in names), path
        if PACKAGE / "kernels" / "cpu" in path.parents:
            assert not any(n.startswith("tsgate.kernels.cuda") for n in names), path


@pytest.mark.parametrize("name, value", [("CUDA_THREADS", 0), ("CUDA_TILE_ROWS", 2.7),
                                         ("CUDA_SIM_MULTIPROCESSORS", -1)])
def test_cuda_tunables_are_checked_where_they_are_read(monkeypatch, name, value):
    # before: quietly clamped (0 became 1, 2.7 became 2)
    from tsgate import config
    from tsgate.kernels.cuda import _config

    monkeypatch.setattr(config, name, value)
    with pytest.raises(ValueError, match=f"tsgate.config.{name} must be an integer"):
        _config.elementwise_threads() if name == "CUDA_THREADS" else _config.tile_rows(64)
