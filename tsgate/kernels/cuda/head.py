"""Output head on the GPU: dense layer and additive (Bahdanau) attention, the
twin of ``kernels/cpu/head.py``.

Same tile layout and memory contract as ``lstm.py``: activation gradients are
assigned, parameter gradients are per-group partials ``(NG, ...)``. D is the
feature width of the last recurrent layer, A the attention width, O the
number of outputs.

The products go through the tiled ``matmul`` (one launch over all tiles, or
one product per tile for the parameter partials, summed per group). The rest is elementwise
with one thread per (tile, row[, step or unit]); every sum runs in a single
thread in the CPU kernel's order, so nothing needs atomics. Two temporaries
the contract gives no buffer for (``q U_a`` forward; the score gradients and
their sum over steps backward) live in reused device scratch buffers.
"""
import functools
import math

from numba import cuda

from ._cells import attention_dscore, attention_du
from ._config import (CACHE, check_device, dtype_name, elementwise_blocks, launch, numba_type,
                      scratch)
from ._device import activations
from ._partials import tile_partials, to_groups
from ._recurrent import row_sums
from .matmul import matmul


def dense_forward(z, W, b, out):
    """``out = z W + b``; z (NT, BT, D), W (D, O), b (O,), out (NT, BT, O)."""
    check_device(z, W, b, out)
    NT, BT, O = out.shape
    D = z.shape[2]
    matmul(z.reshape(1, NT * BT, D), W.reshape(1, D, O), out.reshape(1, NT * BT, O), bias=b)


def dense_backward(z, W, dout, dz, dW, db):
    """Gradients of ``dense_forward``: dz (NT, BT, D); dW (NG, D, O), db (NG, O)."""
    check_device(z, W, dout, dz, dW, db)
    NT, BT, D = z.shape
    O = dout.shape[2]
    matmul(dout.reshape(1, NT * BT, O), W.reshape(1, D, O), dz.reshape(1, NT * BT, D),
           trans_b=True)
    parts = tile_partials(dW, NT, "dense.dW")
    matmul(z, dout, parts, trans_a=True)
    to_groups(parts, dW)
    row_sums(dout, db, "dense.db")


@functools.lru_cache(maxsize=None)
def _kernels(dtype):
    nb = numba_type(dtype)
    zero, one = nb(0), nb(1)
    _, tanh = activations(dtype)

    @cuda.jit(cache=CACHE)
    def scores(u, qp, b_a, v, weights):
        # thread (k, t, r): u = tanh(h W_a + q U_a + b_a) in place, weights[k, r, t] = v . u
        NT, T, BT, A = u.shape
        i = cuda.grid(1)
        if i < NT * T * BT:
            r = i % BT
            t = (i // BT) % T
            k = i // (BT * T)
            e = zero
            for a in range(A):
                val = tanh(u[k, t, r, a] + qp[k, r, a] + b_a[a])
                u[k, t, r, a] = val
                e += v[a] * val
            weights[k, r, t] = e

    @cuda.jit(cache=CACHE)
    def softmax(weights):
        # thread (k, r): weights[k, r, :] = softmax over the steps
        NT, BT, T = weights.shape
        i = cuda.grid(1)
        if i < NT * BT:
            k = i // BT
            r = i % BT
            top = weights[k, r, 0]
            for t in range(1, T):
                if weights[k, r, t] > top:  # (no min/max builtins: numba.cuda typing)
                    top = weights[k, r, t]
            total = zero
            for t in range(T):
                w = math.exp(weights[k, r, t] - top)
                weights[k, r, t] = w
                total += w
            for t in range(T):
                weights[k, r, t] /= total

    @cuda.jit(cache=CACHE)
    def context(hseq, weights, ctx):
        # thread (k, r, d): ctx = sum_t w_t h_t, steps in order
        NT, T, BT, D = hseq.shape
        i = cuda.grid(1)
        if i < NT * BT * D:
            d = i % D
            r = (i // D) % BT
            k = i // (D * BT)
            acc = zero
            for t in range(T):
                acc += weights[k, r, t] * hseq[k, t, r, d]
            ctx[k, r, d] = acc

    @cuda.jit(cache=CACHE)
    def score_grads(hseq, weights, dctx, de):
        # thread (k, r): de[k, r, t] = w_t (dctx . h_t - sum_s w_s dctx . h_s)
        NT, T, BT, D = hseq.shape
        i = cuda.grid(1)
        if i < NT * BT:
            k = i // BT
            r = i % BT
            mean = zero
            for t in range(T):
                acc = zero
                for d in range(D):
                    acc += dctx[k, r, d] * hseq[k, t, r, d]
                de[k, r, t] = acc
                mean += weights[k, r, t] * acc
            for t in range(T):
                de[k, r, t] = attention_dscore(weights[k, r, t], de[k, r, t], mean)

    @cuda.jit(cache=CACHE)
    def unit_grads(u, v, de, du, S, dv):
        # thread (k, a): du, S[k, :, a] = sum_t du, dv[k, a]; rows then steps, as the CPU
        NT, T, BT, A = u.shape
        i = cuda.grid(1)
        if i < NT * A:
            k = i // A
            a = i % A
            dv_acc = zero
            for r in range(BT):
                s_acc = zero
                for t in range(T):
                    uu = u[k, t, r, a]
                    g = de[k, r, t]
                    dv_acc += g * uu
                    ds = attention_du(g, v[a], uu, one)
                    du[k, t, r, a] = ds
                    s_acc += ds
                S[k, r, a] = s_acc
            dv[k, a] = dv_acc

    @cuda.jit(cache=CACHE)
    def add_context_grad(weights, dctx, dhseq):
        # thread (k, t, r, d): dhseq += w_t dctx
        NT, T, BT, D = dhseq.shape
        i = cuda.grid(1)
        if i < dhseq.size:
            d = i % D
            r = (i // D) % BT
            t = (i // (D * BT)) % T
            k = i // (D * BT * T)
            dhseq[k, t, r, d] += weights[k, r, t] * dctx[k, r, d]

    return scores, softmax, context, score_grads, unit_grads, add_context_grad


def _launch(kernel, n, *args):
    if n > 0:
        blocks, threads = elementwise_blocks(n)
        launch(kernel, blocks, threads)(*args)


def attention_forward(hseq, q, W_a, U_a, b_a, v, u, weights, ctx):
    """Additive attention over the steps of the last layer.

    ``e_t = v . tanh(h_t W_a + q U_a + b_a)``, ``weights = softmax_t(e)``,
    ``ctx = sum_t weights_t h_t``.

    Parameters
    ----------
    hseq : device array of shape (NT, T, BT, D)
    q : device array of shape (NT, BT, D)
        The query, the final state of the last layer.
    W_a, U_a : device array of shape (D, A)
    b_a, v : device array of shape (A,)
    u : device array of shape (NT, T, BT, A)
        Output ``tanh(...)`` per step, kept for the backward pass.
    weights : device array of shape (NT, BT, T)
        Output attention weights (not ``alpha``: that is the L2 penalty elsewhere).
    ctx : device array of shape (NT, BT, D)
        Output context vectors.
    """
    check_device(hseq, q, W_a, U_a, b_a, v, u, weights, ctx)
    NT, T, BT, D = hseq.shape
    A = W_a.shape[1]
    scores, softmax, context, _, _, _ = _kernels(dtype_name(hseq))
    qp = scratch("attention_qp", (NT, BT, A), hseq.dtype)  # (NT, BT, A) q U_a
    matmul(q.reshape(1, NT * BT, D), U_a.reshape(1, D, A), qp.reshape(1, NT * BT, A))
    matmul(hseq.reshape(1, NT * T * BT, D), W_a.reshape(1, D, A), u.reshape(1, NT * T * BT, A))
    _launch(scores, NT * T * BT, u, qp, b_a, v, weights)
    _launch(softmax, NT * BT, weights)
    _launch(context, NT * BT * D, hseq, weights, ctx)


def attention_backward(hseq, q, W_a, U_a, v, u, weights, dctx, du,
                       dhseq, dq, dW_a, dU_a, db_a, dv):
    """Gradients of ``attention_forward`` given ``dctx`` (NT, BT, D).

    ``du`` (NT, T, BT, A) is a workspace. Assigns ``dhseq`` (NT, T, BT, D) and
    ``dq`` (NT, BT, D), the attention's share of the gradient of the states
    and of the query, and the per-group partials dW_a, dU_a (NG, D, A) and
    db_a, dv (NG, A), NG <= NT.
    """
    check_device(hseq, q, W_a, U_a, v, u, weights, dctx, du, dhseq, dq, dW_a, dU_a, db_a, dv)
    NT, T, BT, D = hseq.shape
    A = W_a.shape[1]
    _, _, _, score_grads, unit_grads, add_context_grad = _kernels(dtype_name(hseq))
    de = scratch("attention_de", (NT, BT, T), hseq.dtype)  # (NT, BT, T) score gradients
    S = scratch("attention_S", (NT, BT, A), hseq.dtype)  # (NT, BT, A) sum_t du
    dv_parts = tile_partials(dv, NT, "attention.dv")
    _launch(score_grads, NT * BT, hseq, weights, dctx, de)
    _launch(unit_grads, NT * A, u, v, de, du, S, dv_parts)
    to_groups(dv_parts, dv)
    matmul(du.reshape(1, NT * T * BT, A), W_a.reshape(1, D, A),
           dhseq.reshape(1, NT * T * BT, D), trans_b=True)
    _launch(add_context_grad, dhseq.size, weights, dctx, dhseq)
    parts = tile_partials(dW_a, NT, "attention.dW_a")
    matmul(hseq.reshape(NT, T * BT, D), du.reshape(NT, T * BT, A), parts, trans_a=True)
    to_groups(parts, dW_a)
    parts = tile_partials(dU_a, NT, "attention.dU_a")
    matmul(q, S, parts, trans_a=True)
    to_groups(parts, dU_a)
    matmul(S.reshape(1, NT * BT, A), U_a.reshape(1, D, A), dq.reshape(1, NT * BT, D),
           trans_b=True)
    row_sums(S, db_a, "attention.db_a")
