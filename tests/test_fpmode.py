"""Subnormal floats in the backward kernels: flushed to zero, the caller's mode kept.

An LSTM trained at a learning rate of 3 saturated its gates, and 17% of its
gate gradients became subnormal float32 numbers, which x86 computes on
tens of times slower: its fit took 10 s instead of 0.6 s (session 41).
"""
import numpy as np
import pytest
from numba import njit

from tsgate.kernels import cpu
from tsgate.kernels.cpu import fpmode, serial

TINY32 = np.finfo(np.float32).tiny  # the smallest normal float32
MODULES = {"parallel": cpu, "serial": serial}


@njit
def _modes():
    """(mode before, mode inside, mode after) of a flush/restore pair."""
    before = fpmode.fp_mode()
    old = fpmode.flush_subnormals()
    inside = fpmode.fp_mode()
    fpmode.restore_fp_mode(old)
    return before, old, inside, fpmode.fp_mode()


@njit
def _mode():
    return fpmode.fp_mode()


def test_flush_sets_ftz_and_daz_and_restore_puts_the_mode_back():
    before, old, inside, after = _modes()
    assert old == before and after == before
    if fpmode.X86:
        assert inside & fpmode.FTZ_DAZ == fpmode.FTZ_DAZ
        assert before & fpmode.FTZ_DAZ == 0  # Python's default: subnormals computed
    else:
        assert inside == 0


def _saturated_case(cell, dtype, scale=1e-33):
    """A layer whose gates saturate (weights x 25) and whose incoming
    gradients are ~``scale``: products of its small gate derivatives fall
    below float32's normal range."""
    rng = np.random.default_rng(5)
    NT, T, BT, F, H, NG = 2, 6, 3, 2, 4, 2
    G = (4 if cell == "lstm" else 3) * H
    arr = lambda *shape, s=1.0: (s * rng.standard_normal(shape)).astype(dtype)
    x, W_x, W_h = arr(NT, T, BT, F), arr(F, G, s=25.0), arr(H, G, s=25.0)
    dhs = arr(NT, T, BT, H, s=scale)
    states = [np.zeros((NT, T, BT, n), dtype) for n in (H, H, G)]
    if cell == "lstm":  # hs, cs, gates
        serial.lstm_layer_forward(x, (W_x,), (W_h,), (arr(G, s=25.0),), *[(s,) for s in states])
        n_grads = 3
    else:  # hs, gates, hn
        states = [states[0], states[2], states[1]]
        serial.gru_layer_forward(x, (W_x,), (W_h,), (arr(G, s=25.0),), (arr(G, s=25.0),),
                                 *[(s,) for s in states])
        n_grads = 4
    dgates = [np.zeros((NT, T, BT, G), dtype) for _ in range(1 if cell == "lstm" else 2)]
    dx = np.zeros((NT, T, BT, F), dtype)
    grads = [np.zeros((NG, F, G), dtype), np.zeros((NG, H, G), dtype)]
    grads += [np.zeros((NG, G), dtype) for _ in range(n_grads - 2)]
    return (x, (W_x,), (W_h,), *[(s,) for s in states], (dhs,), *[(d,) for d in dgates],
            (dx,), *[(g,) for g in grads]), dgates + [dx] + grads


def _subnormal32(a):
    a = np.abs(np.asarray(a, np.float64))
    return (a > 0) & (a < TINY32)


@pytest.mark.parametrize("flavour", list(MODULES))
@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_backward_gives_no_subnormal_float32_and_keeps_the_callers_mode(flavour, cell):
    layer_backward = getattr(MODULES[flavour], f"{cell}_layer_backward")
    # the same case in float64 holds gradients in float32's subnormal range
    # (the serial kernel's: the parallel one in float64 is compiled for nothing
    # else, 16 s of the suite)
    args64, outs64 = _saturated_case(cell, np.float64)
    getattr(serial, f"{cell}_layer_backward")(*args64)
    assert sum(int(_subnormal32(o).sum()) for o in outs64) > 0
    args, outs = _saturated_case(cell, np.float32)
    before = _mode()
    layer_backward(*args)
    assert _mode() == before
    for out, out64 in zip(outs, outs64):
        assert not _subnormal32(out).any()
        # where float64's gradient is normal in float32, float32's is near it
        normal = np.abs(out64) >= 1e6 * TINY32
        np.testing.assert_allclose(out[normal], out64[normal], rtol=2e-2)
