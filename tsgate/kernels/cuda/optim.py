"""Gradient reduction, global-norm clipping and Adam/AdamW on flat vectors, on
the GPU: the twin of ``kernels/cpu/optim.py``.

Memory contract: ``reduce_tiles`` assigns ``out``; ``adam_step`` updates
``params``, ``m`` and ``v`` in place; ``global_norm`` returns a Python float
(one scalar copied back). Deterministic: ``reduce_tiles`` adds the tiles in
order, exactly like the CPU; ``global_norm`` sums in float64 over a fixed
grid with a fixed tree in each block, then the block partials in order.
"""
import functools
import math

from numba import cuda, float64

from ..cellmath import adam_scales
from . import _config
from ._cells import adam_update
from ._config import check_device, elementwise_blocks, scratch
from ._device import block_sum

# Most blocks of the first pass of global_norm; each loops over its share.
_NORM_BLOCKS = 256


@cuda.jit
def _reduce_tiles(parts, out):
    # parts (NT, m) -> out (m,); the tiles in order, rounding as the CPU does
    i = cuda.grid(1)
    if i < out.shape[0]:
        acc = parts[0, i]
        for k in range(1, parts.shape[0]):
            acc += parts[k, i]
        out[i] = acc


@functools.lru_cache(maxsize=None)
def _sum_squares_kernel():
    @cuda.jit
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

    @cuda.jit
    def sum_in_order(partial, out):
        # one thread: the block partials in order
        if cuda.grid(1) == 0:
            total = 0.0
            for b in range(partial.shape[0]):
                total += partial[b]
            out[0] = total

    return sum_squares, sum_in_order


@cuda.jit
def _adam(params, grad, m, v, decay_mask, step_size, eps_hat, lr, beta1, beta2,
          alpha, weight_decay, grad_scale):
    # float64 arithmetic, rounded on store: what the CPU kernel does
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
        _reduce_tiles[blocks, threads](parts, out)


def global_norm(grad):
    """L2 norm of a flat device vector, accumulated in float64.

    Returns
    -------
    norm : float
        A Python float (one scalar copied back to the host).
    """
    check_device(grad)
    n = grad.shape[0]
    threads = _config.elementwise_threads()
    blocks = max(1, min(_NORM_BLOCKS, -(-n // threads)))
    partial = scratch("norm_partial", (blocks,), "float64")
    out = scratch("norm_out", (1,), "float64")
    sum_squares, sum_in_order = _sum_squares_kernel()
    sum_squares[blocks, threads, 0, threads * 8](grad, partial)
    sum_in_order[1, 1](partial, out)
    return math.sqrt(float(out.copy_to_host()[0]))


def adam_step(params, grad, m, v, decay_mask, step, lr, beta1, beta2, eps,
              alpha, weight_decay, grad_scale):
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
    """
    check_device(params, grad, m, v, decay_mask)
    n = params.shape[0]
    if n == 0:
        return
    step_size, eps_hat = adam_scales(step, lr, beta1, beta2, eps)
    blocks, threads = elementwise_blocks(n)
    _adam[blocks, threads](params, grad, m, v, decay_mask, float(step_size), float(eps_hat),
                           float(lr), float(beta1), float(beta2), float(alpha),
                           float(weight_decay), float(grad_scale))
