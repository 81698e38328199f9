"""The CPU kernels (parallel and serial twins) against ``tests/naive.py``, and
the naive backward passes against finite differences of the naive forwards.

The same checks run on the CUDA kernels in ``tests/cuda/test_cuda_naive.py``
(``tests/naive_checks.py``): both devices answer to the naive reference, not
to each other.
"""
import numpy as np
import pytest

from tsgate.kernels import cpu
from tsgate.kernels.cpu import serial

from tests import naive
from tests import naive_checks as C

DTYPES = [np.float64, np.float32]
MODULES = {"parallel": cpu, "serial": serial}


def dev(a):
    return np.ascontiguousarray(a).copy()


def host(a):
    return np.asarray(a)


@pytest.mark.parametrize("flavour", list(MODULES))
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reverse", [False, True])
def test_lstm(flavour, dtype, reverse):
    C.check_lstm(MODULES[flavour], dev, host, dtype, reverse)


@pytest.mark.parametrize("flavour", list(MODULES))
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reverse", [False, True])
def test_gru(flavour, dtype, reverse):
    C.check_gru(MODULES[flavour], dev, host, dtype, reverse)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_layer_backward_without_input_gradient(cell):
    """``need_dx=False`` (a first layer): the same parameter gradients, bit
    for bit, and ``dx`` left as it was."""
    rng = np.random.default_rng(3)
    NT, T, BT, F, H, NG = 2, 5, 3, 2, 4, 2
    G = (4 if cell == "lstm" else 3) * H
    f32 = lambda *shape: rng.standard_normal(shape).astype(np.float32)  # noqa: E731
    x, W_x, W_h, dhs = f32(NT, T, BT, F), f32(F, G), f32(H, G), f32(NT, T, BT, H)
    states = [np.zeros((NT, T, BT, n), np.float32) for n in (H, H, G)]
    if cell == "lstm":  # states: hs, cs, gates
        serial.lstm_layer_forward(x, (W_x,), (W_h,), (f32(G),), *[(s,) for s in states])
        backward, n_grads = serial.lstm_layer_backward, 3
    else:  # states: hs, hn, gates; the kernels take hs, gates, hn
        states = [states[0], states[2], states[1]]
        serial.gru_layer_forward(x, (W_x,), (W_h,), (f32(G),), (f32(G),), *[(s,) for s in states])
        backward, n_grads = serial.gru_layer_backward, 4
    out = {}
    for need_dx in (True, False):
        dgates = [np.zeros((NT, T, BT, G), np.float32) for _ in range(1 if cell == "lstm" else 2)]
        dx = np.full((NT, T, BT, F), 7.0, np.float32)
        grads = [np.zeros((NG, F, G), np.float32), np.zeros((NG, H, G), np.float32)]
        grads += [np.zeros((NG, G), np.float32) for _ in range(n_grads - 2)]
        backward(x, (W_x,), (W_h,), *[(s,) for s in states], (dhs,), *[(d,) for d in dgates],
                 (dx,), *[(g,) for g in grads], need_dx=need_dx)
        out[need_dx] = dx, grads
    assert not np.all(out[True][0] == 7.0)
    assert np.all(out[False][0] == 7.0)
    for with_dx, without in zip(out[True][1], out[False][1]):
        np.testing.assert_array_equal(with_dx, without)


@pytest.mark.parametrize("dtype", DTYPES)
def test_dense(dtype):
    C.check_dense(cpu, dev, host, dtype)


@pytest.mark.parametrize("flavour", list(MODULES))
@pytest.mark.parametrize("dtype", DTYPES)
def test_attention(flavour, dtype):
    C.check_attention(MODULES[flavour], dev, host, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kind,param", C.LOSSES)
def test_loss(dtype, kind, param):
    C.check_loss(cpu, dev, host, dtype, kind, param)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("alpha,weight_decay,grad_scale", C.ADAM_SETTINGS)
def test_adam(dtype, alpha, weight_decay, grad_scale):
    C.check_adam(cpu, dev, host, dtype, alpha, weight_decay, grad_scale)


@pytest.mark.parametrize("dtype", DTYPES)
def test_global_norm(dtype):
    C.check_global_norm(cpu, dev, host, dtype)


# ------------------------------------------------- the reference checks itself

EPS = 1e-6


def _fd(f, arrays, name):
    """Central differences of the scalar f(**arrays) w.r.t. arrays[name]."""
    a = arrays[name]
    out = np.empty_like(a)
    for i in np.ndindex(a.shape):
        old = a[i]
        a[i] = old + EPS
        up = f(**arrays)
        a[i] = old - EPS
        down = f(**arrays)
        a[i] = old
        out[i] = (up - down) / (2 * EPS)
    return out


def _assert_fd(grad, fd):
    np.testing.assert_allclose(grad, fd, rtol=1e-6, atol=1e-8)
    assert np.abs(grad).max() > 1e-3


@pytest.mark.parametrize("reverse", [False, True])
def test_naive_lstm_backward_is_the_derivative(reverse):
    rng = np.random.default_rng(0)
    N, T, F, H = 2, 3, 2, 3
    arr = dict(x=rng.standard_normal((N, T, F)), W_x=rng.standard_normal((F, 4 * H)),
               W_h=rng.standard_normal((H, 4 * H)), b=rng.standard_normal(4 * H))
    dhs = rng.standard_normal((N, T, H))

    def f(x, W_x, W_h, b):
        return np.sum(dhs * naive.lstm_forward(x, W_x, W_h, b, reverse)[0])

    grads = naive.lstm_backward(**arr, reverse=reverse, dhs=dhs)
    for g, name in zip(grads, ["x", "W_x", "W_h", "b"]):
        _assert_fd(g, _fd(f, arr, name))


@pytest.mark.parametrize("reverse", [False, True])
def test_naive_gru_backward_is_the_derivative(reverse):
    rng = np.random.default_rng(1)
    N, T, F, H = 2, 3, 2, 3
    arr = dict(x=rng.standard_normal((N, T, F)), W_x=rng.standard_normal((F, 3 * H)),
               W_h=rng.standard_normal((H, 3 * H)), b_x=rng.standard_normal(3 * H),
               b_h=rng.standard_normal(3 * H))
    dhs = rng.standard_normal((N, T, H))

    def f(x, W_x, W_h, b_x, b_h):
        return np.sum(dhs * naive.gru_forward(x, W_x, W_h, b_x, b_h, reverse)[0])

    grads = naive.gru_backward(**arr, reverse=reverse, dhs=dhs)
    for g, name in zip(grads, ["x", "W_x", "W_h", "b_x", "b_h"]):
        _assert_fd(g, _fd(f, arr, name))


def test_naive_head_backward_is_the_derivative():
    rng = np.random.default_rng(2)
    N, T, D, A, O = 2, 3, 3, 2, 2
    att = dict(hseq=rng.standard_normal((N, T, D)), q=rng.standard_normal((N, D)),
               W_a=rng.standard_normal((D, A)), U_a=rng.standard_normal((D, A)),
               b_a=rng.standard_normal(A), v=rng.standard_normal(A))
    dctx = rng.standard_normal((N, D))

    def f(**a):
        return np.sum(dctx * naive.attention_forward(**a)[2])

    grads = naive.attention_backward(**att, dctx=dctx)
    for g, name in zip(grads, ["hseq", "q", "W_a", "U_a", "b_a", "v"]):
        _assert_fd(g, _fd(f, att, name))
    dense = dict(z=rng.standard_normal((N, D)), W=rng.standard_normal((D, O)), b=rng.standard_normal(O))
    dout = rng.standard_normal((N, O))

    def g(**a):
        return np.sum(dout * naive.dense_forward(**a))

    for grad, name in zip(naive.dense_backward(dense["z"], dense["W"], dout), ["z", "W", "b"]):
        _assert_fd(grad, _fd(g, dense, name))


@pytest.mark.parametrize("kind,param", C.LOSSES)
def test_naive_loss_gradient_is_the_derivative(kind, param):
    rng = np.random.default_rng(3)
    target = rng.standard_normal((5, 2))
    target[1, 0] = np.nan
    offset = rng.choice([0.2, 0.9], size=target.shape) * rng.choice([-1.0, 1.0], size=target.shape)
    arr = dict(pred=np.where(np.isnan(target), 0.0, target) + offset)  # away from the kinks

    def f(pred):
        return naive.loss(pred, target, kind, param)[0]

    value, grad = naive.loss(arr["pred"], target, kind, param)
    _assert_fd(grad, _fd(f, arr, "pred"))
    assert grad[1, 0] == 0.0
