"""Gradient reduction, global-norm clipping and Adam/AdamW on flat vectors, on
the GPU: the twin of ``kernels/cpu/optim.py``.

Memory contract: ``reduce_tiles`` assigns ``out``; ``adam_step`` updates
``params``, ``m`` and ``v`` in place; ``global_norm`` writes a float64
device slot ``out[slot]`` (or, without ``out``, returns a Python float: one
scalar copied back). ``adam_step`` may read its clipping factor from such a
slot, on the device: a training step then waits for nothing. Deterministic: ``reduce_tiles`` adds the tiles in
order, exactly like the CPU; ``global_norm`` sums in float64 over a fixed
grid with a fixed tree in each block, then the block partials in order.
"""
import functools
import math

from numba import cuda, float64

from ..cellmath import adam_scales
from . import _config
from ._cells import adam_update
from ._config import CACHE, check_device, elementwise_blocks, launch, scratch
from ._device import block_sum

# Most blocks of the first pass of global_norm; each loops over its share.
_NORM_BLOCKS = 256


@cuda.jit(cache=CACHE)
def _reduce_tiles(parts, out):
    # parts (NT, m) -> out (m,); the tiles in order, rounding as the CPU does
    i = cuda.grid(1)
    if i < out.shape[0]:
        acc = parts[0, i]
        for k in range(1, parts.shape[0]):
            acc += parts[k, i]
        out[i] = acc


@cuda.jit(cache=CACHE)
def _reduce_partials(parts, offsets, NG, out):
    # parts (NG*P,) in (NG, n) blocks per parameter (offsets (B+1,)) -> out (P,)
    i = cuda.grid(1)
    if i < out.shape[0]:
        b = 0
        while offsets[b + 1] <= i:  # the block of i: a few dozen at most
            b += 1
        off = offsets[b]
        n = offsets[b + 1] - off
        at = NG * off + (i - off)
        acc = parts[at]
        for k in range(1, NG):
            acc += parts[at + k * n]
        out[i] = acc


@functools.lru_cache(maxsize=None)
def _sum_squares_kernel():
    @cuda.jit(cache=CACHE)
    def sum_squares(a, partial):
        # a (n,) -> partial (blocks,): float64 sum of squares per block
        buf = cuda.shared.array(0, float64)  # (threads,)
        tid = cuda.threadIdx.x
        nth = cuda.blockDim.x
        stride = nth * cuda.gridDim.x
        total = 0.0
        for i in range(cuda.blockIdx.x * nth + tid, a.shape[0], stride):
            val = float64(a[i])
            total += val * val
        buf[tid] = total
        cuda.syncthreads()
        block_sum(buf, tid, nth)
        if tid == 0:
            partial[cuda.blockIdx.x] = buf[0]

    @cuda.jit(cache=CACHE)
    def sum_in_order(partial, out, slot):
        # one thread: the block partials in order; the norm into out[slot]
        if cuda.grid(1) == 0:
            total = 0.0
            for b in range(partial.shape[0]):
                total += partial[b]
            out[slot] = math.sqrt(total)

    return sum_squares, sum_in_order


@cuda.jit(cache=CACHE)
def _adam(params, grad, m, v, decay_mask, step_size, eps_hat, lr, beta1, beta2,
          alpha, weight_decay, grad_scale, norms, slot, clip):
    # float64 arithmetic, rounded on store: what the CPU kernel does;
    # clipping by the norm in norms[slot] when clip > 0 (read on the device)
    if clip > 0.0:
        if norms[slot] > clip:
            grad_scale = grad_scale * (clip / norms[slot])
    i = cuda.grid(1)
    if i < params.shape[0]:
        p, mi, vi = adam_update(float64(params[i]), float64(grad[i]), float64(m[i]),
                                float64(v[i]), float64(decay_mask[i]), step_size, eps_hat,
                                lr, beta1, beta2, alpha, weight_decay, grad_scale)
        m[i] = mi
        v[i] = vi
        params[i] = p


def reduce_tiles(parts, out):
    """Assign ``out = parts.sum(axis=0)``, tiles added in order; parts (NT, m)."""
    check_device(parts, out)
    m = out.shape[0]
    if m > 0:
        blocks, threads = elementwise_blocks(m)
        launch(_reduce_tiles, blocks, threads)(parts, out)


def reduce_partials(parts, offsets, out):
    """``reduce_tiles`` of every parameter in ONE launch (a thread per
    parameter), from the flat partials buffer; layout as the CPU twin's.

    parts (NG*P,), offsets (B+1,) int64, out (P,); all device arrays.
    """
    check_device(parts, offsets, out)
    P = out.shape[0]
    if P > 0:
        blocks, threads = elementwise_blocks(P)
        launch(_reduce_partials, blocks, threads)(parts, offsets, parts.shape[0] // P, out)


def global_norm(grad, out=None, slot=0):
    """L2 norm of a flat device vector, accumulated in float64.

    Parameters
    ----------
    grad : device array of shape (P,)
    out : device array of shape (S,) float64, optional
        Write the norm into ``out[slot]`` and copy nothing back.
    slot : int

    Returns
    -------
    norm : float or None
        Without ``out``: a Python float (one scalar copied back). With: None.
    """
    check_device(grad)
    n = grad.shape[0]
    threads = _config.elementwise_threads()
    blocks = max(1, min(_NORM_BLOCKS, -(-n // threads)))
    partial = scratch("norm_partial", (blocks,), "float64")
    result = scratch("norm_out", (1,), "float64") if out is None else out
    sum_squares, sum_in_order = _sum_squares_kernel()
    launch(sum_squares, blocks, threads, threads * 8)(grad, partial)
    launch(sum_in_order, 1, 1)(partial, result, int(slot))
    if out is None:
        return float(result.copy_to_host()[0])
    return None


def adam_step(params, grad, m, v, decay_mask, step, lr, beta1, beta2, eps,
              alpha, weight_decay, grad_scale, norms=None, slot=0, clip=0.0):
    """One Adam update of the flat parameter vector, in place.

    ``g = grad_scale * grad + alpha * decay_mask * params`` (``grad_scale``
    carries the clipping factor, ``alpha`` the L2 penalty as in scikit-learn),
    then Adam with bias correction for ``step`` (1-based), then decoupled
    weight decay ``params -= lr * weight_decay * decay_mask * params`` (AdamW).

    Parameters
    ----------
    params, grad, m, v, decay_mask : device array of shape (P,)
    step : int
    lr, beta1, beta2, eps, alpha, weight_decay, grad_scale : float
    norms : device array of shape (S,) float64, optional
        With ``clip`` > 0, the gradient is also scaled by ``clip / norms[slot]``
        when that norm exceeds ``clip``; read on the device.
    slot : int
    clip : float
    """
    check_device(params, grad, m, v, decay_mask)
    if norms is None:
        norms, clip = _no_norms(), 0.0
    n = params.shape[0]
    if n == 0:
        return
    step_size, eps_hat = adam_scales(step, lr, beta1, beta2, eps)
    blocks, threads = elementwise_blocks(n)
    launch(_adam, blocks, threads)(
        params, grad, m, v, decay_mask, float(step_size), float(eps_hat), float(lr), float(beta1),
        float(beta2), float(alpha), float(weight_decay), float(grad_scale), norms, int(slot),
        float(clip or 0.0))


def _no_norms():
    """A one-slot float64 placeholder for ``adam_step`` without norms."""
    return scratch("no_norms", (1,), "float64")
