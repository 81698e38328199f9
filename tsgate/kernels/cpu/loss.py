"""Losses with their gradient in one pass; NaN targets are masked out.

The loss is the mean over the finite targets of the batch; padded rows of the
last tile carry NaN targets and so drop out too. Kinds: 0 squared error,
1 absolute error, 2 Huber (``param`` = delta), 3 pinball (``param`` = quantile).
"""
import math

import numpy as np
from numba import njit

from ._config import JIT

MSE, MAE, HUBER, PINBALL = 0, 1, 2, 3


@njit(**JIT)
def loss_forward_backward(pred, target, kind, param, dpred, out=None, slot=0):
    """Return the mean loss and assign its gradient to ``dpred``.

    Parameters
    ----------
    pred, target, dpred : ndarray of shape (NT, BT, O)
    kind : int
    param : float
        Huber's delta or the pinball quantile; ignored otherwise.
    out : ndarray of shape (S,) float64, optional
        Also write the loss into ``out[slot]``: the training loop's per-epoch
        slots (the CUDA twin writes there and copies nothing back).
    slot : int

    Returns
    -------
    loss : float
        Mean over finite targets (0.0 when there are none).
    """
    NT, BT, O = pred.shape
    count = 0
    for k in range(NT):
        for r in range(BT):
            for o in range(O):
                if not math.isnan(target[k, r, o]):
                    count += 1
    total = 0.0
    scale = 1.0 / max(count, 1)
    for k in range(NT):
        for r in range(BT):
            for o in range(O):
                y = target[k, r, o]
                if math.isnan(y):
                    dpred[k, r, o] = 0
                    continue
                e = np.float64(pred[k, r, o]) - np.float64(y)  # float() would stay float32
                if kind == MSE:
                    total += e * e
                    g = 2.0 * e
                elif kind == MAE:
                    total += abs(e)
                    g = np.sign(e)
                elif kind == HUBER:
                    if abs(e) <= param:
                        total += 0.5 * e * e
                        g = e
                    else:
                        total += param * (abs(e) - 0.5 * param)
                        g = param * np.sign(e)
                else:  # pinball on y - pred
                    if e > 0:
                        total += (1.0 - param) * e
                        g = 1.0 - param
                    else:
                        total += -param * e
                        g = -param
                dpred[k, r, o] = g * scale
    if out is not None:
        out[slot] = total * scale
    return total * scale
