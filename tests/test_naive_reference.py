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
