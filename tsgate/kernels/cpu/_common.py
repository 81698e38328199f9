"""Pieces shared by the LSTM and GRU backward kernels (one tile at a time)."""
import numpy as np
from numba import njit

from ._config import JIT


@njit(**JIT)
def row_sum(a, out):
    """Assign ``out = a.sum(axis=0)`` for a (rows, cols) array, rows in order."""
    out[:] = 0
    for r in range(a.shape[0]):
        for c in range(a.shape[1]):
            out[c] += a[r, c]


@njit(**JIT)
def input_grads(x, dgx, W_x, k, dx, dW_x, db_x):
    """Tile k: ``dx = dgx W_x^T``, ``dW_x = x^T dgx``, ``db_x = sum_rows dgx``.

    All steps at once: ``x[k]`` is (T*BT, F) and ``dgx[k]`` (T*BT, G*H).
    """
    T, BT, F = x.shape[1], x.shape[2], x.shape[3]
    G = dgx.shape[3]
    da_all = dgx[k].reshape(T * BT, G)  # (T*BT, G*H)
    np.dot(da_all, W_x.T, dx[k].reshape(T * BT, F))
    np.dot(x[k].reshape(T * BT, F).T, da_all, dW_x[k])
    row_sum(da_all, db_x[k])


@njit(**JIT)
def recurrent_weight_grad(hs, dgh, reverse, k, dW_h):
    """Tile k: ``dW_h = sum_t h_{t-1}^T dgh_t`` as one product over all steps.

    The first processed step has no previous state and adds nothing.
    """
    T, BT, H = hs.shape[1], hs.shape[2], hs.shape[3]
    G = dgh.shape[3]
    if T == 1:
        dW_h[k][:] = 0
        return
    n = (T - 1) * BT
    h_all = hs[k].reshape(T * BT, H)  # (T*BT, H)
    da_all = dgh[k].reshape(T * BT, G)  # (T*BT, G*H)
    if reverse:  # states 1..T-1 feed steps 0..T-2
        np.dot(h_all[BT:].T, da_all[:n], dW_h[k])
    else:  # states 0..T-2 feed steps 1..T-1
        np.dot(h_all[:n].T, da_all[BT:], dW_h[k])
