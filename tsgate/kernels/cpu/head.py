"""Output head: dense layer and additive (Bahdanau) attention, over batch tiles.

Same tile layout and memory contract as ``lstm.py``: activation gradients are
assigned, parameter gradients are per-group partials ``(NG, ...)``. The
dense layer runs from Python on ``gemm`` (see below); attention is compiled.
D is the feature width of the last recurrent layer (H times the directions),
A the attention width, O the number of outputs.
"""
import numpy as np
from numba import prange

from ._cells import attention_dscore, attention_du
from ._common import group_tiles, row_sum
from ._config import CELL_JIT, njit
from ._views import rows_of
from .activations import tanh
from .matmul import PLAIN, TRANS, gemm


# The dense head is not a compiled kernel: its work is three products, which
# ``gemm`` (compiled anyway) does from Python, and a bias added by NumPy. As
# two kernels of their own it cost 0.55 CPU s of a first fit's compile; from
# Python a training step costs about 6 us more at a batch of 32 in one
# gradient group, about 3 us per further group (two calls; ``benchmarks/README.md``), with
# the same bits: ``gemm`` computes each element of a product as one
# chain of fused multiply-adds over k in order, so one call over all rows of
# a group equals the former per-tile calls that accumulated into the same
# output, and a row of ones times ``dout`` sums its rows in order, as the
# former loop did.
def dense_forward(z, W, b, out):
    """``out = z W + b``; z (NT, BT, D), W (D, O), b (O,), out (NT, BT, O)."""
    NT, BT, O = out.shape
    rows = out.reshape(NT * BT, O)  # (NT*BT, O) a view: out is C-contiguous
    gemm(z.reshape(NT * BT, -1), PLAIN, W, PLAIN, rows, 0.0)
    np.add(rows, b, out=rows)


def dense_backward(z, W, dout, dz, dW, db):
    """Gradients of ``dense_forward``: dz (NT, BT, D); dW (NG, D, O), db (NG, O).

    Group g's partials are the sums over the rows of its tiles
    (``group_tiles``), in order.
    """
    NT, BT, D = z.shape
    NG, O = db.shape
    zs, ds = z.reshape(NT * BT, D), dout.reshape(NT * BT, O)  # (NT*BT, D), (NT*BT, O)
    gemm(ds, PLAIN, W, TRANS, dz.reshape(NT * BT, D), 0.0)
    ones = _ones(BT * -(-NT // NG), z.dtype)  # (most rows of a group, 1)
    for g in range(NG):
        k0, k1 = group_tiles.py_func(g, NT, NG)
        lo, hi = k0 * BT, k1 * BT  # (rows of the group's tiles)
        gemm(zs[lo:hi], TRANS, ds[lo:hi], PLAIN, dW[g], 0.0)
        gemm(ones[:hi - lo], TRANS, ds[lo:hi], PLAIN, db[g:g + 1], 0.0)


_ONES = {}  # dtype -> the longest (n, 1) column of ones asked for yet


def _ones(n, dtype):
    """An (n, 1) column of ones of ``dtype``, kept between calls (writable:
    Numba types a read-only array apart, and ``gemm`` would compile again)."""
    col = _ONES.get(dtype)
    if col is None or len(col) < n:
        col = np.ones((n, 1), dtype)
        _ONES[dtype] = col
    return col[:n]


@njit(**CELL_JIT)
def attention_forward(hseq, q, W_a, U_a, b_a, v, u, weights, ctx):
    """Additive attention over the steps of the last layer.

    ``e_t = v . tanh(h_t W_a + q U_a + b_a)``, ``weights = softmax_t(e)``,
    ``ctx = sum_t weights_t h_t``.

    Parameters
    ----------
    hseq : ndarray of shape (NT, T, BT, D)
    q : ndarray of shape (NT, BT, D)
        The query, the final state of the last layer.
    W_a, U_a : ndarray of shape (D, A)
    b_a, v : ndarray of shape (A,)
    u : ndarray of shape (NT, T, BT, A)
        Output ``tanh(...)`` per step, kept for the backward pass.
    weights : ndarray of shape (NT, BT, T)
        Output attention weights (not ``alpha``: that is the L2 penalty elsewhere).
    ctx : ndarray of shape (NT, BT, D)
        Output context vectors.
    """
    NT, T, BT, D = hseq.shape
    A = W_a.shape[1]
    for k in prange(NT):
        qp = np.empty((BT, A), dtype=hseq.dtype)  # (BT, A) q U_a
        gemm(q[k], PLAIN, U_a, PLAIN, qp, 0.0)
        gemm(rows_of(hseq, k), PLAIN, W_a, PLAIN, rows_of(u, k), 0.0)
        for t in range(T):
            for r in range(BT):
                e = hseq.dtype.type(0)
                for a in range(A):
                    val = tanh(u[k, t, r, a] + qp[r, a] + b_a[a])
                    u[k, t, r, a] = val
                    e += v[a] * val
                weights[k, r, t] = e
        for r in range(BT):
            top = weights[k, r, 0]
            for t in range(1, T):
                top = max(top, weights[k, r, t])
            total = hseq.dtype.type(0)
            for t in range(T):
                w = np.exp(weights[k, r, t] - top)
                weights[k, r, t] = w
                total += w
            for t in range(T):
                weights[k, r, t] /= total
            for d in range(D):
                ctx[k, r, d] = 0
            for t in range(T):
                w = weights[k, r, t]
                for d in range(D):
                    ctx[k, r, d] += w * hseq[k, t, r, d]


@njit(**CELL_JIT)
def attention_backward(hseq, q, W_a, U_a, v, u, weights, dctx, du,
                       dhseq, dq, dW_a, dU_a, db_a, dv):
    """Gradients of ``attention_forward`` given ``dctx`` (NT, BT, D).

    ``du`` (NT, T, BT, A) is a workspace. Assigns ``dhseq`` (NT, T, BT, D) and
    ``dq`` (NT, BT, D), the attention's share of the gradient of the states
    and of the query, and the per-group partials dW_a, dU_a (NG, D, A) and
    db_a, dv (NG, A).
    """
    NT, T, BT, D = hseq.shape
    A = W_a.shape[1]
    NG = dW_a.shape[0]
    one = hseq.dtype.type(1)
    for g in prange(NG):
        dweights = np.empty(T, dtype=hseq.dtype)  # (T,) dctx . h_t
        S = np.empty((BT, A), dtype=hseq.dtype)  # (BT, A) sum_t of score grads
        k0, k1 = group_tiles(g, NT, NG)
        for a in range(A):
            dv[g, a] = 0
        for k in range(k0, k1):
            S[:] = 0
            for r in range(BT):
                mean = hseq.dtype.type(0)
                for t in range(T):
                    acc = hseq.dtype.type(0)
                    for d in range(D):
                        acc += dctx[k, r, d] * hseq[k, t, r, d]
                    dweights[t] = acc
                    mean += weights[k, r, t] * acc
                for t in range(T):
                    de = attention_dscore(weights[k, r, t], dweights[t], mean)
                    for a in range(A):
                        uu = u[k, t, r, a]
                        dv[g, a] += de * uu
                        ds = attention_du(de, v[a], uu, one)
                        du[k, t, r, a] = ds
                        S[r, a] += ds
            gemm(rows_of(du, k), PLAIN, W_a, TRANS, rows_of(dhseq, k), 0.0)
            for t in range(T):
                for r in range(BT):
                    w = weights[k, r, t]
                    for d in range(D):
                        dhseq[k, t, r, d] += w * dctx[k, r, d]
            acc_g = k > k0
            beta = 1.0 if acc_g else 0.0
            gemm(rows_of(hseq, k), TRANS, rows_of(du, k), PLAIN, dW_a[g], beta)
            gemm(q[k], TRANS, S, PLAIN, dU_a[g], beta)
            gemm(S, PLAIN, U_a, TRANS, dq[k], 0.0)
            row_sum(S, db_a[g], acc_g)
