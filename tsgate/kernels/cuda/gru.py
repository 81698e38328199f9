"""GRU layer forward and backward (BPTT) on the GPU: the twin of ``kernels/cpu/gru.py``.

Same layout, memory contract (per-group parameter-gradient partials) and
kernel structure as ``lstm.py`` (read its header): one tiled product for the
input half, one persistent kernel per batch tile for the recurrence
(``h_{t-1}`` of the tile in shared memory in the forward pass, the carried
``dh * z`` in the backward pass, reading a contiguous ``W_h^T``), products
over all steps for the weight gradients; both directions of a bidirectional
layer in one launch (``gru_layer_forward``/``_backward``). Gate order r, z, n (PyTorch's), with
separate input-side and hidden-side biases:

    r = sigmoid(x W_xr + b_xr + h W_hr + b_hr)
    z = sigmoid(x W_xz + b_xz + h W_hz + b_hz)
    n = tanh(x W_xn + b_xn + r * (h W_hn + b_hn))
    h' = (1 - z) * n + z * h

Limits: BT * H * itemsize <= 48 KiB of shared memory; the engine's tiles keep
to it (``_config.tile_rows``).
"""
import functools

from numba import cuda

from . import _recurrent
from ._cells import gru_dh_prev, gru_dhn, gru_dn, gru_dr, gru_dz, gru_h, gru_n_input
from ._config import CACHE, check_device, dtype_name, launch, numba_type
from ._device import activations


@functools.lru_cache(maxsize=None)
def _kernels(dtype, rows):
    nb = numba_type(dtype)
    zero, one = nb(0), nb(1)
    sigmoid, tanh = activations(dtype)
    R = rows
    RG = 3 * rows

    @cuda.jit(cache=CACHE)
    def forward(W_h0, b_x0, b_h0, hs0, gates0, hn0, W_h1, b_x1, b_h1, hs1, gates1, hn1, flip):
        # a block per (tile k, direction d), directions as in lstm.py
        # gates (NT, T, BT, 3H) holds x W_x on entry, the activated gates on exit
        k = cuda.blockIdx.x
        d = cuda.blockIdx.y
        reverse = (d == 1) != flip
        W_h = W_h0 if d == 0 else W_h1
        b_x = b_x0 if d == 0 else b_x1
        b_h = b_h0 if d == 0 else b_h1
        hs = hs0 if d == 0 else hs1
        gates = gates0 if d == 0 else gates1
        hn = hn0 if d == 0 else hn1
        tid = cuda.threadIdx.x
        nth = cuda.blockDim.x
        T, BT, H = hs.shape[1], hs.shape[2], hs.shape[3]
        h_prev = cuda.shared.array(0, nb)  # (BT*H) h_{t-1} of this tile
        acc = cuda.local.array(RG, nb)  # (R, 3) gate sums of h_{t-1} W_h
        n_items = -(-BT // R) * H
        for s in range(T):
            t = T - 1 - s if reverse else s
            for item in range(tid, n_items, nth):
                j = item % H
                r0 = (item // H) * R
                for q in range(RG):
                    acc[q] = zero
                if s > 0:
                    for p in range(H):
                        w_r = W_h[p, j]
                        w_z = W_h[p, H + j]
                        w_n = W_h[p, 2 * H + j]
                        for rr in range(R):
                            rc = r0 + rr if r0 + rr < BT else BT - 1  # tail rows: ignored
                            hp = h_prev[rc * H + p]
                            acc[3 * rr] += hp * w_r
                            acc[3 * rr + 1] += hp * w_z
                            acc[3 * rr + 2] += hp * w_n
                for rr in range(R):
                    r = r0 + rr
                    if r < BT:
                        r_g = sigmoid(gates[k, t, r, j] + b_x[j] + acc[3 * rr] + b_h[j])
                        z_g = sigmoid(gates[k, t, r, H + j] + b_x[H + j] + acc[3 * rr + 1]
                                      + b_h[H + j])
                        h_n = acc[3 * rr + 2] + b_h[2 * H + j]
                        n_g = tanh(gru_n_input(gates[k, t, r, 2 * H + j] + b_x[2 * H + j], r_g, h_n))
                        h_p = h_prev[r * H + j] if s > 0 else zero
                        gates[k, t, r, j] = r_g
                        gates[k, t, r, H + j] = z_g
                        gates[k, t, r, 2 * H + j] = n_g
                        hn[k, t, r, j] = h_n
                        hs[k, t, r, j] = gru_h(z_g, n_g, h_p, one)
            cuda.syncthreads()  # h_t complete in global memory
            for e in range(tid, BT * H, nth):
                h_prev[e] = hs[k, t, e // H, e % H]
            cuda.syncthreads()  # h_t staged for the next step

    @cuda.jit(cache=CACHE)
    def backward(W_hT0, hs0, gates0, hn0, dhs0, dgx0, dgh0,
                 W_hT1, hs1, gates1, hn1, dhs1, dgx1, dgh1, flip):
        # a block per (tile k, direction d); W_hT (3H, H) is W_h transposed,
        # so a warp's loads W_hT[q, j] are consecutive
        # dgx, dgh (NT, T, BT, 3H): input- and hidden-side gate gradients, assigned
        k = cuda.blockIdx.x
        d = cuda.blockIdx.y
        reverse = (d == 1) != flip
        W_hT = W_hT0 if d == 0 else W_hT1
        hs = hs0 if d == 0 else hs1
        gates = gates0 if d == 0 else gates1
        hn = hn0 if d == 0 else hn1
        dhs = dhs0 if d == 0 else dhs1
        dgx = dgx0 if d == 0 else dgx1
        dgh = dgh0 if d == 0 else dgh1
        tid = cuda.threadIdx.x
        nth = cuda.blockDim.x
        T, BT, H = hs.shape[1], hs.shape[2], hs.shape[3]
        G = 3 * H
        carry = cuda.shared.array(0, nb)  # (BT*H) dh * z reaching h_{t-1} directly
        acc = cuda.local.array(R, nb)  # (R,) dgh_{t+1} W_h^T for unit j
        n_items = -(-BT // R) * H
        for e in range(tid, BT * H, nth):
            carry[e] = zero
        cuda.syncthreads()
        for s in range(T):
            t = s if reverse else T - 1 - s
            tp = t + 1 if reverse else t - 1  # step whose state feeds step t
            tn = t - 1 if reverse else t + 1  # step processed before, fed by h_t
            has_prev = s < T - 1
            for item in range(tid, n_items, nth):
                j = item % H
                r0 = (item // H) * R
                for rr in range(R):
                    acc[rr] = zero
                if s > 0:
                    for q in range(G):
                        w = W_hT[q, j]
                        for rr in range(R):
                            rc = r0 + rr if r0 + rr < BT else BT - 1  # tail rows: ignored
                            acc[rr] += dgh[k, tn, rc, q] * w
                for rr in range(R):
                    r = r0 + rr
                    if r < BT:
                        r_g = gates[k, t, r, j]
                        z_g = gates[k, t, r, H + j]
                        n_g = gates[k, t, r, 2 * H + j]
                        h_p = hs[k, tp, r, j] if has_prev else zero
                        dh = dhs[k, t, r, j] + (carry[r * H + j] + acc[rr])
                        da_n = gru_dn(dh, z_g, n_g, one)
                        da_z = gru_dz(dh, h_p, n_g, z_g, one)
                        da_r = gru_dr(da_n, hn[k, t, r, j], r_g, one)
                        dgx[k, t, r, j] = da_r
                        dgx[k, t, r, H + j] = da_z
                        dgx[k, t, r, 2 * H + j] = da_n
                        dgh[k, t, r, j] = da_r
                        dgh[k, t, r, H + j] = da_z
                        dgh[k, t, r, 2 * H + j] = gru_dhn(da_n, r_g)
                        carry[r * H + j] = gru_dh_prev(dh, z_g)
            cuda.syncthreads()  # dgh_t complete before the next step reads it

    return forward, backward


def gru_forward(x, W_x, W_h, b_x, b_h, reverse, hs, gates, hn):
    """Run one GRU layer over all steps.

    Parameters
    ----------
    x : device array of shape (NT, T, BT, F)
    W_x : device array of shape (F, 3H)
    W_h : device array of shape (H, 3H)
    b_x, b_h : device array of shape (3H,)
    reverse : bool
    hs : device array of shape (NT, T, BT, H)
        Output hidden states.
    gates : device array of shape (NT, T, BT, 3H)
        Output activated gates r, z, n.
    hn : device array of shape (NT, T, BT, H)
        Output hidden-side candidate term ``h_{t-1} W_hn + b_hn``.
    """
    _layer_forward(x, (W_x,), (W_h,), (b_x,), (b_h,), (hs,), (gates,), (hn,), bool(reverse))


def gru_layer_forward(x, W_x, W_h, b_x, b_h, hs, gates, hn):
    """``gru_forward`` of every direction of a layer, the recurrence of all
    of them in ONE launch; arguments as in ``lstm.lstm_layer_forward``."""
    _layer_forward(x, W_x, W_h, b_x, b_h, hs, gates, hn, False)


def _layer_forward(x, W_x, W_h, b_x, b_h, hs, gates, hn, flip):
    check_device(x, *W_x, *W_h, *b_x, *b_h, *hs, *gates, *hn)
    NT, T, BT, _ = x.shape
    H = W_h[0].shape[0]
    ndir = len(W_h)
    rows, threads, shared = _recurrent.launch(BT, H, gates[0].dtype.itemsize, "gru_forward")
    for d in range(ndir):
        _recurrent.input_projection(x, W_x[d], gates[d])  # (NT, T, BT, 3H) x W_x
    forward, _ = _kernels(dtype_name(x), rows)
    launch(forward, (NT, ndir), threads, shared)(
        W_h[0], b_x[0], b_h[0], hs[0], gates[0], hn[0],
        W_h[-1], b_x[-1], b_h[-1], hs[-1], gates[-1], hn[-1], flip)


def gru_backward(x, W_x, W_h, reverse, hs, gates, hn, dhs, dgx, dgh,
                 dx, dW_x, dW_h, db_x, db_h):
    """Backpropagate through one GRU layer.

    Parameters
    ----------
    x, W_x, W_h, reverse, hs, gates, hn
        As given to and produced by ``gru_forward``.
    dhs : device array of shape (NT, T, BT, H)
        Gradient of the loss with respect to each h_t from above.
    dgx, dgh : device array of shape (NT, T, BT, 3H)
        Workspaces; on return the gradients of the input-side and the
        hidden-side gate pre-activations.
    dx : device array of shape (NT, T, BT, F)
        Output gradient with respect to the input.
    dW_x : (NG, F, 3H), dW_h : (NG, H, 3H), db_x, db_h : (NG, 3H)
        Output parameter gradients, one partial per group of tiles (NG <= NT).
    """
    _layer_backward(x, (W_x,), (W_h,), (hs,), (gates,), (hn,), (dhs,), (dgx,), (dgh,), (dx,),
                    (dW_x,), (dW_h,), (db_x,), (db_h,), True, bool(reverse))


def gru_layer_backward(x, W_x, W_h, hs, gates, hn, dhs, dgx, dgh, dx, dW_x, dW_h, db_x, db_h,
                       need_dx=True):
    """``gru_backward`` of every direction of a layer, the recurrence of all
    of them in ONE launch; ``need_dx=False`` skips the input gradients."""
    _layer_backward(x, W_x, W_h, hs, gates, hn, dhs, dgx, dgh, dx, dW_x, dW_h, db_x, db_h,
                    need_dx, False)


def _layer_backward(x, W_x, W_h, hs, gates, hn, dhs, dgx, dgh, dx, dW_x, dW_h, db_x, db_h,
                    need_dx, flip):
    check_device(x, *W_x, *W_h, *hs, *gates, *hn, *dhs, *dgx, *dgh, *dW_x, *dW_h, *db_x, *db_h)
    NT, T, BT, _ = x.shape
    H = W_h[0].shape[0]
    ndir = len(W_h)
    rows, threads, shared = _recurrent.launch(BT, H, gates[0].dtype.itemsize, "gru_backward")
    _, backward = _kernels(dtype_name(x), rows)
    W_hT = [_recurrent.transposed(W_h[d], f"gru.W_hT{d}") for d in range(ndir)]  # (3H, H)
    launch(backward, (NT, ndir), threads, shared)(
        W_hT[0], hs[0], gates[0], hn[0], dhs[0], dgx[0], dgh[0],
        W_hT[-1], hs[-1], gates[-1], hn[-1], dhs[-1], dgx[-1], dgh[-1], flip)
    for d in range(ndir):
        reverse = (d == 1) != flip
        _recurrent.input_grads(x, dgx[d], W_x[d], dx[d] if need_dx else None, dW_x[d], db_x[d],
                               "gru.d")
        _recurrent.recurrent_weight_grad(hs[d], dgh[d], reverse, dW_h[d], "gru.d")
        _recurrent.row_sums(dgh[d].reshape(NT, T * BT, 3 * H), db_h[d], "gru.db_h")
