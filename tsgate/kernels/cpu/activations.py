"""Gate nonlinearities for the CPU kernels.

float32 uses a rational (polynomial-ratio) tanh: there is no SVML here, and
libm's ``tanhf``/``expf`` calls stop the gate loops from vectorizing. Its
error is a few float32 ulps over the whole float32 range (tested). float64,
used by the finite-difference gradient tests, gets the exact ``math.tanh`` so
those tests compare the backward formulas with the true derivative.
"""
import math

import numpy as np
from numba import types
from numba.extending import overload

# Coefficients of the odd/even polynomials of a [13/6] minimax-style rational
# approximation of tanh on [-9, 9] (the same form Eigen uses for float32).
_A1 = 4.89352455891786e-03
_A3 = 6.37261928875436e-04
_A5 = 1.48572235717979e-05
_A7 = 5.12229709037114e-08
_A9 = -8.60467152213735e-11
_A11 = 2.00018790482477e-13
_A13 = -2.76076847742355e-16
_B0 = 4.89352518554385e-03
_B2 = 2.26843463243900e-03
_B4 = 1.18534705686654e-04
_B6 = 1.19825839466702e-06
_CLAMP = 7.90531110763549805


def tanh(x):
    """Hyperbolic tangent; float32 gets a fast rational approximation."""
    return np.tanh(x)


def sigmoid(x):
    """Logistic function written through tanh: 0.5 * (1 + tanh(x / 2))."""
    return 0.5 * (1.0 + np.tanh(0.5 * x))


@overload(tanh, jit_options={"error_model": "numpy", "no_cfunc_wrapper": True})
def _tanh_overload(x):
    if x == types.float32:
        a1, a3, a5, a7 = np.float32(_A1), np.float32(_A3), np.float32(_A5), np.float32(_A7)
        a9, a11, a13 = np.float32(_A9), np.float32(_A11), np.float32(_A13)
        b0, b2, b4, b6 = np.float32(_B0), np.float32(_B2), np.float32(_B4), np.float32(_B6)
        clamp = np.float32(_CLAMP)

        def impl(x):
            # not min(max()): two overloads fewer to compile; NaN stays NaN
            v = -clamp if x < -clamp else x
            v = clamp if v > clamp else v
            v2 = v * v
            p = a13 * v2 + a11
            p = p * v2 + a9
            p = p * v2 + a7
            p = p * v2 + a5
            p = p * v2 + a3
            p = p * v2 + a1
            p = p * v
            q = b6 * v2 + b4
            q = q * v2 + b2
            q = q * v2 + b0
            return p / q

        return impl
    if x == types.float64:
        return lambda x: math.tanh(x)
    return None


@overload(sigmoid, jit_options={"error_model": "numpy", "no_cfunc_wrapper": True})
def _sigmoid_overload(x):
    if x in (types.float32, types.float64):
        half = np.float32(0.5) if x == types.float32 else 0.5
        one = np.float32(1.0) if x == types.float32 else 1.0

        def impl(x):
            return half * (one + tanh(half * x))

        return impl
    return None
