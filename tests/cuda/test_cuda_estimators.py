"""Estimators with device="cuda" (simulator in CI): same models as on the CPU,
and a GPU-fitted model pickles to host arrays that predict without a GPU."""
import os
import pickle
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import tsgate
from tsgate import config


def test_regressor_on_cuda_matches_cpu_and_predicts_without_gpu(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "CUDA_TILE_ROWS", 3)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(10, 4, 2)).astype(np.float32)
    y = X[:, -1, 0] - X[:, 0, 1]
    params = dict(hidden_size=3, max_iter=2, batch_size=5, random_state=0)
    gpu = tsgate.GRURegressor(device="cuda", **params).fit(X, y)
    cpu = tsgate.GRURegressor(device="cpu", **params).fit(X, y)
    assert gpu.device_ == "cuda" and isinstance(gpu.params_, np.ndarray)
    np.testing.assert_allclose(gpu.params_, cpu.params_, rtol=1e-4, atol=1e-5)
    expected = gpu.predict(X)
    np.testing.assert_allclose(expected, cpu.predict(X), rtol=1e-4, atol=1e-5)
    path = tmp_path / "gpu_model.pkl"
    path.write_bytes(pickle.dumps(gpu))
    np.save(tmp_path / "X.npy", X)
    code = ("import pickle, sys, numpy as np; m = pickle.load(open(sys.argv[1], 'rb'));"
            "print(repr(m.predict(np.load(sys.argv[2])).tolist()))")
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_ENABLE_CUDASIM"}
    env["CUDA_VISIBLE_DEVICES"] = ""  # no GPU in the child, even on a machine with one
    out = subprocess.run([sys.executable, "-c", code, str(path), str(tmp_path / "X.npy")],
                         env=env, capture_output=True, text=True, check=True).stdout
    np.testing.assert_allclose(np.array(eval(out)), expected, rtol=1e-4, atol=1e-5)


def test_forecaster_on_cuda_matches_cpu_and_forecasts_without_gpu(tmp_path, monkeypatch):
    """The same forecasts as on the CPU; and without a GPU (a child process):
    its members' regressors fell back to the CPU, but the forecast's ensemble
    median freed each member's workspace on the fitted device: "device='cuda'
    is not usable" on a machine without one."""
    monkeypatch.setattr(config, "CUDA_TILE_ROWS", 4)
    y = pd.Series(np.sin(np.arange(24) / 3.0), index=pd.date_range("2020-01-01", periods=24, freq="D"))
    # one member: the simulator runs every thread in Python (the ensemble is tested on the CPU)
    params = dict(window=6, horizon=2, hidden_size=3, max_iter=1, batch_size=8, n_models=1,
                  random_state=0)
    gpu = tsgate.LSTMForecaster(device="cuda", **params).fit(y)
    cpu = tsgate.LSTMForecaster(device="cpu", **params).fit(y)
    # Adam's first steps are about +-learning_rate whatever a gradient's size, so
    # a near-zero gradient component whose sign differs by rounding (other tile
    # sizes, other summation order) can move a weight by ~3e-3 on one device and
    # not the other: at 40 steps and 2 epochs the forecasts differed so by 4e-4
    # relative. At this shape (one epoch; 7 s under the simulator, not 37) no
    # sign flips: the weights agree to 1e-8 and the forecasts to 1e-9 relative
    # (measured under the simulator), and a real GPU may round otherwise
    pd.testing.assert_series_equal(gpu.predict(), cpu.predict(), rtol=1e-4, atol=1e-5)
    # (past the fit's own forecast: the members run; the CPU's, which the GPU's equals)
    expected = cpu.predict(horizon=3)
    path = tmp_path / "gpu_forecaster.pkl"
    path.write_bytes(pickle.dumps(gpu))
    code = ("import pickle, sys; m = pickle.load(open(sys.argv[1], 'rb'));"
            "print(repr(m.predict(horizon=3).tolist()))")
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_ENABLE_CUDASIM"}
    env["CUDA_VISIBLE_DEVICES"] = ""  # no GPU in the child, even on a machine with one
    out = subprocess.run([sys.executable, "-c", code, str(path)], env=env,
                         capture_output=True, text=True, check=True).stdout
    np.testing.assert_allclose(np.array(eval(out)), expected.to_numpy(), rtol=1e-4, atol=1e-5)


@pytest.mark.default_tunables
def test_dropout_fits_match_the_cpu_whatever_each_device_tiles():
    """Dropout masks were drawn for each device's padded tiles: a batch of 33
    is one tile of 33 rows on the CPU and two of 17 on a GPU, which drew one
    row more, and every later mask differed (parameters 4e-3 apart after one
    epoch). They are drawn for the batch's rows, whatever the tiling."""
    from tsgate.backend import get_backend
    from tsgate.engine.plan import tiles

    assert tiles(get_backend("cpu"), 33, True) != tiles(get_backend("cuda"), 33, True)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3, 1)).astype(np.float32)
    y = X[:, -1, 0] - X[:, 0, 0]
    params = {"hidden_size": 2, "max_iter": 1, "batch_size": 33, "dropout": 0.3, "random_state": 0}
    gpu = tsgate.GRURegressor(device="cuda", **params).fit(X, y)
    cpu = tsgate.GRURegressor(device="cpu", **params).fit(X, y)
    np.testing.assert_allclose(gpu.params_, cpu.params_, rtol=1e-4, atol=1e-5)
