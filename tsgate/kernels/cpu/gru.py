"""GRU layer forward and backward (BPTT) over batch tiles.

Same layout and memory contract as ``lstm.py`` (read its header), including
per-group parameter-gradient partials. Gate order
r, z, n (PyTorch's), with separate input-side and hidden-side biases because
the reset gate multiplies only the hidden-side term of the candidate:

    r = sigmoid(x W_xr + b_xr + h W_hr + b_hr)
    z = sigmoid(x W_xz + b_xz + h W_hz + b_hz)
    n = tanh(x W_xn + b_xn + r * (h W_hn + b_hn))
    h' = (1 - z) * n + z * h
"""
import numpy as np
from numba import prange

from ._cells import gru_dh_prev, gru_dhn, gru_dn, gru_dr, gru_dz, gru_h, gru_n_input
from ._common import group_tiles, input_grads, recurrent_weight_grad, row_sum
from ._config import CELL_JIT, njit
from ._views import rows_of
from .activations import sigmoid, tanh
from .fpmode import flush_subnormals, restore_fp_mode
from .matmul import PLAIN, gemm, transposed


@njit(**CELL_JIT)
def gru_forward(x, W_x, W_h, b_x, b_h, reverse, hs, gates, hn):
    """Run one GRU layer over all steps.

    Parameters
    ----------
    x : ndarray of shape (NT, T, BT, F)
    W_x : ndarray of shape (F, 3H)
    W_h : ndarray of shape (H, 3H)
    b_x, b_h : ndarray of shape (3H,)
    reverse : bool
    hs : ndarray of shape (NT, T, BT, H)
        Output hidden states.
    gates : ndarray of shape (NT, T, BT, 3H)
        Output activated gates r, z, n.
    hn : ndarray of shape (NT, T, BT, H)
        Output hidden-side candidate term ``h_{t-1} W_hn + b_hn``.
    """
    NT, T, BT, _ = x.shape
    H = W_h.shape[0]
    one = x.dtype.type(1)
    for k in prange(NT):
        rec = np.empty((BT, 3 * H), dtype=x.dtype)  # (BT, 3H) h_{t-1} W_h
        cand = np.empty((BT, H), dtype=x.dtype)  # (BT, H) candidate n_t
        # (BT, H) the state before the first step. The state loop reads
        # h_{t-1} from a view that is this or hs[k, tp], not through ``hs[k,
        # tp, r, j] if s > 0 else 0``: that select made LLVM's loop strength
        # reduction take 0.22 s of the kernel's compile (0.12 s now), for
        # the same machine code speed and the same bits
        zeros = np.empty((BT, H), dtype=x.dtype)
        zeros[:] = 0
        gemm(rows_of(x, k), PLAIN, W_x, PLAIN, rows_of(gates, k), 0.0)
        for s in range(T):
            t = T - 1 - s if reverse else s
            tp = t + 1 if reverse else t - 1
            if s > 0:
                gemm(hs[k, tp], PLAIN, W_h, PLAIN, rec, 0.0)
            else:
                rec[:] = 0
            a = gates[k, t]  # (BT, 3H)
            h_prev = hs[k, tp] if s > 0 else zeros  # (BT, H)
            for r in range(BT):
                # One written stream per array in each loop (see _common.py).
                for q in range(2 * H):  # r, z
                    a[r, q] = sigmoid(a[r, q] + b_x[q] + rec[r, q] + b_h[q])
                for j in range(H):
                    h_n = rec[r, 2 * H + j] + b_h[2 * H + j]
                    hn[k, t, r, j] = h_n
                    cand[r, j] = tanh(gru_n_input(a[r, 2 * H + j] + b_x[2 * H + j], a[r, j], h_n))
                for j in range(H):
                    hs[k, t, r, j] = gru_h(a[r, H + j], cand[r, j], h_prev[r, j], one)
                for j in range(H):
                    a[r, 2 * H + j] = cand[r, j]


@njit(**CELL_JIT)
def gru_backward(x, W_x, W_h, reverse, hs, gates, hn, dhs, dgx, dgh,
                 dx, dW_x, dW_h, db_x, db_h):
    """Backpropagate through one GRU layer.

    Parameters
    ----------
    x, W_x, W_h, reverse, hs, gates, hn
        As given to and produced by ``gru_forward``.
    dhs : ndarray of shape (NT, T, BT, H)
        Gradient of the loss with respect to each h_t from above.
    dgx, dgh : ndarray of shape (NT, T, BT, 3H)
        Workspaces; on return the gradients of the input-side and the
        hidden-side gate pre-activations.
    dx : ndarray of shape (NT, T, BT, F), or (NT, T, BT, 0)
        Output gradient with respect to the input; width 0: not computed.
    dW_x : (NG, F, 3H), dW_h : (NG, H, 3H), db_x, db_h : (NG, 3H)
        Output parameter gradients, one partial per group of tiles.
    """
    NT, T, BT, _ = x.shape
    H = W_h.shape[0]
    one = x.dtype.type(1)
    zero = x.dtype.type(0)
    NG = db_x.shape[0]
    # (G*H, H) W_h^T as a C array, made once a pass: the per-step product
    # dh_rec = da W_h^T runs as register tiles on it
    W_hT = transposed(W_h)
    for g in prange(NG):
        mode = flush_subnormals()  # this thread's FTZ/DAZ, until restore_fp_mode (fpmode.py)
        dh_rec = np.empty((BT, H), dtype=x.dtype)  # (BT, H) gradient reaching h_{t-1}
        k0, k1 = group_tiles(g, NT, NG)
        for k in range(k0, k1):
            dh_rec[:] = 0
            for s in range(T):
                t = s if reverse else T - 1 - s
                tp = t + 1 if reverse else t - 1
                has_prev = s < T - 1
                a = gates[k, t]
                gx = dgx[k, t]
                gh = dgh[k, t]
                for r in range(BT):
                    # One written stream per array in each loop (see _common.py),
                    # so each loop recomputes dh and da_n; dh_rec changes last.
                    for j in range(H):  # n
                        dh = dhs[k, t, r, j] + dh_rec[r, j]
                        da_n = gru_dn(dh, a[r, H + j], a[r, 2 * H + j], one)
                        gx[r, 2 * H + j] = da_n
                        gh[r, 2 * H + j] = gru_dhn(da_n, a[r, j])
                    for j in range(H):  # r
                        dh = dhs[k, t, r, j] + dh_rec[r, j]
                        da_n = gru_dn(dh, a[r, H + j], a[r, 2 * H + j], one)
                        da_r = gru_dr(da_n, hn[k, t, r, j], a[r, j], one)
                        gx[r, j] = da_r
                        gh[r, j] = da_r
                    for j in range(H):  # z
                        z_g = a[r, H + j]
                        h_prev = hs[k, tp, r, j] if has_prev else zero
                        dh = dhs[k, t, r, j] + dh_rec[r, j]
                        da_z = gru_dz(dh, h_prev, a[r, 2 * H + j], z_g, one)
                        gx[r, H + j] = da_z
                        gh[r, H + j] = da_z
                        dh_rec[r, j] = gru_dh_prev(dh, z_g)
                if has_prev:
                    gemm(gh, PLAIN, W_hT, PLAIN, dh_rec, 1.0)
            acc = k > k0
            input_grads(x, dgx, W_x, k, dx, dW_x[g], db_x[g], acc)
            recurrent_weight_grad(hs, dgh, reverse, k, dW_h[g], acc)
            row_sum(rows_of(dgh, k), db_h[g], acc)
        restore_fp_mode(mode)
