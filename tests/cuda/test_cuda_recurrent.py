"""LSTM and GRU CUDA kernels against their CPU twins, to float32 rounding.

Tiny shapes with BT=3 rows per tile and ROWS_PER_THREAD=2 (conftest), so the
persistent kernels loop over work items and guard a partial row group; the
backward passes also run with fewer gradient groups than tiles (NG < NT).
"""
import numpy as np
import pytest

from tsgate.kernels import cpu
from tests.conftest import rand

RTOL, ATOL = 1e-4, 1e-5
F, H = 2, 3


def to_dev(cuda, arrays):
    return {name: cuda.to_device(np.ascontiguousarray(a)) for name, a in arrays.items()}


def nan_like(arrays):
    """Outputs start as NaN: a kernel that leaves an element unwritten fails."""
    return {name: np.full_like(a, np.nan) for name, a in arrays.items()}


def assert_same(dev, host):
    for name, expected in host.items():
        np.testing.assert_allclose(dev[name].copy_to_host(), expected, rtol=RTOL, atol=ATOL,
                                   err_msg=name)


def lstm_inputs(rng, NT, T, BT):
    return dict(x=rand(rng, NT, T, BT, F), W_x=rand(rng, F, 4 * H), W_h=rand(rng, H, 4 * H),
                b=rand(rng, 4 * H))


def gru_inputs(rng, NT, T, BT):
    return dict(x=rand(rng, NT, T, BT, F), W_x=rand(rng, F, 3 * H), W_h=rand(rng, H, 3 * H),
                b_x=rand(rng, 3 * H), b_h=rand(rng, 3 * H))


def lstm_run_cpu(p, reverse):
    NT, T, BT, _ = p["x"].shape
    out = dict(hs=np.zeros((NT, T, BT, H), np.float32), cs=np.zeros((NT, T, BT, H), np.float32),
               gates=np.zeros((NT, T, BT, 4 * H), np.float32))
    cpu.lstm_forward(p["x"], p["W_x"], p["W_h"], p["b"], reverse, out["hs"], out["cs"],
                     out["gates"])
    return out


def gru_run_cpu(p, reverse):
    NT, T, BT, _ = p["x"].shape
    out = dict(hs=np.zeros((NT, T, BT, H), np.float32), hn=np.zeros((NT, T, BT, H), np.float32),
               gates=np.zeros((NT, T, BT, 3 * H), np.float32))
    cpu.gru_forward(p["x"], p["W_x"], p["W_h"], p["b_x"], p["b_h"], reverse, out["hs"],
                    out["gates"], out["hn"])
    return out


@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("T", [3, 1])
def test_lstm_forward(gpu, reverse, T):
    cuda, kernels = gpu
    rng = np.random.default_rng(1)
    p = lstm_inputs(rng, 2, T, 3)
    expected = lstm_run_cpu(p, reverse)
    d, out = to_dev(cuda, p), to_dev(cuda, nan_like(expected))
    kernels.lstm_forward(d["x"], d["W_x"], d["W_h"], d["b"], reverse, out["hs"], out["cs"],
                         out["gates"])
    assert_same(out, expected)


@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("T, NG", [(3, 3), (3, 2), (1, 3)])
def test_lstm_backward(gpu, reverse, T, NG):
    cuda, kernels = gpu
    rng = np.random.default_rng(2)
    NT, BT = 3, 3
    p = lstm_inputs(rng, NT, T, BT)
    state = lstm_run_cpu(p, reverse)
    dhs = rand(rng, NT, T, BT, H)
    G = 4 * H
    e = dict(dgates=np.zeros((NT, T, BT, G), np.float32), dx=np.zeros((NT, T, BT, F), np.float32),
             dW_x=np.zeros((NG, F, G), np.float32), dW_h=np.zeros((NG, H, G), np.float32),
             db=np.zeros((NG, G), np.float32))
    cpu.lstm_backward(p["x"], p["W_x"], p["W_h"], reverse, state["hs"], state["cs"], state["gates"],
                      dhs, e["dgates"], e["dx"], e["dW_x"], e["dW_h"], e["db"])
    d = to_dev(cuda, dict(p, dhs=dhs, **state))
    out = to_dev(cuda, nan_like(e))
    kernels.lstm_backward(d["x"], d["W_x"], d["W_h"], reverse, d["hs"], d["cs"], d["gates"],
                          d["dhs"], out["dgates"], out["dx"], out["dW_x"], out["dW_h"], out["db"])
    assert_same(out, e)
    assert_same(d, dict(dhs=dhs, **state))  # inputs untouched


@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("T", [3, 1])
def test_gru_forward(gpu, reverse, T):
    cuda, kernels = gpu
    rng = np.random.default_rng(3)
    p = gru_inputs(rng, 2, T, 3)
    expected = gru_run_cpu(p, reverse)
    d, out = to_dev(cuda, p), to_dev(cuda, nan_like(expected))
    kernels.gru_forward(d["x"], d["W_x"], d["W_h"], d["b_x"], d["b_h"], reverse, out["hs"],
                        out["gates"], out["hn"])
    assert_same(out, expected)


@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("T, NG", [(3, 3), (3, 2), (1, 3)])
def test_gru_backward(gpu, reverse, T, NG):
    cuda, kernels = gpu
    rng = np.random.default_rng(4)
    NT, BT = 3, 3
    p = gru_inputs(rng, NT, T, BT)
    state = gru_run_cpu(p, reverse)
    dhs = rand(rng, NT, T, BT, H)
    G = 3 * H
    e = dict(dgx=np.zeros((NT, T, BT, G), np.float32), dgh=np.zeros((NT, T, BT, G), np.float32),
             dx=np.zeros((NT, T, BT, F), np.float32), dW_x=np.zeros((NG, F, G), np.float32),
             dW_h=np.zeros((NG, H, G), np.float32), db_x=np.zeros((NG, G), np.float32),
             db_h=np.zeros((NG, G), np.float32))
    cpu.gru_backward(p["x"], p["W_x"], p["W_h"], reverse, state["hs"], state["gates"], state["hn"],
                     dhs, e["dgx"], e["dgh"], e["dx"], e["dW_x"], e["dW_h"], e["db_x"], e["db_h"])
    d = to_dev(cuda, dict(p, dhs=dhs, **state))
    out = to_dev(cuda, nan_like(e))
    kernels.gru_backward(d["x"], d["W_x"], d["W_h"], reverse, d["hs"], d["gates"], d["hn"],
                         d["dhs"], out["dgx"], out["dgh"], out["dx"], out["dW_x"], out["dW_h"],
                         out["db_x"], out["db_h"])
    assert_same(out, e)


def test_recurrent_kernels_refuse_host_arrays(gpu):
    """A numpy array would be copied to the GPU and back on every launch."""
    cuda, kernels = gpu
    rng = np.random.default_rng(5)
    p = lstm_inputs(rng, 1, 2, 2)
    out = {k: cuda.to_device(v) for k, v in lstm_run_cpu(p, False).items()}
    with pytest.raises(TypeError, match="host numpy array"):
        kernels.lstm_forward(cuda.to_device(p["x"]), p["W_x"], cuda.to_device(p["W_h"]),
                             cuda.to_device(p["b"]), False, out["hs"], out["cs"], out["gates"])


def test_shared_memory_limit_is_a_clear_error(gpu):
    cuda, kernels = gpu
    BT, H_big = 32, 400  # 32 * 400 float32 states: 51200 bytes > 48 KiB
    x = cuda.device_array((1, 1, BT, 1), np.float32)
    hs = cuda.device_array((1, 1, BT, H_big), np.float32)
    with pytest.raises(ValueError, match="shared memory"):
        kernels.gru_forward(x, cuda.device_array((1, 3 * H_big), np.float32),
                            cuda.device_array((H_big, 3 * H_big), np.float32),
                            cuda.device_array(3 * H_big, np.float32),
                            cuda.device_array(3 * H_big, np.float32), False, hs,
                            cuda.device_array((1, 1, BT, 3 * H_big), np.float32), hs)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("ndir", [1, 2])
def test_layer_functions_run_both_directions_in_one_launch(gpu, cell, ndir, monkeypatch):
    """``*_layer_forward/_backward`` (a grid of tiles x directions) give the
    CPU's per-direction results; the recurrence is one launch per layer; with
    ``need_dx=False`` dx is left alone."""
    cuda, kernels = gpu
    from tsgate.kernels.cuda import _config

    rng = np.random.default_rng(6)
    NT, T, BT = 2, 3, 3
    G = (4 if cell == "lstm" else 3) * H
    inputs = lstm_inputs if cell == "lstm" else gru_inputs
    ps = [inputs(rng, NT, T, BT) for _ in range(ndir)]
    for p in ps[1:]:
        p["x"] = ps[0]["x"]  # the layer's input is shared
    run = lstm_run_cpu if cell == "lstm" else gru_run_cpu
    states = [run(p, d == 1) for d, p in enumerate(ps)]
    wnames = ("W_x", "W_h", "b") if cell == "lstm" else ("W_x", "W_h", "b_x", "b_h")
    snames = ("hs", "cs", "gates") if cell == "lstm" else ("hs", "gates", "hn")
    dev_w = [tuple(cuda.to_device(p[n]) for p in ps) for n in wnames]
    dev_s = [tuple(cuda.to_device(np.full_like(s[n], np.nan)) for s in states) for n in snames]
    x = cuda.to_device(ps[0]["x"])
    launched = []
    real_launch = _config.launch

    def counting(kernel, grid, *args):
        launched.append(grid)
        return real_launch(kernel, grid, *args)

    for module in ("lstm", "gru"):
        monkeypatch.setattr(f"tsgate.kernels.cuda.{module}.launch", counting)
    getattr(kernels, f"{cell}_layer_forward")(x, *dev_w, *dev_s)
    assert launched == [(NT, ndir)]  # the recurrence: one launch for all directions
    for d in range(ndir):
        for n, bufs in zip(snames, dev_s):
            np.testing.assert_allclose(bufs[d].copy_to_host(), states[d][n], rtol=RTOL, atol=ATOL,
                                       err_msg=f"{n}[{d}]")
    # backward, against the CPU's per-direction calls
    dhs = [rand(rng, NT, T, BT, H) for _ in range(ndir)]
    work = ("dgates",) if cell == "lstm" else ("dgx", "dgh")
    gnames = ("dW_x", "dW_h", "db") if cell == "lstm" else ("dW_x", "dW_h", "db_x", "db_h")
    gshapes = {"dW_x": (NT, F, G), "dW_h": (NT, H, G), "db": (NT, G), "db_x": (NT, G),
               "db_h": (NT, G)}
    expected = []
    for d, (p, s) in enumerate(zip(ps, states)):
        e = {n: np.zeros((NT, T, BT, G), np.float32) for n in work}
        e["dx"] = np.zeros((NT, T, BT, F), np.float32)
        e.update({n: np.zeros(gshapes[n], np.float32) for n in gnames})
        if cell == "lstm":
            cpu.lstm_backward(p["x"], p["W_x"], p["W_h"], d == 1, s["hs"], s["cs"], s["gates"],
                              dhs[d], e["dgates"], e["dx"], e["dW_x"], e["dW_h"], e["db"])
        else:
            cpu.gru_backward(p["x"], p["W_x"], p["W_h"], d == 1, s["hs"], s["gates"], s["hn"],
                             dhs[d], e["dgx"], e["dgh"], e["dx"], e["dW_x"], e["dW_h"], e["db_x"],
                             e["db_h"])
        expected.append(e)
    out = [{n: cuda.to_device(np.full_like(a, np.nan)) for n, a in e.items()} for e in expected]
    col = lambda n: tuple(o[n] for o in out)  # noqa: E731
    launched.clear()
    getattr(kernels, f"{cell}_layer_backward")(
        x, dev_w[0], dev_w[1], *dev_s, tuple(cuda.to_device(a) for a in dhs),
        *(col(n) for n in work), col("dx"), *(col(n) for n in gnames), need_dx=False)
    assert launched == [(NT, ndir)]
    for d in range(ndir):
        for n, a in out[d].items():
            if n == "dx":
                assert np.isnan(a.copy_to_host()).all()  # skipped: never written
            else:
                np.testing.assert_allclose(a.copy_to_host(), expected[d][n], rtol=RTOL, atol=ATOL,
                                           err_msg=f"{n}[{d}]")
