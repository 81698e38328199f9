"""The cell math, written once for both devices: plain Python scalar functions.

Every formula of design/equations.md that acts on one element -- the LSTM and
GRU state updates and each of their gate gradients, the loss element and its
derivative, the Adam update of one parameter, the attention score gradients --
is a function here. ``kernels/cpu/_cells.py`` compiles each one with
``numba.njit`` and ``kernels/cuda/_cells.py`` with ``cuda.jit(device=True)``;
the loops, the tiling and the memory layout stay per device. This module
imports no numba: the functions also run as they are, in Python, which is how
the tests can read them.

Conventions, chosen so that both devices compile the same source to the same
arithmetic (and the CPU gate loops keep vectorizing):

- The gate functions take ACTIVATED values (``i = sigmoid(a_i)``, ``tc =
  tanh(c)``) and do arithmetic only. Each device keeps its own nonlinearities:
  the CPU a rational float32 tanh (the libm call would stop the loops from
  vectorizing, ``cpu/activations.py``), the GPU its fast ``tanhf``/``expf``
  (``cuda/_device.py``). A function with no call in it inlines into any loop.
- One function per gate and per output stream, e.g. ``lstm_di`` and
  ``lstm_dg``, not one function returning all four gate gradients: the CPU
  gate loops write one stream of an array each (``cpu/_common.py``) and call
  one of these per loop; the GPU thread calls them all in a row.
- ``one`` is the 1 of the array's float type (``x.dtype.type(1)`` on the CPU,
  ``nb(1)`` on the GPU). A literal ``1`` or ``1.0`` would turn float32
  arithmetic into float64 under Numba's typing rules.
- The factors are multiplied in the order the kernels always used, so the
  results are bit-identical to the two former copies.

The loss and Adam functions work in float64 on both devices (callers convert
the elements), as the kernels always did.
"""
import functools
import math
from enum import IntEnum


class LossKind(IntEnum):
    """Loss of the training objective; the kernels take ``int(kind)``.

    MSE: squared error. MAE: absolute error. HUBER: Huber loss with
    ``param`` = delta. PINBALL: pinball (quantile) loss on ``y - pred`` with
    ``param`` = the quantile.
    """

    MSE = 0
    MAE = 1
    HUBER = 2
    PINBALL = 3


# The compiled code compares ``kind`` (an int64) with these plain ints: global
# ints are compile-time constants on every Numba target.
_MSE = int(LossKind.MSE)
_MAE = int(LossKind.MAE)
_HUBER = int(LossKind.HUBER)


# ------------------------------------------------------------------ LSTM
# Gates i, f, g, o activated; c the cell state, tc = tanh(c).


def lstm_c(i, f, g, c_prev):
    """New cell state ``c = f * c_prev + i * g``."""
    return f * c_prev + i * g


def lstm_h(o, tc):
    """New hidden state ``h = o * tanh(c)``, given ``tc = tanh(c)``."""
    return o * tc


def lstm_dc(dh, o, tc, dc_next, one):
    """Gradient reaching c_t: through h_t (``dh`` is all of h_t's gradient)
    plus ``dc_next``, the part carried back from step t+1 (``lstm_dc_prev``)."""
    return dh * o * (one - tc * tc) + dc_next


def lstm_do(dh, tc, o, one):
    """Gradient of the output gate's pre-activation."""
    return dh * tc * o * (one - o)


def lstm_di(dc, g, i, one):
    """Gradient of the input gate's pre-activation."""
    return dc * g * i * (one - i)


def lstm_dg(dc, i, g, one):
    """Gradient of the candidate's pre-activation."""
    return dc * i * (one - g * g)


def lstm_df(dc, c_prev, f, one):
    """Gradient of the forget gate's pre-activation."""
    return dc * c_prev * f * (one - f)


def lstm_dc_prev(dc, f):
    """The part of c_t's gradient carried back to c_{t-1}."""
    return dc * f


# ------------------------------------------------------------------ GRU
# Gates r, z activated, n the activated candidate, hn = h_{t-1} W_hn + b_hn.


def gru_n_input(xn, r, hn):
    """Pre-activation of the candidate ``xn + r * hn``; ``xn = x W_xn + b_xn``."""
    return xn + r * hn


def gru_h(z, n, h_prev, one):
    """New hidden state ``h = (1 - z) * n + z * h_prev``."""
    return (one - z) * n + z * h_prev


def gru_dn(dh, z, n, one):
    """Gradient of the candidate's pre-activation (input side)."""
    return dh * (one - z) * (one - n * n)


def gru_dhn(dn, r):
    """Gradient of the hidden-side candidate term ``hn``'s pre-activation."""
    return dn * r


def gru_dr(dn, hn, r, one):
    """Gradient of the reset gate's pre-activation, given ``dn = gru_dn(...)``."""
    return dn * hn * r * (one - r)


def gru_dz(dh, h_prev, n, z, one):
    """Gradient of the update gate's pre-activation."""
    return dh * (h_prev - n) * z * (one - z)


def gru_dh_prev(dh, z):
    """The part of h_t's gradient reaching h_{t-1} directly (not through W_h)."""
    return dh * z


# ------------------------------------------------------------------ attention
# e_t = v . u_t with u_t = tanh(h_t W_a + q U_a + b_a); w = softmax_t(e);
# ctx = sum_t w_t h_t.


def attention_dscore(w, dw, mean):
    """Gradient of the score e_t through the softmax: ``w_t (dw_t - sum_s w_s dw_s)``,
    with ``dw_t = dctx . h_t`` and ``mean = sum_s w_s dw_s``."""
    return w * (dw - mean)


def attention_du(de, v, u, one):
    """Gradient of the pre-activation of u_t[a] given the score gradient ``de``."""
    return de * v * (one - u * u)


# ------------------------------------------------------------------ loss


def loss_element(kind, e, param):
    """Loss and its derivative for one error ``e = pred - y`` (float64).

    Parameters
    ----------
    kind : int
        A ``LossKind``.
    e : float
        The error, in float64.
    param : float
        Huber's delta or the pinball quantile; ignored otherwise.

    Returns
    -------
    value, derivative : float
    """
    if kind == _MSE:
        return e * e, 2.0 * e
    if kind == _MAE:
        return abs(e), (1.0 if e > 0.0 else (-1.0 if e < 0.0 else e))
    if kind == _HUBER:
        if abs(e) <= param:
            return 0.5 * e * e, e
        return param * (abs(e) - 0.5 * param), param * (1.0 if e > 0.0 else (-1.0 if e < 0.0 else e))
    # pinball on y - pred
    if e > 0:
        return (1.0 - param) * e, 1.0 - param
    return -param * e, -param


# ------------------------------------------------------------------ Adam


def power(a, n):
    """``a ** n`` for a float ``a`` and an int ``n >= 0``, by squaring.

    The multiplications Numba makes for ``float ** int`` in compiled code,
    written out, so that Python on the host gives the same bits (Python's
    own ``**`` calls the C library's ``pow``, which rounds differently);
    past 2**16, both use ``pow``, as Numba does.
    """
    if n > 0x10000:
        return math.pow(a, float(n))
    r = 1.0
    while n != 0:
        if n & 1:
            r *= a
        n >>= 1
        a *= a
    return r


# Kept per (step, lr, beta1, beta2, eps): the members of an ensemble and a
# fit's final phase run through the same steps with the same hyperparameters
# (0.3 us a step from the cache, 1.6 us computed)
@functools.lru_cache(maxsize=1 << 14)
def adam_scales(step, lr, beta1, beta2, eps):
    """Bias correction of Adam for ``step`` (1-based), folded into the step
    size and epsilon: ``(lr * sqrt(1 - beta2^t) / (1 - beta1^t), eps * sqrt(1 - beta2^t))``.

    Computed on the host once per step, by both devices (plain Python floats)."""
    c1 = 1.0 - power(beta1, step)
    c2 = 1.0 - power(beta2, step)
    root = math.sqrt(c2)
    return lr * root / c1, eps * root


def adam_update(p, grad, m, v, decay, step_size, eps_hat, lr, beta1, beta2,
                alpha, weight_decay, grad_scale):
    """One parameter's Adam/AdamW update in float64; returns ``(p, m, v)``.

    ``g = grad_scale * grad + alpha * decay * p`` (clip factor, L2 penalty),
    the moments, the step with ``adam_scales``' bias correction, then the
    decoupled weight decay ``lr * weight_decay * decay * p``. ``decay`` is 1
    for weights and 0 for biases.
    """
    g = grad_scale * grad + alpha * decay * p
    m = beta1 * m + (1.0 - beta1) * g
    v = beta2 * v + (1.0 - beta2) * g * g
    p = p - step_size * m / (math.sqrt(v) + eps_hat) - lr * weight_decay * decay * p
    return p, m, v
