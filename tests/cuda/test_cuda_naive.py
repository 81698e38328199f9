"""The CUDA kernels against the slow NumPy references of ``tests/naive.py``.

The same checks as the CPU's ``tests/test_naive_reference.py``
(``tests/naive_checks.py``): each device is compared with the naive math,
not with the other device, so a bug in the CPU twin cannot become the
reference here. Tiny shapes; the simulator runs every thread in Python.
"""
import numpy as np
import pytest

from tests import naive_checks as C

DTYPES = [np.float32, np.float64]


@pytest.fixture(scope="module")
def device(gpu):
    """(kernels, host -> device, device -> host), as ``naive_checks`` takes them."""
    cuda, kernels = gpu
    return kernels, cuda.to_device, lambda a: a.copy_to_host()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reverse", [False, True])
def test_lstm(device, dtype, reverse):
    C.check_lstm(*device, dtype, reverse)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reverse", [False, True])
def test_gru(device, dtype, reverse):
    C.check_gru(*device, dtype, reverse)


@pytest.mark.parametrize("dtype", DTYPES)
def test_dense(device, dtype):
    C.check_dense(*device, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_attention(device, dtype):
    C.check_attention(*device, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kind,param", C.LOSSES)
def test_loss(device, dtype, kind, param):
    C.check_loss(*device, dtype, kind, param)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("alpha,weight_decay,grad_scale", C.ADAM_SETTINGS)
def test_adam(device, dtype, alpha, weight_decay, grad_scale):
    C.check_adam(*device, dtype, alpha, weight_decay, grad_scale)


@pytest.mark.parametrize("dtype", DTYPES)
def test_global_norm(device, dtype):
    C.check_global_norm(*device, dtype)
