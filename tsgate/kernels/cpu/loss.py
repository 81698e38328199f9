"""Losses with their gradient in one pass; NaN targets are masked out.

The loss is the mean over the finite targets of the batch; padded rows of the
last tile carry NaN targets and so drop out too. The kinds are
``cellmath.LossKind`` (the element formulas are ``cellmath.loss_element``);
``MSE, MAE, HUBER, PINBALL`` here are their plain int values, so that a
kernel call always compiles for an int64 ``kind``.
"""
import math

import numpy as np

from ..cellmath import LossKind
from ._cells import loss_element
from ._config import JIT, njit

MSE, MAE, HUBER, PINBALL = (int(kind) for kind in LossKind)


@njit(**JIT)
def loss_forward_backward(pred, target, kind, param, dpred, out=None, slot=0):
    """Return the mean loss and assign its gradient to ``dpred``.

    Parameters
    ----------
    pred, target, dpred : ndarray of shape (NT, BT, O)
    kind : int
        A ``LossKind``.
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
    scale = 1.0 / (count if count > 0 else 1)  # not max(): one overload fewer to compile
    for k in range(NT):
        for r in range(BT):
            for o in range(O):
                y = target[k, r, o]
                if math.isnan(y):
                    dpred[k, r, o] = 0
                    continue
                e = np.float64(pred[k, r, o]) - np.float64(y)  # float() would stay float32
                value, g = loss_element(kind, e, param)
                total += value
                dpred[k, r, o] = g * scale
    if out is not None:
        out[slot] = total * scale
    return total * scale
