"""LSTM layer forward and backward (BPTT) on the GPU: the twin of ``kernels/cpu/lstm.py``.

Layout (the backend contract): sequence arrays are ``(NT, T, BT, X)``, NT
independent tiles of BT batch rows, time-major inside a tile.

Memory contract: every output is assigned (``=``), never accumulated.
Parameter gradients are per-group partials ``(NG, ...)``, NG <= NT (see
``_partials.py``; the CUDA backend uses NG == NT, one partial per tile and
block); the caller sums them in order (``reduce_tiles``), so the result is
deterministic. No atomics.

Structure (what cuDNN does):

- forward: ``gates = x W_x`` for all tiles and steps in one tiled product;
  then ONE persistent kernel, a block per batch tile (blocks are independent:
  only ``syncthreads`` between steps, never a grid-wide barrier), loops over
  all T steps. The tile's ``h_{t-1}`` (BT, H) sits in shared memory; each
  thread owns (ROWS_PER_THREAD rows, unit j) work items, computes the four
  gate sums ``h_{t-1} W_h[:, gate j]`` in registers (W_h read from global
  memory / L1, coalesced along j), then applies the nonlinearities and the
  state update in the same pass. The thread that writes ``c_t[r, j]`` is the
  one that reads it next step, so c needs no barrier.
- backward: one persistent kernel per tile walking t = T-1 .. 0 with the
  carried ``dc`` (BT, H) in shared memory; ``dh`` reaching ``h_{t-1}`` is
  ``da_t W_h^T``, computed by the owner thread from the gate gradients of the
  step before (global, visible after the block barrier), reading a
  contiguous ``W_h^T`` (4H, H) made once per pass (``_recurrent.transposed``)
  so that a warp's loads coalesce. Then ``dx``, ``dW_x``, ``dW_h`` and ``db``
  as products over all steps.
- a bidirectional layer runs both directions' recurrences in one launch:
  the grid is (tiles, directions) (``lstm_layer_forward``/``_backward``).

Gate order i, f, g, o (PyTorch's); ``b`` is the sum of PyTorch's two biases.
Limits: BT * H * itemsize <= 48 KiB of shared memory; the engine's tiles keep
to it (``_config.tile_rows``: float32 tiles of 32 rows up to H = 384, fewer
rows above).
"""
import functools

from numba import cuda

from . import _recurrent
from ._cells import lstm_c, lstm_dc, lstm_dc_prev, lstm_df, lstm_dg, lstm_di, lstm_do, lstm_h
from ._config import CACHE, check_device, dtype_name, launch, numba_type
from ._device import activations


@functools.lru_cache(maxsize=None)
def _kernels(dtype, rows):
    nb = numba_type(dtype)
    zero, one = nb(0), nb(1)
    sigmoid, tanh = activations(dtype)
    R = rows
    RG = 4 * rows

    @cuda.jit(cache=CACHE)
    def forward(W_h0, b0, hs0, cs0, gates0, W_h1, b1, hs1, cs1, gates1, flip):
        # a block per (tile k, direction d): direction d's arrays are the *d
        # arguments (the same ones twice for a one-direction launch); it runs
        # reversed when d == 1, or when flip is set (a lone reverse direction).
        # gates (NT, T, BT, 4H) holds x W_x on entry, the activated gates on exit
        k = cuda.blockIdx.x
        d = cuda.blockIdx.y
        reverse = (d == 1) != flip
        W_h = W_h0 if d == 0 else W_h1
        b = b0 if d == 0 else b1
        hs = hs0 if d == 0 else hs1
        cs = cs0 if d == 0 else cs1
        gates = gates0 if d == 0 else gates1
        tid = cuda.threadIdx.x
        nth = cuda.blockDim.x
        T, BT, H = hs.shape[1], hs.shape[2], hs.shape[3]
        h_prev = cuda.shared.array(0, nb)  # (BT*H) h_{t-1} of this tile
        acc = cuda.local.array(RG, nb)  # (R, 4) gate sums of h_{t-1} W_h
        n_items = -(-BT // R) * H
        for s in range(T):
            t = T - 1 - s if reverse else s
            tp = t + 1 if reverse else t - 1
            for item in range(tid, n_items, nth):
                j = item % H
                r0 = (item // H) * R
                for q in range(RG):
                    acc[q] = zero
                if s > 0:
                    for p in range(H):
                        w_i = W_h[p, j]
                        w_f = W_h[p, H + j]
                        w_g = W_h[p, 2 * H + j]
                        w_o = W_h[p, 3 * H + j]
                        for rr in range(R):
                            rc = r0 + rr if r0 + rr < BT else BT - 1  # tail rows: ignored
                            hp = h_prev[rc * H + p]
                            acc[4 * rr] += hp * w_i
                            acc[4 * rr + 1] += hp * w_f
                            acc[4 * rr + 2] += hp * w_g
                            acc[4 * rr + 3] += hp * w_o
                for rr in range(R):
                    r = r0 + rr
                    if r < BT:
                        i_g = sigmoid(gates[k, t, r, j] + acc[4 * rr] + b[j])
                        f_g = sigmoid(gates[k, t, r, H + j] + acc[4 * rr + 1] + b[H + j])
                        g_g = tanh(gates[k, t, r, 2 * H + j] + acc[4 * rr + 2] + b[2 * H + j])
                        o_g = sigmoid(gates[k, t, r, 3 * H + j] + acc[4 * rr + 3] + b[3 * H + j])
                        c_prev = cs[k, tp, r, j] if s > 0 else zero
                        c_new = lstm_c(i_g, f_g, g_g, c_prev)
                        gates[k, t, r, j] = i_g
                        gates[k, t, r, H + j] = f_g
                        gates[k, t, r, 2 * H + j] = g_g
                        gates[k, t, r, 3 * H + j] = o_g
                        cs[k, t, r, j] = c_new
                        hs[k, t, r, j] = lstm_h(o_g, tanh(c_new))
            cuda.syncthreads()  # h_t complete in global memory
            for e in range(tid, BT * H, nth):
                h_prev[e] = hs[k, t, e // H, e % H]
            cuda.syncthreads()  # h_t staged for the next step

    @cuda.jit(cache=CACHE)
    def backward(W_hT0, cs0, gates0, dhs0, dgates0, W_hT1, cs1, gates1, dhs1, dgates1, flip):
        # a block per (tile k, direction d), directions as in forward;
        # W_hT (4H, H) is W_h transposed: the threads of a warp (consecutive
        # units j) read consecutive addresses W_hT[q, j].
        # dgates (NT, T, BT, 4H): gate pre-activation gradients, assigned
        k = cuda.blockIdx.x
        d = cuda.blockIdx.y
        reverse = (d == 1) != flip
        W_hT = W_hT0 if d == 0 else W_hT1
        cs = cs0 if d == 0 else cs1
        gates = gates0 if d == 0 else gates1
        dhs = dhs0 if d == 0 else dhs1
        dgates = dgates0 if d == 0 else dgates1
        tid = cuda.threadIdx.x
        nth = cuda.blockDim.x
        T, BT, H = cs.shape[1], cs.shape[2], cs.shape[3]
        G = 4 * H
        dc_carry = cuda.shared.array(0, nb)  # (BT*H) gradient reaching c_{t-1}
        acc = cuda.local.array(R, nb)  # (R,) da_{t+1} W_h^T for unit j
        n_items = -(-BT // R) * H
        for e in range(tid, BT * H, nth):
            dc_carry[e] = zero
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
                            acc[rr] += dgates[k, tn, rc, q] * w
                for rr in range(R):
                    r = r0 + rr
                    if r < BT:
                        i_g = gates[k, t, r, j]
                        f_g = gates[k, t, r, H + j]
                        g_g = gates[k, t, r, 2 * H + j]
                        o_g = gates[k, t, r, 3 * H + j]
                        tc = tanh(cs[k, t, r, j])
                        c_prev = cs[k, tp, r, j] if has_prev else zero
                        dh = dhs[k, t, r, j] + acc[rr]
                        dc = lstm_dc(dh, o_g, tc, dc_carry[r * H + j], one)
                        dc_carry[r * H + j] = lstm_dc_prev(dc, f_g)
                        dgates[k, t, r, j] = lstm_di(dc, g_g, i_g, one)
                        dgates[k, t, r, H + j] = lstm_df(dc, c_prev, f_g, one)
                        dgates[k, t, r, 2 * H + j] = lstm_dg(dc, i_g, g_g, one)
                        dgates[k, t, r, 3 * H + j] = lstm_do(dh, tc, o_g, one)
            cuda.syncthreads()  # da_t complete before the next step reads it

    return forward, backward


def lstm_forward(x, W_x, W_h, b, reverse, hs, cs, gates):
    """Run one LSTM layer over all steps.

    Parameters
    ----------
    x : device array of shape (NT, T, BT, F)
    W_x : device array of shape (F, 4H)
    W_h : device array of shape (H, 4H)
    b : device array of shape (4H,)
    reverse : bool
        Run from the last step to the first (backward half of a bidirectional layer).
    hs, cs : device array of shape (NT, T, BT, H)
        Output hidden and cell states.
    gates : device array of shape (NT, T, BT, 4H)
        Output activated gates i, f, g, o, kept for the backward pass.
    """
    _layer_forward(x, (W_x,), (W_h,), (b,), (hs,), (cs,), (gates,), bool(reverse))


def lstm_layer_forward(x, W_x, W_h, b, hs, cs, gates):
    """``lstm_forward`` of every direction of a layer, the recurrence of all
    of them in ONE launch (a block per tile and direction).

    x (NT, T, BT, F) is shared; every other argument is a sequence over the
    directions (one or two) of what ``lstm_forward`` takes; direction 1 runs
    from the last step to the first.
    """
    _layer_forward(x, W_x, W_h, b, hs, cs, gates, False)


def _layer_forward(x, W_x, W_h, b, hs, cs, gates, flip):
    check_device(x, *W_x, *W_h, *b, *hs, *cs, *gates)
    NT, T, BT, _ = x.shape
    H = W_h[0].shape[0]
    ndir = len(W_h)
    rows, threads, shared = _recurrent.launch(BT, H, gates[0].dtype.itemsize, "lstm_forward")
    for d in range(ndir):
        _recurrent.input_projection(x, W_x[d], gates[d])  # (NT, T, BT, 4H) x W_x
    forward, _ = _kernels(dtype_name(x), rows)
    launch(forward, (NT, ndir), threads, shared)(
        W_h[0], b[0], hs[0], cs[0], gates[0], W_h[-1], b[-1], hs[-1], cs[-1], gates[-1], flip)


def lstm_backward(x, W_x, W_h, reverse, hs, cs, gates, dhs, dgates, dx, dW_x, dW_h, db):
    """Backpropagate through one LSTM layer.

    Parameters
    ----------
    x, W_x, W_h, reverse, hs, cs, gates
        As given to and produced by ``lstm_forward``.
    dhs : device array of shape (NT, T, BT, H)
        Gradient of the loss with respect to each h_t from above.
    dgates : device array of shape (NT, T, BT, 4H)
        Workspace; holds the gate pre-activation gradients on return.
    dx : device array of shape (NT, T, BT, F)
        Output gradient with respect to the input.
    dW_x : (NG, F, 4H), dW_h : (NG, H, 4H), db : (NG, 4H)
        Output parameter gradients, one partial per group of tiles (NG <= NT).
    """
    _layer_backward(x, (W_x,), (W_h,), (hs,), (cs,), (gates,), (dhs,), (dgates,), (dx,),
                    (dW_x,), (dW_h,), (db,), True, bool(reverse))


def lstm_layer_backward(x, W_x, W_h, hs, cs, gates, dhs, dgates, dx, dW_x, dW_h, db,
                        need_dx=True):
    """``lstm_backward`` of every direction of a layer, the recurrence of all
    of them in ONE launch; sequences over the directions as in
    ``lstm_layer_forward``. With ``need_dx=False`` the input gradients
    ``dx`` are not computed (layer 0's, which nothing reads)."""
    _layer_backward(x, W_x, W_h, hs, cs, gates, dhs, dgates, dx, dW_x, dW_h, db, need_dx, False)


def _layer_backward(x, W_x, W_h, hs, cs, gates, dhs, dgates, dx, dW_x, dW_h, db, need_dx, flip):
    check_device(x, *W_x, *W_h, *hs, *cs, *gates, *dhs, *dgates, *dW_x, *dW_h, *db)
    NT, T, BT, _ = x.shape
    H = W_h[0].shape[0]
    ndir = len(W_h)
    rows, threads, shared = _recurrent.launch(BT, H, gates[0].dtype.itemsize, "lstm_backward")
    _, backward = _kernels(dtype_name(x), rows)
    W_hT = [_recurrent.transposed(W_h[d], f"lstm.W_hT{d}") for d in range(ndir)]  # (4H, H)
    launch(backward, (NT, ndir), threads, shared)(
        W_hT[0], cs[0], gates[0], dhs[0], dgates[0], W_hT[-1], cs[-1], gates[-1], dhs[-1],
        dgates[-1], flip)
    for d in range(ndir):
        reverse = (d == 1) != flip
        _recurrent.input_grads(x, dgates[d], W_x[d], dx[d] if need_dx else None, dW_x[d], db[d],
                               "lstm.d")
        _recurrent.recurrent_weight_grad(hs[d], dgates[d], reverse, dW_h[d], "lstm.d")
