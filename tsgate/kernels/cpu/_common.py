"""Pieces shared by the backward kernels.

Parameter gradients are written as per-GROUP partials ``(NG, ...)``: group g
owns tiles ``g*NT//NG .. (g+1)*NT//NG - 1`` and sums their contributions in
tile order. The grouping depends on NT and NG alone, never on the thread
count, so the result is bit-identical whatever ``NUMBA_NUM_THREADS`` is, and
memory stays NG x P however many tiles a batch has. NG == NT gives one
partial per tile.

Loop shape of the elementwise gate code: each innermost loop (over the hidden
units of one row) writes at most ONE stream of any array, and reads that array
only at the written index. LLVM vectorizes these loops behind run-time overlap
checks that it hoists out of the row loop, widened to the whole tile; two
streams of one array (``a[r, j]`` and ``a[r, H + j]``) then look overlapping
for tiles of more than one row, and the loop silently runs scalar (10x slower,
measured). So the gates are activated in separate loops, and the backward
passes recompute a few products rather than write two streams at once.

The helpers here are inlined by Numba into the kernels that call them
(``inline="always"``): compiled as functions of their own, each was
optimized and compiled to machine code on its own and then again inside
every caller (about 1.5 CPU s on a first default fit, all four).
"""

from ._config import INNER, njit
from ._views import rows_of
from .matmul import PLAIN, TRANS, gemm


@njit(**INNER, inline="always")
def group_tiles(g, NT, NG):
    """First and one-past-last tile of group g."""
    return g * NT // NG, (g + 1) * NT // NG


@njit(**INNER, inline="always")
def row_sum(a, out, accumulate):
    """``out (+)= a.sum(axis=0)`` for a (rows, cols) array, rows in order."""
    if not accumulate:
        out[:] = 0
    for r in range(a.shape[0]):
        for c in range(a.shape[1]):
            out[c] += a[r, c]


@njit(**INNER, inline="always")
def input_grads(x, dgx, W_x, k, dx, dW_x, db_x, accumulate):
    """Tile k: ``dx[k] = dgx W_x^T``; ``dW_x (+)= x^T dgx``; ``db_x (+)= sum_rows dgx``.

    All steps at once: ``x[k]`` is (T*BT, F) and ``dgx[k]`` (T*BT, G*H);
    ``dW_x`` (F, G*H) and ``db_x`` (G*H,) are the group's partials. A ``dx``
    of width 0, (NT, T, BT, 0), asks for no input gradient (a first layer's
    is never read: about 5% of a default training step).
    """
    da_all = rows_of(dgx, k)  # (T*BT, G*H)
    if dx.shape[3] > 0:
        gemm(da_all, PLAIN, W_x, TRANS, rows_of(dx, k), 0.0)
    gemm(rows_of(x, k), TRANS, da_all, PLAIN, dW_x, 1.0 if accumulate else 0.0)
    row_sum(da_all, db_x, accumulate)


@njit(**INNER, inline="always")
def recurrent_weight_grad(hs, dgh, reverse, k, dW_h, accumulate):
    """Tile k: ``dW_h (+)= sum_t h_{t-1}^T dgh_t`` as one product over all steps.

    The first processed step has no previous state and adds nothing.
    """
    T, BT = hs.shape[1], hs.shape[2]
    if T == 1:
        if not accumulate:
            dW_h[:] = 0
        return
    n = (T - 1) * BT
    beta = 1.0 if accumulate else 0.0
    h_all = rows_of(hs, k)  # (T*BT, H)
    da_all = rows_of(dgh, k)  # (T*BT, G*H)
    if reverse:  # states 1..T-1 feed steps 0..T-2
        gemm(h_all[BT:], TRANS, da_all[:n], PLAIN, dW_h, beta)
    else:  # states 0..T-2 feed steps 1..T-1
        gemm(h_all[:n], TRANS, da_all[BT:], PLAIN, dW_h, beta)
