"""Moving data between the sample layout and the tile layout, and the glue
between layers, on the GPU: the twin of ``kernels/cpu/sequence.py``.

Sample arrays are ``(N, T, F)`` windows and ``(N, O)`` targets; tile arrays
are ``(NT, T, BT, F)`` and ``(NT, BT, O)``. Padded rows of the last tile get
zero inputs and NaN targets.

Memory contract: outputs are assigned, except ``final_state_backward`` and
``add_into``, which accumulate (``+=``). Every kernel here is elementwise:
one thread per output element (``tsgate.config.CUDA_THREADS`` per block), so
no two threads write the same element and no atomics are needed.
"""
import math

from numba import cuda

from ._config import CACHE, check_device, elementwise_blocks, launch


@cuda.jit(cache=CACHE)
def _pack_windows(X, idx, out):
    NT, T, BT, F = out.shape
    i = cuda.grid(1)
    if i < out.size:
        f = i % F
        r = (i // F) % BT
        t = (i // (F * BT)) % T
        k = i // (F * BT * T)
        row = k * BT + r
        out[k, t, r, f] = X[idx[row], t, f] if row < idx.shape[0] else 0


@cuda.jit(cache=CACHE)
def _pack_targets(Y, idx, out):
    NT, BT, O = out.shape
    i = cuda.grid(1)
    if i < out.size:
        o = i % O
        row = i // O
        out[row // BT, row % BT, o] = Y[idx[row], o] if row < idx.shape[0] else math.nan


@cuda.jit(cache=CACHE)
def _unpack_rows(a, out):
    BT = a.shape[1]
    O = a.shape[2]
    i = cuda.grid(1)
    if i < out.size:
        o = i % O
        row = i // O
        out[row, o] = a[row // BT, row % BT, o]


@cuda.jit(cache=CACHE)
def _concat(a, b, out):
    NT, T, BT, D = out.shape
    Ha = a.shape[3]
    i = cuda.grid(1)
    if i < out.size:
        j = i % D
        r = (i // D) % BT
        t = (i // (D * BT)) % T
        k = i // (D * BT * T)
        out[k, t, r, j] = a[k, t, r, j] if j < Ha else b[k, t, r, j - Ha]


@cuda.jit(cache=CACHE)
def _split(dout, da, db):
    NT, T, BT, D = dout.shape
    Ha = da.shape[3]
    i = cuda.grid(1)
    if i < dout.size:
        j = i % D
        r = (i // D) % BT
        t = (i // (D * BT)) % T
        k = i // (D * BT * T)
        if j < Ha:
            da[k, t, r, j] = dout[k, t, r, j]
        else:
            db[k, t, r, j - Ha] = dout[k, t, r, j]


@cuda.jit(cache=CACHE)
def _final_state(seq, H, q, backward):
    # forward: q (NT, BT, D) = seq at T-1 (forward half) / 0 (reverse half);
    # backward: seq += q at those places (one thread per element: no races)
    NT, T, BT, D = seq.shape
    i = cuda.grid(1)
    if i < q.size:
        j = i % D
        r = (i // D) % BT
        k = i // (D * BT)
        t = T - 1 if j < H else 0
        if backward:
            seq[k, t, r, j] += q[k, r, j]
        else:
            q[k, r, j] = seq[k, t, r, j]


@cuda.jit(cache=CACHE)
def _apply_mask(x, mask, out):
    NT, T, BT, F = x.shape
    i = cuda.grid(1)
    if i < x.size:
        f = i % F
        r = (i // F) % BT
        t = (i // (F * BT)) % T
        k = i // (F * BT * T)
        out[k, t, r, f] = x[k, t, r, f] * mask[k, r, f]


@cuda.jit(cache=CACHE)
def _add(d, s):
    i = cuda.grid(1)
    if i < d.size:
        d[i] += s[i]


@cuda.jit(cache=CACHE)
def _copy(d, s):
    i = cuda.grid(1)
    if i < d.size:
        d[i] = s[i]


@cuda.jit(cache=CACHE)
def _fill(d, value):
    i = cuda.grid(1)
    if i < d.size:
        d[i] = value


def _launch(kernel, n, *args):
    if n > 0:
        blocks, threads = elementwise_blocks(n)
        launch(kernel, blocks, threads)(*args)


def _flat(a):
    return a.reshape(a.size)


def pack_windows(X, idx, out):
    """``out[k, t, r] = X[idx[k*BT + r], t]``; rows past ``len(idx)`` are 0.

    X (N, T, F), idx (B,) int64, out (NT, T, BT, F); all device arrays.
    """
    check_device(X, idx, out)
    _launch(_pack_windows, out.size, X, idx, out)


def pack_targets(Y, idx, out):
    """``out[k, r] = Y[idx[k*BT + r]]``; rows past ``len(idx)`` are NaN.

    Y (N, O), idx (B,) int64, out (NT, BT, O).
    """
    check_device(Y, idx, out)
    _launch(_pack_targets, out.size, Y, idx, out)


def unpack_rows(a, out):
    """``out[k*BT + r] = a[k, r]`` for the first ``len(out)`` rows; a (NT, BT, O)."""
    check_device(a, out)
    _launch(_unpack_rows, out.size, a, out)


def concat_features(a, b, out):
    """``out[..., :Ha] = a``, ``out[..., Ha:] = b`` over (NT, T, BT, .) arrays."""
    check_device(a, b, out)
    _launch(_concat, out.size, a, b, out)


def split_features(dout, da, db):
    """Inverse of ``concat_features``: ``da = dout[..., :Ha]``, ``db = dout[..., Ha:]``."""
    check_device(dout, da, db)
    _launch(_split, dout.size, dout, da, db)


def final_state(seq, ndir, q):
    """The state that has seen the whole window, per direction.

    seq (NT, T, BT, D) with D = ndir * H: the forward half at step T-1, the
    reverse half at step 0. Assigns q (NT, BT, D).
    """
    check_device(seq, q)
    _launch(_final_state, q.size, seq, seq.shape[3] // int(ndir), q, False)


def final_state_backward(dq, ndir, dseq):
    """Add ``dq`` (NT, BT, D) into ``dseq`` (NT, T, BT, D) where ``final_state`` read."""
    check_device(dq, dseq)
    _launch(_final_state, dq.size, dseq, dseq.shape[3] // int(ndir), dq, True)


def apply_mask(x, mask, out):
    """Dropout: ``out[k, t, r, f] = x[k, t, r, f] * mask[k, r, f]``.

    ``x`` (NT, T, BT, F) or (NT, 1, BT, F); mask (NT, BT, F) holds 0 or
    1/(1-p). The backward pass is the same call on the gradient.
    """
    check_device(x, mask, out)
    _launch(_apply_mask, x.size, x, mask, out)


def add_into(dst, src):
    """``dst += src`` elementwise over same-shape contiguous arrays."""
    check_device(dst, src)
    _launch(_add, dst.size, _flat(dst), _flat(src))


def copy_into(dst, src):
    """``dst[...] = src`` elementwise over same-shape contiguous arrays."""
    check_device(dst, src)
    _launch(_copy, dst.size, _flat(dst), _flat(src))


def fill(dst, value):
    """``dst[...] = value`` over a contiguous array."""
    check_device(dst)
    _launch(_fill, dst.size, _flat(dst), dst.dtype.type(value))
