"""Gradient reduction, global-norm clipping and Adam/AdamW on flat vectors.

All loops are serial and in index order: the sums then do not depend on the
number of threads, and these passes are tiny next to the recurrent layers.
"""
import itertools
import math

import numpy as np

from ..cellmath import adam_scales
from ._cells import adam_update
from ._config import JIT, njit


@njit(**JIT)
def reduce_tiles(parts, out):
    """Assign ``out = parts.sum(axis=0)``, tiles added in order; parts (NT, m)."""
    NT, m = parts.shape
    for i in range(m):
        out[i] = parts[0, i]
    for k in range(1, NT):
        for i in range(m):
            out[i] += parts[k, i]


def reduce_partials(parts, offsets, out):
    """``reduce_tiles`` of every parameter at once, from one flat buffer.

    parts (NG*P,) holds, for parameter block b (``out[offsets[b]:offsets[b+1]]``,
    n values), its per-group partials as a contiguous (NG, n) block starting
    at ``NG * offsets[b]``; offsets (B+1,) int64 from 0 to P. Assigns out (P,)
    with the groups added in order, exactly as ``reduce_tiles`` per block.

    NumPy, not a kernel: NG is 1 or 2 for batches up to 128 rows (one copy,
    or one addition per block), and a compiled loop cost a first fit 0.3-0.4
    s of its compile for a pass no faster than this (an LSTM of 32 units,
    two groups: 24 us here, 27 us compiled, on the AVX2 EPYC). Each group
    is added by its own call, never by ``np.add.reduce``, whose pairwise
    summation would change the order (and the bits) over a contiguous axis.
    """
    P = out.shape[0]
    NG = parts.shape[0] // P if P > 0 else 1
    if NG == 1:
        np.copyto(out, parts)
        return
    bounds = offsets.tolist()
    for off, end in itertools.pairwise(bounds):
        n, base = end - off, NG * off  # the block's partials: parts[base:base + NG * n]
        dst = out[off:end]
        np.add(parts[base:base + n], parts[base + n:base + 2 * n], out=dst)
        for k in range(2, NG):
            np.add(dst, parts[base + k * n:base + (k + 1) * n], out=dst)


@njit(**JIT)
def global_norm(grad, out=None, slot=0):
    """L2 norm of a flat vector, accumulated in float64; also written into
    ``out[slot]`` (out (S,) float64) when ``out`` is given."""
    total = 0.0
    for i in range(grad.shape[0]):
        g = np.float64(grad[i])  # numba's float() keeps float32: its square overflows past 1.8e19
        total += g * g
    if out is not None:
        out[slot] = math.sqrt(total)
    return math.sqrt(total)


def adam_step(params, grad, m, v, decay_mask, step, lr, beta1, beta2, eps,
              alpha, weight_decay, grad_scale, norms=None, slot=0, clip=0.0):
    """One Adam update of the flat parameter vector, in place.

    ``g = grad_scale * grad + alpha * decay_mask * params`` (``grad_scale``
    carries the clipping factor, ``alpha`` the L2 penalty as in scikit-learn),
    then Adam with bias correction for ``step`` (1-based), then decoupled
    weight decay ``params -= lr * weight_decay * decay_mask * params`` (AdamW).
    ``decay_mask`` is 1 for weight matrices and 0 for biases.

    Clipping from a norm slot: with ``norms`` (S,) and ``clip`` > 0, the
    gradient is also scaled by ``clip / norms[slot]`` when that norm exceeds
    ``clip`` (the training loop's per-epoch norms; the CUDA twin reads the
    slot on the device, so no norm comes back to the host per step).

    The bias correction is computed here, on the host, as the CUDA twin does
    (``cellmath.adam_scales``, the same bits as compiled code): compiled
    inside the kernel it cost 0.14 CPU s of a first fit's compile.
    """
    step_size, eps_hat = adam_scales(step, lr, beta1, beta2, eps)
    _adam(params, grad, m, v, decay_mask, step_size, eps_hat, lr, beta1, beta2, alpha,
          weight_decay, grad_scale, norms, slot, clip)


@njit(**JIT)
def _adam(params, grad, m, v, decay_mask, step_size, eps_hat, lr, beta1, beta2, alpha,
          weight_decay, grad_scale, norms, slot, clip):
    """``adam_step``'s loop, given its bias-corrected step size and epsilon."""
    if norms is not None and clip > 0:
        if norms[slot] > clip:
            grad_scale = grad_scale * (clip / norms[slot])
    for i in range(params.shape[0]):
        p, mi, vi = adam_update(np.float64(params[i]), np.float64(grad[i]), np.float64(m[i]),
                                np.float64(v[i]), np.float64(decay_mask[i]), step_size, eps_hat,
                                lr, beta1, beta2, alpha, weight_decay, grad_scale)
        m[i] = mi
        v[i] = vi
        params[i] = p
