"""LSTM layer forward and backward (BPTT) over batch tiles.

Layout (the backend contract, shared with ``kernels/cuda``): sequence arrays are
``(NT, T, BT, X)`` -- NT batch tiles of BT rows, time-major inside a tile -- so
that ``a[k]`` is one contiguous block for the all-steps input product and
``a[k, t]`` one contiguous (BT, X) block for the per-step recurrent product.
Tiles are independent, so they run in parallel and the result does not depend
on the number of threads.

Memory contract: every output is assigned (``=``), never accumulated.
Parameter gradients are per-group partials ``(NG, ...)`` with NG <= NT (see
``_common.py``); the caller sums them in order (``reduce_tiles``), which keeps
the result deterministic.

Gate order i, f, g, o (PyTorch's); ``b`` is the sum of PyTorch's two biases.
``reverse`` runs the layer from the last step to the first (the backward half
of a bidirectional layer); its state at step t has then seen steps t..T-1.
"""
import numpy as np
from numba import prange

from ._cells import lstm_c, lstm_dc, lstm_dc_prev, lstm_df, lstm_dg, lstm_di, lstm_do, lstm_h
from ._common import group_tiles, input_grads, recurrent_weight_grad
from ._config import CELL_JIT, njit
from ._views import rows_of
from .activations import sigmoid, tanh
from .fpmode import flush_subnormals, restore_fp_mode
from .matmul import PLAIN, gemm, transposed


@njit(**CELL_JIT)
def lstm_forward(x, W_x, W_h, b, reverse, hs, cs, gates):
    """Run one LSTM layer over all steps.

    Parameters
    ----------
    x : ndarray of shape (NT, T, BT, F)
    W_x : ndarray of shape (F, 4H)
    W_h : ndarray of shape (H, 4H)
    b : ndarray of shape (4H,)
    reverse : bool
    hs, cs : ndarray of shape (NT, T, BT, H)
        Output hidden and cell states.
    gates : ndarray of shape (NT, T, BT, 4H)
        Output activated gates i, f, g, o, kept for the backward pass.
    """
    NT, T, BT, _ = x.shape
    H = W_h.shape[0]
    zero = x.dtype.type(0)
    for k in prange(NT):
        rec = np.empty((BT, 4 * H), dtype=x.dtype)  # (BT, 4H) h_{t-1} W_h
        # input half for all steps in one product
        gemm(rows_of(x, k), PLAIN, W_x, PLAIN, rows_of(gates, k), 0.0)
        for s in range(T):
            t = T - 1 - s if reverse else s
            tp = t + 1 if reverse else t - 1
            if s > 0:
                gemm(hs[k, tp], PLAIN, W_h, PLAIN, rec, 0.0)
            else:
                rec[:] = 0
            a = gates[k, t]  # (BT, 4H)
            h = hs[k, t]
            c = cs[k, t]
            for r in range(BT):
                # One written stream per array in each loop (see _common.py).
                for q in range(2 * H):  # i, f
                    a[r, q] = sigmoid(a[r, q] + rec[r, q] + b[q])
                for j in range(H):  # g
                    a[r, 2 * H + j] = tanh(a[r, 2 * H + j] + rec[r, 2 * H + j] + b[2 * H + j])
                for j in range(H):  # o
                    a[r, 3 * H + j] = sigmoid(a[r, 3 * H + j] + rec[r, 3 * H + j] + b[3 * H + j])
                for j in range(H):
                    c_prev = cs[k, tp, r, j] if s > 0 else zero
                    c_new = lstm_c(a[r, j], a[r, H + j], a[r, 2 * H + j], c_prev)
                    c[r, j] = c_new
                    h[r, j] = lstm_h(a[r, 3 * H + j], tanh(c_new))


@njit(**CELL_JIT)
def lstm_backward(x, W_x, W_h, reverse, hs, cs, gates, dhs, dgates, dx, dW_x, dW_h, db):
    """Backpropagate through one LSTM layer.

    Parameters
    ----------
    x, W_x, W_h, reverse, hs, cs, gates
        As given to and produced by ``lstm_forward``.
    dhs : ndarray of shape (NT, T, BT, H)
        Gradient of the loss with respect to each h_t from above.
    dgates : ndarray of shape (NT, T, BT, 4H)
        Workspace; holds the gate pre-activation gradients on return.
    dx : ndarray of shape (NT, T, BT, F), or (NT, T, BT, 0)
        Output gradient with respect to the input; width 0: not computed.
    dW_x : (NG, F, 4H), dW_h : (NG, H, 4H), db : (NG, 4H)
        Output parameter gradients, one partial per group of tiles.
    """
    NT, T, BT, _ = x.shape
    H = W_h.shape[0]
    one = x.dtype.type(1)
    zero = x.dtype.type(0)
    NG = db.shape[0]
    # (G*H, H) W_h^T as a C array, made once a pass: the per-step product
    # dh_rec = da W_h^T runs as register tiles on it
    W_hT = transposed(W_h)
    for g in prange(NG):
        mode = flush_subnormals()  # this thread's FTZ/DAZ, until restore_fp_mode (fpmode.py)
        dh_rec = np.empty((BT, H), dtype=x.dtype)  # (BT, H) gradient reaching h_{t-1}
        dc_rec = np.empty((BT, H), dtype=x.dtype)  # (BT, H) gradient reaching c_{t-1}
        k0, k1 = group_tiles(g, NT, NG)
        for k in range(k0, k1):
            dh_rec[:] = 0
            dc_rec[:] = 0
            for s in range(T):
                t = s if reverse else T - 1 - s
                tp = t + 1 if reverse else t - 1
                has_prev = s < T - 1
                a = gates[k, t]
                da = dgates[k, t]
                for r in range(BT):
                    # One written stream per array in each loop (see _common.py);
                    # dc_rec holds dc_t until the last loop turns it into dc_t * f.
                    for j in range(H):
                        o_g = a[r, 3 * H + j]
                        tc = tanh(cs[k, t, r, j])
                        dh = dhs[k, t, r, j] + dh_rec[r, j]
                        dc_rec[r, j] = lstm_dc(dh, o_g, tc, dc_rec[r, j], one)
                        da[r, 3 * H + j] = lstm_do(dh, tc, o_g, one)
                    for j in range(H):
                        da[r, j] = lstm_di(dc_rec[r, j], a[r, 2 * H + j], a[r, j], one)
                    for j in range(H):
                        da[r, 2 * H + j] = lstm_dg(dc_rec[r, j], a[r, j], a[r, 2 * H + j], one)
                    for j in range(H):
                        f_g = a[r, H + j]
                        c_prev = cs[k, tp, r, j] if has_prev else zero
                        da[r, H + j] = lstm_df(dc_rec[r, j], c_prev, f_g, one)
                        dc_rec[r, j] = lstm_dc_prev(dc_rec[r, j], f_g)
                if has_prev:
                    gemm(da, PLAIN, W_hT, PLAIN, dh_rec, 0.0)
            acc = k > k0
            input_grads(x, dgates, W_x, k, dx, dW_x[g], db[g], acc)
            recurrent_weight_grad(hs, dgates, reverse, k, dW_h[g], acc)
        restore_fp_mode(mode)
