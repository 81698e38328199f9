"""Moving data between the sample layout and the tile layout, and the glue
between layers: direction concatenation, final states, dropout masks.

Sample arrays are ``(N, T, F)`` windows and ``(N, O)`` targets (any strides:
windows may be views of one series); tile arrays are ``(NT, T, BT, F)`` and
``(NT, BT, O)``. Padded rows of the last tile get zero inputs and NaN targets.
"""
import math

import numpy as np
from numba import prange

from ._config import JIT, PARALLEL_JIT, njit


@njit(**PARALLEL_JIT)
def pack_windows(X, idx, out):
    """``out[k, t, r] = X[idx[k*BT + r], t]``; rows past ``len(idx)`` are 0."""
    NT, T, BT, F = out.shape
    B = idx.shape[0]
    for k in prange(NT):
        for r in range(BT):
            row = k * BT + r
            for t in range(T):
                for f in range(F):
                    out[k, t, r, f] = X[idx[row], t, f] if row < B else 0


def pack_targets(Y, idx, out):
    """``out[k, r] = Y[idx[k*BT + r]]``; rows past ``len(idx)`` are NaN.

    A NumPy gather, not a compiled loop: the same values (a copy, or the
    same rounding to out's dtype), about 2 us more per batch, and
    0.13 CPU s less of a first fit's compile.
    """
    NT, BT, O = out.shape
    rows = out.reshape(NT * BT, O)  # (NT*BT, O) a view: out is C-contiguous
    B = len(idx)
    rows[:B] = Y[idx]
    if B < len(rows):  # a last, partial batch
        rows[B:] = np.nan


@njit(**JIT)
def unpack_rows(a, out):
    """``out[k*BT + r] = a[k, r]`` for the first ``len(out)`` rows; a (NT, BT, O)."""
    NT, BT, O = a.shape
    for row in range(out.shape[0]):
        for o in range(O):
            out[row, o] = a[row // BT, row % BT, o]


@njit(**PARALLEL_JIT)
def concat_features(a, b, out):
    """``out[..., :Ha] = a``, ``out[..., Ha:] = b`` over (NT, T, BT, .) arrays."""
    NT, T, BT, Ha = a.shape
    Hb = b.shape[3]
    for k in prange(NT):
        for t in range(T):
            for r in range(BT):
                for j in range(Ha):
                    out[k, t, r, j] = a[k, t, r, j]
                for j in range(Hb):
                    out[k, t, r, Ha + j] = b[k, t, r, j]


@njit(**PARALLEL_JIT)
def split_features(dout, da, db):
    """Inverse of ``concat_features``: ``da = dout[..., :Ha]``, ``db = dout[..., Ha:]``."""
    NT, T, BT, Ha = da.shape
    Hb = db.shape[3]
    for k in prange(NT):
        for t in range(T):
            for r in range(BT):
                for j in range(Ha):
                    da[k, t, r, j] = dout[k, t, r, j]
                for j in range(Hb):
                    db[k, t, r, j] = dout[k, t, r, Ha + j]


# final_state and its backward are NumPy slice copies, not compiled loops:
# one copy (or add) per element either way, the same bits, and nothing to
# compile on a first run (about 0.6 CPU s for the two); a call costs about
# a microsecond more than a compiled one.
def final_state(seq, ndir, q):
    """The state that has seen the whole window, per direction.

    seq (NT, T, BT, D) with D = ndir * H: the forward half at step T-1, the
    reverse half at step 0. Assigns q (NT, BT, D).
    """
    H = seq.shape[3] // ndir
    q[:, :, :H] = seq[:, -1, :, :H]
    if ndir > 1:
        q[:, :, H:] = seq[:, 0, :, H:]


def final_state_backward(dq, ndir, dseq):
    """Add ``dq`` (NT, BT, D) into ``dseq`` (NT, T, BT, D) where ``final_state`` read."""
    H = dseq.shape[3] // ndir
    dseq[:, -1, :, :H] += dq[:, :, :H]
    if ndir > 1:
        dseq[:, 0, :, H:] += dq[:, :, H:]


@njit(**PARALLEL_JIT)
def apply_mask(x, mask, out):
    """Dropout: ``out[k, t, r, f] = x[k, t, r, f] * mask[k, r, f]``.

    One mask per sample and feature, the same at every step; the mask holds
    0 or 1/(1-p) (inverted dropout). The backward pass is the same call on the
    gradient. ``x`` may be (NT, T, BT, F), or (NT, 1, BT, F) for the head.
    """
    NT, T, BT, F = x.shape
    for k in prange(NT):
        for t in range(T):
            for r in range(BT):
                for f in range(F):
                    out[k, t, r, f] = x[k, t, r, f] * mask[k, r, f]


# The three plain copies below are NumPy, not compiled loops: NumPy is as
# fast for them, and each compiled loop cost a compile of its own per array
# rank on a first run (about 0.1-0.15 CPU s each).
def add_into(dst, src):
    """``dst += src`` elementwise over same-size contiguous arrays."""
    np.add(dst, src.reshape(dst.shape), out=dst)


def copy_into(dst, src):
    """``dst[...] = src`` elementwise over same-size contiguous arrays."""
    np.copyto(dst, src.reshape(dst.shape))


def fill(dst, value):
    """``dst[...] = value`` over a contiguous array."""
    dst[...] = value


@njit(**JIT)
def unscale_rows(pred, scale, mean, out):
    """``out = pred * scale + mean`` in out's precision, per output column;
    returns whether every value is finite. pred (N, O), scale and mean (O,).

    One call where NumPy took five (cast, multiply, add, isfinite, all): at a
    single window they cost as much as a small network's forward pass."""
    finite = True
    for i in range(pred.shape[0]):
        for o in range(pred.shape[1]):
            v = out.dtype.type(pred[i, o]) * out.dtype.type(scale[o]) + out.dtype.type(mean[o])
            out[i, o] = v
            finite = finite and math.isfinite(v)
    return finite
