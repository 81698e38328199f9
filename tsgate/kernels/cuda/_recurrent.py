"""Pieces shared by the LSTM and GRU kernels: the all-steps products before
and after the persistent recurrent loop, and its launch configuration.

Memory contract as in ``lstm.py``: outputs assigned, parameter gradients as
per-group partials ``(NG, ...)`` (one per tile when NG == NT; ``_partials.py``).
"""
from numba import cuda

from . import _config
from ._config import CACHE, elementwise_blocks, scratch
from ._partials import tile_partials, to_groups
from .matmul import column_sums, matmul
from .sequence import fill


@cuda.jit(cache=CACHE)
def _transpose(a, out):
    # a (R, C) -> out (C, R); a thread per element of out, consecutive threads
    # write consecutive addresses
    R = a.shape[0]
    i = cuda.grid(1)
    if i < out.size:
        out[i // R, i % R] = a[i % R, i // R]


def transposed(W_h, name):
    """``W_h^T`` (G*H, H) as a contiguous scratch buffer (one per ``name``),
    made by one small launch: the backward recurrent kernels read it so that
    the threads of a warp, consecutive hidden units j, load consecutive
    addresses ``W_hT[q, j]`` (``W_h[j, q]`` was G*H floats apart)."""
    H, G = W_h.shape
    out = scratch(name, (G, H), W_h.dtype)
    blocks, threads = elementwise_blocks(G * H)
    _config.launch(_transpose, blocks, threads)(W_h, out)
    return out


def input_projection(x, W_x, gates):
    """``gates = x W_x`` for all tiles and steps in ONE product.

    x (NT, T, BT, F), W_x (F, G*H), gates (NT, T, BT, G*H).
    """
    NT, T, BT, F = x.shape
    G = W_x.shape[1]
    rows = NT * T * BT
    matmul(x.reshape(1, rows, F), W_x.reshape(1, F, G), gates.reshape(1, rows, G))


def input_grads(x, dg, W_x, dx, dW_x, db_x, name):
    """``dx = dg W_x^T`` (one product), ``dW_x = x^T dg`` and
    ``db_x = sum_rows dg`` per tile (one product / sum per tile, summed per group).

    x (NT, T, BT, F), dg (NT, T, BT, G*H), dx like x or None (not wanted:
    layer 0's), dW_x (NG, F, G*H), db_x (NG, G*H); ``name`` tells the
    scratch partials apart.
    """
    NT, T, BT, F = x.shape
    G = dg.shape[3]
    n = T * BT
    if dx is not None:
        matmul(dg.reshape(1, NT * n, G), W_x.reshape(1, F, G), dx.reshape(1, NT * n, F),
               trans_b=True)
    parts = tile_partials(dW_x, NT, name + "W_x")
    matmul(x.reshape(NT, n, F), dg.reshape(NT, n, G), parts, trans_a=True)
    to_groups(parts, dW_x)
    row_sums(dg.reshape(NT, n, G), db_x, name + "b_x")


def row_sums(a, out, name):
    """``out[g] = sum over the group's tiles k of a[k].sum(axis=0)``; a (NT, R, C), out (NG, C)."""
    parts = tile_partials(out, a.shape[0], name)
    column_sums(a, parts)
    to_groups(parts, out)


def recurrent_weight_grad(hs, dgh, reverse, dW_h, name):
    """``dW_h = sum_t h_{t-1}^T dgh_t`` as one product per tile over all
    steps, summed per group.

    The first processed step has no previous state and adds nothing.
    hs (NT, T, BT, H), dgh (NT, T, BT, G*H), dW_h (NG, H, G*H).
    """
    NT, T, BT, H = hs.shape
    G = dgh.shape[3]
    if T == 1:
        fill(dW_h, 0)
        return
    h_all = hs.reshape(NT, T * BT, H)  # (NT, T*BT, H)
    da_all = dgh.reshape(NT, T * BT, G)  # (NT, T*BT, G*H)
    n = (T - 1) * BT
    parts = tile_partials(dW_h, NT, name + "W_h")
    if reverse:  # states 1..T-1 feed steps 0..T-2
        matmul(h_all[:, BT:, :], da_all[:, :n, :], parts, trans_a=True)
    else:  # states 0..T-2 feed steps 1..T-1
        matmul(h_all[:, :n, :], da_all[:, BT:, :], parts, trans_a=True)
    to_groups(parts, dW_h)


def launch(BT, H, itemsize, what):
    """(threads, shared bytes) of a persistent recurrent kernel for one tile.

    Work items are (group of ROWS_PER_THREAD rows, hidden unit j); threads
    loop over them. Shared memory holds one (BT, H) state of the tile.
    """
    rows = max(1, min(int(_config.ROWS_PER_THREAD), BT))  # a one-row tile: one row a thread
    items = -(-BT // rows) * H
    threads = max(1, min(items, int(_config.RECURRENT_THREADS)))
    shared = BT * H * itemsize
    _config.check_shared(shared, what)
    return rows, threads, shared
